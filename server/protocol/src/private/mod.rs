//! Private rooms: what a room key is, how posts to a private room are signed and checked,
//! and (with the `seal` feature) how their contents are sealed and opened.
//!
//! `docs/protocol.md`, "Private rooms", is the specification; this module is its one
//! implementation, shared by the relay (which only [`verify`]s) and every client.
//!
//! # Layout
//! - this file: the sizes, [`Kind`] and [`Post`] (what a sealed text is bound to), the
//!   sealed text's layout, [`verify`] (all the relay runs), and the errors.
//! - [`keys`]: [`RoomKey`] (the secret in the invite link), what it derives (signing key,
//!   content key, [`VerifyKey`], safety code) and the key's text form.
//! - [`reaction`]: sealed reaction emoji, the same for every member who chooses one, so
//!   the relay counts them without reading them.
//! - `seal` (feature `seal`): drawing a key, sealing and opening texts.
//! - `frames` (feature `seal`): `Sealing`, a client's side of a private room applied to
//!   frames (what to seal before sending, what to open on arrival), shared by all clients.
//!
//! Must not: touch sockets or clocks, or decide anything about rooms (the relay does).

#[cfg(feature = "seal")]
mod frames;
pub mod keys;
pub mod reaction;
#[cfg(feature = "seal")]
mod seal;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signature;

use crate::{RoomCode, Seq, Username};

#[cfg(feature = "seal")]
pub use frames::{NEEDS_LINK, NOT_TEXT_MARK, PrivateRoom, SealError, Sealing, SealingError};
pub use keys::{RoomKey, RoomKeyError, VerifyKey, split_fragment};
#[cfg(feature = "seal")]
pub use seal::OpenError;

/// Bytes in a room key: 256 bits, drawn from the OS random source.
pub const ROOM_KEY_BYTES: usize = 32;
/// Bytes in an Ed25519 verification key (43 characters of base64url on the wire).
pub const VERIFY_KEY_BYTES: usize = 32;
/// Bytes in an Ed25519 signature.
pub const SIGNATURE_BYTES: usize = 64;
/// Bytes in an XChaCha20-Poly1305 nonce: 192 bits, so random nonces never repeat in
/// practice (a collision is expected only after about 2^96 messages under one key).
pub const NONCE_BYTES: usize = 24;
/// Bytes in a Poly1305 tag.
pub const TAG_BYTES: usize = 16;
/// Bytes a sealed text adds to its plaintext before base64url: signature, nonce, tag.
pub const SEAL_OVERHEAD_BYTES: usize = SIGNATURE_BYTES + NONCE_BYTES + TAG_BYTES;

/// The version label every derivation, associated data and signed message starts with.
pub const LABEL: &str = "confab-private-v1";

/// What a sealed text is posted as. Part of what is signed, so a signature made for one
/// kind is refused as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `chat` (a `/me` action is a chat whose plaintext starts with `/me `).
    Chat,
    /// An `edit`'s new text.
    Edit,
    /// A `whisper`.
    Whisper,
    /// A `react`'s emoji (see [`reaction`]).
    React,
}

impl Kind {
    /// The kind's name in the signed message: `chat`, `edit`, `whisper`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Edit => "edit",
            Self::Whisper => "whisper",
            Self::React => "react",
        }
    }

    /// The kind's name in the associated data: an edit replaces a chat's text, so it is
    /// read as a chat (`chat` for both, `whisper`).
    pub fn content_label(self) -> &'static str {
        match self {
            Self::Chat | Self::Edit => "chat",
            Self::Whisper => "whisper",
            Self::React => "reaction",
        }
    }
}

/// Where a sealed text belongs: the kind, the room, the sender as the relay names them
/// (`welcome.you`, a message's `from`) and the target (a reply's or an edit's `seq`, a
/// whisper's recipient). Sealing and signing bind all of it; opening needs the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post<'a> {
    /// What it is posted as.
    pub kind: Kind,
    /// The room, written in display form (`K7Q-X2M-HDP`).
    pub room: &'a RoomCode,
    /// Who posts it.
    pub sender: &'a Username,
    /// For a chat its `reply_to` in decimal or empty; for an edit its `seq`; for a
    /// whisper its recipient as sent in `to`. Signed, not part of the associated data.
    pub target: String,
}

impl<'a> Post<'a> {
    /// A chat, answering `reply_to` if it answers a message.
    pub fn chat(room: &'a RoomCode, sender: &'a Username, reply_to: Option<Seq>) -> Self {
        let target = reply_to.map(|seq| seq.to_string()).unwrap_or_default();
        Self::new(Kind::Chat, room, sender, target)
    }

