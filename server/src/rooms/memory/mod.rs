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

pub mod room;
mod store;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};
use std::time::Instant;

use confab_protocol::{
    ClientId, Limits, MemberStatus, PresenceChange, RoomCode, ServerMessage, Username,
    WelcomeMessage, WhisperMessage,
};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::Config;
use crate::attachments::{Claim, Store, Stored};
use crate::clock::now_millis;
use crate::conn::ConnId;
use crate::metrics::Metrics;
use crate::outbox::Kick;
use crate::rooms::fanout::PresenceNews;
use crate::rooms::frames::{encode, limits_of};
use crate::rooms::memory::room::{Member, Reservation, Room};
use crate::rooms::types::{Arrival, Departure, JoinError, OwnerError, Resume, SendError};

/// One room behind its own lock, shared by the directory and the room's members.
type RoomCell = Arc<Mutex<Room>>;

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
    attachments: Arc<Store>,
}

impl Registry {
    /// A registry holding the configured permanent rooms, counting into `metrics`.
    pub fn new(config: Arc<Config>, metrics: Arc<Metrics>) -> Self {
        let now = Instant::now();
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
        let attachments = Arc::new(Store::new(limits.attachments, Arc::clone(&metrics)));
        Self {
            metrics,
            rooms: RwLock::new(rooms),
            config,
            limits,
            attachments,
        }
    }

    /// Creates a room under a code drawn from `new_code` (drawn again while taken) and
    /// joins it.
    pub fn create(
        &self,
        mut new_code: impl FnMut() -> Result<RoomCode, getrandom::Error>,
        arrival: Arrival,
    ) -> Result<Membership, JoinError> {
        // The directory's write lock is held through the admission, so the janitor cannot
        // sweep the new (still empty) room away before its creator is in.
        let mut rooms = self.write();
        if rooms.len() >= self.config.max_rooms {
            return Err(JoinError::TooManyRooms);
        }
        let slot = loop {
            // With 2^44 codes and at most `max_rooms` taken, a redraw is rare and a second one rarer.
            let code = new_code().map_err(|err| {
                tracing::error!(%err, "OS random number generator failed");
                JoinError::NoRandomness
            })?;
            if let Entry::Vacant(slot) = rooms.entry(code) {
                break slot;
            }
        };
        let code = slot.key().clone();
        let metrics = Arc::clone(&self.metrics);
        let room = Room::new(
            code,
            false,
            self.config.history_len,
            Instant::now(),
            metrics,
        );
        let cell = Arc::clone(slot.insert(Arc::new(Mutex::new(room))));
        self.metrics.rooms.inc();
        let mut room = lock_room(&cell);
        tracing::info!(room = %room.tag, "room created");
        tracing::debug!(room = %room.tag, code = %room.code, "room code");
        // The creator owns the room: ownership goes with their resume token.
        room.owner_token = Some(arrival.fresh_token.clone());
        self.admit(&mut room, &cell, arrival, &Resume::default())
    }

    /// Joins an existing room, resuming an earlier membership when `resume` proves one.
    pub fn join(
        &self,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
    ) -> Result<Membership, JoinError> {
        // A read lock: joins into different rooms do not wait for each other, and the
        // janitor (a writer) cannot remove the room while this admission runs.
        let rooms = self.read();
        let cell = rooms.get(code).ok_or(JoinError::RoomNotFound)?;
        let mut room = lock_room(cell);
        self.admit(&mut room, cell, arrival, resume)
    }

