//! The frames a storm member reads, decoded just far enough: `welcome` (code, token, the
//! history's `seq` and text), `chat`, `gap`, `error` and the close code. Everything else
//! (presence, typing) decodes to [`Incoming::Other`].
//!
//! Also names what went wrong while connecting, for the report's refusal counts.

use serde::Deserialize;
use tokio_tungstenite::tungstenite::{self, Message};

/// A chat as the member needs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Chat {
    /// The room's number for it.
    pub seq: u64,
    /// The benchmark text (`sender.number.sent_ns.`).
    pub text: String,
    /// Present only on the sender's own copy.
    #[serde(default)]
    pub client_id: Option<u64>,
}

/// One frame from the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// Joined (or resumed).
    Welcome {
        /// The room's code.
        room: String,
        /// The membership's resume token.
        token: String,
        /// The backlog (or, on a resume, what was missed).
        history: Vec<Chat>,
    },
    /// A live chat.
    Chat(Chat),
    /// Messages `after + 1 .. resumed_from` are gone.
    Gap {
        /// The `last_seq` the member resumed with.
        after: u64,
        /// The first `seq` it will see.
        resumed_from: u64,
    },
    /// A refusal.
    Error {
        /// The error code (`unavailable`, `name_taken`, ...).
        code: String,
        /// The refused chat's `client_id`, if it was one.
        client_id: Option<u64>,
        /// How long to wait before trying again.
        retry_after_ms: Option<u64>,
    },
    /// The relay closed the connection: the close code as a label (`1012`, `close` with
    /// no code).
    Closed(String),
    /// Anything else.
    Other,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Wire {
    Welcome {
        room: String,
        resume_token: String,
        #[serde(default)]
        history: Vec<Chat>,
    },
    Chat(Chat),
    Gap {
        after: u64,
        resumed_from: u64,
    },
    Error {
        code: String,
        #[serde(default)]
        client_id: Option<u64>,
        #[serde(default)]
        retry_after_ms: Option<u64>,
    },
}

impl Incoming {
    /// Decodes one WebSocket message.
    pub fn decode(message: &Message) -> Self {
        match message {
            Message::Text(text) => match serde_json::from_str::<Wire>(text) {
                Ok(Wire::Welcome {
                    room,
                    resume_token,
                    history,
                }) => Self::Welcome {
                    room,
                    token: resume_token,
                    history,
                },
                Ok(Wire::Chat(chat)) => Self::Chat(chat),
                Ok(Wire::Gap {
                    after,
                    resumed_from,
                }) => Self::Gap {
                    after,
                    resumed_from,
                },
                Ok(Wire::Error {
                    code,
                    client_id,
                    retry_after_ms,
                }) => Self::Error {
                    code,
                    client_id,
                    retry_after_ms,
                },
                Err(_) => Self::Other,
            },
            Message::Close(frame) => Self::Closed(
                frame
                    .as_ref()
                    .map_or_else(|| "close".to_owned(), |f| u16::from(f.code).to_string()),
            ),
            _ => Self::Other,
        }
    }
}

/// The sender index, message number and send time in a benchmark text.
pub fn parse_text(text: &str) -> Option<(usize, u64, u64)> {
    let mut parts = text.splitn(4, '.');
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

/// A failed connect as a refusal label: `http:429` for a refused handshake, `tcp:KIND`
/// for a socket error (`tcp:ConnectionRefused` while a relay is down), `ws:other`.
pub fn connect_error_label(err: &crate::wire::BoxError) -> String {
    if let Some(ws) = err.downcast_ref::<tungstenite::Error>() {
        return match ws {
            tungstenite::Error::Http(response) => format!("http:{}", response.status().as_u16()),
            tungstenite::Error::Io(io) => format!("tcp:{:?}", io.kind()),
            _ => "ws:other".to_owned(),
        };
    }
    match err.downcast_ref::<std::io::Error>() {
        Some(io) => format!("tcp:{:?}", io.kind()),
        None => "ws:other".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welcomes_gaps_and_refusals_decode_and_the_rest_is_other() {
        let welcome = r#"{"type":"welcome","room":"S1","you":"m1","members":["m1"],"history":[{"seq":4,"from":"m0","text":"0.3.99.","ts":1}],"resume_token":"t","limits":{}}"#;
        let Incoming::Welcome { room, history, .. } =
            Incoming::decode(&Message::Text(welcome.into()))
        else {
            panic!("a welcome");
        };
        assert_eq!((room.as_str(), history[0].seq), ("S1", 4));
        assert_eq!(parse_text(&history[0].text), Some((0, 3, 99)));
        let gap = r#"{"type":"gap","after":3,"resumed_from":40}"#;
        assert_eq!(
            Incoming::decode(&Message::Text(gap.into())),
            Incoming::Gap {
                after: 3,
                resumed_from: 40
            }
        );
        let refused = r#"{"type":"error","code":"unavailable","message":"x","client_id":4,"retry_after_ms":500}"#;
        assert!(matches!(
            Incoming::decode(&Message::Text(refused.into())),
            Incoming::Error {
                client_id: Some(4),
                retry_after_ms: Some(500),
                ..
            }
        ));
        let typing = r#"{"type":"typing","name":"m1","active":true}"#;
        assert_eq!(
            Incoming::decode(&Message::Text(typing.into())),
            Incoming::Other
        );
    }
}