    /// The new text of message `seq`.
    pub fn edit(room: &'a RoomCode, sender: &'a Username, seq: Seq) -> Self {
        Self::new(Kind::Edit, room, sender, seq.to_string())
    }

    /// A reaction to message `seq`.
    pub fn react(room: &'a RoomCode, sender: &'a Username, seq: Seq) -> Self {
        Self::new(Kind::React, room, sender, seq.to_string())
    }

    /// A whisper to `to`.
    pub fn whisper(room: &'a RoomCode, sender: &'a Username, to: &Username) -> Self {
        Self::new(Kind::Whisper, room, sender, to.as_str().to_owned())
    }

    fn new(kind: Kind, room: &'a RoomCode, sender: &'a Username, target: String) -> Self {
        Self {
            kind,
            room,
            sender,
            target,
        }
    }

    /// The associated data of the AEAD: `LABEL/aead`, the content kind, the room and the
    /// sender, separated by NUL bytes (no field can hold one). A reaction's sender is
    /// left empty: its sealed emoji is the same whoever chose it (see [`reaction`]).
    pub fn associated_data(&self) -> Vec<u8> {
        let sender = match self.kind {
            Kind::React => "",
            Kind::Chat | Kind::Edit | Kind::Whisper => self.sender.as_str(),
        };
        let fields = [self.kind.content_label(), &self.room.to_string(), sender];
        joined(&format!("{LABEL}/aead"), &fields)
    }

    /// The message the signature covers: `LABEL/sig`, the kind, the room, the sender, the
    /// target, each followed by a NUL byte, then `body` (the nonce and the ciphertext).
    pub fn signed_message(&self, body: &[u8]) -> Vec<u8> {
        let fields = [
            self.kind.label(),
            &self.room.to_string(),
            self.sender.as_str(),
            &self.target,
        ];
        let mut message = joined(&format!("{LABEL}/sig"), &fields);
        message.push(0);
        message.extend_from_slice(body);
        message
    }
}

/// `head`, then each field after a NUL byte.
fn joined(head: &str, fields: &[&str]) -> Vec<u8> {
    let mut out = head.as_bytes().to_vec();
    for field in fields {
        out.push(0);
        out.extend_from_slice(field.as_bytes());
    }
    out
}

/// Why the relay refuses a post to a private room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The text is not a sealed text: not base64url, or too short to hold a signature,
    /// a nonce and a tag.
    #[error("this room is private: messages must be sealed and signed with its key")]
    NotSigned,
    /// A sealed text whose signature does not check with the room's verification key
    /// for this kind, room, sender and target.
    #[error("this message is not signed with this room's key")]
    BadSignature,
}

/// A sealed text taken apart: the signature and what it covers (nonce and ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The Ed25519 signature.
    pub signature: [u8; SIGNATURE_BYTES],
    /// The nonce followed by the ciphertext and its tag.
    pub body: Vec<u8>,
}

impl Sealed {
    /// Reads the wire form: base64url without padding of signature ‖ nonce ‖ ciphertext.
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| SignatureError::NotSigned)?;
        if bytes.len() < SEAL_OVERHEAD_BYTES {
            return Err(SignatureError::NotSigned);
        }
        let (signature, body) = bytes.split_at(SIGNATURE_BYTES);
        let mut fixed = [0; SIGNATURE_BYTES];
        fixed.copy_from_slice(signature);
        Ok(Self {
            signature: fixed,
            body: body.to_vec(),
        })
    }

    /// The wire form.
    pub fn encode(&self) -> String {
        let mut bytes = self.signature.to_vec();
        bytes.extend_from_slice(&self.body);
        URL_SAFE_NO_PAD.encode(bytes)
    }
}

/// What the relay runs on every post to a private room: `text` must be a sealed text
/// signed for `post` with the room's key `key`. Strict Ed25519 verification (no
/// malleable signatures, no weak keys).
pub fn verify(key: &VerifyKey, post: &Post<'_>, text: &str) -> Result<(), SignatureError> {
    let sealed = Sealed::parse(text)?;
    let signature = Signature::from_bytes(&sealed.signature);
    key.dalek()
        .verify_strict(&post.signed_message(&sealed.body), &signature)
        .map_err(|_| SignatureError::BadSignature)
}

/// The longest plaintext, in UTF-8 bytes, whose sealed text fits in `max_text_chars`
/// characters (the relay's limit applies to the sealed text): clients refuse longer
/// drafts before sealing them.
pub fn max_plaintext_bytes(max_text_chars: usize) -> usize {
    // base64 without padding: 4 characters per 3 bytes, rounding down.
    (max_text_chars / 4 * 3 + (max_text_chars % 4).saturating_sub(1))
        .saturating_sub(SEAL_OVERHEAD_BYTES)
}

#[cfg(test)]
mod tests;
