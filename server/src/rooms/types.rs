//! What both room stores answer with: the refusals of `create`, `join`, sending and the
//! owner's commands, and what an admission, a resume and a departure carry. A leaf both
//! stores (`memory`, `cluster`) and the connection import.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::sync::OnceLock;

use confab_protocol::private::VerifyKey;
use confab_protocol::{ClientId, ErrorCode, RoomCode, Seq, Username};

use crate::conn::ConnId;
use crate::outbox::Outbox;
use crate::presence::PresenceForm;

/// Why a `create` or `join` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// Someone in the room has this name, or one that looks the same, or it is reserved.
    #[error("someone in this room already uses that name (or one that looks like it)")]
    NameTaken,
    /// No room has this code.
    #[error("there is no room with that code")]
    RoomNotFound,
    /// The room is at its member limit.
    #[error("this room is full")]
    RoomFull,
    /// The relay is at its room limit.
    #[error("this relay cannot host more rooms right now")]
    TooManyRooms,
    /// The OS random number generator failed.
    #[error("the relay could not draw a room code; try again")]
    NoRandomness,
    /// Cluster mode: the shared state (Redis) did not answer in time.
    #[error("the relay cannot reach its shared state right now; try again in a moment")]
    Unavailable,
    /// The room's owner locked it: only its members may come back.
    #[error("this room is locked: its owner is not letting anyone new in")]
    RoomLocked,
    /// The owner removed this name or this address from the room a short while ago.
    #[error("you were removed from this room; try again later")]
    Removed,
}

impl JoinError {
    /// The wire code for this refusal.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::NameTaken => ErrorCode::NameTaken,
            Self::RoomNotFound => ErrorCode::RoomNotFound,
            Self::RoomFull => ErrorCode::RoomFull,
            Self::TooManyRooms => ErrorCode::TooManyRooms,
            Self::NoRandomness => ErrorCode::Internal,
            Self::Unavailable => ErrorCode::Unavailable,
            Self::RoomLocked => ErrorCode::RoomLocked,
            Self::Removed => ErrorCode::Removed,
        }
    }
}

/// Why an owner's request (`lock`, `remove`) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OwnerError {
    /// The requester does not own the room.
    #[error("only the room's owner can do that")]
    NotOwner,
    /// Nobody in the room has that name.
    #[error("nobody in this room has that name")]
    NoSuchMember,
    /// The owner asked to remove themselves.
    #[error("you cannot remove yourself; leave instead")]
    Yourself,
    /// Cluster mode: the shared state (Redis) did not answer in time.
    #[error("the relay cannot reach its shared state right now; try again in a moment")]
    Unavailable,
    /// The requester's connection no longer speaks for a member (evicted, removed or
    /// replaced by a resume): its close is already on its way, so nothing is answered.
    #[error("this connection is no longer in the room")]
    NotInRoom,
}

impl OwnerError {
    /// The wire code for this refusal.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::NotOwner => ErrorCode::NotOwner,
            Self::NoSuchMember | Self::Yourself => ErrorCode::NoSuchMember,
            Self::Unavailable => ErrorCode::Unavailable,
            Self::NotInRoom => ErrorCode::NotJoined,
        }
    }
}

/// A change to a kept message that a member asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Its author changes its text (checked like a chat's).
    Edit {
        /// Echoed back in the author's `edited`.
        client_id: ClientId,
        /// Which message.
        seq: Seq,
        /// Its new text.
        text: String,
    },
    /// Its author, or the room's owner, takes it back.
    Delete {
        /// Echoed back in that member's `deleted`.
        client_id: ClientId,
        /// Which message.
        seq: Seq,
    },
    /// A member adds (`on`) or takes back a reaction (checked with
    /// [`confab_protocol::is_reaction_emoji`]; in a private room the emoji is a sealed
    /// token, `confab_protocol::private::reaction`, which the stores keep just the same).
    React {
        /// Which message.
        seq: Seq,
        /// The emoji.
        emoji: String,
        /// Add or take back.
        on: bool,
    },
}

