//! Messages from the relay to a client, the error codes and the close codes.

use serde::{Deserialize, Serialize};

use crate::private::VerifyKey;
use crate::{
    Attachment, AttachmentLimits, ClientId, MemberStatus, Millis, RoomCode, Seq, Username,
};

/// One frame from the relay. JSON: `{"type": "<snake_case variant>", ...fields}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// You are in: the first message after a successful `create` or `join`.
    Welcome(Box<WelcomeMessage>),
    /// Someone entered the room (including by resuming).
    MemberJoined {
        /// Who entered.
        name: Username,
        /// Everyone in the room now.
        members: Vec<Username>,
    },
    /// Someone left the room, on purpose or because their connection ended.
    MemberLeft {
        /// Who left.
        name: Username,
        /// Everyone in the room now.
        members: Vec<Username>,
        /// The connection dropped and the name is reserved for a resume: show them as
        /// reconnecting for up to `limits.room_grace_ms` (a resume brings `member_joined`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reconnecting: bool,
    },
    /// Someone entered the room: the compact form of `member_joined`, sent instead of it to
    /// clients that asked for `roster_deltas` in `hello`.
    Joined {
        /// Who entered (add them to the end of the roster).
        name: Username,
        /// How many members the room has now.
        count: usize,
    },
    /// Someone left the room: the compact form of `member_left` (`roster_deltas`).
    Left {
        /// Who left (remove them from the roster).
        name: Username,
        /// How many members the room has now.
        count: usize,
        /// As in `member_left`: dropped, name reserved for a resume.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reconnecting: bool,
    },
    /// Presence changes since the last batch, in the order they happened: the batched
    /// form of `joined`/`left`, sent instead of them to clients that asked for
    /// `presence_batches` in `hello`.
    Presence {
        /// Each change, oldest first: apply them in order to the roster.
        changes: Vec<PresenceChange>,
        /// How many members the room has after the last of them.
        count: usize,
    },
    /// The whole roster, in joining order: the answer to the client's `roster`.
    Roster {
        /// Everyone in the room now.
        members: Vec<Username>,
    },
    /// A message to the whole room.
    Chat(ChatMessage),
    /// Someone started or stopped composing. A hint with `active: true` expires on its own
    /// after `limits.typing_ttl_ms` unless repeated.
    Typing {
        /// Who is composing.
        name: Username,
        /// Whether they are composing right now.
        active: bool,
    },
    /// A private message; sent to its recipient and echoed to its sender.
    Whisper(WhisperMessage),
    /// Its author changed a kept message (the author's copy carries its `client_id`).
    Edited {
        /// Which message.
        seq: Seq,
        /// Its text now.
        text: String,
        /// The `client_id` of the `edit`, in the editor's copy only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientId>,
    },
    /// A kept message was taken back, by its author or the room's owner.
    Deleted {
        /// Which message.
        seq: Seq,
        /// Who took it back.
        by: Username,
        /// The `client_id` of the `delete`, in that member's copy only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientId>,
    },
    /// Someone added (`on`) or took back a reaction to a kept message.
    Reaction {
        /// Which message.
        seq: Seq,
        /// The emoji.
        emoji: String,
        /// Who.
        name: Username,
        /// Added (`true`) or taken back.
        on: bool,
    },
    /// Right after a resuming `welcome` (and its `gap`): kept messages the member had
    /// already seen (`seq <= last_seq`) that were edited, deleted or reacted to since, each
    /// in its current form. A client replaces its copy of each; sent only when there are
    /// some. Current state rather than a replay of `edited`/`deleted`/`reaction`: a
    /// reaction is a delta on who reacted, which the relay cannot replay without keeping
    /// every change, and the current form is safe to apply twice.
    Changed {
        /// The changed messages, oldest first, as `welcome.history` would give them.
        messages: Vec<ChatMessage>,
    },
    /// A request was refused. The connection stays open unless a close frame follows.
    Error(ErrorMessage),
    /// On a resume, the relay no longer holds every message after your `last_seq`: the
    /// messages from `after + 1` to `resumed_from - 1` are lost to you.
    Gap {
        /// The `last_seq` you sent.
        after: Seq,
        /// The first `seq` in the `history` that follows.
        resumed_from: Seq,
    },
    /// A member's status changed (also sent back to the member who set it).
    Status {
        /// Whose status.
        name: Username,
        /// Their status now.
        status: MemberStatus,
    },
    /// The room's owner or lock changed.
    RoomState(RoomState),
    /// The upload under way has `received` bytes so far: send the next chunk from there.
    UploadAck {
        /// The `client_id` of the `upload_start`.
        client_id: ClientId,
        /// Bytes the relay holds so far (0 right after `upload_start`).
        received: u64,
    },
    /// Bytes of an attachment, the answer to `fetch_attachment`.
    AttachmentChunk {
        /// The attachment's `id`.
        id: String,
        /// Where `data` starts in the file.
        offset: u64,
        /// The whole file's size: fetch again from `offset + len(data)` until it is reached.
        size: u64,
        /// The bytes, standard base64 with padding (empty at or past the end).
        data: String,
    },
}

