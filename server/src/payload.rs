//! [`Payload`]: what a connection's outbox holds and its writer frames, a leaf that both
//! `outbox` and the handler's writer import.
//!
//! A chat connection's payload is the room's encoded frame, [`Utf8Bytes`], always text: its
//! opcode is a constant, so the writer's header code for it has no branch. The conformance
//! echo (feature `conformance`) has a payload of its own that can be binary too.

use tokio_tungstenite::tungstenite::Utf8Bytes;

/// The opcode of a text frame (RFC 6455 section 5.2).
pub const TEXT: u8 = 0x1;

/// The opcode of a binary frame: the chat relay sends none.
#[cfg(any(test, feature = "conformance"))]
pub const BINARY: u8 = 0x2;

/// One data frame's worth of bytes to queue and write, and how the peer is to read it.
pub trait Payload: Clone + Send + Sync + 'static {
    /// The frame's opcode: [`TEXT`] or [`BINARY`].
    fn opcode(&self) -> u8;

    /// The bytes to write after the header.
    fn bytes(&self) -> &[u8];
}

impl Payload for Utf8Bytes {
    #[inline]
    fn opcode(&self) -> u8 {
        TEXT
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}
