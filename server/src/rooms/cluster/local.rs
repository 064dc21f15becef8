//! This relay's share of the cluster's rooms: its own members' connections, and the
//! delivery of bus events to them.
//!
//! A member is *pending* from just before its join script runs until its `welcome` is
//! queued: events it must see (numbered after its join) may arrive on the bus before the
//! script's reply does, so they wait in a bounded buffer and follow the `welcome`. Once
//! live, a member gets exactly the events numbered after its join, in order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use confab_protocol::{
    ChatMessage, PresenceChange, RoomCode, RoomState, Seq, ServerMessage, Username, WhisperMessage,
};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::conn::ConnId;
use crate::metrics::Metrics;
use crate::outbox::{Kick, Offer, Outbox};
use crate::presence::PresenceForm;
use crate::rooms::cluster::bus::{Envelope, Event, Origin};
use crate::rooms::frames::encode;

/// Where a local member is in its join.
#[derive(Debug)]
enum Phase {
    /// Waiting for its join's reply; holds the frames that arrived meanwhile, by event number.
    Pending(Vec<(u64, Utf8Bytes)>),
    /// Welcomed: gets the events numbered after `after`.
    Live {
        /// The event number of its own join.
        after: u64,
    },
}

/// A member of a room whose connection is on this relay.
#[derive(Debug)]
pub struct LocalMember {
    /// Its connection.
    pub conn: ConnId,
    /// [`Username::uniqueness_key`] of its name.
    pub key: String,
    /// Its name.
    pub name: Username,
    /// Where its frames go.
    outbox: Outbox,
    /// Whether its last typing hint was `active: true`.
    pub typing: bool,
    /// Its resume token, once live.
    token: String,
    /// How it hears of others entering and leaving (`hello`'s features).
    presence: PresenceForm,
    phase: Phase,
}

/// This relay's members of one room.
#[derive(Debug, Default)]
pub struct LocalRoom {
    /// In no particular order.
    pub members: Vec<LocalMember>,
    /// The newest chat `seq` this relay has seen in the room.
    last_seq: Seq,
    /// The roster as of the last presence event delivered (or welcome).
    roster: Vec<Username>,
    /// The event number `roster` is as of.
    roster_ev: u64,
}

/// A member this relay sent to resume (1012), and what it knew of the room then: enough to
/// give the member its room back if Redis has forgotten it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kicked {
    /// Who, where.
    pub who: Evicted,
    /// Its resume token.
    pub token: String,
    /// The newest `seq` the relay had seen in the room.
    pub last_seq: Seq,
}

/// A member this relay removed on its own (too slow), whose departure the cluster must
/// still hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evicted {
    /// The room.
    pub code: RoomCode,
    /// The member's name key.
    pub key: String,
    /// Its connection.
    pub conn: ConnId,
}

/// Every room this relay has members in (or had, until the janitor drops it).
#[derive(Debug)]
pub struct LocalRooms {
    relay: String,
    capacity: usize,
    metrics: Arc<Metrics>,
    rooms: RwLock<HashMap<RoomCode, Arc<Mutex<LocalRoom>>>>,
}

impl LocalRooms {
    /// No rooms yet, on relay `relay`; pending members buffer up to `capacity` frames.
    pub fn new(relay: String, capacity: usize, metrics: Arc<Metrics>) -> Self {
        Self {
            relay,
            capacity,
            metrics,
            rooms: RwLock::new(HashMap::new()),
        }
    }

    /// The room `code`, made if new; `true` with it if it was.
    pub fn get_or_make(&self, code: &RoomCode) -> (Arc<Mutex<LocalRoom>>, bool) {
        if let Some(room) = read(&self.rooms).get(code) {
            return (Arc::clone(room), false);
        }
        let mut rooms = write(&self.rooms);
        let mut made = false;
        let room = rooms.entry(code.clone()).or_insert_with(|| {
            made = true;
            Arc::default()
        });
        (Arc::clone(room), made)
    }