/// Who owns the room and whether it is locked: in `welcome`, and as `room_state` whenever
/// either changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomState {
    /// The member who may lock the room and remove members: its creator, or after they
    /// left for good, the longest-present member. Absent while nobody holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Username>,
    /// Whether the room refuses new joins (members may still resume).
    #[serde(default)]
    pub locked: bool,
}

/// The first message after a successful `create` or `join`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeMessage {
    /// The room's code, in display form.
    pub room: RoomCode,
    /// Your name as the relay normalized it.
    pub you: Username,
    /// Everyone in the room now, you included, in joining order.
    pub members: Vec<Username>,
    /// Recent messages, oldest first: the room's backlog on a fresh join, or exactly the
    /// messages after `last_seq` on a resume.
    pub history: Vec<ChatMessage>,
    /// Present this in a later `join` to reclaim your name and catch up.
    pub resume_token: String,
    /// The limits this relay enforces, so clients can check before sending.
    pub limits: Limits,
    /// The address of the web page this relay serves (`http://chat.example:9001/`), when
    /// it serves one: an invite link is it with `#` and the room code appended, and opens
    /// the room in any browser. Absent from relays that serve no page (and older ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// Members whose status is not `online`, with their status (`away`); everyone else in
    /// `members` is online. Names reserved for a dropped member's resume are listed too,
    /// as `reconnecting` (they are not in `members`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<NamedStatus>,
    /// The room's owner and lock.
    #[serde(default)]
    pub room_state: RoomState,
    /// Present when the room is private: its public verification key, which every post
    /// must be signed for (see `docs/protocol.md`, "Private rooms"). A client without the
    /// room key can then neither read nor post, and says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_key: Option<VerifyKey>,
}

/// One member's status, in `welcome.statuses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedStatus {
    /// Whose status.
    pub name: Username,
    /// Their status.
    pub status: MemberStatus,
}

/// A refused request. The connection stays open unless a close frame follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMessage {
    /// The machine-readable reason.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// The `client_id` of the refused `chat` or `whisper`, so the client can keep its draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// For `rate_limited`: how long to wait before the next message is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// A chat message as the relay stored and relayed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Position in the room: consecutive, starting at 1.
    pub seq: Seq,
    /// Who sent it, as the relay knows them (never taken from the client).
    pub from: Username,
    /// What they said.
    pub text: String,
    /// When the relay received it.
    pub ts: Millis,
    /// The sender's `client_id`, present only in the copy sent back to the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// A file uploaded to the room; `text` is then its file name (what an older client
    /// shows). Absent on ordinary messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Box<Attachment>>,
    /// The `seq` of the message this one answers (which may have left the kept history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Seq>,
    /// What happened to the message since it was sent: its current state, as `welcome`
    /// and a resume give it (live changes come as `edited`, `deleted` and `reaction`).
    #[serde(flatten)]
    pub changes: Changes,
}

/// What happened to a kept message after it was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Its author changed its `text`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
    /// Its author or the room's owner took it back: `text` is empty, no attachment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Reactions, each emoji once, in the order first added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
}

/// Who reacted to a message with one emoji.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The emoji (one grapheme, at most [`MAX_EMOJI_BYTES`] bytes).
    pub emoji: String,
    /// Who reacted with it, in the order they did (never empty).
    pub names: Vec<Username>,
}

