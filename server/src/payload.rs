//! [`Payload`]: what a connection's outbox holds and its writers frame, with the frame
//! [`Header`] they put before it; a leaf that `outbox`, `wire` and the handler's writer import.
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

/// Longest frame header: 2 bytes, then a 64-bit length.
const MAX_HEADER_BYTES: usize = 10;

/// Largest lone frame (header and payload) written from one contiguous copy on the stack:
/// a plain `send` costs the kernel less than a two-slice `writev` (no iovec to import, no
/// file-position lock), and a chat is well under this. The copy lives only in the call
/// that writes it, never in a connection's future, so idle connections do not grow.
pub const JOINED_FRAME_BYTES: usize = 512;

/// The header of a final, unmasked data frame of `len` payload bytes: the bytes on the wire
/// are the ones tungstenite would write (a server never masks), with the shortest length
/// encoding (RFC 6455 section 5.2).
#[derive(Debug, Clone, Copy)]
pub struct Header {
    bytes: [u8; MAX_HEADER_BYTES],
    len: u8,
}

impl Header {
    /// The header of a frame with `opcode` ([`TEXT`] or `BINARY`).
    #[inline]
    pub fn new(opcode: u8, len: usize) -> Self {
        /// The FIN bit: the whole message is in this frame.
        const FIN: u8 = 0x80;
        let mut bytes = [0u8; MAX_HEADER_BYTES];
        bytes[0] = FIN | opcode;
        let used = match (u8::try_from(len), u16::try_from(len)) {
            (Ok(short @ 0..=125), _) => {
                bytes[1] = short;
                2
            }
            (_, Ok(medium)) => {
                bytes[1] = 126;
                bytes[2..4].copy_from_slice(&medium.to_be_bytes());
                4
            }
            _ => {
                bytes[1] = 127;
                bytes[2..10].copy_from_slice(&(len as u64).to_be_bytes());
                10
            }
        };
        Self { bytes, len: used }
    }

    /// The header's bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Calls `write` with `header` and `payload` copied together into one buffer on the stack,
/// if together they fit in [`JOINED_FRAME_BYTES`]; `None` (and no call) for a bigger frame.
#[inline]
pub fn joined<R>(header: &[u8], payload: &[u8], write: impl FnOnce(&[u8]) -> R) -> Option<R> {
    let total = header.len() + payload.len();
    if total > JOINED_FRAME_BYTES {
        return None;
    }
    let mut buffer = [0u8; JOINED_FRAME_BYTES];
    buffer[..header.len()].copy_from_slice(header);
    buffer[header.len()..total].copy_from_slice(payload);
    Some(write(&buffer[..total]))
}
