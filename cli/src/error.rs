//! [`CliError`]: every way a session can end badly, worded for the person at the terminal.
//!
//! Each variant makes `main` exit with a failure status after printing the message.

use std::io;

use tokio_tungstenite::tungstenite;

use crate::render::close_meaning;

/// Why the client stopped before the user asked it to (or could not do what was asked).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// No WebSocket connection could be opened.
    #[error("could not connect to {url}: {source}")]
    Connect {
        /// The `--server` address.
        url: String,
        /// What the WebSocket library reported.
        source: tungstenite::Error,
    },
    /// The relay did not answer within the time allowed for `what`.
    #[error("timed out {0}")]
    Timeout(&'static str),
    /// The relay refused the `create`/`join` (room_not_found, name_taken, ...).
    #[error("could not enter the room: {code}: {message}")]
    JoinRefused {
        /// The error code's wire name.
        code: String,
        /// The relay's explanation.
        message: String,
    },
    /// The relay closed the connection while we were not leaving.
    #[error("the relay closed the connection: {}", describe_close(*.code, .reason))]
    Closed {
        /// The WebSocket close code, if the relay sent a close frame.
        code: Option<u16>,
        /// The close reason the relay gave, if any.
        reason: String,
    },
    /// The connection broke (reset, protocol error, write failure).
    #[error("connection lost: {0}")]
    Lost(#[from] tungstenite::Error),
    /// Nothing, not even a ping, arrived for too long: the relay or the network is gone.
    #[error("the relay stopped answering (nothing heard for {0} s)")]
    Silent(u64),
    /// `--send` mode: the relay refused some of the messages (see the `!` lines).
    #[error("the relay refused {refused} of {sent} messages")]
    Refused {
        /// Messages answered with an error.
        refused: usize,
        /// Messages sent.
        sent: usize,
    },
    /// The room is private and this client cannot use it (no key, or another room's).
    #[error("{0}")]
    Private(#[from] crate::private::SealingError),
    /// The OS random source failed while drawing a private room's key.
    #[error("could not draw a key for the private room: {0}")]
    Random(String),
    /// Standard input could not be read.
    #[error("could not read standard input: {0}")]
    Stdin(io::Error),
    /// Standard output could not be written (e.g. the reading end of a pipe closed).
    #[error("could not write standard output: {0}")]
    Stdout(io::Error),
}

/// `4001 (no create/join in time): reason`, or a note that no close frame came at all.
fn describe_close(code: Option<u16>, reason: &str) -> String {
    match code {
        None => "without a close frame".to_owned(),
        Some(code) if reason.is_empty() => format!("{code} ({})", close_meaning(code)),
        Some(code) => format!("{code} ({}): {reason}", close_meaning(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closes_are_explained_with_code_meaning_and_reason() {
        let err = CliError::Closed {
            code: Some(4000),
            reason: "too slow".into(),
        };
        assert_eq!(
            err.to_string(),
            "the relay closed the connection: 4000 (this client could not keep up with the room): too slow"
        );
        let err = CliError::Closed {
            code: None,
            reason: String::new(),
        };
        assert_eq!(
            err.to_string(),
            "the relay closed the connection: without a close frame"
        );
    }
}