/// Longest reaction emoji, in UTF-8 bytes: room for ZWJ sequences with skin tones.
pub const MAX_EMOJI_BYTES: usize = 64;

/// Most different emoji on one message; another is refused with `too_many_reactions`.
pub const MAX_REACTION_KINDS: usize = 20;

/// Most emoji one member may have on one message at a time.
pub const MAX_REACTIONS_PER_MEMBER: usize = 10;

impl Changes {
    /// Adds (`on`) or takes back `name`'s reaction `emoji`; false (nothing changed) if it
    /// would pass [`MAX_REACTION_KINDS`] or [`MAX_REACTIONS_PER_MEMBER`]. Adding twice or
    /// taking back what is not there changes nothing and is not an error.
    pub fn react(&mut self, emoji: &str, name: &Username, on: bool) -> bool {
        let at = self.reactions.iter().position(|r| r.emoji == emoji);
        if !on {
            if let Some(i) = at {
                self.reactions[i].names.retain(|n| n != name);
                if self.reactions[i].names.is_empty() {
                    self.reactions.remove(i);
                }
            }
            return true;
        }
        if at.is_some_and(|i| self.reactions[i].names.contains(name)) {
            return true;
        }
        let mine = self
            .reactions
            .iter()
            .filter(|r| r.names.contains(name))
            .count();
        if mine >= MAX_REACTIONS_PER_MEMBER {
            return false;
        }
        match at {
            Some(i) => self.reactions[i].names.push(name.clone()),
            None if self.reactions.len() >= MAX_REACTION_KINDS => return false,
            None => self.reactions.push(Reaction {
                emoji: emoji.to_owned(),
                names: vec![name.clone()],
            }),
        }
        true
    }

    /// Marks the message taken back: no text, no attachment, no reactions.
    pub fn delete(message: &mut ChatMessage) {
        message.text.clear();
        message.attachment = None;
        message.changes = Self {
            deleted: true,
            ..Self::default()
        };
    }
}

/// Whether `emoji` is one a reaction may be: 1 to [`MAX_EMOJI_BYTES`] bytes, no white
/// space or control characters (the relay does not judge which pictures are emoji).
pub fn is_reaction_emoji(emoji: &str) -> bool {
    !emoji.is_empty()
        && emoji.len() <= MAX_EMOJI_BYTES
        && !emoji.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A private message between two members of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhisperMessage {
    /// Who sent it.
    pub from: Username,
    /// Who it is for.
    pub to: Username,
    /// What they said.
    pub text: String,
    /// When the relay received it.
    pub ts: Millis,
    /// The sender's `client_id`, present only in the copy sent back to the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
}

/// The limits a relay enforces, announced in `welcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Most characters in one `chat` or `whisper` text.
    pub max_text_chars: usize,
    /// Most bytes in one WebSocket message (larger ones get close code 1009).
    pub max_frame_bytes: usize,
    /// Messages per second a connection may send on average.
    pub messages_per_second: u32,
    /// Messages a connection may send in a quick burst.
    pub burst: u32,
    /// How long a typing hint lasts unless repeated, in milliseconds.
    pub typing_ttl_ms: u64,
    /// How often the relay pings, in milliseconds. The fields from here on came later:
    /// 0 means a relay that does not say.
    #[serde(default)]
    pub ping_interval_ms: u64,
    /// How long the relay waits for any frame after a ping before dropping the connection,
    /// in milliseconds (also the limit for a write to make progress).
    #[serde(default)]
    pub pong_timeout_ms: u64,
    /// How long a new connection has to `create` or `join`, in milliseconds (close 4001).
    #[serde(default)]
    pub join_timeout_ms: u64,
    /// How long a dropped member's name stays reserved for a resume, and an empty room is
    /// kept, in milliseconds.
    #[serde(default)]
    pub room_grace_ms: u64,
    /// How many chat messages the room keeps for `history` and resumes.
    #[serde(default)]
    pub history_len: usize,
    /// What uploads may be; absent (all zero) from a relay without attachments.
    #[serde(default, skip_serializing_if = "AttachmentLimits::is_unset")]
    pub attachments: AttachmentLimits,
}

