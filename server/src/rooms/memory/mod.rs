//! The in-memory room store: every room on this relay, and the operations a connection
//! performs on them (create, join, resume, chat, typing, whisper, status, the owner's
//! commands, depart). `store.rs` is its side of the room contract (`rooms::RoomStore`).
//!
//! Every room has its own `std::sync::Mutex`, never held across an `.await`: an operation
//! locks its room, updates it, offers encoded frames to outboxes (which never blocks) and
//! unlocks. Holding the room's lock while queueing is what makes `welcome` precede every
//! later frame and keeps `seq` order identical for every member. Rooms never wait for each
//! other, so one relay uses every core.
//!
//! The directory (code to room) is a `RwLock` taken only to create, join and sweep: a
//! member's chat, typing, whisper and departure go straight to its room through the
//! [`Membership`] it holds. Lock order is always directory, then room.
//!
//! Presence changes for members that take batches wait in their room (see `presence`);
//! unlocking a room with changes waiting sets a timer that sends them.
//!
//! Time is tokio's clock ([`now`]): the process's own in production, and one a test can
//! pause and advance (`tokio::time::advance`), so reservations, bans and empty rooms lapse
//! when a test says time has passed, not when a loaded machine gets round to it.

mod admission;
mod guard;
pub mod room;
mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use confab_protocol::{
    ClientId, Limits, MemberStatus, RoomCode, Seq, ServerMessage, Username, WhisperMessage,
};

use crate::Config;
use crate::attachments::{Claim, FileStore, Stored};
use crate::clock::now_millis;
use crate::conn::ConnId;
use crate::metrics::Metrics;
use crate::outbox::Kick;
use crate::rooms::frames::{encode, limits_of};
use crate::rooms::memory::guard::{RoomCell, RoomGuard, lock_room};
use crate::rooms::memory::room::{Reservation, Room};
use crate::rooms::types::{
    Change, ChangeError, Departure, OwnerError, PrivateRoom, Seat, SendError,
};

/// Now, by the store's clock: tokio's, which is [`Instant::now`] unless a test has paused it
/// (then it moves only when the test advances it, and every end this store sets moves with it).
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Proof that a connection is in a room; operations name the member by it.
///
/// It holds the room itself, so a member's operations take no relay-wide lock. A room is
/// only dropped from the directory once it is empty, so a live member's room is the one
/// everyone else finds by its code.
#[derive(Debug, Clone)]
pub struct Membership {
    /// The room.
    room: RoomCell,
    /// The connection speaking for the member.
    pub conn: ConnId,
    /// The room's code and key when it is private (both fixed for the room's life, so
    /// copied here rather than read under the room's lock for every post).
    private: Option<Arc<PrivateRoom>>,
}

impl Seat for Membership {
    fn private_room(&self) -> Option<&PrivateRoom> {
        self.private.as_deref()
    }
}

impl Membership {
    /// Locks the member's room.
    fn lock(&self) -> RoomGuard<'_> {
        lock_room(&self.room)
    }

    /// The member's room's code.
    pub fn code(&self) -> RoomCode {
        self.lock().code.clone()
    }
}

/// Every room on this relay.
#[derive(Debug)]
pub struct Registry {
    rooms: RwLock<HashMap<RoomCode, RoomCell>>,
    config: Arc<Config>,
    limits: Limits,
    metrics: Arc<Metrics>,
    /// The rooms' attachments: freed as their messages leave a history, or with the room.
    attachments: Arc<FileStore>,
}

impl Registry {
    /// A registry holding the configured permanent rooms, counting into `metrics`.
    pub fn new(config: Arc<Config>, metrics: Arc<Metrics>) -> Self {
        let now = now();
        let mut rooms = HashMap::new();
        for raw in &config.permanent_rooms {
            match RoomCode::parse(raw) {
                Ok(code) => {
                    let metrics = Arc::clone(&metrics);
                    let room = Room::new(code.clone(), true, config.history_len, now, metrics);
                    rooms.insert(code, Arc::new(Mutex::new(room)));
                }
                Err(err) => tracing::warn!(room = raw, %err, "ignoring invalid permanent room"),
            }
        }
        let limits = limits_of(&config);
        metrics
            .rooms
            .set(i64::try_from(rooms.len()).unwrap_or(i64::MAX));
        let attachments = Arc::new(FileStore::new(limits.attachments, Arc::clone(&metrics)));
        Self {
            metrics,
            rooms: RwLock::new(rooms),
            config,
            limits,
            attachments,
        }
    }

    /// Removes the member (if it is still this connection's) and tells the others.
    pub fn depart(&self, membership: &Membership, departure: Departure) {
        let mut room = membership.lock();
        let Some(index) = room.position(membership.conn) else {
            return;
        };
        let member = room.members.remove(index);
        self.metrics.members.dec();
        let now = now();
        tracing::info!(room = %room.tag, ?departure, "member left");
        tracing::debug!(room = %room.tag, name = %member.name, "departed member");
        let reconnecting = departure == Departure::Dropped;
        if reconnecting {
            let until = now + self.config.room_grace;
            let reservation = Reservation {
                name: member.name.clone(),
                resume_token: member.resume_token,
                until,
                ip: member.ip,
            };
            room.reserved.insert(member.key, reservation);
        }
        room.announce_departure(member.name, reconnecting);
        room.settle_owner();
        room.note_if_empty(now);
    }

