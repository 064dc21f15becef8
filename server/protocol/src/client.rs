//! Messages from a client to the relay, and their decoding with typed errors.

use serde::{Deserialize, Serialize};

use crate::private::VerifyKey;
use crate::{ClientId, ErrorCode, MemberStatus, RoomCode, Seq, Username};

/// One frame from a client. JSON: `{"type": "<snake_case variant>", ...fields}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Optional, before `create`/`join` (again on every new connection): the protocol
    /// features this client understands. Unknown features are ignored, so a client may list
    /// what it supports without knowing the relay's version.
    Hello {
        /// Feature names; see [`features`].
        #[serde(default)]
        features: Vec<String>,
    },
    /// Ask for the whole roster: answered with a `roster` message, in order with every
    /// other frame of the room (a client that applies compact presence changes and finds
    /// its count disagreeing asks for this).
    Roster,
    /// Create a room with a fresh code and join it as `name`.
    Create {
        /// The name to appear under.
        name: Username,
    },
    /// Create a private room (see `docs/protocol.md`, "Private rooms") with a fresh code
    /// and join it as `name`: the relay keeps `verify_key` with the room and refuses every
    /// post to it that is not signed with the matching key. A message of its own rather
    /// than a field of `create`, so that a relay that knows nothing of private rooms
    /// refuses it (`malformed`) instead of making an open room the creator takes for
    /// private.
    CreatePrivate {
        /// The name to appear under.
        name: Username,
        /// The room's public verification key, derived from the room key.
        verify_key: VerifyKey,
    },
    /// Join an existing room as `name`, or rejoin it after a dropped connection.
    Join {
        /// The name to appear under.
        name: Username,
        /// The room to join.
        room: RoomCode,
        /// The token from a previous `welcome`: it reclaims `name` even while the relay still
        /// holds the old connection or reserves the name for it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume_token: Option<String>,
        /// The highest chat `seq` this client has seen: the relay replays everything after it
        /// (or sends a `gap` when it no longer has it all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_seq: Option<Seq>,
    },
    /// Leave the room on purpose. The relay forgets the resume token and closes with 1000.
    Leave,
    /// Say something to everyone in the room (the sender gets the relay's copy too).
    Chat {
        /// Chosen by the client, echoed back to the sender only.
        client_id: ClientId,
        /// The message, 1 to `limits.max_text_chars` characters; not only white space.
        text: String,
        /// The `seq` of the message this one answers, if it answers one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<Seq>,
    },
    /// Change the text of a kept message of yours.
    Edit {
        /// Chosen by the client, echoed back in the editor's `edited` (or `error`).
        client_id: ClientId,
        /// Which message.
        seq: Seq,
        /// Its new text, same rules as `chat`.
        text: String,
    },
    /// Take back a kept message: yours, or anyone's if you own the room.
    Delete {
        /// Chosen by the client, echoed back in its `deleted` (or `error`).
        client_id: ClientId,
        /// Which message.
        seq: Seq,
    },
    /// Add (`on: true`) or take back your reaction to a kept message.
    React {
        /// Which message.
        seq: Seq,
        /// The emoji.
        emoji: String,
        /// Add or take back.
        on: bool,
    },
    /// The user started (`true`) or stopped (`false`) composing. Clients repeat `true` at
    /// most every few seconds while composing; the hint expires on its own otherwise.
    Typing {
        /// Whether the user is composing right now.
        active: bool,
    },
    /// Say something to one member of the room only.
    Whisper {
        /// Who should get it (matched like names are: case and look-alikes ignored).
        to: Username,
        /// Chosen by the client, echoed back to the sender only.
        client_id: ClientId,
        /// The message, same rules as `chat`.
        text: String,
    },
    /// Set your status as the others see it: `online` or `away` (`reconnecting` is the
    /// relay's to say). Status changes have their own small rate limit.
    Status {
        /// The new status.
        status: MemberStatus,
    },
    /// The room's owner only: lock the room (no new joins; members may still resume) or
    /// unlock it.
    Lock {
        /// Whether the room should be locked.
        locked: bool,
    },
    /// The room's owner only: remove a member. Their connection is closed with 4003 and
    /// that name and address are kept out of the room for a while.
    Remove {
        /// Who to remove (matched like names are).
        name: Username,
    },
    /// Start uploading a file to the room (one upload at a time per connection). Answered
    /// with `upload_ack` (`received: 0`) or an `error` with `client_id`.
    UploadStart {
        /// Chosen by the client: echoed in every `upload_ack`, in the sender's copy of the
        /// finished attachment's `chat`, and in every refusal of this upload.
        client_id: ClientId,
        /// The file's name (its path is dropped: see `attachment::clean_file_name`).
        file_name: String,
        /// The MIME type the client believes the file has; empty means unknown.
        #[serde(default)]
        mime: String,
        /// The file's exact size in bytes.
        size: u64,
    },
    /// The next bytes of the upload under way, in order. Answered with `upload_ack`, or,
    /// after the last byte, by the room's `chat` carrying the attachment.
    UploadChunk {
        /// Where these bytes start in the file: the `received` of the last `upload_ack`.
        offset: u64,
        /// The bytes, standard base64 with padding, at most `max_chunk_bytes` decoded.
        data: String,
    },
    /// Abandon the upload under way; its reserved space is freed. No answer.
    UploadCancel,
    /// Ask for the bytes of an attachment from `offset` on: answered with one
    /// `attachment_chunk` of at most `max_chunk_bytes`, or `attachment_not_found`.
    FetchAttachment {
        /// The attachment's `id`.
        id: String,
        /// The first byte wanted (0 for the start).
        #[serde(default)]
        offset: u64,
    },
}

