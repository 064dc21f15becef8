//! What the handler does after a frame ([`Outcome`]), and the `rate_limited` refusal that
//! the connection and the attachment transfers both answer with. A leaf both import.

use std::time::Duration;

use confab_protocol::{ClientId, ErrorCode, ErrorMessage, ServerMessage, close_code};

use crate::outbox::Inbox;

/// What the handler should do after a frame.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to send.
    Nothing,
    /// Send this frame to the client.
    Reply(ServerMessage),
    /// The connection joined a room: start writing frames from this inbox.
    Entered(Inbox),
    /// Send `reply` (if any), then close with `code`.
    Close {
        /// A last error frame explaining the close.
        reply: Option<ServerMessage>,
        /// The WebSocket close code.
        code: u16,
        /// The close reason, for people.
        reason: &'static str,
    },
}

/// The end of a connection that kept sending past its rate limit: a last `rate_limited`
/// error, then close **1008**.
pub fn flooded() -> Outcome {
    Outcome::Close {
        reply: Some(ServerMessage::error(
            ErrorCode::RateLimited,
            "flooding: disconnected",
        )),
        code: close_code::POLICY,
        reason: "flooding",
    }
}

/// A `rate_limited` refusal: `message` for people, `client_id` of the refused request if
/// it has one, and how long to wait.
pub fn rate_limited(message: &str, client_id: Option<ClientId>, wait: Duration) -> Outcome {
    Outcome::Reply(ServerMessage::Error(ErrorMessage {
        code: ErrorCode::RateLimited,
        message: message.into(),
        client_id,
        retry_after_ms: Some(retry_after_ms(wait)),
    }))
}

/// `wait` as the `retry_after_ms` of an error: whole milliseconds, rounded up (a client
/// that waits exactly this long must not be refused again), at least 1.
pub fn retry_after_ms(wait: Duration) -> u64 {
    u64::try_from(wait.as_micros().div_ceil(1000))
        .unwrap_or(u64::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_the_next_whole_millisecond() {
        assert_eq!(retry_after_ms(Duration::from_micros(199_001)), 200);
        assert_eq!(retry_after_ms(Duration::from_millis(200)), 200);
        assert_eq!(retry_after_ms(Duration::ZERO), 1);
    }
}