    /// Sets the member's status and tells everyone, the member included.
    pub fn status(&self, membership: &Membership, status: MemberStatus) -> Result<(), SendError> {
        let mut room = membership.lock();
        let index = room.position(membership.conn).ok_or(SendError::NotInRoom)?;
        room.members[index].status = status;
        let name = room.members[index].name.clone();
        room.broadcast(&encode(&ServerMessage::Status { name, status }), None);
        Ok(())
    }

    /// The owner locks or unlocks the room; everyone hears of it.
    pub fn set_locked(&self, membership: &Membership, locked: bool) -> Result<(), OwnerError> {
        let mut room = membership.lock();
        let index = room
            .position(membership.conn)
            .ok_or(OwnerError::NotInRoom)?;
        if !room.is_owner(index) {
            return Err(OwnerError::NotOwner);
        }
        room.locked = locked;
        tracing::info!(room = %room.tag, locked, "room lock changed");
        let state = ServerMessage::RoomState(room.state());
        room.broadcast(&encode(&state), None);
        Ok(())
    }

    /// The owner removes `name` (present, or reserved while reconnecting): its connection
    /// is closed with 4003, and its name and address are kept out for `removal_ban`.
    pub fn remove(&self, membership: &Membership, name: &Username) -> Result<(), OwnerError> {
        let mut room = membership.lock();
        let index = room
            .position(membership.conn)
            .ok_or(OwnerError::NotInRoom)?;
        if !room.is_owner(index) {
            return Err(OwnerError::NotOwner);
        }
        let key = name.uniqueness_key();
        let until = now() + self.config.removal_ban;
        if let Some(target) = room.position_by_key(&key) {
            if target == index {
                return Err(OwnerError::Yourself);
            }
            let mut member = room.members.remove(target);
            self.metrics.members.dec();
            tracing::info!(room = %room.tag, "owner removed a member");
            tracing::debug!(room = %room.tag, name = %member.name, "removed member");
            member.outbox.kick(Kick::Removed);
            room.keep_out(key, member.ip, until);
            room.announce_departure(member.name, false);
        } else if let Some(reservation) = room.reserved.remove(&key) {
            // Reconnecting: the reservation goes, so the resume finds the name kept out.
            room.keep_out(key, reservation.ip, until);
            room.announce_departure(reservation.name, false);
        } else {
            return Err(OwnerError::NoSuchMember);
        }
        Ok(())
    }

    /// Relays a chat message: stored with the next `seq`, sent to everyone, with
    /// `client_id` in the sender's copy only.
    pub fn chat(
        &self,
        membership: &Membership,
        client_id: ClientId,
        text: String,
        reply_to: Option<Seq>,
    ) -> Result<(), SendError> {
        let mut room = membership.lock();
        let index = room.position(membership.conn).ok_or(SendError::NotInRoom)?;
        let from = room.members[index].name.clone();
        if std::mem::take(&mut room.members[index].typing) {
            // Sending ends composing; say so, so no client shows a stale hint.
            let stopped = ServerMessage::Typing {
                name: from.clone(),
                active: false,
            };
            room.broadcast(&encode(&stopped), Some(membership.conn));
        }
        let drops_attachment = room.history.len() == room.history_len
            && room.history.front().is_some_and(|m| m.attachment.is_some());
        let message = room.record(from, text, now_millis(), reply_to);
        if drops_attachment {
            self.trim_attachments(&room);
        }
        self.metrics.chats_relayed.inc();
        room.announce_chat(message, membership.conn, client_id);
        Ok(())
    }

    /// Applies `change` to a kept message of the member's room: see [`Room::change`].
    pub fn change(&self, membership: &Membership, change: Change) -> Result<(), ChangeError> {
        membership.lock().change(membership.conn, change)
    }

    /// Queues the whole roster for the member, behind the frames already queued for it.
    pub fn roster(&self, membership: &Membership) {
        let mut room = membership.lock();
        // Waiting presence changes go first: the roster is as of after them.
        room.flush_presence();
        let roster = ServerMessage::Roster {
            members: room.roster(),
        };
        room.send_to(membership.conn, &encode(&roster));
    }

    /// Relays a typing hint to everyone but its author.
    pub fn typing(&self, membership: &Membership, active: bool) -> Result<(), SendError> {
        let mut room = membership.lock();
        let index = room.position(membership.conn).ok_or(SendError::NotInRoom)?;
        room.members[index].typing = active;
        let name = room.members[index].name.clone();
        room.broadcast(
            &encode(&ServerMessage::Typing { name, active }),
            Some(membership.conn),
        );
        Ok(())
    }

