//! Protocol values as tests need them: short constructors and flat views of the
//! [`ServerMessage`] variants that tests inspect field by field.
//!
//! Owns no behaviour: everything here is a thin reshaping of `confab-protocol` types.

use confab_protocol::{
    ChatMessage, ErrorMessage, RoomCode, ServerMessage, Username, WelcomeMessage,
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

/// The `welcome` inside `msg`, or `None` if `msg` is something else.
pub fn welcome_of(msg: ServerMessage) -> Option<WelcomeMessage> {
    match msg {
        ServerMessage::Welcome(welcome) => Some(*welcome),
        _ => None,
    }
}

/// The `error` inside `msg`, or `None` if `msg` is something else.
pub fn error_of(msg: ServerMessage) -> Option<ErrorMessage> {
    match msg {
        ServerMessage::Error(error) => Some(error),
        _ => None,
    }
}

/// Compact views of a `welcome` for assertions.
pub trait WelcomeExt {
    /// The members' names as plain strings.
    fn member_names(&self) -> Vec<&str>;
    /// The `seq`s of the history, oldest first.
    fn history_seqs(&self) -> Vec<u64>;
}

impl WelcomeExt for WelcomeMessage {
    fn member_names(&self) -> Vec<&str> {
        roster(&self.members)
    }

    fn history_seqs(&self) -> Vec<u64> {
        self.history.iter().map(|chat| chat.seq).collect()
    }
}

/// Names of the members in a `member_joined`/`member_left`/`welcome` roster.
pub fn roster(members: &[Username]) -> Vec<&str> {
    members.iter().map(Username::as_str).collect()
}