impl Limits {
    /// What a relay with default settings announces, without attachments (a relay whose
    /// uploads are off): for examples and clients' tests, which change only the limits
    /// they are about (`Limits { max_text_chars: 10, ..Limits::example() }`). The relay's
    /// tests check that it stays what the relay's defaults say.
    pub fn example() -> Self {
        Self {
            max_text_chars: 4000,
            max_frame_bytes: 65536,
            messages_per_second: 5,
            burst: 20,
            typing_ttl_ms: 6000,
            ping_interval_ms: 20_000,
            pong_timeout_ms: 20_000,
            join_timeout_ms: 30_000,
            room_grace_ms: 30_000,
            history_len: 200,
            attachments: AttachmentLimits::default(),
        }
    }
}

/// Machine-readable reasons in `error` frames. Unknown codes from a newer relay decode as
/// [`ErrorCode::Other`], so old clients keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, unknown `type`, missing or mistyped fields.
    Malformed,
    /// A binary frame: Confab speaks text frames only.
    BinaryFrame,
    /// `chat`, `typing`, `whisper` or `leave` before `create`/`join`.
    NotJoined,
    /// `create` or `join` on a connection that is already in a room.
    AlreadyJoined,
    /// The name breaks the name rules.
    InvalidName,
    /// The room code breaks the code rules.
    InvalidRoomCode,
    /// Someone in the room already has this name (or one that looks the same).
    NameTaken,
    /// No room has this code.
    RoomNotFound,
    /// The room has as many members as the relay allows.
    RoomFull,
    /// The relay has as many rooms as it allows.
    TooManyRooms,
    /// Too many failed joins from this address recently; a 1008 close follows.
    TooManyFailedJoins,
    /// The text is empty or only white space.
    EmptyMessage,
    /// The text has more than `limits.max_text_chars` characters.
    MessageTooLong,
    /// Sending faster than the rate limit; wait `retry_after_ms`.
    RateLimited,
    /// The whisper's recipient is not in the room.
    NoSuchMember,
    /// The relay failed to complete the request (e.g. its random number source failed).
    Internal,
    /// The relay cannot reach the shared state of its cluster right now (cluster mode
    /// only): nothing was relayed. Try again after `retry_after_ms`.
    Unavailable,
    /// `lock` or `remove` from a member who does not own the room.
    NotOwner,
    /// The room is locked: no new joins (members may still resume).
    RoomLocked,
    /// You were removed from this room recently; try again later.
    Removed,
    /// The file is larger than `limits.attachments.max_file_bytes`.
    FileTooLarge,
    /// The room holds `max_room_bytes` of attachments: wait until older ones fall out of
    /// its history.
    RoomAttachmentsFull,
    /// The relay holds `max_relay_bytes` of attachments across its rooms.
    RelayAttachmentsFull,
    /// An `upload_chunk` over `max_chunk_bytes` decoded; the upload is dropped.
    ChunkTooLarge,
    /// `upload_start` while `max_uploads_in_flight` uploads are under way.
    UploadInProgress,
    /// An `upload_chunk` with no upload under way, at the wrong offset, with bad base64 or
    /// past the declared size; an upload under way is dropped.
    BadChunk,
    /// The upload got no chunk for `upload_timeout_ms` and was dropped.
    UploadTimedOut,
    /// No attachment with this id is in your room (unknown, expired, fallen out of the
    /// history, or in another room: the relay does not say which).
    AttachmentNotFound,
    /// `edit`, `delete`, `react` or a reply's target: no message with this `seq` is in the
    /// kept history (or it was deleted).
    NoSuchMessage,
    /// `edit` of someone else's message, or `delete` of it by a member who does not own
    /// the room.
    NotAuthor,
    /// The message has `MAX_REACTION_KINDS` different emoji, or you have
    /// `MAX_REACTIONS_PER_MEMBER` on it; or the emoji is empty, too long or has spaces.
    TooManyReactions,
    /// A post to a private room that is not a sealed text signed with the room's key,
    /// or a reaction or file in a private room (not available there yet).
    NotSigned,
    /// A post to a private room whose signature does not check with the room's
    /// verification key (signed with another key, or for another room, kind or sender).
    BadSignature,
    /// `create_private` with a `verify_key` that is not an Ed25519 public key.
    BadKey,
    /// A code this client does not know yet.
    #[serde(other)]
    Other,
}

