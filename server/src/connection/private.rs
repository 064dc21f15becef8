//! The relay's one rule for private rooms, for both stores: a post (chat, `/me`, edit,
//! whisper) must be a sealed text signed with the room's key for this room, kind, sender
//! and target (`confab_protocol::private::verify`); a reaction's emoji must be a sealed
//! emoji signed for its message, and the room keeps only its token
//! (`confab_protocol::private::reaction`); files are refused there until they have a
//! sealed form. Checked before anything reaches a store, so neither store has a rule of
//! its own to keep in step.
//!
//! Must not: read plaintext (there is none), or answer anything but a typed error to the
//! post's own connection (a bad post disturbs nobody else).

use confab_protocol::private::{Post, SignatureError, reaction, verify};
use confab_protocol::{ClientId, ClientMessage, ErrorCode, ErrorMessage};

use crate::rooms::types::PrivateRoom;

/// `message` as the private `room`'s store may take it (a reaction with its sealed emoji
/// replaced by the token the room keeps), or the refusal to answer its connection with.
/// Everything that is not a post (typing, status, delete, owner commands) passes as it is.
pub(super) fn admit(
    room: &PrivateRoom,
    message: ClientMessage,
) -> Result<ClientMessage, ErrorMessage> {
    let (code, you) = (&room.code, &room.you);
    let (post, text, client_id) = match &message {
        ClientMessage::Chat {
            client_id,
            text,
            reply_to,
        } => (Post::chat(code, you, *reply_to), text, *client_id),
        ClientMessage::Edit {
            client_id,
            seq,
            text,
        } => (Post::edit(code, you, *seq), text, *client_id),
        ClientMessage::Whisper {
            to,
            client_id,
            text,
        } => (Post::whisper(code, you, to), text, *client_id),
        ClientMessage::React { seq, emoji, on } => {
            let post = Post::react(code, you, *seq);
            return match reaction::token_of(&room.verify_key, &post, emoji) {
                Ok(token) => Ok(ClientMessage::React {
                    seq: *seq,
                    emoji: token,
                    on: *on,
                }),
                // A reaction has no `client_id` to answer with.
                Err(err) => Err(refuse(code_of(err), &err.to_string(), None)),
            };
        }
        ClientMessage::UploadStart { client_id, .. } => {
            return Err(refuse(ErrorCode::NotSigned, NO_FILES, Some(*client_id)));
        }
        _ => return Ok(message),
    };
    match verify(&room.verify_key, &post, text) {
        Ok(()) => Ok(message),
        Err(err) => Err(refuse(code_of(err), &err.to_string(), Some(client_id))),
    }
}

/// Why files are refused in a private room.
const NO_FILES: &str = "files are not available in private rooms yet";

fn code_of(err: SignatureError) -> ErrorCode {
    match err {
        SignatureError::NotSigned => ErrorCode::NotSigned,
        SignatureError::BadSignature => ErrorCode::BadSignature,
    }
}

fn refuse(code: ErrorCode, message: &str, client_id: Option<ClientId>) -> ErrorMessage {
    ErrorMessage {
        code,
        message: message.to_owned(),
        client_id,
        retry_after_ms: None,
    }
}
