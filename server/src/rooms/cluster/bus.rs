//! What travels on a room's bus channel: the events the scripts publish, as JSON objects.
//!
//! Nothing read from Redis is trusted: every event is parsed into these types, names and
//! lengths are checked again, and an event that fails is logged and skipped, never a crash.

use confab_protocol::{Attachment, Changes, ChatMessage, ClientId, MemberStatus, Seq, Username};
use serde::{Deserialize, Serialize};

/// Where a member's connection is: which relay, which connection on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The relay's id (random per process).
    pub relay: String,
    /// The connection's id on that relay, as a string (Lua numbers are doubles).
    pub conn: String,
}

/// One event on a room's bus, in the room's event order (`ev`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Envelope {
    /// The room's event number: every relay applies events in this order.
    pub ev: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// What happened in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A chat, sequenced by the `CHAT` script (which adds `seq`).
    Chat {
        /// The chat's sequence number (added by the script; 0, and left out, in what the
        /// relay sends it).
        #[serde(default, skip_serializing_if = "is_zero")]
        seq: Seq,
        /// The sender's name.
        from: Username,
        /// The text.
        text: String,
        /// Relay timestamp, ms since the Unix epoch.
        ts: u64,
        /// The sender's `client_id`, for the sender's own copy only.
        client_id: ClientId,
        /// The sender's connection.
        #[serde(flatten)]
        origin: Origin,
        /// A file uploaded to the room (`attachments.rs`); `text` is its name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attachment: Option<Box<Attachment>>,
        /// The message this one answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<Seq>,
        /// The sender's name key: who may edit it (`EDIT` compares it).
        #[serde(default)]
        from_key: String,
    },
    /// Its author changed a kept message.
    Edited {
        /// Which message.
        seq: Seq,
        /// Its text now.
        text: String,
        /// The `edit`'s `client_id`, for the author's copy only.
        client_id: ClientId,
        /// The editor's connection.
        #[serde(flatten)]
        origin: Origin,
    },
    /// A kept message was taken back.
    Deleted {
        /// Which message.
        seq: Seq,
        /// Who took it back.
        by: Username,
        /// The `delete`'s `client_id`, for that member's copy only.
        client_id: ClientId,
        /// That member's connection.
        #[serde(flatten)]
        origin: Origin,
    },
    /// A reaction was added or taken back.
    Reaction {
        /// Which message.
        seq: Seq,
        /// The emoji.
        emoji: String,
        /// Who.
        name: Username,
        /// Added or taken back.
        on: bool,
    },
    /// A typing hint.
    Typing {
        /// Who is typing.
        name: Username,
        /// Started (`true`) or stopped.
        active: bool,
        /// The typist's connection (which gets no copy).
        #[serde(flatten)]
        origin: Origin,
    },
    /// A whisper for one member.
    Whisper {
        /// The sender's name.
        from: Username,
        /// The recipient's name key.
        to_key: String,
        /// The text.
        text: String,
        /// Relay timestamp, ms since the Unix epoch.
        ts: u64,
    },
    /// Someone joined (published by the `JOIN` script).
    Joined {
        /// Who.
        name: Username,
        /// How many members the room has after the join (relays keep the roster from
        /// these changes: `local::roster`).
        count: usize,
        /// The joiner's connection (which gets `welcome` instead).
        #[serde(flatten)]
        origin: Origin,
    },
    /// Someone left, was dropped or was evicted (published by `DEPART` and `REAP`).
    Left {
        /// Who.
        name: Username,
        /// How many members the room has after the departure.
        count: usize,
        /// Dropped, with the name reserved for a resume.
        #[serde(default)]
        reconnecting: bool,
    },
    /// A member's status changed (published by `STATUS`).
    Status {
        /// Whose.
        name: Username,
        /// Online or away.
        status: MemberStatus,
    },
    /// The room's owner or lock changed.
    RoomState {
        /// The owner, while anyone holds it.
        #[serde(default)]
        owner: Option<Username>,
        /// Whether the room is locked.
        locked: bool,
    },
    /// The owner removed a member: its connection is to be closed with 4003.
    Removed {
        /// The removed member's connection.
        #[serde(flatten)]
        origin: Origin,
    },
    /// A member resumed on a newer connection: the older one is to be closed with 4002.
    Replaced {
        /// The older connection.
        #[serde(flatten)]
        origin: Origin,
    },
}

