//! Reactions in a private room. The relay keeps the rules on reactions (one per member per
//! emoji, at most so many per message and per member), so it must tell two reactions with
//! the same emoji apart from two with different ones, but it must not learn which emoji
//! they are. So a reaction's emoji is sealed **deterministically**: in one room, one emoji
//! always gives the same sealed form (its *token*), whoever chooses it, and different
//! emoji give different tokens.
//!
//! - nonce: 24 bytes of HKDF-SHA256 (no salt, the room key) for the info
//!   `confab-private-v1/reaction-nonce`, a NUL byte, the emoji's UTF-8;
//! - token: nonce ‖ XChaCha20-Poly1305(content key, nonce, emoji) with the associated data
//!   of [`Post::react`] (content kind `reaction`, the room, an empty sender);
//! - `react.emoji`: base64url-no-padding(signature ‖ token), the signature made as for
//!   any post, for kind `react`, the sender and the message's `seq`;
//! - the relay checks that signature ([`token_of`]) and keeps and relays the token alone
//!   (base64url-no-padding) wherever an open room has the emoji.
//!
//! The nonce is a keyed function of the emoji, so it repeats only with the same emoji,
//! where the whole token repeats by design: the relay learns which reactions are equal and
//! how many there are, never which emoji (a relay with a guess cannot check it without the
//! key). It does not learn who made a token either, beyond the signed `react` it checked.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{NONCE_BYTES, Post, Sealed, SignatureError, TAG_BYTES, VerifyKey, verify};
use crate::MAX_EMOJI_BYTES;

/// Most bytes in a token: a nonce, the longest emoji and a tag.
pub const MAX_TOKEN_BYTES: usize = NONCE_BYTES + MAX_EMOJI_BYTES + TAG_BYTES;

/// Fewest bytes in a token: a nonce, a one-byte emoji and a tag.
const MIN_TOKEN_BYTES: usize = NONCE_BYTES + 1 + TAG_BYTES;

/// What the relay runs on a `react` to a private room: `sealed` must be a sealed emoji
/// signed for `post` (a [`Post::react`]) with the room's key. Returns the token the room
/// keeps and relays in its place.
pub fn token_of(key: &VerifyKey, post: &Post<'_>, sealed: &str) -> Result<String, SignatureError> {
    verify(key, post, sealed)?;
    let body = Sealed::parse(sealed)?.body;
    if !(MIN_TOKEN_BYTES..=MAX_TOKEN_BYTES).contains(&body.len()) {
        return Err(SignatureError::NotSigned);
    }
    Ok(URL_SAFE_NO_PAD.encode(body))
}

/// Whether `text` has a token's form (what a relay checks in another relay's event).
pub fn is_token(text: &str) -> bool {
    text.len() <= MAX_TOKEN_BYTES.div_ceil(3) * 4
        && URL_SAFE_NO_PAD
            .decode(text)
            .is_ok_and(|bytes| (MIN_TOKEN_BYTES..=MAX_TOKEN_BYTES).contains(&bytes.len()))
}

#[cfg(feature = "seal")]
mod sealing {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::super::seal::OpenError;
    use super::super::{NONCE_BYTES, Post, RoomKey};
    use super::{MAX_TOKEN_BYTES, MIN_TOKEN_BYTES};
    use crate::{RoomCode, Username};

    impl RoomKey {
        /// `emoji` sealed and signed for `post` (a [`Post::react`]): the `react`'s `emoji`.
        /// Deterministic: no randomness is drawn.
        pub fn seal_reaction(&self, post: &Post<'_>, emoji: &str) -> String {
            self.seal_with_nonce(post, emoji, self.reaction_nonce(emoji))
        }

        /// The emoji a token kept in room `room` stands for. A token that does not open,
        /// or that is not the one this key makes for what it opens to, is refused.
        pub fn open_reaction(&self, room: &RoomCode, token: &str) -> Result<String, OpenError> {
            let body = URL_SAFE_NO_PAD
                .decode(token)
                .map_err(|_| OpenError::NotSealed)?;
            if !(MIN_TOKEN_BYTES..=MAX_TOKEN_BYTES).contains(&body.len()) {
                return Err(OpenError::NotSealed);
            }
            // The associated data leaves the sender out, so any name builds it.
            let anyone = Username::parse("x").map_err(|_| OpenError::NotSealed)?;
            let aad = Post::react(room, &anyone, 0).associated_data();
            let emoji = self.decrypt(&aad, &body)?;
            if body[..NONCE_BYTES] != self.reaction_nonce(&emoji) {
                return Err(OpenError::Tampered);
            }
            Ok(emoji)
        }
    }
}
