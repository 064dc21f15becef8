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
use crate::presence::{PresenceBatch, PresenceForm};
use crate::rooms::cluster::bus::{Envelope, Event, Origin};
use crate::rooms::fanout::{self, PresenceNews, Recipient, Sent, Stage};
use crate::rooms::frames::encode;

/// Where a local member is in its join.
#[derive(Debug)]
enum Phase {
    /// Waiting for its join's reply; holds the frames that arrived meanwhile, by event
    /// number, up to the capacity of its outbox.
    Pending(Vec<(u64, Utf8Bytes)>, usize),
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

impl Recipient for LocalMember {
    fn conn(&self) -> ConnId {
        self.conn
    }

    fn presence(&self) -> PresenceForm {
        self.presence
    }

    fn stage(&self) -> Stage {
        match self.phase {
            Phase::Live { after } => Stage::Live { after },
            Phase::Pending(..) => Stage::Pending,
        }
    }

    /// Offers event `ev`'s `frame` as the member's phase allows: dropped if its welcome
    /// already showed it, kept for after the welcome while pending.
    fn offer(&mut self, ev: u64, frame: &Utf8Bytes) -> bool {
        match &mut self.phase {
            Phase::Live { after } if ev <= *after => true,
            Phase::Live { .. } => self.outbox.offer(frame) == Offer::Queued,
            Phase::Pending(waiting, capacity) if waiting.len() >= *capacity => false,
            Phase::Pending(waiting, _) => {
                waiting.push((ev, frame.clone()));
                true
            }
        }
    }
}

/// What delivering one bus event did besides queueing frames.
#[derive(Debug, Default)]
#[must_use = "the evicted must be reported to the cluster, and a due batch sent"]
pub struct Delivered {
    /// Members evicted for being too slow: the cluster must hear they are gone.
    pub evicted: Vec<Evicted>,
    /// When the room's waiting presence batch should go out, if a timer must send it.
    pub batch_at: Option<tokio::time::Instant>,
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
    /// Presence changes waiting for the next `presence` batch.
    presence: PresenceBatch,
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
    metrics: Arc<Metrics>,
    rooms: RwLock<HashMap<RoomCode, Arc<Mutex<LocalRoom>>>>,
}

impl LocalRooms {
    /// No rooms yet, on relay `relay`.
    pub fn new(relay: String, metrics: Arc<Metrics>) -> Self {
        Self {
            relay,
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

    /// Delivers one bus event to this relay's members of `code`, through the one fan-out
    /// (`rooms::fanout`): encoded once, presence in each member's form (batched members'
    /// changes wait for the room's next batch), and waiting presence first before any other
    /// event, so nobody hears from a member before hearing that it joined.
    pub fn deliver(&self, code: &RoomCode, envelope: &Envelope) -> Delivered {
        let Some(room) = self.get(code) else {
            return Delivered::default();
        };
        let mut room = lock(&room);
        let ev = envelope.ev;
        if let Event::Chat { seq, .. } = &envelope.event {
            room.last_seq = room.last_seq.max(*seq);
        }
        let sent = match &envelope.event {
            Event::Replaced { origin } | Event::Removed { origin } => {
                if let Some(conn) = self.local_conn(origin)
                    && let Some(mut member) = room.remove(conn)
                {
                    let reason = match envelope.event {
                        Event::Removed { .. } => Kick::Removed,
                        _ => Kick::Replaced,
                    };
                    member.outbox.kick(reason);
                    self.metrics.members.dec();
                }
                return Delivered::default();
            }
            Event::Whisper {
                from,
                to_key,
                text,
                ts,
            } => {
                let flushed = room.flush_presence();
                let recipient = room.members.iter_mut().find(|m| &m.key == to_key);
                let sent = recipient.map_or_else(Sent::default, |member| {
                    let frame = encode(&ServerMessage::Whisper(WhisperMessage {
                        from: from.clone(),
                        to: member.name.clone(),
                        text: text.clone(),
                        ts: *ts,
                        client_id: None,
                    }));
                    fanout::broadcast(std::slice::from_mut(member), ev, None, |_| Some(&frame))
                });
                flushed.and(sent)
            }
            Event::Joined {
                name,
                members,
                origin,
            } => {
                room.note_presence(members, ev);
                let news = PresenceNews {
                    change: PresenceChange::Joined(name.clone()),
                    deltas: ServerMessage::Joined {
                        name: name.clone(),
                        count: members.len(),
                    },
                    full: |_: &[LocalMember]| ServerMessage::MemberJoined {
                        name: name.clone(),
                        members: members.clone(),
                    },
                };
                room.presence(ev, self.local_conn(origin), news, members.len())
            }
            Event::Left {
                name,
                members,
                reconnecting,
            } => {
                room.note_presence(members, ev);
                let change = if *reconnecting {
                    PresenceChange::Reconnecting(name.clone())
                } else {
                    PresenceChange::Left(name.clone())
                };
                let news = PresenceNews {
                    change,
                    deltas: ServerMessage::Left {
                        name: name.clone(),
                        count: members.len(),
                        reconnecting: *reconnecting,
                    },
                    full: |_: &[LocalMember]| ServerMessage::MemberLeft {
                        name: name.clone(),
                        members: members.clone(),
                        reconnecting: *reconnecting,
                    },
                };
                room.presence(ev, None, news, members.len())
            }
            event => {
                let flushed = room.flush_presence();
                let (frame, origin, own) = frames(event);
                let from_here = origin.and_then(|origin| self.local_conn(&origin));
                let sent = fanout::broadcast(&mut room.members, ev, None, |member| {
                    if Some(member.conn) == from_here {
                        own.as_ref()
                    } else {
                        Some(&frame)
                    }
                });
                flushed.and(sent)
            }
        };
        self.metrics.deliveries.inc_by(sent.queued);
        let evicted = self.evict(code, &mut room, &sent.slow);
        Delivered {
            evicted,
            batch_at: room.presence.arm(),
        }
    }

    /// Sends `code`'s waiting presence batch now (its timer went off); the members evicted
    /// for being too slow, and when the next batch is due if changes wait still.
    pub fn send_batch(&self, code: &RoomCode) -> Delivered {
        let Some(room) = self.get(code) else {
            return Delivered::default();
        };
        let mut room = lock(&room);
        room.presence.disarm();
        self.flush_and_evict(code, &mut room)
    }

    /// Sends `room`'s waiting presence changes first (before a frame for one member), and
    /// evicts whom that finds too slow.
    pub fn flush_and_evict(&self, code: &RoomCode, room: &mut LocalRoom) -> Delivered {
        let sent = room.flush_presence();
        self.metrics.deliveries.inc_by(sent.queued);
        let evicted = self.evict(code, room, &sent.slow);
        Delivered {
            evicted,
            batch_at: room.presence.arm(),
        }
    }

    /// The connection on this relay that `origin` names, if it is one of this relay's.
    fn local_conn(&self, origin: &Origin) -> Option<ConnId> {
        if origin.relay != self.relay {
            return None;
        }
        origin.conn.parse().ok()
    }
}

/// The frame everyone gets for `event`, whose connection gets something else (or nothing),
/// and what that is.
fn frames(event: &Event) -> (Utf8Bytes, Option<Origin>, Option<Utf8Bytes>) {
    {
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
}

impl LocalRooms {
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
    /// changes in the form `presence`, with room for `capacity` frames until its welcome.
    pub fn add_pending(
        &mut self,
        conn: ConnId,
        name: Username,
        outbox: Outbox,
        presence: PresenceForm,
        capacity: usize,
    ) {
        self.members.push(LocalMember {
            conn,
            key: name.uniqueness_key(),
            name,
            outbox,
            typing: false,
            token: String::new(),
            presence,
            phase: Phase::Pending(Vec::new(), capacity),
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
        let Phase::Pending(waiting, _) =
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

    /// Takes the roster a presence event (number `ev`) carried, if it is newer than the one
    /// this relay has.
    fn note_presence(&mut self, roster: &[Username], ev: u64) {
        if ev > self.roster_ev {
            self.roster = roster.to_vec();
            self.roster_ev = ev;
        }
    }

    /// Delivers a presence change (event `ev`) to the members but `skip` (whose own join it
    /// is), in each one's form; `count` is the room's member count after it.
    fn presence(
        &mut self,
        ev: u64,
        skip: Option<ConnId>,
        news: PresenceNews<impl FnOnce(&[LocalMember]) -> ServerMessage>,
        count: usize,
    ) -> Sent {
        fanout::presence(
            &mut self.members,
            &mut self.presence,
            ev,
            skip,
            None,
            news,
            count,
        )
    }

    /// Sends the waiting presence batch to the members that take batches.
    fn flush_presence(&mut self) -> Sent {
        let count = self.roster.len();
        fanout::flush(&mut self.members, &mut self.presence, count)
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
        let rooms = LocalRooms::new("me".into(), Arc::default());
        let (room, _) = rooms.get_or_make(&code());
        let mut inboxes = Vec::new();
        for &(conn, who) in members {
            let (tx, rx) = outbox(capacity);
            lock(&room).add_pending(conn, name(who), tx, PresenceForm::Full, capacity);
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
                    .evicted
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
        assert!(rooms.deliver(&code(), &left(8, "x8")).evicted.is_empty());
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
            evicted.extend(rooms.deliver(&code(), &left(ev, "x")).evicted);
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

    fn joined(ev: u64, who: &str, roster: &[&str]) -> Envelope {
        Envelope {
            ev,
            event: Event::Joined {
                name: name(who),
                members: roster.iter().map(|n| name(n)).collect(),
                origin: Origin {
                    relay: "elsewhere".into(),
                    conn: "1".into(),
                },
            },
        }
    }

    /// The `presence` frames among `frames`, as (names joined, count).
    fn presence_frames(frames: &[String]) -> Vec<(Vec<String>, usize)> {
        frames
            .iter()
            .filter_map(|f| match ServerMessage::from_json(f) {
                Ok(ServerMessage::Presence { changes, count }) => Some((
                    changes
                        .iter()
                        .map(|c| match c {
                            PresenceChange::Joined(n) => n.to_string(),
                            other => format!("{other:?}"),
                        })
                        .collect(),
                    count,
                )),
                _ => None,
            })
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_joins_reaches_a_batched_member_in_two_frames_in_cluster_mode_too() {
        let rooms = LocalRooms::new("me".into(), Arc::default());
        let (room, _) = rooms.get_or_make(&code());
        let (tx, mut inbox) = outbox(64);
        lock(&room).add_pending(7, name("ann"), tx, PresenceForm::Batches, 64);
        assert!(lock(&room).go_live(7, 1, 0, "t", &[]));
        let mut roster = vec!["ann".to_owned()];
        let mut due = None;
        for i in 0..40u64 {
            roster.push(format!("m{i}"));
            let names: Vec<&str> = roster.iter().map(String::as_str).collect();
            let delivered = rooms.deliver(&code(), &joined(2 + i, &format!("m{i}"), &names));
            assert!(delivered.evicted.is_empty());
            due = due.or(delivered.batch_at);
        }
        let first = presence_frames(&texts(&mut inbox));
        assert_eq!(
            first,
            [(vec!["m0".to_owned()], 2)],
            "the first goes out at once"
        );
        let due = due.expect("a timer for the rest");
        tokio::time::sleep_until(due).await;
        assert!(rooms.send_batch(&code()).evicted.is_empty());
        let rest = presence_frames(&texts(&mut inbox));
        let expected: Vec<String> = (1..40).map(|i| format!("m{i}")).collect();
        assert_eq!(rest, [(expected, 41)], "the other 39 in one frame");
    }

    #[tokio::test(start_paused = true)]
    async fn a_batched_member_still_joining_gets_only_the_changes_after_its_own_join() {
        let rooms = LocalRooms::new("me".into(), Arc::default());
        let (room, _) = rooms.get_or_make(&code());
        let (tx, mut live_inbox) = outbox(64);
        lock(&room).add_pending(1, name("ann"), tx, PresenceForm::Batches, 64);
        assert!(lock(&room).go_live(1, 1, 0, "t", &[]));
        let (tx, mut pending_inbox) = outbox(64);
        lock(&room).add_pending(2, name("bob"), tx, PresenceForm::Batches, 64);
        // Events 2 and 3 come before bob's join (event 4) is answered, 5 after it.
        for (ev, who) in [(2, "x2"), (3, "x3"), (5, "x5")] {
            let delivered = rooms.deliver(&code(), &joined(ev, who, &["ann", who]));
            assert!(delivered.evicted.is_empty());
        }
        tokio::time::advance(crate::presence::BATCH_INTERVAL).await;
        assert!(rooms.send_batch(&code()).evicted.is_empty());
        assert!(
            texts(&mut pending_inbox).is_empty(),
            "nothing before the welcome"
        );
        let welcome = Utf8Bytes::from_static("WELCOME");
        assert!(lock(&room).go_live(2, 4, 0, "t", &[welcome]));
        let seen = texts(&mut pending_inbox);
        assert_eq!(seen[0], "WELCOME");
        let after = presence_frames(&seen[1..]);
        assert_eq!(after, [(vec!["x5".to_owned()], 2)], "{seen:?}");
        let live: Vec<String> = presence_frames(&texts(&mut live_inbox))
            .into_iter()
            .flat_map(|(names, _)| names)
            .collect();
        assert_eq!(
            live,
            ["x2", "x3", "x5"],
            "the live member hears every change once"
        );
    }
}