    /// The room `code`, if this relay has it.
    pub fn get(&self, code: &RoomCode) -> Option<Arc<Mutex<LocalRoom>>> {
        read(&self.rooms).get(code).cloned()
    }

    /// Forgets rooms without local members; returns their codes (to unsubscribe).
    pub fn drop_empty(&self) -> Vec<RoomCode> {
        let mut rooms = write(&self.rooms);
        let empty: Vec<RoomCode> = rooms
            .iter()
            .filter(|(_, room)| lock(room).members.is_empty())
            .map(|(code, _)| code.clone())
            .collect();
        for code in &empty {
            rooms.remove(code);
        }
        empty
    }

    /// How many rooms this relay has.
    pub fn len(&self) -> usize {
        read(&self.rooms).len()
    }

    /// Kicks every local member with `reason` and forgets them; returns who they were.
    pub fn kick_all(&self, reason: Kick) -> Vec<Kicked> {
        let mut kicked = Vec::new();
        for (code, room) in read(&self.rooms).iter() {
            let mut room = lock(room);
            let last_seq = room.last_seq;
            for mut member in room.members.drain(..) {
                member.outbox.kick(reason);
                self.metrics.members.dec();
                kicked.push(Kicked {
                    who: Evicted {
                        code: code.clone(),
                        key: member.key,
                        conn: member.conn,
                    },
                    token: member.token,
                    last_seq,
                });
            }
        }
        kicked
    }

    /// Delivers one bus event to this relay's members of `code`. Returns the members
    /// evicted for being too slow: the caller tells the cluster they are gone.
    pub fn deliver(&self, code: &RoomCode, envelope: &Envelope) -> Vec<Evicted> {
        let Some(room) = self.get(code) else {
            return Vec::new();
        };
        let mut room = lock(&room);
        let mine = |origin: &Origin, conn: ConnId| {
            origin.relay == self.relay && origin.conn == conn.to_string()
        };
        let ev = envelope.ev;
        if let Event::Chat { seq, .. } = &envelope.event {
            room.last_seq = room.last_seq.max(*seq);
        }
        let mut slow = Vec::new();
        let mut queued = 0;
        match &envelope.event {
            Event::Replaced { origin } | Event::Removed { origin } => {
                if origin.relay == self.relay
                    && let Some(i) = room.members.iter().position(|m| mine(origin, m.conn))
                {
                    let mut member = room.members.remove(i);
                    let reason = match envelope.event {
                        Event::Removed { .. } => Kick::Removed,
                        _ => Kick::Replaced,
                    };
                    member.outbox.kick(reason);
                    self.metrics.members.dec();
                }
                return Vec::new();
            }
            Event::Whisper {
                from,
                to_key,
                text,
                ts,
            } => {
                if let Some(member) = room.members.iter_mut().find(|m| &m.key == to_key) {
                    let frame = encode(&ServerMessage::Whisper(WhisperMessage {
                        from: from.clone(),
                        to: member.name.clone(),
                        text: text.clone(),
                        ts: *ts,
                        client_id: None,
                    }));
                    if self.offer(member, ev, &frame) {
                        queued += 1;
                    } else {
                        slow.push(member.conn);
                    }
                }
            }
            Event::Joined { name, members, .. } | Event::Left { name, members, .. } => {
                if ev > room.roster_ev {
                    room.roster.clone_from(members);
                    room.roster_ev = ev;
                }
                let joined = matches!(envelope.event, Event::Joined { .. });
                let skip = match &envelope.event {
                    Event::Joined { origin, .. } => Some(origin.clone()),
                    _ => None,
                };
                let (name, count) = (name.clone(), members.len());
                let reconnecting = matches!(
                    envelope.event,
                    Event::Left {
                        reconnecting: true,
                        ..
                    }
                );
                // Every event is its own batch here: each relay sees the events in order,
                // but not when the others will send theirs.
                let change = match (joined, reconnecting) {
                    (true, _) => PresenceChange::Joined(name.clone()),
                    (false, true) => PresenceChange::Reconnecting(name.clone()),
                    (false, false) => PresenceChange::Left(name.clone()),
                };
                let wants = |form| room.members.iter().any(|m| m.presence == form);
                let batch = wants(PresenceForm::Batches).then(|| {
                    encode(&ServerMessage::Presence {
                        changes: vec![change],
                        count,
                    })
                });
                let deltas = encode(&if joined {
                    ServerMessage::Joined { name, count }
                } else {
                    ServerMessage::Left {
                        name,
                        count,
                        reconnecting,
                    }
                });
                let full = wants(PresenceForm::Full).then(|| self.frames(&envelope.event).0);
                for member in &mut room.members {
                    if skip.as_ref().is_some_and(|o| mine(o, member.conn)) {
                        continue;
                    }
                    let frame = match (member.presence, &full, &batch) {
                        (PresenceForm::Full, Some(full), _) => full,
                        (PresenceForm::Batches, _, Some(batch)) => batch,
                        _ => &deltas,
                    };
                    if self.offer(member, ev, frame) {
                        queued += 1;
                    } else {
                        slow.push(member.conn);
                    }
                }
            }
            event => {
                let (frame, skip, own) = self.frames(event);
                for member in &mut room.members {
                    let from_here = skip.as_ref().is_some_and(|o| mine(o, member.conn));
                    let frame = match (from_here, &own) {
                        (false, _) => &frame,
                        (true, Some(own)) => own,
                        (true, None) => continue,
                    };
                    if self.offer(member, ev, frame) {
                        queued += 1;
                    } else {
                        slow.push(member.conn);
                    }
                }
            }
        }
        self.metrics.deliveries.inc_by(queued);
        self.evict(code, &mut room, &slow)
    }