/// WebSocket close codes the relay uses, beyond the standard ones.
pub mod close_code {
    /// Normal close: the client left, or the relay ended an idle handshake.
    pub const NORMAL: u16 = 1000;
    /// The relay is shutting down. Reconnect later.
    pub const GOING_AWAY: u16 = 1001;
    /// The client broke RFC 6455 framing: reserved bits set, an unknown opcode, an unmasked
    /// or fragmented control frame, an invalid close code or close payload.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A text message that is not valid UTF-8.
    pub const INVALID_DATA: u16 = 1007;
    /// Policy violation: sustained flooding, repeated bad frames, too many failed joins or a
    /// forbidden Origin. Do not reconnect right away.
    pub const POLICY: u16 = 1008;
    /// A message larger than `limits.max_frame_bytes`.
    pub const TOO_BIG: u16 = 1009;
    /// The relay lost touch with its cluster's shared state (cluster mode only), so this
    /// connection may have missed messages. Reconnect and resume at once: the resume brings
    /// exactly the missed messages, or a `gap`.
    pub const SERVICE_RESTART: u16 = 1012;
    /// The client could not keep up with the room: its outbound queue filled. Resume.
    pub const SLOW_CONSUMER: u16 = 4000;
    /// No `create`/`join` arrived in time after connecting.
    pub const JOIN_TIMEOUT: u16 = 4001;
    /// The same member resumed on a newer connection; this one is closed.
    pub const REPLACED: u16 = 4002;
    /// The room's owner removed this member. Do not reconnect: a rejoin is refused with
    /// `removed` for a while.
    pub const REMOVED: u16 = 4003;
}

/// One change in a `presence` batch. JSON: `{"joined": "cy"}`, `{"left": "cy"}` or
/// `{"reconnecting": "cy"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceChange {
    /// Entered the room (including by resuming): add to the end of the roster.
    Joined(Username),
    /// Left the room: remove from the roster.
    Left(Username),
    /// Left because the connection dropped; the name is reserved for a resume: remove from
    /// the roster and show as reconnecting for up to `limits.room_grace_ms`.
    Reconnecting(Username),
}

impl PresenceChange {
    /// Whose presence changed.
    pub fn name(&self) -> &Username {
        match self {
            Self::Joined(name) | Self::Left(name) | Self::Reconnecting(name) => name,
        }
    }
}

