//! What a connection can do with rooms, and the two engines that do it.
//!
//! [`Rooms`] is the narrow interface a session talks to: create, join (or resume), chat,
//! type, whisper, depart. Two implementations sit behind it, side by side:
//! - [`Registry`] (`registry.rs`): the embedded default, every room in this process's
//!   memory. Nothing waits: every operation is a few lock-protected steps.
//! - [`Cluster`] (`cluster/`): many relays sharing rooms through Redis (`--redis URL`). What
//!   must agree (codes, `seq`, history, roster, names, resume tokens) lives in Redis; each
//!   relay delivers to its own sockets from a Redis pub/sub bus.
//!
//! Both answer with the same types and the same refusals (`room_types.rs`, a leaf both
//! import), so the session above cannot tell them apart and the protocol is the same in
//! both modes.

use confab_protocol::{ClientId, ErrorCode, MemberStatus, RoomCode, Username};

use crate::attachments::{Claim, Store, Stored};
use crate::cluster::{self, Cluster};
use crate::registry::{self, Registry};
use crate::room_types::{Arrival, Departure, JoinError, OwnerError, Resume, SendError};
use crate::secrets;

/// Proof that a connection is in a room, from whichever engine admitted it.
#[derive(Debug, Clone)]
pub enum Membership {
    /// In this process's memory.
    Memory(registry::Membership),
    /// In the cluster's shared state.
    Cluster(cluster::Membership),
}

/// The rooms this relay serves: in memory, or shared with other relays through Redis.
#[derive(Debug)]
pub enum Rooms {
    /// Every room in this process (the default).
    Memory(Registry),
    /// Rooms shared through Redis (`--redis`).
    Cluster(std::sync::Arc<Cluster>),
}

impl Rooms {
    /// Creates a room under a freshly drawn code and joins it.
    pub async fn create(&self, arrival: Arrival) -> Result<Membership, JoinError> {
        match self {
            Self::Memory(registry) => registry
                .create(secrets::room_code, arrival)
                .map(Membership::Memory),
            Self::Cluster(cluster) => cluster
                .create(secrets::room_code, arrival)
                .await
                .map(Membership::Cluster),
        }
    }

    /// Joins an existing room, resuming an earlier membership when `resume` proves one.
    pub async fn join(
        &self,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
    ) -> Result<Membership, JoinError> {
        match self {
            Self::Memory(registry) => registry.join(code, arrival, resume).map(Membership::Memory),
            Self::Cluster(cluster) => cluster
                .join(code, arrival, resume)
                .await
                .map(Membership::Cluster),
        }
    }