    /// Admits `arrival` into `room`: replaces its own old connection, reclaims a reserved
    /// name, or joins fresh; then sends `welcome` (and `gap`) and tells the others.
    fn admit(
        &self,
        room: &mut Room,
        cell: &RoomCell,
        arrival: Arrival,
        resume: &Resume,
    ) -> Result<Membership, JoinError> {
        let key = arrival.name.uniqueness_key();
        let token = resume.token.as_deref();
        let membership = Membership {
            room: Arc::clone(cell),
            conn: arrival.conn,
        };
        let attached = room.position_by_key(&key);
        let mut resumed = true;
        let index = match attached {
            Some(i) if token == Some(room.members[i].resume_token.as_str()) => {
                let member = &mut room.members[i];
                tracing::info!(room = %room.tag, "member resumed on a new connection");
                tracing::debug!(room = %room.tag, name = %member.name, "resumed member");
                member.outbox.kick(Kick::Replaced);
                member.outbox = arrival.outbox;
                member.conn = arrival.conn;
                member.presence = arrival.presence;
                i
            }
            Some(_) => return Err(JoinError::NameTaken),
            None => {
                let reclaim = room
                    .reserved
                    .get(&key)
                    .map(|r| Some(r.resume_token.as_str()) == token);
                if reclaim == Some(false) {
                    return Err(JoinError::NameTaken);
                }
                if reclaim.is_none() {
                    // Only a new arrival is kept out; a member resuming is let back in.
                    if room.is_removed(&key, arrival.ip, Instant::now()) {
                        return Err(JoinError::Removed);
                    }
                    if room.locked {
                        return Err(JoinError::RoomLocked);
                    }
                }
                if room.members.len() >= self.config.max_room_members {
                    return Err(JoinError::RoomFull);
                }
                resumed = reclaim == Some(true);
                let resume_token = match reclaim {
                    Some(true) => room.reserved.remove(&key).map(|r| r.resume_token),
                    _ => None,
                }
                .unwrap_or(arrival.fresh_token);
                let name = arrival.name;
                room.members.push(Member {
                    conn: arrival.conn,
                    name,
                    key,
                    resume_token,
                    outbox: arrival.outbox,
                    typing: false,
                    presence: arrival.presence,
                    status: MemberStatus::Online,
                    ip: arrival.ip,
                });
                room.empty_since = None;
                self.metrics.members.inc();
                room.members.len() - 1
            }
        };
        // `last_seq` counts only for a membership the relay recognizes: an unknown token
        // (say, from before a relay restart) may carry numbers from another history.
        let (history, gap) = room.since(resume.last_seq.filter(|_| resumed));
        let member = &room.members[index];
        let welcome = ServerMessage::Welcome(Box::new(WelcomeMessage {
            room: room.code.clone(),
            you: member.name.clone(),
            members: room.roster(),
            history,
            resume_token: member.resume_token.clone(),
            limits: self.limits,
            page_url: arrival.page_url.clone(),
            statuses: room.statuses(),
            room_state: room.state(),
        }));
        let first: Vec<Utf8Bytes> = std::iter::once(encode(&welcome))
            .chain(gap.as_ref().map(encode))
            .collect();
        room.send_welcome(index, &first);
        room.settle_owner();
        // A queue that cannot take its own welcome had its member evicted already.
        let Some(index) = room.position(arrival.conn) else {
            return Ok(membership);
        };
        if attached.is_none() {
            let name = room.members[index].name.clone();
            tracing::info!(room = %room.tag, members = room.members.len(), "member joined");
            tracing::debug!(room = %room.tag, %name, "joined member");
            let deltas = ServerMessage::Joined {
                name: name.clone(),
                count: room.members.len(),
            };
            let change = PresenceChange::Joined(name.clone());
            let full = |members: &[Member]| ServerMessage::MemberJoined {
                name,
                members: members.iter().map(|m| m.name.clone()).collect(),
            };
            let news = PresenceNews {
                change,
                deltas,
                full,
            };
            room.broadcast_presence(news, Some(arrival.conn));
        }
        Ok(membership)
    }

