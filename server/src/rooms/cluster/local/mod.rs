//! This relay's share of the cluster's rooms: its own members' connections, and the
//! delivery of bus events to them.
//!
//! A member is *pending* from just before its join script runs until its `welcome` is
//! queued: events it must see (numbered after its join) may arrive on the bus before the
//! script's reply does, so they wait in a bounded buffer and follow the `welcome`. Once
//! live, a member gets exactly the events numbered after its join, in order.

pub mod deliver;
pub mod roster;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use confab_protocol::{PresenceChange, RoomCode, Seq, ServerMessage, Username};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::conn::ConnId;
use crate::metrics::Metrics;
use crate::outbox::{Kick, Offer, Outbox};
use crate::presence::{MAX_BATCH_CHANGES, PresenceBatch, PresenceForm};
use crate::rooms::fanout::{self, PresenceNews, Recipient, Sent, Stage};
use crate::rooms::frames::encode;
use roster::{RosterCopy, change_roster};

/// Where a local member is in its join.
#[derive(Debug)]
enum Phase {
    /// Waiting for its join's reply; holds what arrived meanwhile, in order, up to the
    /// capacity of its outbox.
    Pending(Vec<Waiting>, usize),
    /// Welcomed: gets the events numbered after `after`.
    Live {
        /// The event number of its own join.
        after: u64,
    },
}

/// What waits for a member still joining, in the order it came.
#[derive(Debug)]
enum Waiting {
    /// A frame of event `.0`.
    Frame(u64, Utf8Bytes),
    /// A presence batch: its changes with their event numbers, and the room's count after
    /// them. Kept as changes, not frames, so a crowd arriving while a member joins costs it
    /// one entry per batch, and it gets one `presence` frame of the changes after its join.
    Presence(Vec<(u64, PresenceChange)>, usize),
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
                waiting.push(Waiting::Frame(ev, frame.clone()));
                true
            }
        }
    }

    fn offer_changes(&mut self, changes: &[PresenceChange], evs: &[u64], count: usize) -> bool {
        match &mut self.phase {
            // Batches in a row are one entry (up to a batch's bound), so a member joining
            // while a crowd arrives holds one entry per frame of anything else.
            Phase::Pending(waiting, _)
                if matches!(
                    waiting.last(),
                    Some(Waiting::Presence(held, _)) if held.len() + changes.len() <= MAX_BATCH_CHANGES
                ) =>
            {
                if let Some(Waiting::Presence(held, held_count)) = waiting.last_mut() {
                    held.extend(evs.iter().copied().zip(changes.iter().cloned()));
                    *held_count = count;
                }
                true
            }
            Phase::Pending(waiting, capacity) if waiting.len() >= *capacity => false,
            Phase::Pending(waiting, _) => {
                let numbered = evs.iter().copied().zip(changes.iter().cloned()).collect();
                waiting.push(Waiting::Presence(numbered, count));
                true
            }
            Phase::Live { after } => {
                let from = evs.partition_point(|ev| *ev <= *after);
                let Some(&newest) = evs.last() else {
                    return true;
                };
                let frame = encode(&ServerMessage::Presence {
                    changes: changes[from..].to_vec(),
                    count,
                });
                from >= changes.len() || self.offer(newest, &frame)
            }
        }
    }
}

/// This relay's members of one room.
#[derive(Debug, Default)]
pub struct LocalRoom {
    /// In no particular order.
    pub members: Vec<LocalMember>,
    /// The newest chat `seq` this relay has seen in the room.
    last_seq: Seq,
    /// The roster, kept from the presence changes delivered (and join replies).
    roster: RosterCopy,
    /// The member count the newest presence change delivered carried.
    count: usize,
    /// Presence changes waiting for the next `presence` batch.
    presence: PresenceBatch,
    /// The newest event number delivered from the bus (0: none yet since subscribing): the
    /// next must follow it, or events were lost.
    last_ev: u64,
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

    /// The rooms without local members (candidates for [`Self::drop_if_empty`]).
    pub fn empty_rooms(&self) -> Vec<RoomCode> {
        read(&self.rooms)
            .iter()
            .filter(|(_, room)| lock(room).members.is_empty())
            .map(|(code, _)| code.clone())
            .collect()
    }

