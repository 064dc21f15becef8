//! [`RoomKey`], the secret a private room's invite link carries, and what it derives; and
//! [`VerifyKey`], the public half the relay keeps.
//!
//! Derivations are HKDF-SHA256 (RFC 5869) with no salt, the room key as input key
//! material, and one `info` label per use, so no two uses share key material:
//! - `confab-private-v1/content`: 32 bytes, the XChaCha20-Poly1305 key;
//! - `confab-private-v1/signing`: 32 bytes, the Ed25519 secret key (seed);
//! - `confab-private-v1/safety`: 24 bytes, the safety code;
//! - `confab-private-v1/reaction-nonce`, a NUL byte, then a reaction's emoji: 24 bytes, the
//!   nonce that emoji is sealed with (see `reaction.rs`).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{LABEL, Post, ROOM_KEY_BYTES, SIGNATURE_BYTES, Sealed, VERIFY_KEY_BYTES};

/// Characters in a room key's text form: 32 bytes of base64url without padding.
pub const ROOM_KEY_CHARS: usize = 43;

/// Groups of digits in a safety code.
pub const SAFETY_GROUPS: usize = 6;

/// Digits in each group of a safety code: 6 × 5 digits ≈ 99.7 bits, more than anyone
/// comparing by voice could be fooled by.
pub const SAFETY_GROUP_DIGITS: u32 = 5;

/// A private room's key: 256 random bits. Whoever holds it reads and posts; it travels
/// only in an invite link's `#fragment`, which browsers never send to a server. Wiped
/// from memory when dropped; its `Debug` form does not show it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct RoomKey([u8; ROOM_KEY_BYTES]);

/// Why a room key's text form was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomKeyError {
    /// Not 43 characters of base64url (letters, digits, `-`, `_`) making 32 bytes.
    #[error("this invite's key is damaged: copy the whole link again")]
    Malformed,
}

impl RoomKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; ROOM_KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// Reads the text form (43 characters of base64url, no padding).
    pub fn parse(text: &str) -> Result<Self, RoomKeyError> {
        if text.len() != ROOM_KEY_CHARS {
            return Err(RoomKeyError::Malformed);
        }
        let bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| RoomKeyError::Malformed)?,
        );
        let fixed: [u8; ROOM_KEY_BYTES] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| RoomKeyError::Malformed)?;
        Ok(Self(fixed))
    }

    /// The text form, as written after the `.` in an invite link's fragment.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// `N` bytes of HKDF-SHA256 output for `label` (after `confab-private-v1/`).
    fn derive<const N: usize>(&self, label: &str) -> Zeroizing<[u8; N]> {
        let mut out = Zeroizing::new([0; N]);
        let info = format!("{LABEL}/{label}");
        // Expanding to at most 255 × 32 bytes cannot fail; every N here is 32 or less.
        let _ = Hkdf::<Sha256>::new(None, &self.0).expand(info.as_bytes(), out.as_mut());
        out
    }

    /// The XChaCha20-Poly1305 key for the room's contents.
    #[cfg(feature = "seal")]
    pub(super) fn content_key(&self) -> Zeroizing<[u8; 32]> {
        self.derive("content")
    }

    /// The nonce a reaction's `emoji` is sealed with: the same for the same emoji, and
    /// unpredictable without the key (HKDF output for `reaction-nonce`, NUL, the emoji).
    #[cfg(feature = "seal")]
    pub(super) fn reaction_nonce(&self, emoji: &str) -> [u8; super::NONCE_BYTES] {
        *self.derive::<{ super::NONCE_BYTES }>(&format!("reaction-nonce\0{emoji}"))
    }

    /// The Ed25519 key pair posts are signed with (wiped on drop by ed25519-dalek).
    fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.derive::<32>("signing"))
    }

    /// The public key the creator registers with the relay (`create_private`).
    pub fn verify_key(&self) -> VerifyKey {
        VerifyKey(self.signing_key().verifying_key())
    }

    /// Signs `body` (nonce ‖ ciphertext) for `post`, giving the sealed text's parts.
    pub fn sign(&self, post: &Post<'_>, body: Vec<u8>) -> Sealed {
        let signature = self.signing_key().sign(&post.signed_message(&body));
        let signature: [u8; SIGNATURE_BYTES] = signature.to_bytes();
        Sealed { signature, body }
    }

    /// The safety code people compare by voice: [`SAFETY_GROUPS`] groups of
    /// [`SAFETY_GROUP_DIGITS`] digits, each a big-endian `u32` of the derived bytes modulo
    /// 100 000, written `12345 67890 …`. The same key shows the same code everywhere.
    pub fn safety_code(&self) -> String {
        let bytes = self.derive::<{ SAFETY_GROUPS * 4 }>("safety");
        let modulus = 10u32.pow(SAFETY_GROUP_DIGITS);
        bytes
            .chunks_exact(4)
            .map(|chunk| {
                let value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                format!("{:05}", value % modulus)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Splits an invite link's fragment (`K7Q-X2M-HDP.<key>`) into its room code part and,
/// when the part after the last `.` is [`ROOM_KEY_CHARS`] long, its key part. A room code
/// may use `.` as a separator too, but never has 43 characters after one (codes have at
/// most 24), so the two never mix.
pub fn split_fragment(fragment: &str) -> (&str, Option<&str>) {
    match fragment.rsplit_once('.') {
        Some((code, key)) if key.len() == ROOM_KEY_CHARS => (code, Some(key)),
        _ => (fragment, None),
    }
}

impl fmt::Debug for RoomKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RoomKey(…)")
    }
}

/// A private room's public verification key: the relay keeps it with the room, checks
/// every post against it, and hands it to joiners in `welcome.verify_key` (which is how a
/// client knows the room is private). On the wire: 43 characters of base64url, no
/// padding; anything else, or bytes that are not an Ed25519 point, is refused at decode.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VerifyKey(VerifyingKey);

impl VerifyKey {
    /// Reads the text form.
    pub fn parse(text: &str) -> Result<Self, RoomKeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| RoomKeyError::Malformed)?;
        let fixed: [u8; VERIFY_KEY_BYTES] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| RoomKeyError::Malformed)?;
        let key = VerifyingKey::from_bytes(&fixed).map_err(|_| RoomKeyError::Malformed)?;
        Ok(Self(key))
    }

    /// The text form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    /// The dalek key, for [`super::verify`].
    pub(super) fn dalek(&self) -> &VerifyingKey {
        &self.0
    }
}

impl fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyKey({})", self.encode())
    }
}

impl TryFrom<String> for VerifyKey {
    type Error = RoomKeyError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<VerifyKey> for String {
    fn from(key: VerifyKey) -> Self {
        key.encode()
    }
}
