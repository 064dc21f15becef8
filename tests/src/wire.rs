//! Protocol values as tests need them: short constructors and flat views of the
//! [`ServerMessage`] variants that tests inspect field by field.
//!
//! Owns no behaviour: everything here is a thin reshaping of `confab-protocol` types.

use confab_protocol::{
    ChatMessage, ClientId, ErrorCode, Limits, RoomCode, ServerMessage, Username,
};

/// A valid [`Username`] (panics on an invalid one: use raw JSON to send invalid names).
pub fn name(raw: &str) -> Username {
    Username::parse(raw).unwrap_or_else(|err| panic!("{raw:?} is not a valid name: {err}"))
}

/// A valid [`RoomCode`] (panics on an invalid one).
pub fn code(raw: &str) -> RoomCode {
    RoomCode::parse(raw).unwrap_or_else(|err| panic!("{raw:?} is not a valid room code: {err}"))
}

/// The chat messages in `messages` sent by `who`, in arrival order.
pub fn chat_from<'a>(who: &str, messages: &'a [ServerMessage]) -> Vec<&'a ChatMessage> {
    messages
        .iter()
        .filter_map(|msg| match msg {
            ServerMessage::Chat(chat) if chat.from.as_str() == who => Some(chat),
            _ => None,
        })
        .collect()
}

/// The fields of a `welcome`, so tests can write `welcome.members` instead of matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// The room's code.
    pub room: RoomCode,
    /// The joiner's normalized name.
    pub you: Username,
    /// Everyone in the room, in join order, the joiner included.
    pub members: Vec<Username>,
    /// The backlog, or the missed messages on a resume.
    pub history: Vec<ChatMessage>,
    /// The token for resuming.
    pub resume_token: String,
    /// The limits the relay announced.
    pub limits: Limits,
}

impl Welcome {
    /// The welcome inside `msg`, or `None` if `msg` is something else.
    pub fn from_message(msg: ServerMessage) -> Option<Self> {
        match msg {
            ServerMessage::Welcome {
                room,
                you,
                members,
                history,
                resume_token,
                limits,
            } => Some(Self {
                room,
                you,
                members,
                history,
                resume_token,
                limits,
            }),
            _ => None,
        }
    }

    /// The members' names as plain strings, for compact assertions.
    pub fn member_names(&self) -> Vec<&str> {
        self.members.iter().map(Username::as_str).collect()
    }

    /// The `seq`s of the history, oldest first.
    pub fn history_seqs(&self) -> Vec<u64> {
        self.history.iter().map(|chat| chat.seq).collect()
    }
}

/// The fields of an `error` frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorFrame {
    /// The machine-readable reason.
    pub code: ErrorCode,
    /// The text for people (tests only check that there is one).
    pub message: String,
    /// The refused chat's or whisper's `client_id`, if any.
    pub client_id: Option<ClientId>,
    /// For `rate_limited`: when to try again.
    pub retry_after_ms: Option<u64>,
}

impl ErrorFrame {
    /// The error inside `msg`, or `None` if `msg` is something else.
    pub fn from_message(msg: ServerMessage) -> Option<Self> {
        match msg {
            ServerMessage::Error {
                code,
                message,
                client_id,
                retry_after_ms,
            } => Some(Self {
                code,
                message,
                client_id,
                retry_after_ms,
            }),
            _ => None,
        }
    }
}

/// Names of the members in a `member_joined`/`member_left`/`welcome` roster.
pub fn roster(members: &[Username]) -> Vec<&str> {
    members.iter().map(Username::as_str).collect()
}