    /// Forgets room `code` if it has no local members (still); whether it did.
    pub fn drop_if_empty(&self, code: &RoomCode) -> bool {
        let mut rooms = write(&self.rooms);
        let empty = rooms
            .get(code)
            .is_some_and(|room| lock(room).members.is_empty());
        if empty {
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
            kicked.extend(self.kick_room(code, &mut lock(room), reason));
        }
        kicked
    }

    /// Kicks every local member of room `code` with `reason` and forgets them; returns who
    /// they were.
    pub fn kick_room(&self, code: &RoomCode, room: &mut LocalRoom, reason: Kick) -> Vec<Kicked> {
        let last_seq = room.last_seq;
        // Nobody is left to hear the roster; the next join's reply starts it again.
        room.roster.forget();
        let mut kicked = Vec::new();
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
        kicked
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
    /// newest `seq` was `newest` at its join, and whose roster then was `roster`): queues
    /// `first` (the `welcome`, maybe a `gap`), then what waited with event numbers after
    /// `joined_at`, presence changes in the member's form. False if the member is gone or
    /// its queue could not take it all (the caller evicts it).
    pub fn go_live(
        &mut self,
        conn: ConnId,
        (joined_at, roster): (u64, &[Username]),
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
        let mut all_queued = true;
        for frame in first {
            all_queued &= member.outbox.offer(frame) == Offer::Queued;
        }
        // The roster as a member that is not batched hears it, change by change after its
        // welcome's (made only if it has changes to hear).
        let mut heard: Option<Vec<Username>> = None;
        for entry in waiting {
            match entry {
                Waiting::Frame(ev, frame) if ev > joined_at => {
                    all_queued &= member.outbox.offer(&frame) == Offer::Queued;
                }
                Waiting::Frame(..) => {}
                Waiting::Presence(changes, count) => {
                    let after = changes
                        .into_iter()
                        .filter(|(ev, _)| *ev > joined_at)
                        .map(|(_, change)| change);
                    if member.presence == PresenceForm::Batches {
                        let changes: Vec<PresenceChange> = after.collect();
                        if changes.is_empty() {
                            continue;
                        }
                        let frame = encode(&ServerMessage::Presence { changes, count });
                        all_queued &= member.outbox.offer(&frame) == Offer::Queued;
                        continue;
                    }
                    for change in after {
                        let names = heard.get_or_insert_with(|| roster.to_vec());
                        change_roster(names, &change);
                        let message = match member.presence {
                            PresenceForm::Full => roster::whole(&change, names.clone()),
                            _ => roster::delta(&change, names.len()),
                        };
                        all_queued &= member.outbox.offer(&encode(&message)) == Offer::Queued;
                    }
                }
            }
        }
        all_queued
    }

    /// Delivers presence change `change` (event `ev`, after which the room has `count`
    /// members) to the members but `skip` (whose own join it is), each in its form, and
    /// keeps it in the roster.
    fn presence(
        &mut self,
        ev: u64,
        skip: Option<ConnId>,
        change: PresenceChange,
        count: usize,
    ) -> Sent {
        self.roster.apply(ev, &change);
        self.count = count;
        let roster = &self.roster;
        let deltas = roster::delta(&change, count);
        let for_full = change.clone();
        let news = PresenceNews {
            change,
            deltas,
            full: move |_: &[LocalMember]| roster::whole(&for_full, roster.names().to_vec()),
        };
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

    /// The room's member count: the roster's, or while it has none, the newest change's.
    fn count(&self) -> usize {
        self.roster.count().unwrap_or(self.count)
    }

    /// Sends the waiting presence batch to the members that take batches.
    fn flush_presence(&mut self) -> Sent {
        let count = self.count();
        fanout::flush(&mut self.members, &mut self.presence, count)
    }

    /// Takes the roster a join's reply carried (as of the join's event `joined_at`) unless
    /// the room's is as new. False if presence changes were lost meanwhile: the caller
    /// sends the room's members to resync.
    #[must_use = "false means a resync"]
    pub fn seed_roster(&mut self, roster: &[Username], joined_at: u64) -> bool {
        self.roster.seed(roster, joined_at)
    }

    /// The whole roster for the member on `conn`, queued behind its other frames; false
    /// if its queue is full.
    pub fn send_roster(&mut self, conn: ConnId) -> bool {
        let frame = encode(&ServerMessage::Roster {
            members: self.roster.names().to_vec(),
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
mod tests;
