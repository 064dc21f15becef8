//! Drawing room keys, sealing and opening texts (feature `seal`): XChaCha20-Poly1305 with
//! a random 192-bit nonce per message, then an Ed25519 signature over the result.

use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::keys::RoomKey;
use super::{NONCE_BYTES, Post, ROOM_KEY_BYTES, Sealed, SignatureError, TAG_BYTES, verify};

/// Why a sealed text could not be opened. Shown as such, never as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Not a sealed text at all (the relay would have refused it in a private room).
    #[error("could not decrypt: not a sealed message")]
    NotSealed,
    /// The signature does not check: forged, or moved to another room, kind or sender.
    #[error("could not decrypt: tampered or wrong key")]
    BadSignature,
    /// The ciphertext does not open with this key (tampered, or another room's key).
    #[error("could not decrypt: tampered or wrong key")]
    Tampered,
    /// It opened, but is not UTF-8 text.
    #[error("could not decrypt: not text")]
    NotText,
}

impl RoomKey {
    /// A fresh key from the OS random source.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0; ROOM_KEY_BYTES];
        getrandom::fill(&mut bytes)?;
        let key = Self::from_bytes(bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        Ok(key)
    }

    /// Seals `plaintext` for `post` with a fresh random nonce: the text to send.
    pub fn seal(&self, post: &Post<'_>, plaintext: &str) -> Result<String, getrandom::Error> {
        let mut nonce = [0; NONCE_BYTES];
        getrandom::fill(&mut nonce)?;
        Ok(self.seal_with_nonce(post, plaintext, nonce))
    }

    /// [`Self::seal`] with a given nonce: for known-answer tests only; a nonce must never
    /// be used twice with one key.
    pub(super) fn seal_with_nonce(
        &self,
        post: &Post<'_>,
        plaintext: &str,
        nonce: [u8; NONCE_BYTES],
    ) -> String {
        let cipher = XChaCha20Poly1305::new(self.content_key().as_ref().into());
        let aad = post.associated_data();
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: &aad,
        };
        // Encryption fails only past the cipher's length limit (2^38 bytes per message),
        // far above any frame; the empty ciphertext then fails to open, visibly.
        let ciphertext = cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut body = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&ciphertext);
        self.sign(post, body).encode()
    }

    /// Checks the signature and opens a sealed text posted as `post`.
    pub fn open(&self, post: &Post<'_>, text: &str) -> Result<String, OpenError> {
        verify(&self.verify_key(), post, text).map_err(|err| match err {
            SignatureError::NotSigned => OpenError::NotSealed,
            SignatureError::BadSignature => OpenError::BadSignature,
        })?;
        let sealed = Sealed::parse(text).map_err(|_| OpenError::NotSealed)?;
        self.decrypt(&post.associated_data(), &sealed.body)
    }

    /// Opens `body` (nonce ‖ ciphertext with its tag, at least [`NONCE_BYTES`] +
    /// [`TAG_BYTES`] long) whose associated data is `aad`.
    pub(super) fn decrypt(&self, aad: &[u8], body: &[u8]) -> Result<String, OpenError> {
        let (nonce, ciphertext) = body.split_at(NONCE_BYTES);
        debug_assert!(ciphertext.len() >= TAG_BYTES);
        let cipher = XChaCha20Poly1305::new(self.content_key().as_ref().into());
        let payload = Payload {
            msg: ciphertext,
            aad,
        };
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| OpenError::Tampered)?;
        String::from_utf8(plain).map_err(|_| OpenError::NotText)
    }
}