    /// The frame everyone gets, whose connection gets something else (or nothing), and
    /// what that is.
    fn frames(&self, event: &Event) -> (Utf8Bytes, Option<Origin>, Option<Utf8Bytes>) {
        match event {
            Event::Chat {
                seq,
                from,
                text,
                ts,
                client_id,
                origin,
                attachment,
            } => {
                let mut message = ChatMessage {
                    seq: *seq,
                    from: from.clone(),
                    text: text.clone(),
                    ts: *ts,
                    client_id: None,
                    attachment: attachment.clone(),
                };
                let all = encode(&ServerMessage::Chat(message.clone()));
                message.client_id = Some(*client_id);
                let own = encode(&ServerMessage::Chat(message));
                (all, Some(origin.clone()), Some(own))
            }
            Event::Typing {
                name,
                active,
                origin,
            } => {
                let frame = encode(&ServerMessage::Typing {
                    name: name.clone(),
                    active: *active,
                });
                (frame, Some(origin.clone()), None)
            }
            Event::Joined {
                name,
                members,
                origin,
            } => {
                let frame = encode(&ServerMessage::MemberJoined {
                    name: name.clone(),
                    members: members.clone(),
                });
                (frame, Some(origin.clone()), None)
            }
            Event::Left {
                name,
                members,
                reconnecting,
            } => {
                let frame = encode(&ServerMessage::MemberLeft {
                    name: name.clone(),
                    members: members.clone(),
                    reconnecting: *reconnecting,
                });
                (frame, None, None)
            }
            Event::Status { name, status } => {
                let frame = encode(&ServerMessage::Status {
                    name: name.clone(),
                    status: *status,
                });
                (frame, None, None)
            }
            Event::RoomState { owner, locked } => {
                let frame = encode(&ServerMessage::RoomState(RoomState {
                    owner: owner.clone(),
                    locked: *locked,
                }));
                (frame, None, None)
            }
            // Handled in `deliver`.
            Event::Whisper { .. } | Event::Replaced { .. } | Event::Removed { .. } => {
                (Utf8Bytes::from_static("{}"), None, None)
            }
        }
    }

