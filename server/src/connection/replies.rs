//! What a connection answers when a request was not carried out: a message not sent, a
//! membership the cluster lost, an owner's command refused, a text the rules refuse. Leaf
//! functions of the errors they read.

use confab_protocol::{ClientId, ErrorCode, ErrorMessage, ServerMessage, close_code};

use crate::outcome::Outcome;
use crate::rooms::types::{ChangeError, OwnerError, SendError};

/// The answer to a chat or whisper that was not relayed; `to` names a whisper's recipient.
pub fn not_sent(err: SendError, client_id: ClientId, to: &str) -> Outcome {
    let (code, message, retry_after_ms) = match err {
        SendError::NoSuchMember => (
            ErrorCode::NoSuchMember,
            format!("{to} is not in this room"),
            None,
        ),
        SendError::Unavailable => (
            ErrorCode::Unavailable,
            "the relay cannot reach its cluster right now; nothing was sent".to_owned(),
            Some(UNAVAILABLE_RETRY_MS),
        ),
        SendError::MembershipLost => return membership_lost(),
        SendError::NotInRoom => return Outcome::Nothing,
    };
    Outcome::Reply(ServerMessage::Error(ErrorMessage {
        code,
        message,
        client_id: Some(client_id),
        retry_after_ms,
    }))
}

/// The answer to an `edit`, `delete` or `react`: nothing when it was made (everyone,
/// the member too, hears of it), else the refusal with the request's `client_id`.
pub fn not_changed(result: Result<(), ChangeError>, client_id: Option<ClientId>) -> Outcome {
    let Err(err) = result else {
        return Outcome::Nothing;
    };
    let (code, retry_after_ms) = match err {
        ChangeError::NoSuchMessage => (ErrorCode::NoSuchMessage, None),
        ChangeError::NotAuthor => (ErrorCode::NotAuthor, None),
        ChangeError::TooManyReactions => (ErrorCode::TooManyReactions, None),
        ChangeError::Send(SendError::Unavailable) => {
            (ErrorCode::Unavailable, Some(UNAVAILABLE_RETRY_MS))
        }
        ChangeError::Send(SendError::NoSuchMember) => (ErrorCode::NoSuchMessage, None),
        ChangeError::Send(SendError::MembershipLost) => return membership_lost(),
        ChangeError::Send(SendError::NotInRoom) => return Outcome::Nothing,
    };
    Outcome::Reply(ServerMessage::Error(ErrorMessage {
        code,
        message: err.to_string(),
        client_id,
        retry_after_ms,
    }))
}

/// The close for a connection the shared state no longer lists as a member: it resumes.
pub fn membership_lost() -> Outcome {
    Outcome::Close {
        reply: None,
        code: close_code::SERVICE_RESTART,
        reason: "the relay lost touch with its cluster; resume",
    }
}

/// The answer to an owner's request: nothing when it was carried out (everyone hears of
/// it) or when the requester is no longer in the room (its close is on its way), or the
/// refusal.
pub fn owner_outcome(result: Result<(), OwnerError>) -> Outcome {
    match result {
        Ok(()) | Err(OwnerError::NotInRoom) => Outcome::Nothing,
        Err(err) => Outcome::Reply(ServerMessage::Error(ErrorMessage {
            code: err.code(),
            message: err.to_string(),
            client_id: None,
            retry_after_ms: (err == OwnerError::Unavailable).then_some(UNAVAILABLE_RETRY_MS),
        })),
    }
}

/// How long a client is told to wait before sending again when the cluster is unavailable.
pub const UNAVAILABLE_RETRY_MS: u64 = 1000;

/// Refuses empty or over-long texts, naming the message so the client keeps its draft.
pub fn check_text(text: &str, max_chars: usize, client_id: ClientId) -> Option<Outcome> {
    let (code, message) = if text.trim().is_empty() {
        (
            ErrorCode::EmptyMessage,
            "a message needs some text".to_owned(),
        )
    } else if text.chars().count() > max_chars {
        (
            ErrorCode::MessageTooLong,
            format!("a message can have at most {max_chars} characters"),
        )
    } else {
        return None;
    };
    Some(Outcome::Reply(ServerMessage::Error(ErrorMessage {
        code,
        message,
        client_id: Some(client_id),
        retry_after_ms: None,
    })))
}