impl Envelope {
    /// Parses one bus message; `None` (logged) for anything malformed.
    pub fn parse(payload: &[u8], max_text_chars: usize) -> Option<Self> {
        match serde_json::from_slice::<Self>(payload) {
            Ok(envelope) if envelope.event.is_sane(max_text_chars) => Some(envelope),
            Ok(_) => {
                tracing::warn!("skipping a bus event that breaks the text rules");
                None
            }
            Err(err) => {
                tracing::warn!(%err, "skipping a malformed bus event");
                None
            }
        }
    }

    /// A kept chat event as the message `welcome` lists; `None` if it is not a chat.
    pub fn into_chat(self) -> Option<ChatMessage> {
        match self.event {
            Event::Chat {
                seq,
                from,
                text,
                ts,
                attachment,
                reply_to,
                ..
            } => Some(ChatMessage {
                seq,
                from,
                text,
                ts,
                client_id: None,
                attachment,
                reply_to,
                changes: Changes::default(),
            }),
            _ => None,
        }
    }
}

impl Event {
    /// The event as the JSON object a script takes (no `ev`, no `seq` yet).
    pub fn to_body(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Whether texts are within what a relay would have accepted (names were validated
    /// by parsing them as [`Username`]).
    fn is_sane(&self, max_text_chars: usize) -> bool {
        match self {
            Self::Chat { text, .. } | Self::Whisper { text, .. } | Self::Edited { text, .. } => {
                text.chars().count() <= max_text_chars
            }
            // An emoji, or a private room's token for one.
            Self::Reaction { emoji, .. } => {
                confab_protocol::is_reaction_emoji(emoji)
                    || confab_protocol::private::reaction::is_token(emoji)
            }
            _ => true,
        }
    }
}

fn is_zero(seq: &Seq) -> bool {
    *seq == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    #[test]
    fn a_chat_body_gains_ev_and_seq_as_the_script_splices_them() {
        let body = Event::Chat {
            seq: 0,
            from: name("ann"),
            text: "hi \"there\"".into(),
            ts: 5,
            client_id: 9,
            origin: Origin {
                relay: "r1".into(),
                conn: "3".into(),
            },
            attachment: None,
            reply_to: None,
            from_key: "ann".into(),
        }
        .to_body();
        // What the CHAT script does: '{"ev":N,"seq":S,' .. body minus its '{'.
        let spliced = format!("{{\"ev\":7,\"seq\":4,{}", &body[1..]);
        let envelope = Envelope::parse(spliced.as_bytes(), 100).expect("parses");
        assert_eq!(envelope.ev, 7);
        let chat = envelope.into_chat().expect("a chat");
        assert_eq!((chat.seq, chat.text.as_str()), (4, "hi \"there\""));
    }

    #[test]
    fn bad_events_are_skipped_not_trusted() {
        assert_eq!(Envelope::parse(b"not json", 100), None);
        // A name that breaks the name rules.
        let bad_name = br#"{"ev":1,"kind":"left","name":"","count":0}"#;
        assert_eq!(Envelope::parse(bad_name, 100), None);
        let long = format!(
            r#"{{"ev":1,"kind":"whisper","from":"ann","to_key":"bob","text":"{}","ts":1}}"#,
            "x".repeat(101)
        );
        assert_eq!(Envelope::parse(long.as_bytes(), 100), None);
        let fine = br#"{"ev":2,"kind":"left","name":"ann","count":1}"#;
        assert!(Envelope::parse(fine, 100).is_some());
    }
}
