//! The relay's one rule for private rooms, for both stores: a post (chat, `/me`, edit,
//! whisper) must be a sealed text signed with the room's key for this room, kind, sender
//! and target (`confab_protocol::private::verify`); reactions and files are refused there
//! until they have sealed forms. Checked before the post reaches any store, so neither
//! store has a rule of its own to keep in step.
//!
//! Must not: read plaintext (there is none), or answer anything but a typed error to the
//! post's own connection (a bad post disturbs nobody else).

use confab_protocol::private::{Post, SignatureError, verify};
use confab_protocol::{ClientId, ClientMessage, ErrorCode, ErrorMessage, ServerMessage};

use crate::outcome::Outcome;
use crate::rooms::types::PrivateRoom;

/// `Some(refusal)` when `message` may not go to the private `room`; `None` for a signed
/// post and for everything that is not a post (typing, status, delete, owner commands).
pub(super) fn refusal(room: &PrivateRoom, message: &ClientMessage) -> Option<Outcome> {
    let (code, you) = (&room.code, &room.you);
    let (post, text, client_id) = match message {
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
        ClientMessage::React { .. } => {
            return Some(refuse(ErrorCode::NotSigned, UNSEALED_KINDS, None));
        }
        ClientMessage::UploadStart { client_id, .. } => {
            return Some(refuse(
                ErrorCode::NotSigned,
                UNSEALED_KINDS,
                Some(*client_id),
            ));
        }
        _ => return None,
    };
    let err = verify(&room.verify_key, &post, text).err()?;
    let code = match err {
        SignatureError::NotSigned => ErrorCode::NotSigned,
        SignatureError::BadSignature => ErrorCode::BadSignature,
    };
    Some(refuse(code, &err.to_string(), Some(client_id)))
}

/// Why reactions and files are refused in a private room.
const UNSEALED_KINDS: &str = "reactions and files are not available in private rooms yet";

fn refuse(code: ErrorCode, message: &str, client_id: Option<ClientId>) -> Outcome {
    Outcome::Reply(ServerMessage::Error(ErrorMessage {
        code,
        message: message.to_owned(),
        client_id,
        retry_after_ms: None,
    }))
}