    /// Removes the member (if it is still this connection's) and tells the others.
    pub fn depart(&self, membership: &Membership, departure: Departure) {
        let mut room = membership.lock();
        let Some(index) = room.position(membership.conn) else {
            return;
        };
        let member = room.members.remove(index);
        self.metrics.members.dec();
        let now = Instant::now();
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
    pub fn lock_room(&self, membership: &Membership, locked: bool) -> Result<(), OwnerError> {
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
        let until = Instant::now() + self.config.removal_ban;
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
        let mut message = room.record(from, text, now_millis());
        if drops_attachment {
            self.trim_attachments(&room);
        }
        self.metrics.chats_relayed.inc();
        room.broadcast(
            &encode(&ServerMessage::Chat(message.clone())),
            Some(membership.conn),
        );
        message.client_id = Some(client_id);
        room.send_to(membership.conn, &encode(&ServerMessage::Chat(message)));
        Ok(())
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
    pub fn attachments(&self) -> &Arc<Store> {
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
        let mut message = room.record(from, name, now_millis());
        message.attachment = Some(Box::new(stored.descriptor.clone()));
        if let Some(kept) = room.history.back_mut().filter(|m| m.seq == message.seq) {
            kept.attachment = message.attachment.clone();
        }
        stored.seq = message.seq;
        self.attachments.keep(reservation, stored);
        self.trim_attachments(&room);
        self.metrics.chats_relayed.inc();
        room.broadcast(
            &encode(&ServerMessage::Chat(message.clone())),
            Some(membership.conn),
        );
        message.client_id = Some(client_id);
        room.send_to(membership.conn, &encode(&ServerMessage::Chat(message)));
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

/// Locks one room; a panic in an earlier holder poisons only that room, and it carries on.
fn lock_room(cell: &RoomCell) -> RoomGuard<'_> {
    let room = cell.lock().unwrap_or_else(|poisoned| {
        tracing::error!("room lock poisoned by an earlier panic; continuing");
        poisoned.into_inner()
    });
    RoomGuard { room, cell }
}

/// A locked room. Unlocking it with presence changes waiting (and no timer set) sets the
/// timer that sends them, so no operation can forget to.
struct RoomGuard<'a> {
    room: MutexGuard<'a, Room>,
    cell: &'a RoomCell,
}

impl Deref for RoomGuard<'_> {
    type Target = Room;

    fn deref(&self) -> &Room {
        &self.room
    }
}

impl DerefMut for RoomGuard<'_> {
    fn deref_mut(&mut self) -> &mut Room {
        &mut self.room
    }
}

impl Drop for RoomGuard<'_> {
    fn drop(&mut self) {
        let Some(at) = self.room.presence.arm() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(send_presence_at(Arc::downgrade(self.cell), at));
            }
            // No runtime (a synchronous test): nothing could send them later, so now.
            // Sending may evict someone, whose departure waits in turn: until none does.
            Err(_) => loop {
                self.room.presence.disarm();
                self.room.flush_presence();
                if self.room.presence.arm().is_none() {
                    break;
                }
            },
        }
    }
}