    /// Sends a whisper to `to` and echoes it to its sender. Fails when `to` is not here.
    pub fn whisper(
        &self,
        membership: &Membership,
        to: &Username,
        client_id: ClientId,
        text: String,
    ) -> Result<(), SendError> {
        let mut room = membership.lock();
        let from_index = room.position(membership.conn).ok_or(SendError::NotInRoom)?;
        let to_index = room
            .position_by_key(&to.uniqueness_key())
            .ok_or(SendError::NoSuchMember)?;
        let mut whisper = WhisperMessage {
            from: room.members[from_index].name.clone(),
            to: room.members[to_index].name.clone(),
            text,
            ts: now_millis(),
            client_id: None,
        };
        let to_conn = room.members[to_index].conn;
        // A whisper to yourself is only its echo, in both stores (in cluster mode the
        // recipient's copy would race the echo through the bus).
        if to_conn != membership.conn {
            room.send_to(to_conn, &encode(&ServerMessage::Whisper(whisper.clone())));
        }
        whisper.client_id = Some(client_id);
        room.send_to(membership.conn, &encode(&ServerMessage::Whisper(whisper)));
        Ok(())
    }

    /// Drops lapsed name reservations and rooms empty for longer than `room_grace`.
    ///
    /// Looks under the directory's read lock first and takes the write lock only when a
    /// room has expired, so joins are not held up four times a second for nothing.
    pub fn sweep(&self, now: Instant) {
        let grace = self.config.room_grace;
        let expired = |room: &Room| {
            !room.permanent && room.empty_since.is_some_and(|since| now >= since + grace)
        };
        let any_expired = self.read().values().fold(false, |any, cell| {
            let mut room = lock_room(cell);
            let reserved = room.reserved.len();
            room.reserved.retain(|_, r| r.until > now);
            if room.reserved.len() != reserved {
                // A reconnecting owner who did not come back passes ownership on.
                room.settle_owner();
            }
            room.removals.retain(|r| r.until > now);
            any | expired(&room)
        });
        if any_expired {
            self.write().retain(|_, cell| {
                let room = lock_room(cell);
                let gone = expired(&room);
                if gone {
                    self.attachments.drop_room(&room.code);
                    tracing::info!(room = %room.tag, "room expired");
                    self.metrics.rooms.dec();
                }
                !gone
            });
        }
    }

    /// The rooms' attachments.
    pub fn attachments(&self) -> &Arc<FileStore> {
        &self.attachments
    }

    /// Announces a finished upload like a chat message (its `text` is the file name),
    /// storing it first, so anyone who sees the message can fetch it at once.
    pub fn post_attachment(
        &self,
        membership: &Membership,
        client_id: ClientId,
        reservation: Claim,
        mut stored: Stored,
    ) -> Result<(), SendError> {
        let mut room = membership.lock();
        let index = room.position(membership.conn).ok_or(SendError::NotInRoom)?;
        let from = room.members[index].name.clone();
        let name = stored.descriptor.name.clone();
        let mut message = room.record(from, name, now_millis(), None);
        message.attachment = Some(Box::new(stored.descriptor.clone()));
        if let Some(kept) = room.history.back_mut().filter(|m| m.seq == message.seq) {
            kept.attachment = message.attachment.clone();
        }
        stored.seq = message.seq;
        self.attachments.keep(reservation, stored);
        self.trim_attachments(&room);
        self.metrics.chats_relayed.inc();
        room.announce_chat(message, membership.conn, client_id);
        Ok(())
    }

    /// Whether someone in room `code` now holds resume token `token`.
    pub fn is_current_member(&self, code: &RoomCode, token: &str) -> bool {
        let rooms = self.read();
        let Some(cell) = rooms.get(code) else {
            return false;
        };
        let room = lock_room(cell);
        room.members
            .iter()
            .any(|m| crate::attachments::same_secret(&m.resume_token, token))
    }

    /// Frees the attachments whose messages `room`'s history no longer keeps.
    fn trim_attachments(&self, room: &Room) {
        let first_kept = room.history.front().map_or(room.last_seq + 1, |m| m.seq);
        self.attachments.trim(&room.code, first_kept);
    }

    /// The directory, for lookups. A panic while holding a lock would be a bug; the state
    /// is still memory-safe, so later connections carry on rather than all failing with it.
    fn read(&self) -> RwLockReadGuard<'_, HashMap<RoomCode, RoomCell>> {
        self.rooms.read().unwrap_or_else(|poisoned| {
            tracing::error!("room directory lock poisoned by an earlier panic; continuing");
            poisoned.into_inner()
        })
    }

    /// The directory, to add or remove rooms.
    fn write(&self) -> RwLockWriteGuard<'_, HashMap<RoomCode, RoomCell>> {
        self.rooms.write().unwrap_or_else(|poisoned| {
            tracing::error!("room directory lock poisoned by an earlier panic; continuing");
            poisoned.into_inner()
        })
    }
}

#[cfg(test)]
mod tests;
