//! Room state, and the one contract a connection has with it: [`RoomStore`].
//!
//! A connection (`connection.rs`) creates or joins a room and then chats, types, whispers, sets
//! its status, runs the owner's commands and departs, all through [`RoomStore`]. Two stores
//! keep that contract, side by side:
//! - [`memory`]: the embedded default, every room in this process's memory. Nothing
//!   waits: every operation is a few steps under the room's own lock.
//! - [`cluster`]: many relays sharing rooms through Redis (`--redis URL`). What must agree
//!   (codes, `seq`, history, roster, names, resume tokens, lock and bans) lives in Redis and
//!   is decided by its scripts; each relay delivers to its own sockets from a pub/sub bus.
//!
//! The relay picks one at start-up and is then generic over it (`Shared<S>`), so the hot
//! path is statically dispatched, and a membership of one store cannot be handed to the
//! other: each store names its own [`RoomStore::Membership`]. What both answer with (the
//! refusals, arrivals, departures) is in [`types`]; the rules that need no state (the `gap`
//! rule, frame encoding, `welcome.limits`) in [`frames`]. Neither store imports the other.
//!
//! Where the stores must differ, by design: the clock (memory reads this process's, the
//! cluster's scripts take the calling relay's), durability (a memory room dies with the
//! relay; a cluster room outlives any one relay), and the attachment download path (memory
//! shares the stored bytes; the cluster copies them out of Redis). The behaviour suite
//! (`tests/tests/room_contract.rs`) and the differential test (`tests/tests/stores_agree.rs`)
//! hold both to everything else.

pub mod cluster;
pub mod fanout;
pub mod frames;
pub mod memory;
pub mod types;

use std::fmt::Debug;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use confab_protocol::{Attachment, ClientId, ErrorCode, MemberStatus, RoomCode, Seq, Username};
use hyper::body::Bytes;

use crate::attachments::{Claim, Stored};
use crate::rooms::types::{
    Arrival, Change, ChangeError, Departure, JoinError, OwnerError, Resume, Seat, SendError,
};

/// The contract between a connection and room state: every room rule a connection relies on.
///
/// Each operation decides and records in the store, and delivers what it causes (chat,
/// presence, typing, owner changes) to the members' outboxes. Every refusal is a typed
/// error; no operation reports success for something it did not do.
pub trait RoomStore: Debug + Send + Sync + Sized + 'static {
    /// Proof that a connection is in a room of this store; operations name the member by it.
    /// It says whether the room is private ([`Seat`]), so the connection checks posts'
    /// signatures once, before any store sees them.
    type Membership: Debug + Clone + Send + Sync + Seat + 'static;

    /// Creates a room under a freshly drawn code and joins it; a private room when
    /// `arrival.verify_key` is set, kept with the room and handed to every joiner.
    fn create(
        self: &Arc<Self>,
        arrival: Arrival,
    ) -> impl Future<Output = Result<Self::Membership, JoinError>> + Send;

    /// Joins an existing room, resuming an earlier membership when `resume` proves one.
    fn join(
        self: &Arc<Self>,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
    ) -> impl Future<Output = Result<Self::Membership, JoinError>> + Send;

    /// Records a chat message under the room's next `seq` (answering the message
    /// `reply_to`, if any) and relays it to everyone in the room, its author too.
    fn chat(
        self: &Arc<Self>,
        membership: &Self::Membership,
        client_id: ClientId,
        text: String,
        reply_to: Option<Seq>,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Applies `change` to a kept message, if the member may make it, and tells everyone
    /// (the member's copy with the change's `client_id`).
    fn change(
        self: &Arc<Self>,
        membership: &Self::Membership,
        change: Change,
    ) -> impl Future<Output = Result<(), ChangeError>> + Send;

    /// Relays a typing hint to everyone but its author.
    fn typing(
        self: &Arc<Self>,
        membership: &Self::Membership,
        active: bool,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Sends a whisper to `to` and echoes it to its sender (only the echo when `to` is the
    /// sender).
    fn whisper(
        self: &Arc<Self>,
        membership: &Self::Membership,
        to: &Username,
        client_id: ClientId,
        text: String,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Sends the member the whole roster, in order with the room's other frames.
    fn roster(self: &Arc<Self>, membership: &Self::Membership);

    /// Sets the member's status and tells everyone (the member too).
    fn status(
        self: &Arc<Self>,
        membership: &Self::Membership,
        status: MemberStatus,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// The owner locks or unlocks the room.
    fn set_locked(
        self: &Arc<Self>,
        membership: &Self::Membership,
        locked: bool,
    ) -> impl Future<Output = Result<(), OwnerError>> + Send;

    /// The owner removes `name` from the room (closing its connection with 4003) and keeps
    /// that name and address out for `removal_ban`.
    fn remove(
        self: &Arc<Self>,
        membership: &Self::Membership,
        name: &Username,
    ) -> impl Future<Output = Result<(), OwnerError>> + Send;

    /// Removes the member and tells the others. Never waits: a store whose state is
    /// elsewhere updates it from a task of its own.
    fn depart(self: &Arc<Self>, membership: &Self::Membership, departure: Departure);

    /// The member sent `leave`: removes it and returns once the store has recorded it, so
    /// that when the connection's close goes out the name is free and the room as others
    /// will find it (a store that cannot reach its state in time records it later, as
    /// [`Self::depart`] does).
    fn leave(self: &Arc<Self>, membership: &Self::Membership) -> impl Future<Output = ()> + Send;

    /// Holds `size` bytes in the member's room for an upload, or says which limit it would
    /// pass.
    fn reserve_file(
        self: &Arc<Self>,
        membership: &Self::Membership,
        size: u64,
    ) -> impl Future<Output = Result<Claim, ErrorCode>> + Send;

    /// Stores a finished upload and announces it to the member's room like a chat message,
    /// with the next `seq`.
    fn post_attachment(
        self: &Arc<Self>,
        membership: &Self::Membership,
        client_id: ClientId,
        reservation: Claim,
        stored: Stored,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Up to `len` bytes from `offset` of attachment `id` in the member's room, with the
    /// file's size; `None` when the room has no such file (whatever the reason).
    fn fetch_chunk(
        self: &Arc<Self>,
        membership: &Self::Membership,
        id: &str,
        offset: u64,
        len: usize,
    ) -> impl Future<Output = Option<(u64, Vec<u8>)>> + Send;

    /// Attachment `id` for an HTTP download (`GET /attachments/<id>`) by whoever holds
    /// resume token `token`: its descriptor and bytes, only while a member now in the file's
    /// room holds that token and the file is still kept. The same `None` for every refusal.
    /// With `head_only` the checks are the same but the bytes may come back empty.
    fn download(
        self: &Arc<Self>,
        id: &str,
        token: &str,
        head_only: bool,
    ) -> impl Future<Output = Option<(Attachment, Bytes)>> + Send;

    /// Failed joins other relays counted for `ip` in the current window (this relay counts
    /// its own in `guards::FailedJoins`); 0 for a store no other relay shares.
    fn shared_failed_joins(self: &Arc<Self>, ip: IpAddr) -> impl Future<Output = u32> + Send;

    /// Counts a failed join by `ip` where other relays see it; nothing for a store no other
    /// relay shares.
    fn share_failed_join(self: &Arc<Self>, ip: IpAddr);

    /// Drops lapsed name reservations and expired rooms that nothing else expires.
    fn sweep(&self, now: Instant);

    /// Hands this relay's part over when the relay stops.
    fn stop(&self) -> impl Future<Output = ()> + Send;
}