    /// Offers event `ev`'s `frame` to `member` as its phase allows; false if its queue
    /// (or its pending buffer) is full.
    fn offer(&self, member: &mut LocalMember, ev: u64, frame: &Utf8Bytes) -> bool {
        match &mut member.phase {
            Phase::Live { after } if ev <= *after => true,
            Phase::Live { .. } => member.outbox.offer(frame) == Offer::Queued,
            Phase::Pending(waiting) if waiting.len() >= self.capacity => false,
            Phase::Pending(waiting) => {
                waiting.push((ev, frame.clone()));
                true
            }
        }
    }

    /// Removes the members on `slow` connections, kicking them as too slow.
    fn evict(&self, code: &RoomCode, room: &mut LocalRoom, slow: &[ConnId]) -> Vec<Evicted> {
        let mut evicted = Vec::new();
        for &conn in slow {
            if let Some(i) = room.members.iter().position(|m| m.conn == conn) {
                let mut member = room.members.remove(i);
                member.outbox.kick(Kick::SlowConsumer);
                self.metrics.members.dec();
                self.metrics.outbox_evictions.inc();
                evicted.push(Evicted {
                    code: code.clone(),
                    key: member.key,
                    conn,
                });
            }
        }
        evicted
    }
}

impl LocalRoom {
    /// Adds a member whose join is about to run (see the module docs), hearing of presence
    /// changes in the form `presence`.
    pub fn add_pending(
        &mut self,
        conn: ConnId,
        name: Username,
        outbox: Outbox,
        presence: PresenceForm,
    ) {
        self.members.push(LocalMember {
            conn,
            key: name.uniqueness_key(),
            name,
            outbox,
            typing: false,
            token: String::new(),
            presence,
            phase: Phase::Pending(Vec::new()),
        });
    }

    /// The member on `conn`.
    pub fn member(&mut self, conn: ConnId) -> Option<&mut LocalMember> {
        self.members.iter_mut().find(|m| m.conn == conn)
    }

    /// Removes the member on `conn`; whether it was here.
    pub fn remove(&mut self, conn: ConnId) -> Option<LocalMember> {
        let i = self.members.iter().position(|m| m.conn == conn)?;
        Some(self.members.remove(i))
    }

    /// Welcomes the pending member on `conn` (resume token `token`, in a room whose
    /// newest `seq` was `newest` at its join): queues `first` (the `welcome`, maybe a
    /// `gap`), then what waited with event numbers after `joined_at`. False if the member
    /// is gone or its queue could not take it all (the caller evicts it).
    pub fn go_live(
        &mut self,
        conn: ConnId,
        joined_at: u64,
        newest: Seq,
        token: &str,
        first: &[Utf8Bytes],
    ) -> bool {
        self.last_seq = self.last_seq.max(newest);
        let Some(member) = self.member(conn) else {
            return false;
        };
        member.token = token.to_owned();
        let Phase::Pending(waiting) =
            std::mem::replace(&mut member.phase, Phase::Live { after: joined_at })
        else {
            return true;
        };
        let frames = first.iter().chain(
            waiting
                .iter()
                .filter(|(ev, _)| *ev > joined_at)
                .map(|(_, f)| f),
        );
        let mut all_queued = true;
        for frame in frames {
            all_queued &= member.outbox.offer(frame) == Offer::Queued;
        }
        all_queued
    }

    /// Takes the roster a join's reply carried, if no presence event has been delivered
    /// since that is newer (events after `joined_at` are, and set it themselves).
    pub fn note_roster(&mut self, roster: &[Username], joined_at: u64) {
        if joined_at >= self.roster_ev {
            self.roster = roster.to_vec();
            self.roster_ev = joined_at;
        }
    }

    /// The whole roster for the member on `conn`, queued behind its other frames; false
    /// if its queue is full.
    pub fn send_roster(&mut self, conn: ConnId) -> bool {
        let frame = encode(&ServerMessage::Roster {
            members: self.roster.clone(),
        });
        self.send_to(conn, &frame)
    }

    /// Offers a frame straight to the member on `conn` (a whisper's echo); false if its
    /// queue is full.
    pub fn send_to(&mut self, conn: ConnId, frame: &Utf8Bytes) -> bool {
        self.member(conn)
            .is_none_or(|m| m.outbox.offer(frame) == Offer::Queued)
    }