/// Protocol features a client can ask for in `hello`.
pub mod features {
    /// Presence changes as `joined`/`left` with a member count, instead of `member_joined`
    /// / `member_left` carrying the whole roster (which is O(n) bytes per change, O(n²)
    /// while a room fills). `welcome` still carries the roster; `roster` asks for it again.
    pub const ROSTER_DELTAS: &str = "roster_deltas";
    /// Presence changes as `presence` batches: every change in order, with the member
    /// count after the batch, at most one batch per room per interval (the first change
    /// after a quiet spell goes out at once). A room filling with 1,000 people then sends
    /// each member a handful of frames instead of 1,000. Takes precedence over
    /// [`ROSTER_DELTAS`].
    pub const PRESENCE_BATCHES: &str = "presence_batches";
}

impl ClientMessage {
    /// The `client_id` the message carries (`chat`, `edit`, `delete`, `whisper`,
    /// `upload_start`), which the relay echoes in its answer or refusal.
    pub fn client_id(&self) -> Option<ClientId> {
        match self {
            Self::Chat { client_id, .. }
            | Self::Edit { client_id, .. }
            | Self::Delete { client_id, .. }
            | Self::Whisper { client_id, .. }
            | Self::UploadStart { client_id, .. } => Some(*client_id),
            _ => None,
        }
    }

