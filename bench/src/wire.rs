//! The generator's side of the protocol: connect (optionally from a chosen 127.x source
//! address), create or join a room, and read relayed chat frames cheaply.
//!
//! Benchmark chat texts are `"<sender>.<number>.<sent_ns>"` followed by `x` padding, so a
//! receiver can find who sent it, which of their messages it is and when it was sent
//! without decoding the whole frame: the generator shares the machine with the relay and
//! must stay cheap.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use confab_protocol::{ClientMessage, RoomCode, Username};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Any error on the generator's side; reported as a count, never fatal to a run.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One benchmark connection.
pub type Socket = WebSocketStream<TcpStream>;

/// How long connecting plus joining may take before it counts as a connect error.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Read buffer of each generator connection: small, so 10k+ idle connections stay cheap
/// on the generator's side too (tungstenite's default is 128 KiB, zero-filled on use).
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// Opens a TCP connection to `server` from `source` (any port), then the WebSocket.
///
/// Binding the source address lets one machine hold more connections to one relay port
/// than one address has ephemeral ports (about 28k on Linux by default).
pub async fn connect(server: SocketAddr, source: Option<IpAddr>) -> Result<Socket, BoxError> {
    let socket = if server.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{server}/");
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
    let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config)).await?;
    Ok(ws)
}

/// How a benchmark client reads presence changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Presence {
    /// `member_joined`/`member_left` with the whole roster (what older clients get).
    #[default]
    Full,
    /// `joined`/`left` with a count (`hello` with `roster_deltas` first).
    Compact,
    /// `presence` batches (`hello` with `presence_batches` first).
    Batches,
}

impl Presence {
    /// The form the `--roster-deltas` and `--presence-batches` flags ask for (batches win).
    pub fn from_flags(roster_deltas: bool, presence_batches: bool) -> Self {
        match (roster_deltas, presence_batches) {
            (_, true) => Self::Batches,
            (true, false) => Self::Compact,
            (false, false) => Self::Full,
        }
    }
}

/// Sends `create` (when `room` is `None`) or `join`, and waits for `welcome`. Returns the
/// room's code.
pub async fn enter(
    ws: &mut Socket,
    name: &str,
    room: Option<&str>,
    presence: Presence,
) -> Result<String, BoxError> {
    let name = Username::parse(name)?;
    let feature = match presence {
        Presence::Full => None,
        Presence::Compact => Some(confab_protocol::features::ROSTER_DELTAS),
        Presence::Batches => Some(confab_protocol::features::PRESENCE_BATCHES),
    };
    if let Some(feature) = feature {
        let hello = ClientMessage::Hello {
            features: vec![feature.into()],
        };
        // Queued, not flushed: `hello` and the `create` or `join` go out in one write.
        ws.feed(Message::Text(hello.to_json().into())).await?;
    }
    let message = match room {
        None => ClientMessage::Create { name },
        Some(code) => ClientMessage::Join {
            name,
            room: RoomCode::parse(code)?,
            resume_token: None,
            last_seq: None,
        },
    };
    ws.send(Message::Text(message.to_json().into())).await?;
    while let Some(frame) = ws.next().await {
        if let Message::Text(text) = frame? {
            let reply: Reply = serde_json::from_str(&text)?;
            match reply.kind.as_str() {
                "welcome" => return reply.room.ok_or_else(|| "welcome without a room".into()),
                "error" => {
                    let (code, message) = (reply.code.unwrap_or_default(), reply.message);
                    return Err(format!("refused: {code}: {}", message.unwrap_or_default()).into());
                }
                _ => {}
            }
        }
    }
    Err("connection closed before welcome".into())
}

/// The fields of a reply that [`enter`] reads. The rest (the roster, the history) is
/// skipped unread: decoding a whole `welcome` checks and normalizes every member's name,
/// which in a room of 1,000 cost the generator more than the relay spent on the join.
#[derive(Deserialize)]
struct Reply {
    #[serde(rename = "type")]
    kind: String,
    room: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

/// Connects and enters within [`JOIN_TIMEOUT`].
pub async fn connect_and_enter(
    server: SocketAddr,
    source: Option<IpAddr>,
    name: &str,
    room: Option<&str>,
    presence: Presence,
) -> Result<(Socket, String), BoxError> {
    let attempt = async {
        let mut ws = connect(server, source).await?;
        let code = enter(&mut ws, name, room, presence).await?;
        Ok::<_, BoxError>((ws, code))
    };
    tokio::time::timeout(JOIN_TIMEOUT, attempt)
        .await
        .map_err(|_| BoxError::from("connect and join timed out"))?
}

/// The text of benchmark message `number` from `sender`, sent at `sent_ns`, padded with
/// `x` to at least `size` bytes.
pub fn chat_text(sender: usize, number: u64, sent_ns: u64, size: usize) -> String {
    let mut text = format!("{sender}.{number}.{sent_ns}.");
    while text.len() < size {
        text.push('x');
    }
    text
}

/// A relayed benchmark chat message, as far as the generator cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relayed {
    /// Index of the sending client.
    pub sender: usize,
    /// The sender's message number.
    pub number: u64,
    /// When it was sent, ns since the run's epoch.
    pub sent_ns: u64,
    /// Whether this is the sender's own copy (it carries `client_id`).
    pub echo: bool,
}

/// Parses a relayed benchmark chat frame; `None` for any other frame.
///
/// Relies on the relay's compact JSON with `type` first (the protocol's golden tests pin
/// both); the texts it looks for contain no characters JSON would escape.
pub fn parse_relayed(frame: &str) -> Option<Relayed> {
    let rest = frame.strip_prefix(r#"{"type":"chat""#)?;
    let start = rest.find(r#""text":""#)? + 8;
    let text = &rest[start..];
    let mut parts = text.splitn(4, '.');
    let sender = parts.next()?.parse().ok()?;
    let number = parts.next()?.parse().ok()?;
    let sent_ns = parts.next()?.parse().ok()?;
    Some(Relayed {
        sender,
        number,
        sent_ns,
        echo: rest.contains(r#""client_id":"#),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use confab_protocol::{ChatMessage, ServerMessage};

    fn relayed_frame(text: &str, client_id: Option<u64>) -> String {
        ServerMessage::Chat(ChatMessage {
            reply_to: None,
            changes: Default::default(),
            seq: 9,
            from: Username::parse("c3").expect("valid name"),
            text: text.to_owned(),
            ts: 1,
            client_id,
            attachment: None,
        })
        .to_json()
    }

    #[test]
    fn relayed_chat_frames_parse_back_to_what_was_sent() {
        let text = chat_text(3, 41, 123_456, 64);
        assert_eq!(text.len(), 64);
        let parsed = parse_relayed(&relayed_frame(&text, None)).expect("a chat frame");
        assert_eq!(
            parsed,
            Relayed {
                sender: 3,
                number: 41,
                sent_ns: 123_456,
                echo: false
            }
        );
        let echo = parse_relayed(&relayed_frame(&text, Some(41))).expect("a chat frame");
        assert!(echo.echo);
    }

    #[test]
    fn other_frames_are_not_benchmark_messages() {
        let typing = ServerMessage::Typing {
            name: Username::parse("c1").expect("valid name"),
            active: true,
        };
        assert_eq!(parse_relayed(&typing.to_json()), None);
        assert_eq!(parse_relayed(&relayed_frame("hello", None)), None);
    }
}