    /// Kicks and removes the member on `conn` as too slow.
    pub fn kick_slow(&mut self, conn: ConnId, metrics: &Metrics) -> Option<LocalMember> {
        let mut member = self.remove(conn)?;
        member.outbox.kick(Kick::SlowConsumer);
        metrics.members.dec();
        metrics.outbox_evictions.inc();
        Some(member)
    }
}

/// Locks one local room (a panic in an earlier holder leaves a usable room).
pub fn lock(room: &Mutex<LocalRoom>) -> MutexGuard<'_, LocalRoom> {
    room.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::{Delivery, Inbox, outbox};

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    fn code() -> RoomCode {
        RoomCode::parse("TEST").expect("valid code")
    }

    fn left(ev: u64, who: &str) -> Envelope {
        Envelope {
            ev,
            event: Event::Left {
                name: name(who),
                members: vec![],
                reconnecting: false,
            },
        }
    }

    fn rooms_with(capacity: usize, members: &[(ConnId, &str)]) -> (LocalRooms, Vec<Inbox>) {
        let rooms = LocalRooms::new("me".into(), capacity, Arc::default());
        let (room, _) = rooms.get_or_make(&code());
        let mut inboxes = Vec::new();
        for &(conn, who) in members {
            let (tx, rx) = outbox(capacity);
            lock(&room).add_pending(conn, name(who), tx, PresenceForm::Full);
            inboxes.push(rx);
        }
        (rooms, inboxes)
    }

    fn texts(inbox: &mut Inbox) -> Vec<String> {
        std::iter::from_fn(|| inbox.try_next())
            .map(|frame| frame.to_string())
            .collect()
    }

    #[test]
    fn a_pending_member_gets_its_welcome_first_then_only_the_events_after_its_join() {
        let (rooms, mut inboxes) = rooms_with(8, &[(1, "ann")]);
        // Events 4 (before ann's join, numbered 5) and 6, 7 (after) arrive before the reply.
        for ev in [4, 6, 7] {
            assert!(
                rooms
                    .deliver(&code(), &left(ev, &format!("x{ev}")))
                    .is_empty()
            );
        }
        assert!(
            texts(&mut inboxes[0]).is_empty(),
            "nothing before the welcome"
        );
        let room = rooms.get(&code()).expect("room");
        let welcome = Utf8Bytes::from_static("WELCOME");
        assert!(lock(&room).go_live(1, 5, 0, "token", &[welcome]));
        rooms.deliver(&code(), &left(8, "x8"));
        let seen = texts(&mut inboxes[0]);
        assert_eq!(seen[0], "WELCOME");
        let names: Vec<bool> = ["x4", "x6", "x7", "x8"]
            .iter()
            .map(|who| seen.iter().any(|f| f.contains(who)))
            .collect();
        assert_eq!(names, [false, true, true, true], "{seen:?}");
        assert!(
            seen[1].contains("x6") && seen[2].contains("x7"),
            "in order: {seen:?}"
        );
    }

    #[tokio::test]
    async fn a_full_pending_buffer_evicts_only_that_member() {
        let (rooms, mut inboxes) = rooms_with(2, &[(1, "slow"), (2, "live")]);
        let room = rooms.get(&code()).expect("room");
        assert!(lock(&room).go_live(2, 0, 0, "t", &[]));
        let mut evicted = Vec::new();
        for ev in 1..=3 {
            evicted.extend(rooms.deliver(&code(), &left(ev, "x")));
            // The live member reads as it goes, so only the pending one falls behind.
            let _ = texts(&mut inboxes[1]);
        }
        assert_eq!(
            evicted,
            [Evicted {
                code: code(),
                key: "slow".into(),
                conn: 1
            }]
        );
        assert_eq!(
            inboxes[0].next().await,
            Delivery::Kicked(Kick::SlowConsumer)
        );
        assert_eq!(lock(&room).members.len(), 1);
    }
}