    /// Encodes this message as the JSON text of one frame.
    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every field is a string, number or bool.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why a client frame could not be decoded, with the [`ErrorCode`] to answer it with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    /// The machine-readable reason.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

/// Decodes one client frame. Errors say which rule was broken: an invalid `name` or `to`
/// gives [`ErrorCode::InvalidName`], an invalid `room` [`ErrorCode::InvalidRoomCode`], an
/// invalid `verify_key` [`ErrorCode::BadKey`], and anything else (not JSON, unknown `type`, missing or mistyped fields)
/// [`ErrorCode::Malformed`].
pub fn decode_client(text: &str) -> Result<ClientMessage, DecodeError> {
    serde_json::from_str(text).map_err(|err| classify(text, &err))
}

/// Finds the most specific reason a frame was refused. Runs only on the error path, so the
/// second parse costs nothing on well-formed traffic.
fn classify(text: &str, err: &serde_json::Error) -> DecodeError {
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text) {
        for key in ["name", "to"] {
            if let Some(Err(e)) = fields
                .get(key)
                .and_then(|v| v.as_str())
                .map(Username::parse)
            {
                return DecodeError {
                    code: ErrorCode::InvalidName,
                    message: e.to_string(),
                };
            }
        }
        if let Some(Err(e)) = fields
            .get("room")
            .and_then(|v| v.as_str())
            .map(RoomCode::parse)
        {
            return DecodeError {
                code: ErrorCode::InvalidRoomCode,
                message: e.to_string(),
            };
        }
        if fields
            .get("verify_key")
            .is_some_and(|v| v.as_str().is_none_or(|key| VerifyKey::parse(key).is_err()))
        {
            return DecodeError {
                code: ErrorCode::BadKey,
                message: "verify_key must be an Ed25519 public key: 43 characters of base64url"
                    .into(),
            };
        }
    }
    DecodeError {
        code: ErrorCode::Malformed,
        message: format!("could not read that message: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn golden(msg: &ClientMessage, expected: &serde_json::Value) {
        let encoded: serde_json::Value =
            serde_json::from_str(&msg.to_json()).expect("encodes to JSON");
        assert_eq!(&encoded, expected);
        assert_eq!(decode_client(&expected.to_string()).as_ref(), Ok(msg));
    }

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    #[test]
    fn every_client_message_has_a_pinned_json_form() {
        golden(
            &ClientMessage::Create { name: name("ann") },
            &json!({"type": "create", "name": "ann"}),
        );
        golden(
            &ClientMessage::Join {
                name: name("ann"),
                room: RoomCode::parse("k7qx2mhdp").expect("valid code"),
                resume_token: None,
                last_seq: None,
            },
            &json!({"type": "join", "name": "ann", "room": "K7Q-X2M-HDP"}),
        );
        golden(
            &ClientMessage::Join {
                name: name("ann"),
                room: RoomCode::parse("lobby").expect("valid code"),
                resume_token: Some("tok".into()),
                last_seq: Some(41),
            },
            &json!({"type": "join", "name": "ann", "room": "LOBBY", "resume_token": "tok", "last_seq": 41}),
        );
        golden(&ClientMessage::Leave, &json!({"type": "leave"}));
        golden(&ClientMessage::Roster, &json!({"type": "roster"}));
        golden(
            &ClientMessage::Hello {
                features: vec![features::ROSTER_DELTAS.into()],
            },
            &json!({"type": "hello", "features": ["roster_deltas"]}),
        );
        assert_eq!(
            decode_client(r#"{"type":"hello"}"#),
            Ok(ClientMessage::Hello { features: vec![] })
        );
        golden(
            &ClientMessage::Chat {
                reply_to: None,
                client_id: 7,
                text: "hi".into(),
            },
            &json!({"type": "chat", "client_id": 7, "text": "hi"}),
        );
        golden(
            &ClientMessage::Typing { active: true },
            &json!({"type": "typing", "active": true}),
        );
        golden(
            &ClientMessage::Whisper {
                to: name("bob"),
                client_id: 8,
                text: "psst".into(),
            },
            &json!({"type": "whisper", "to": "bob", "client_id": 8, "text": "psst"}),
        );
    }

    #[test]
    fn create_private_carries_the_verify_key_and_a_bad_one_is_a_typed_error() {
        let key = crate::private::RoomKey::from_bytes([7; 32]).verify_key();
        golden(
            &ClientMessage::CreatePrivate {
                name: name("ann"),
                verify_key: key,
            },
            &json!({"type": "create_private", "name": "ann", "verify_key": key.encode()}),
        );
        let short = &key.encode()[1..];
        for bad in [json!(short), json!(""), json!(5), json!("A".repeat(44))] {
            let frame = json!({"type": "create_private", "name": "ann", "verify_key": bad});
            let err = decode_client(&frame.to_string()).unwrap_err();
            assert_eq!(err.code, ErrorCode::BadKey, "{bad}");
        }
    }

    #[test]
    fn bad_names_and_codes_get_specific_errors() {
        let err = decode_client(r#"{"type":"create","name":"a\u200Bb"}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidName);
        let err = decode_client(r#"{"type":"join","name":"ann","room":"no/pe"}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidRoomCode);
        let err =
            decode_client(r#"{"type":"whisper","to":"","client_id":1,"text":"x"}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidName);
    }

    #[test]
    fn malformed_frames_are_reported_as_malformed() {
        for bad in [
            "not json",
            "{}",
            "[]",
            r#"{"type":"shout","text":"x"}"#,
            r#"{"type":"chat","client_id":"seven","text":"x"}"#,
            r#"{"type":"chat","text":"x"}"#,
            r#"{"type":"join","name":5,"room":"ABC"}"#,
        ] {
            let err = decode_client(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::Malformed, "{bad}");
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn replies_edits_deletions_and_reactions_are_golden() {
        golden(
            &ClientMessage::Chat {
                client_id: 9,
                text: "yes".into(),
                reply_to: Some(41),
            },
            &json!({"type": "chat", "client_id": 9, "text": "yes", "reply_to": 41}),
        );
        golden(
            &ClientMessage::Edit {
                client_id: 10,
                seq: 41,
                text: "fixed typo".into(),
            },
            &json!({"type": "edit", "client_id": 10, "seq": 41, "text": "fixed typo"}),
        );
        golden(
            &ClientMessage::Delete {
                client_id: 11,
                seq: 41,
            },
            &json!({"type": "delete", "client_id": 11, "seq": 41}),
        );
        golden(
            &ClientMessage::React {
                seq: 41,
                emoji: "👍".into(),
                on: true,
            },
            &json!({"type": "react", "seq": 41, "emoji": "👍", "on": true}),
        );
    }
}