impl Change {
    /// The message it is about.
    pub fn seq(&self) -> Seq {
        match self {
            Self::Edit { seq, .. } | Self::Delete { seq, .. } | Self::React { seq, .. } => *seq,
        }
    }
}

/// Why a change to a kept message was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// No message with that `seq` is kept (or it was deleted).
    #[error("that message is no longer in this room's history")]
    NoSuchMessage,
    /// An edit of someone else's message, or a delete of it by a member who does not own
    /// the room.
    #[error("only its author (or, to delete it, the room's owner) can do that")]
    NotAuthor,
    /// A reaction past the limits, or an emoji that is not one.
    #[error("no more reactions fit on that message")]
    TooManyReactions,
    /// Why it could not be relayed at all (not in the room, cluster unavailable, ...).
    #[error("the relay cannot reach its cluster right now; nothing was changed")]
    Send(SendError),
}

impl From<SendError> for ChangeError {
    fn from(err: SendError) -> Self {
        Self::Send(err)
    }
}

/// Why a chat, whisper, typing hint, status or upload was not relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The whisper's recipient is not in the room.
    NoSuchMember,
    /// Cluster mode: the message could not be sequenced (Redis did not answer in time).
    Unavailable,
    /// Cluster mode: the shared state no longer lists this connection as a member (it was
    /// cut off long enough to be taken for gone). The connection should resume.
    MembershipLost,
    /// The connection no longer speaks for a member on this relay (evicted, removed or
    /// replaced by a resume): its close is already on its way, so nothing is answered.
    NotInRoom,
}

/// What a connection brings to a join: who it is and where its frames go.
#[derive(Debug)]
pub struct Arrival {
    /// The connection joining.
    pub conn: ConnId,
    /// The name asked for.
    pub name: Username,
    /// The connection's outbound queue.
    pub outbox: Outbox,
    /// A fresh random token, used unless the join resumes an earlier membership.
    pub fresh_token: String,
    /// How it wants to hear of others entering and leaving (`hello`'s features).
    pub presence: PresenceForm,
    /// The page this relay serves, as the connection reached it (`welcome.page_url`).
    pub page_url: Option<String>,
    /// The connection's address (kept out of the room if the owner removes the member).
    pub ip: IpAddr,
    /// `create_private`: the new room's verification key. Ignored by a join, which gets
    /// the room's own (a permanent room never has one).
    pub verify_key: Option<VerifyKey>,
}

/// A member of a private room, as its membership knows it: what the connection checks
/// every post against (`connection/private.rs`), the same for both stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateRoom {
    /// The room's code, part of what every post is signed for.
    pub code: RoomCode,
    /// The key the room's creator registered.
    pub verify_key: VerifyKey,
    /// The member's name as its `welcome.you` said it, which the store stamps as `from`
    /// on its posts: posts are signed for it.
    pub you: Username,
}

/// What every store's membership tells the connection about its room.
pub trait Seat {
    /// `Some` when the room is private: every post must be signed for it.
    fn private_room(&self) -> Option<&PrivateRoom>;
}

/// A previous membership the client wants back.
#[derive(Debug, Default, Clone)]
pub struct Resume {
    /// The `resume_token` from that membership's `welcome`.
    pub token: Option<String>,
    /// The last `seq` the client saw.
    pub last_seq: Option<Seq>,
}

/// How a member leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    /// Sent `leave`: the name is free at once and the resume token is forgotten.
    Left,
    /// The connection ended: the name stays reserved for a resume for `room_grace`.
    Dropped,
}

/// A short stand-in for a room's code in logs: a keyed hash, drawn per process.
///
/// A room code is the key to the room, so `info` logs carry this instead; one room keeps
/// one tag for the relay's life, which is enough to follow it through a log. The code
/// itself is logged only at `debug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomTag(u32);

impl RoomTag {
    /// The tag of `code` in this process.
    pub fn of(code: &RoomCode) -> Self {
        static KEY: OnceLock<RandomState> = OnceLock::new();
        let hash = KEY.get_or_init(RandomState::new).hash_one(code);
        // 32 bits tell thousands of rooms apart in a log without naming any of them.
        Self(hash as u32)
    }
}

impl fmt::Display for RoomTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}