/// Sends a room's waiting presence changes at `at`, unless the room is gone by then.
async fn send_presence_at(room: Weak<Mutex<Room>>, at: tokio::time::Instant) {
    tokio::time::sleep_until(at).await;
    if let Some(cell) = room.upgrade() {
        let mut room = lock_room(&cell);
        room.presence.disarm();
        room.flush_presence();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::*;
    use crate::outbox::{Inbox, outbox};
    use crate::presence::PresenceForm;
    use crate::secrets;

    fn arrival(conn: ConnId, name: &str) -> (Arrival, Inbox) {
        let (outbox, inbox) = outbox(16);
        let arrival = Arrival {
            conn,
            name: Username::parse(name).expect("valid name"),
            outbox,
            fresh_token: format!("token-{conn}"),
            presence: PresenceForm::Full,
            page_url: None,
            ip: std::net::IpAddr::from([127, 0, 0, 1]),
        };
        (arrival, inbox)
    }

    /// Everything queued for `inbox`, decoded.
    fn drain(inbox: &mut Inbox) -> Vec<ServerMessage> {
        std::iter::from_fn(|| inbox.try_next())
            .map(|frame| ServerMessage::from_json(frame.as_str()).expect("relay JSON"))
            .collect()
    }

    /// The presence batches among `messages`.
    fn batches(messages: &[ServerMessage]) -> Vec<(Vec<PresenceChange>, usize)> {
        messages
            .iter()
            .filter_map(|m| match m {
                ServerMessage::Presence { changes, count } => Some((changes.clone(), *count)),
                _ => None,
            })
            .collect()
    }

    fn joined(name: &str) -> PresenceChange {
        PresenceChange::Joined(Username::parse(name).expect("valid name"))
    }

    /// A member that takes presence batches; with a queue big enough for a burst.
    fn batched(conn: ConnId, name: &str) -> (Arrival, Inbox) {
        let (mut arrival, _) = arrival(conn, name);
        let (outbox, inbox) = outbox(256);
        arrival.outbox = outbox;
        arrival.presence = PresenceForm::Batches;
        (arrival, inbox)
    }

    /// Lets the batch timer (a spawned task) run after the paused clock moved on.
    async fn after_the_interval() {
        tokio::time::advance(crate::presence::BATCH_INTERVAL).await;
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_joins_reaches_a_batched_member_in_two_frames() {
        let registry = registry();
        let (ann, mut ann_inbox) = batched(1, "ann");
        let membership = registry.create(secrets::room_code, ann).expect("created");
        let code = membership.code();
        drain(&mut ann_inbox);
        let mut inboxes = Vec::new();
        for i in 0..40 {
            let (arrival, inbox) = batched(10 + i, &format!("m{i}"));
            registry
                .join(&code, arrival, &Resume::default())
                .expect("joined");
            inboxes.push(inbox);
        }
        let first = batches(&drain(&mut ann_inbox));
        assert_eq!(
            first,
            [(vec![joined("m0")], 2)],
            "the first goes out at once"
        );

        after_the_interval().await;
        let rest = batches(&drain(&mut ann_inbox));
        let expected: Vec<_> = (1..40).map(|i| joined(&format!("m{i}"))).collect();
        assert_eq!(rest, [(expected, 41)], "the other 39 in one frame");

        // Someone who joined mid-batch gets only the joins after its own welcome.
        let m20 = drain(&mut inboxes[20]);
        assert!(matches!(&m20[0], ServerMessage::Welcome(w) if w.members.len() == 22));
        let later: Vec<_> = (21..40).map(|i| joined(&format!("m{i}"))).collect();
        assert_eq!(batches(&m20[1..]), [(later, 41)]);
        let last = drain(&mut inboxes[39]);
        assert_eq!(
            last.len(),
            1,
            "the last joiner's welcome says it all: {last:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_changes_go_out_before_a_chat_from_the_newcomer() {
        let registry = registry();
        let (ann, mut ann_inbox) = batched(1, "ann");
        let membership = registry.create(secrets::room_code, ann).expect("created");
        let code = membership.code();
        let (bob, _bob_inbox) = batched(2, "bob");
        registry.join(&code, bob, &Resume::default()).expect("bob");
        let (cy, _cy_inbox) = batched(3, "cy");
        let cy = registry.join(&code, cy, &Resume::default()).expect("cy");
        registry.chat(&cy, 9, "hi".into()).expect("a member chats");
        let seen = drain(&mut ann_inbox);
        let kinds: Vec<_> = seen[1..]
            .iter()
            .map(|m| match m {
                ServerMessage::Presence { changes, .. } => format!("presence {}", changes.len()),
                ServerMessage::Chat(chat) => format!("chat from {}", chat.from),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(kinds, ["presence 1", "presence 1", "chat from cy"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_roster_answer_comes_after_the_waiting_changes() {
        let registry = registry();
        let (ann, mut ann_inbox) = batched(1, "ann");
        let ann = registry.create(secrets::room_code, ann).expect("created");
        let code = ann.code();
        let mut inboxes = Vec::new();
        for (conn, name) in [(2, "bob"), (3, "cy")] {
            let (arrival, inbox) = batched(conn, name);
            registry
                .join(&code, arrival, &Resume::default())
                .expect("joined");
            inboxes.push(inbox);
        }
        registry.roster(&ann);
        let seen = drain(&mut ann_inbox);
        assert!(matches!(
            seen.last(),
            Some(ServerMessage::Roster { members }) if members.len() == 3
        ));
        assert_eq!(batches(&seen).len(), 2, "bob at once, cy before the roster");
    }

    fn registry() -> Arc<Registry> {
        Arc::new(Registry::new(Arc::default(), Arc::default()))
    }

    #[test]
    fn a_busy_room_does_not_hold_up_another_room() {
        let registry = registry();
        let (ann, _ann_inbox) = arrival(1, "ann");
        let first = registry.create(secrets::room_code, ann).expect("created");
        let (bob, mut bob_inbox) = arrival(2, "bob");
        let second = registry.create(secrets::room_code, bob).expect("created");
        let _ = bob_inbox.try_next(); // welcome

        // Someone holds the first room's lock for as long as this test likes...
        let held = first.lock();
        let (done_tx, done_rx) = mpsc::channel();
        let worker = {
            let registry = Arc::clone(&registry);
            thread::spawn(move || {
                registry
                    .chat(&second, 7, "still here".into())
                    .expect("a member chats");
                let _ = done_tx.send(());
            })
        };
        // ...and the second room's chat is relayed all the same. With one relay-wide lock
        // this would wait until `held` is dropped, and time out.
        let relayed = done_rx.recv_timeout(Duration::from_secs(10));
        drop(held);
        worker.join().expect("chat thread");
        assert!(
            relayed.is_ok(),
            "a chat in one room waited for another room's lock"
        );
        let frame = bob_inbox.try_next().expect("the chat echo");
        assert!(frame.as_str().contains("still here"), "{frame}");
    }

    #[test]
    fn sweeping_removes_only_rooms_empty_for_the_grace_period() {
        let config = Config {
            room_grace: Duration::from_secs(30),
            ..Config::default()
        };
        let registry = Registry::new(Arc::new(config), Arc::default());
        let (ann, _ann_inbox) = arrival(1, "ann");
        let lively = registry.create(secrets::room_code, ann).expect("created");
        let (bob, _bob_inbox) = arrival(2, "bob");
        let emptied = registry.create(secrets::room_code, bob).expect("created");
        let emptied_code = emptied.lock().code.clone();
        registry.depart(&emptied, Departure::Left);
        let lively_code = lively.lock().code.clone();

        registry.sweep(Instant::now());
        assert_eq!(
            registry.read().len(),
            2,
            "swept before the grace period ended"
        );

        registry.sweep(Instant::now() + Duration::from_secs(31));
        let rooms = registry.read();
        assert!(
            rooms.contains_key(&lively_code),
            "swept a room with a member"
        );
        assert!(!rooms.contains_key(&emptied_code), "kept an expired room");
    }

    #[test]
    fn a_removed_member_is_told_it_is_not_in_the_room_rather_than_succeeding() {
        let registry = registry();
        let (ann, _ann_inbox) = arrival(1, "ann");
        let owner = registry.create(secrets::room_code, ann).expect("created");
        let code = owner.code();
        let (bob, _bob_inbox) = arrival(2, "bob");
        let bob = registry.join(&code, bob, &Resume::default()).expect("bob");
        registry
            .remove(&owner, &Username::parse("bob").expect("valid name"))
            .expect("the owner removes bob");

        // Until its connection closes, a removed member's requests change nothing and say so.
        assert_eq!(
            registry.chat(&bob, 1, "hi".into()),
            Err(SendError::NotInRoom)
        );
        assert_eq!(registry.typing(&bob, true), Err(SendError::NotInRoom));
        assert_eq!(
            registry.status(&bob, MemberStatus::Away),
            Err(SendError::NotInRoom)
        );
        let ann = Username::parse("ann").expect("valid name");
        assert_eq!(
            registry.whisper(&bob, &ann, 2, "psst".into()),
            Err(SendError::NotInRoom)
        );
        assert_eq!(registry.lock_room(&bob, true), Err(OwnerError::NotInRoom));
        assert_eq!(registry.remove(&bob, &ann), Err(OwnerError::NotInRoom));
        assert_eq!(registry.chat(&owner, 3, "still here".into()), Ok(()));
    }
}