    /// Relays a chat message to everyone in the member's room.
    pub async fn chat(
        &self,
        membership: &Membership,
        client_id: ClientId,
        text: String,
    ) -> Result<(), SendError> {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => {
                registry.chat(m, client_id, text);
                Ok(())
            }
            (Self::Cluster(cluster), Membership::Cluster(m)) => {
                cluster.chat(m, client_id, text).await
            }
            _ => Ok(()),
        }
    }

    /// Relays a typing hint to everyone but its author.
    pub async fn typing(&self, membership: &Membership, active: bool) {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => registry.typing(m, active),
            (Self::Cluster(cluster), Membership::Cluster(m)) => cluster.typing(m, active).await,
            _ => {}
        }
    }

    /// Sends a whisper to `to` and echoes it to its sender.
    pub async fn whisper(
        &self,
        membership: &Membership,
        to: &Username,
        client_id: ClientId,
        text: String,
    ) -> Result<(), SendError> {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => registry
                .whisper(m, to, client_id, text)
                .map_err(|_| SendError::NoSuchMember),
            (Self::Cluster(cluster), Membership::Cluster(m)) => {
                cluster.whisper(m, to, client_id, text).await
            }
            _ => Ok(()),
        }
    }

    /// Sends the member the whole roster, in order with the room's other frames.
    pub fn roster(&self, membership: &Membership) {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => registry.roster(m),
            (Self::Cluster(cluster), Membership::Cluster(m)) => cluster.roster(m),
            _ => {}
        }
    }

    /// Sets the member's status and tells everyone (the member too).
    pub async fn status(&self, membership: &Membership, status: MemberStatus) {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => registry.status(m, status),
            (Self::Cluster(cluster), Membership::Cluster(m)) => cluster.status(m, status).await,
            _ => {}
        }
    }

    /// The owner locks or unlocks the room.
    pub async fn lock(&self, membership: &Membership, locked: bool) -> Result<(), OwnerError> {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => registry.lock(m, locked),
            (Self::Cluster(cluster), Membership::Cluster(m)) => cluster.lock(m, locked).await,
            _ => Ok(()),
        }
    }

    /// The owner removes `name` from the room (closing its connection with 4003) and keeps
    /// that name and address out for `removal_ban`.
    pub async fn remove(&self, membership: &Membership, name: &Username) -> Result<(), OwnerError> {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => registry.remove(m, name),
            (Self::Cluster(cluster), Membership::Cluster(m)) => cluster.remove(m, name).await,
            _ => Ok(()),
        }
    }

    /// Removes the member and tells the others. Never waits: in cluster mode the shared
    /// state is updated by a task of its own.
    pub fn depart(&self, membership: &Membership, departure: Departure) {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => registry.depart(m, departure),
            (Self::Cluster(cluster), Membership::Cluster(m)) => cluster.depart(m, departure),
            _ => {}
        }
    }

    /// Drops lapsed name reservations and expired rooms (in cluster mode Redis expires
    /// them, and the cluster's own upkeep task does the rest).
    pub fn sweep(&self, now: std::time::Instant) {
        if let Self::Memory(registry) = self {
            registry.sweep(now);
        }
    }

    /// The attachments this relay keeps in memory; `None` in cluster mode (they are in
    /// Redis, fetched over the WebSocket only).
    pub fn attachments(&self) -> Option<&std::sync::Arc<Store>> {
        match self {
            Self::Memory(registry) => Some(registry.attachments()),
            Self::Cluster(_) => None,
        }
    }

    /// Holds `size` bytes in the member's room for an upload, or says which limit it
    /// would pass.
    pub async fn reserve(&self, membership: &Membership, size: u64) -> Result<Claim, ErrorCode> {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => {
                registry.attachments().reserve(&m.code(), size)
            }
            (Self::Cluster(cluster), Membership::Cluster(m)) => cluster.reserve_file(m, size).await,
            _ => Err(ErrorCode::Internal),
        }
    }

    /// Up to `len` bytes from `offset` of attachment `id` in the member's room, with the
    /// file's size; `None` when the room has no such file (whatever the reason).
    pub async fn fetch_chunk(
        &self,
        membership: &Membership,
        id: &str,
        offset: u64,
        len: usize,
    ) -> Option<(u64, Vec<u8>)> {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => {
                let stored = registry.attachments().fetch(&m.code(), id)?;
                let size = stored.data.len();
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(size);
                let end = start.saturating_add(len).min(size);
                Some((size as u64, stored.data[start..end].to_vec()))
            }
            (Self::Cluster(cluster), Membership::Cluster(m)) => {
                cluster.fetch_file(m, id, offset, len).await
            }
            _ => None,
        }
    }

    /// Stores a finished upload and announces it to the member's room like a chat message,
    /// with the next `seq`.
    pub async fn post_attachment(
        &self,
        membership: &Membership,
        client_id: ClientId,
        reservation: Claim,
        stored: Stored,
    ) -> Result<(), SendError> {
        match (self, membership) {
            (Self::Memory(registry), Membership::Memory(m)) => {
                registry.post_attachment(m, client_id, reservation, stored);
                Ok(())
            }
            (Self::Cluster(cluster), Membership::Cluster(m)) => {
                cluster
                    .post_attachment(m, client_id, reservation, stored)
                    .await
            }
            _ => Ok(()),
        }
    }

    /// Whether a member now in room `code` holds `resume_token` (for HTTP downloads).
    pub async fn is_current_member(&self, code: &RoomCode, resume_token: &str) -> bool {
        match self {
            Self::Memory(registry) => registry.is_current_member(code, resume_token),
            // Cluster mode serves no attachment over HTTP (see `attachments`).
            Self::Cluster(_) => false,
        }
    }

    /// The cluster, in cluster mode.
    pub fn cluster(&self) -> Option<&std::sync::Arc<Cluster>> {
        match self {
            Self::Cluster(cluster) => Some(cluster),
            Self::Memory(_) => None,
        }
    }
}