impl ServerMessage {
    /// Encodes this message as the JSON text of one frame.
    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every field is a string, number, bool or list.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Decodes one relay frame.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Builds an `error` frame not tied to a chat message.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Error(ErrorMessage {
            code,
            message: message.into(),
            client_id: None,
            retry_after_ms: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    fn golden(msg: &ServerMessage, expected: &serde_json::Value) {
        let encoded: serde_json::Value =
            serde_json::from_str(&msg.to_json()).expect("encodes to JSON");
        assert_eq!(&encoded, expected);
        assert_eq!(
            ServerMessage::from_json(&expected.to_string())
                .as_ref()
                .ok(),
            Some(msg)
        );
    }

    fn limits() -> Limits {
        Limits::example()
    }

    #[test]
    fn limits_from_a_relay_that_does_not_send_the_timers_decode_as_zero() {
        let old = r#"{"max_text_chars":4000,"max_frame_bytes":65536,"messages_per_second":5,"burst":20,"typing_ttl_ms":6000}"#;
        let limits: Limits = serde_json::from_str(old).expect("an older relay's limits decode");
        assert_eq!(limits.max_text_chars, 4000);
        assert_eq!((limits.ping_interval_ms, limits.history_len), (0, 0));
    }

    #[test]
    fn welcome_has_a_pinned_json_form() {
        let chat = ChatMessage {
            reply_to: None,
            changes: Default::default(),
            seq: 1,
            from: name("bob"),
            text: "hi".into(),
            ts: 1_700_000_000_000,
            client_id: None,
            attachment: None,
        };
        golden(
            &ServerMessage::Welcome(Box::new(WelcomeMessage {
                room: RoomCode::parse("k7qx2mhdp").expect("valid code"),
                you: name("ann"),
                members: vec![name("bob"), name("ann")],
                history: vec![chat],
                resume_token: "r3sum3".into(),
                limits: limits(),
                page_url: None,
                statuses: vec![NamedStatus {
                    name: name("bob"),
                    status: MemberStatus::Away,
                }],
                room_state: RoomState {
                    owner: Some(name("bob")),
                    locked: false,
                },
                verify_key: None,
            })),
            &json!({
                "type": "welcome", "room": "K7Q-X2M-HDP", "you": "ann", "members": ["bob", "ann"],
                "history": [{"seq": 1, "from": "bob", "text": "hi", "ts": 1_700_000_000_000u64}],
                "resume_token": "r3sum3",
                "statuses": [{"name": "bob", "status": "away"}],
                "room_state": {"owner": "bob", "locked": false},
                "limits": {"max_text_chars": 4000, "max_frame_bytes": 65536, "messages_per_second": 5, "burst": 20, "typing_ttl_ms": 6000,
                    "ping_interval_ms": 20_000, "pong_timeout_ms": 20_000, "join_timeout_ms": 30_000,
                    "room_grace_ms": 30_000, "history_len": 200}
            }),
        );
    }

    #[test]
    fn a_private_rooms_welcome_carries_its_verify_key() {
        let key = crate::private::RoomKey::from_bytes([7; 32]).verify_key();
        let welcome = WelcomeMessage {
            room: RoomCode::parse("k7qx2mhdp").expect("valid code"),
            you: name("ann"),
            members: vec![name("ann")],
            history: vec![],
            resume_token: "r".into(),
            limits: limits(),
            page_url: None,
            statuses: vec![],
            room_state: RoomState::default(),
            verify_key: Some(key),
        };
        golden(
            &ServerMessage::Welcome(Box::new(welcome)),
            &json!({
                "type": "welcome", "room": "K7Q-X2M-HDP", "you": "ann", "members": ["ann"],
                "history": [], "resume_token": "r", "room_state": {"locked": false},
                "verify_key": key.encode(),
                "limits": {"max_text_chars": 4000, "max_frame_bytes": 65536, "messages_per_second": 5, "burst": 20, "typing_ttl_ms": 6000,
                    "ping_interval_ms": 20_000, "pong_timeout_ms": 20_000, "join_timeout_ms": 30_000,
                    "room_grace_ms": 30_000, "history_len": 200}
            }),
        );
    }

    #[test]
    fn a_welcome_from_a_relay_that_serves_the_page_names_it() {
        let welcome = WelcomeMessage {
            room: RoomCode::parse("lobby").expect("valid code"),
            you: name("ann"),
            members: vec![name("ann")],
            history: vec![],
            resume_token: "r".into(),
            limits: limits(),
            page_url: Some("https://chat.example/".into()),
            statuses: vec![],
            room_state: RoomState::default(),
            verify_key: None,
        };
        golden(
            &ServerMessage::Welcome(Box::new(welcome)),
            &json!({
                "type": "welcome", "room": "LOBBY", "you": "ann", "members": ["ann"],
                "history": [], "resume_token": "r", "page_url": "https://chat.example/",
                "room_state": {"locked": false},
                "limits": {"max_text_chars": 4000, "max_frame_bytes": 65536, "messages_per_second": 5, "burst": 20, "typing_ttl_ms": 6000,
                    "ping_interval_ms": 20_000, "pong_timeout_ms": 20_000, "join_timeout_ms": 30_000,
                    "room_grace_ms": 30_000, "history_len": 200}
            }),
        );
    }

    #[test]
    fn presence_chat_and_whisper_have_pinned_json_forms() {
        golden(
            &ServerMessage::MemberJoined {
                name: name("cy"),
                members: vec![name("ann"), name("cy")],
            },
            &json!({"type": "member_joined", "name": "cy", "members": ["ann", "cy"]}),
        );
        golden(
            &ServerMessage::MemberLeft {
                name: name("cy"),
                members: vec![name("ann")],
                reconnecting: false,
            },
            &json!({"type": "member_left", "name": "cy", "members": ["ann"]}),
        );
        golden(
            &ServerMessage::MemberLeft {
                name: name("cy"),
                members: vec![],
                reconnecting: true,
            },
            &json!({"type": "member_left", "name": "cy", "members": [], "reconnecting": true}),
        );
        golden(
            &ServerMessage::Status {
                name: name("cy"),
                status: MemberStatus::Away,
            },
            &json!({"type": "status", "name": "cy", "status": "away"}),
        );
        golden(
            &ServerMessage::RoomState(RoomState {
                owner: Some(name("ann")),
                locked: true,
            }),
            &json!({"type": "room_state", "owner": "ann", "locked": true}),
        );
        golden(
            &ServerMessage::Chat(ChatMessage {
                reply_to: None,
                changes: Default::default(),
                seq: 9,
                from: name("ann"),
                text: "yo".into(),
                ts: 5,
                client_id: Some(3),
                attachment: None,
            }),
            &json!({"type": "chat", "seq": 9, "from": "ann", "text": "yo", "ts": 5, "client_id": 3}),
        );
        golden(
            &ServerMessage::Typing {
                name: name("ann"),
                active: false,
            },
            &json!({"type": "typing", "name": "ann", "active": false}),
        );
        golden(
            &ServerMessage::Whisper(WhisperMessage {
                from: name("ann"),
                to: name("bob"),
                text: "psst".into(),
                ts: 6,
                client_id: None,
            }),
            &json!({"type": "whisper", "from": "ann", "to": "bob", "text": "psst", "ts": 6}),
        );
        golden(
            &ServerMessage::Joined {
                name: name("cy"),
                count: 2,
            },
            &json!({"type": "joined", "name": "cy", "count": 2}),
        );
        golden(
            &ServerMessage::Left {
                name: name("cy"),
                count: 1,
                reconnecting: true,
            },
            &json!({"type": "left", "name": "cy", "count": 1, "reconnecting": true}),
        );
        golden(
            &ServerMessage::Presence {
                changes: vec![
                    PresenceChange::Joined(name("cy")),
                    PresenceChange::Left(name("bo")),
                    PresenceChange::Reconnecting(name("di")),
                ],
                count: 3,
            },
            &json!({"type": "presence", "changes": [
                {"joined": "cy"}, {"left": "bo"}, {"reconnecting": "di"}
            ], "count": 3}),
        );
        golden(
            &ServerMessage::Roster {
                members: vec![name("ann"), name("bob")],
            },
            &json!({"type": "roster", "members": ["ann", "bob"]}),
        );
        golden(
            &ServerMessage::Gap {
                after: 3,
                resumed_from: 40,
            },
            &json!({"type": "gap", "after": 3, "resumed_from": 40}),
        );
    }

    #[test]
    fn errors_have_pinned_json_forms() {
        golden(
            &ServerMessage::error(ErrorCode::NameTaken, "taken"),
            &json!({"type": "error", "code": "name_taken", "message": "taken"}),
        );
        golden(
            &ServerMessage::Error(ErrorMessage {
                code: ErrorCode::RateLimited,
                message: "slow down".into(),
                client_id: Some(4),
                retry_after_ms: Some(200),
            }),
            &json!({"type": "error", "code": "rate_limited", "message": "slow down", "client_id": 4, "retry_after_ms": 200}),
        );
    }

    #[test]
    fn every_error_code_has_a_snake_case_name() {
        let codes = [
            (ErrorCode::Malformed, "malformed"),
            (ErrorCode::BinaryFrame, "binary_frame"),
            (ErrorCode::NotJoined, "not_joined"),
            (ErrorCode::AlreadyJoined, "already_joined"),
            (ErrorCode::InvalidName, "invalid_name"),
            (ErrorCode::InvalidRoomCode, "invalid_room_code"),
            (ErrorCode::NameTaken, "name_taken"),
            (ErrorCode::RoomNotFound, "room_not_found"),
            (ErrorCode::RoomFull, "room_full"),
            (ErrorCode::TooManyRooms, "too_many_rooms"),
            (ErrorCode::TooManyFailedJoins, "too_many_failed_joins"),
            (ErrorCode::EmptyMessage, "empty_message"),
            (ErrorCode::MessageTooLong, "message_too_long"),
            (ErrorCode::RateLimited, "rate_limited"),
            (ErrorCode::NoSuchMember, "no_such_member"),
            (ErrorCode::Internal, "internal"),
            (ErrorCode::Unavailable, "unavailable"),
            (ErrorCode::NoSuchMessage, "no_such_message"),
            (ErrorCode::NotAuthor, "not_author"),
            (ErrorCode::TooManyReactions, "too_many_reactions"),
            (ErrorCode::NotSigned, "not_signed"),
            (ErrorCode::BadSignature, "bad_signature"),
            (ErrorCode::BadKey, "bad_key"),
        ];
        for (code, text) in codes {
            assert_eq!(serde_json::to_value(code).ok(), Some(json!(text)));
        }
    }

    #[test]
    fn unknown_error_codes_from_newer_relays_still_decode() {
        let msg = ServerMessage::from_json(r#"{"type":"error","code":"brand_new","message":"?"}"#);
        assert!(matches!(
            msg,
            Ok(ServerMessage::Error(ErrorMessage {
                code: ErrorCode::Other,
                ..
            }))
        ));
    }

    #[test]
    fn a_kept_message_carries_what_happened_to_it_and_changes_are_golden() {
        let mut kept = ChatMessage {
            seq: 41,
            from: name("ann"),
            text: "fixed typo".into(),
            ts: 5,
            client_id: None,
            attachment: None,
            reply_to: Some(40),
            changes: Changes::default(),
        };
        kept.changes.edited = true;
        assert!(kept.changes.react("👍", &name("bob"), true));
        golden(
            &ServerMessage::Chat(kept.clone()),
            &json!({"type": "chat", "seq": 41, "from": "ann", "text": "fixed typo", "ts": 5,
                "reply_to": 40, "edited": true,
                "reactions": [{"emoji": "👍", "names": ["bob"]}]}),
        );
        Changes::delete(&mut kept);
        golden(
            &ServerMessage::Chat(kept),
            &json!({"type": "chat", "seq": 41, "from": "ann", "text": "", "ts": 5,
                "reply_to": 40, "deleted": true}),
        );
        golden(
            &ServerMessage::Edited {
                seq: 41,
                text: "fixed typo".into(),
                client_id: Some(10),
            },
            &json!({"type": "edited", "seq": 41, "text": "fixed typo", "client_id": 10}),
        );
        golden(
            &ServerMessage::Deleted {
                seq: 41,
                by: name("ann"),
                client_id: None,
            },
            &json!({"type": "deleted", "seq": 41, "by": "ann"}),
        );
        golden(
            &ServerMessage::Reaction {
                seq: 41,
                emoji: "👍".into(),
                name: name("bob"),
                on: false,
            },
            &json!({"type": "reaction", "seq": 41, "emoji": "👍", "name": "bob", "on": false}),
        );
    }

    #[test]
    fn a_resume_hears_of_changes_to_messages_it_saw_in_their_current_form() {
        let mut edited = ChatMessage {
            seq: 7,
            from: name("ann"),
            text: "see you at 6".into(),
            ts: 5,
            client_id: None,
            attachment: None,
            reply_to: None,
            changes: Changes::default(),
        };
        edited.changes.edited = true;
        assert!(edited.changes.react("👍", &name("bob"), true));
        let mut deleted = edited.clone();
        deleted.seq = 8;
        Changes::delete(&mut deleted);
        golden(
            &ServerMessage::Changed {
                messages: vec![edited, deleted],
            },
            &json!({"type": "changed", "messages": [
                {"seq": 7, "from": "ann", "text": "see you at 6", "ts": 5, "edited": true,
                    "reactions": [{"emoji": "👍", "names": ["bob"]}]},
                {"seq": 8, "from": "ann", "text": "", "ts": 5, "deleted": true}]}),
        );
    }

    #[test]
    fn reactions_keep_one_per_member_per_emoji_within_the_limits() {
        let mut changes = Changes::default();
        let ann = name("ann");
        assert!(changes.react("👍", &ann, true));
        assert!(changes.react("👍", &ann, true), "again: nothing changes");
        assert_eq!(changes.reactions[0].names, std::slice::from_ref(&ann));
        for i in 1..MAX_REACTIONS_PER_MEMBER {
            assert!(changes.react(&i.to_string(), &ann, true));
        }
        assert!(!changes.react("🎉", &ann, true), "past ann's own limit");
        assert!(changes.react("👍", &ann, false));
        assert!(
            changes.reactions.iter().all(|r| r.emoji != "👍"),
            "no empty entry is kept"
        );
        assert!(is_reaction_emoji("👍🏽") && !is_reaction_emoji("") && !is_reaction_emoji("a b"));
    }
}
