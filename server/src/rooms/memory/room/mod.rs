//! One room: its members in joining order, its recent messages, reserved names, and the
//! fan-out that delivers a frame to its members.
//!
//! Synchronous and lock-free itself: callers hold the room's own lock while calling in. Nothing
//! here awaits or writes to a socket; delivery is a non-blocking [`Outbox::offer`].

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use confab_protocol::private::VerifyKey;
use confab_protocol::{
    Changes, ChatMessage, ClientId, MemberStatus, NamedStatus, PresenceChange, RoomCode, RoomState,
    Seq, ServerMessage, Username,
};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::conn::ConnId;
use crate::metrics::Metrics;
use crate::outbox::{Kick, Offer, Outbox};
use crate::presence::{PresenceBatch, PresenceForm};
use crate::rooms::fanout::{self, PresenceNews, Recipient, Sent, Stage};
use crate::rooms::frames::{Missed, encode, missed_since};
use crate::rooms::types::RoomTag;

/// A person in the room, attached to one connection.
#[derive(Debug)]
pub struct Member {
    /// The connection currently speaking for this member (changes on resume).
    pub conn: ConnId,
    /// The name everyone sees.
    pub name: Username,
    /// [`Username::uniqueness_key`] of `name`, computed once.
    pub key: String,
    /// Secret that lets this member resume after a dropped connection.
    pub resume_token: String,
    /// Where this member's frames go.
    pub outbox: Outbox,
    /// Whether this member's last typing hint was `active: true`.
    pub typing: bool,
    /// How it hears of others entering and leaving (asked for in `hello`).
    pub presence: PresenceForm,
    /// Online or away, as the member last said (a resume starts online again).
    pub status: MemberStatus,
    /// The address of the member's connection, kept out for a while if it is removed.
    pub ip: IpAddr,
}

impl Recipient for Member {
    fn conn(&self) -> ConnId {
        self.conn
    }

    fn presence(&self) -> PresenceForm {
        self.presence
    }

    fn stage(&self) -> Stage {
        Stage::Welcomed
    }

    fn offer(&mut self, _ev: u64, frame: &Utf8Bytes) -> bool {
        self.outbox.offer(frame) == Offer::Queued
    }

    fn offer_changes(&mut self, changes: &[PresenceChange], _evs: &[u64], count: usize) -> bool {
        let frame = encode(&ServerMessage::Presence {
            changes: changes.to_vec(),
            count,
        });
        self.offer(0, &frame)
    }
}

/// A name kept for a member whose connection dropped, so they can resume into it.
#[derive(Debug)]
pub struct Reservation {
    /// The name, as others saw it (shown as reconnecting).
    pub name: Username,
    /// The token that reclaims it.
    pub resume_token: String,
    /// When the reservation lapses.
    pub until: Instant,
    /// The dropped connection's address (kept out if the owner removes the name).
    pub ip: IpAddr,
}

/// Most removals a room remembers at once; the oldest is forgotten first.
pub const MAX_REMOVALS: usize = 64;

/// A member the owner removed: that name and that address stay out until `until`.
#[derive(Debug)]
pub struct Removal {
    /// [`Username::uniqueness_key`] of the removed name.
    pub key: String,
    /// The removed connection's address.
    pub ip: IpAddr,
    /// When the ban lapses.
    pub until: Instant,
}

/// A room and everything it remembers. All of it is gone when the room is removed.
#[derive(Debug)]
pub struct Room {
    /// The room's code.
    pub code: RoomCode,
    /// What logs call the room at `info` (see [`RoomTag`]).
    pub tag: RoomTag,
    /// Operator-named rooms never expire.
    pub permanent: bool,
    /// In joining order: the roster everyone sees.
    pub members: Vec<Member>,
    /// The last `history_len` chat messages, oldest first.
    pub history: VecDeque<ChatMessage>,
    /// How many messages to keep in `history`.
    pub history_len: usize,
    /// For each kept message that ever changed (edit, delete, reaction): `last_seq` when it
    /// last did, which tells a resume what changed since (see `frames::missed_since`).
    /// Dropped with the message when the history lets it go.
    pub changed_at: HashMap<Seq, Seq>,
    /// Names of recently disconnected members, by uniqueness key.
    pub reserved: HashMap<String, Reservation>,
    /// `seq` of the last message sent (0 before the first).
    pub last_seq: Seq,
    /// When the last member left; `None` while anyone is here.
    pub empty_since: Option<Instant>,
    /// The owner's resume token: whoever holds it (present, or reserved while they
    /// reconnect) owns the room.
    pub owner_token: Option<String>,
    /// Whether new joins are refused (resumes are not).
    pub locked: bool,
    /// Members the owner removed recently, oldest first, at most [`MAX_REMOVALS`].
    pub removals: VecDeque<Removal>,
    /// Presence changes waiting for the next `presence` batch.
    pub presence: PresenceBatch,
    /// The relay's counters: deliveries, evictions and members are counted where they happen.
    pub metrics: Arc<Metrics>,
    /// A private room's verification key, set once by its creator (never for a
    /// permanent room): in every `welcome`, and every post must be signed for it.
    pub verify_key: Option<VerifyKey>,
}

impl Room {
    /// An empty room.
    pub fn new(
        code: RoomCode,
        permanent: bool,
        history_len: usize,
        now: Instant,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            tag: RoomTag::of(&code),
            code,
            permanent,
            members: Vec::new(),
            // Grown as messages come: a room nobody has written in yet holds none.
            history: VecDeque::new(),
            history_len,
            changed_at: HashMap::new(),
            reserved: HashMap::new(),
            last_seq: 0,
            empty_since: Some(now),
            owner_token: None,
            locked: false,
            removals: VecDeque::new(),
            presence: PresenceBatch::default(),
            metrics,
            verify_key: None,
        }
    }

    /// Who owns the room and whether it is locked, as `welcome` and `room_state` say it.
    pub fn state(&self) -> RoomState {
        let owner = self.owner_token.as_deref().and_then(|token| {
            let present = self.members.iter().find(|m| m.resume_token == token);
            let reserved = || self.reserved.values().find(|r| r.resume_token == token);
            present
                .map(|m| m.name.clone())
                .or_else(|| reserved().map(|r| r.name.clone()))
        });
        RoomState {
            owner,
            locked: self.locked,
        }
    }

    /// The room's state as [`Self::settle_owner`] leaves it: what a `welcome` says, so the
    /// first member into an emptied room is told in its welcome that it owns it (the
    /// `room_state` everyone gets follows).
    pub fn settled_state(&self) -> RoomState {
        let mut state = self.state();
        if state.owner.is_none() && !self.permanent {
            state.owner = self.members.first().map(|m| m.name.clone());
        }
        state
    }

    /// Whether the member at `index` owns the room.
    pub fn is_owner(&self, index: usize) -> bool {
        self.owner_token.as_deref() == Some(self.members[index].resume_token.as_str())
    }

    /// Passes ownership on when its holder is gone for good: to the longest-present member
    /// (the first in joining order), or to nobody in an empty room. Tells everyone when the
    /// owner changed. Permanent rooms have no owner.
    pub fn settle_owner(&mut self) {
        let before = self.state();
        // An operator's permanent room belongs to nobody: no guest may lock the lobby.
        if before.owner.is_none() && !self.permanent {
            self.owner_token = self.members.first().map(|m| m.resume_token.clone());
            let after = self.state();
            if after != before {
                self.broadcast(&encode(&ServerMessage::RoomState(after)), None);
            }
        }
    }

    /// Everyone whose status is not `online`: away members, and reserved names as
    /// reconnecting.
    pub fn statuses(&self) -> Vec<NamedStatus> {
        let away = self
            .members
            .iter()
            .filter(|m| m.status != MemberStatus::Online)
            .map(|m| NamedStatus {
                name: m.name.clone(),
                status: m.status,
            });
        let reconnecting = self.reserved.values().map(|r| NamedStatus {
            name: r.name.clone(),
            status: MemberStatus::Reconnecting,
        });
        away.chain(reconnecting).collect()
    }

    /// Whether `key` or `ip` was removed from the room and is still kept out at `now`.
    pub fn is_removed(&self, key: &str, ip: IpAddr, now: Instant) -> bool {
        self.removals
            .iter()
            .any(|r| r.until > now && (r.key == key || r.ip == ip))
    }

    /// Keeps `key` and `ip` out until `until`, forgetting the oldest removal at the bound.
    pub fn keep_out(&mut self, key: String, ip: IpAddr, until: Instant) {
        if self.removals.len() == MAX_REMOVALS {
            self.removals.pop_front();
        }
        self.removals.push_back(Removal { key, ip, until });
    }

    /// The roster in joining order.
    pub fn roster(&self) -> Vec<Username> {
        self.members.iter().map(|m| m.name.clone()).collect()
    }

    /// Index of the member on `conn`.
    pub fn position(&self, conn: ConnId) -> Option<usize> {
        self.members.iter().position(|m| m.conn == conn)
    }

    /// Index of the member whose name has uniqueness key `key`.
    pub fn position_by_key(&self, key: &str) -> Option<usize> {
        self.members.iter().position(|m| m.key == key)
    }

    /// Stores a chat message (answering `reply_to`, if any) and returns it with its new
    /// `seq`.
    pub fn record(
        &mut self,
        from: Username,
        text: String,
        ts: u64,
        reply_to: Option<Seq>,
    ) -> ChatMessage {
        self.last_seq += 1;
        let message = ChatMessage {
            seq: self.last_seq,
            from,
            text,
            ts,
            client_id: None,
            attachment: None,
            reply_to,
            changes: Changes::default(),
        };
        if self.history_len > 0 {
            if self.history.len() == self.history_len
                && let Some(dropped) = self.history.pop_front()
                // Most rooms never change a message: a chat there costs no lookup.
                && !self.changed_at.is_empty()
            {
                self.changed_at.remove(&dropped.seq);
            }
            self.history.push_back(message.clone());
        }
        message
    }

    /// The kept messages after `last_seq`, the `gap` to announce first if some of them
    /// are no longer kept, and those at or below it that changed since.
    pub fn since(&self, last_seq: Option<Seq>) -> Missed {
        missed_since(&self.history, self.last_seq, last_seq, |seq| {
            self.changed_at.get(&seq).copied()
        })
    }

    /// The fan-out seam: delivers one encoded frame to every member except `skip`.
    ///
    /// This is the only place frames reach members, so relaying between relay nodes (a
    /// pub/sub bus) belongs here. Members whose queue is full are evicted (kicked and
    /// removed) and their departure is announced in turn; returns whether anyone was.
    /// Waiting presence changes go out first, so nobody hears from a member before
    /// hearing that it joined.
    pub fn broadcast(&mut self, frame: &Utf8Bytes, skip: Option<ConnId>) -> bool {
        let evicted = self.flush_presence();
        let sent = fanout::broadcast(&mut self.members, 0, skip, |_| Some(frame));
        self.settle(sent) | evicted
    }

    /// Delivers a presence change to every member except `skip` (the member whose own
    /// join it is, welcomed already with the change in its roster): see
    /// [`fanout::presence`]. Returns whether anyone was evicted.
    pub fn broadcast_presence(
        &mut self,
        news: PresenceNews<impl FnOnce(&[Member]) -> ServerMessage>,
        skip: Option<ConnId>,
    ) -> bool {
        let count = self.members.len();
        let sent = fanout::presence(
            &mut self.members,
            &mut self.presence,
            0,
            skip,
            skip,
            news,
            count,
        );
        self.settle(sent)
    }

    /// Sends the waiting presence changes to the members that take batches (see
    /// [`fanout::flush`]). Returns whether anyone was evicted.
    pub fn flush_presence(&mut self) -> bool {
        let count = self.members.len();
        let sent = fanout::flush(&mut self.members, &mut self.presence, count);
        self.settle(sent)
    }

    /// Counts a fan-out's deliveries and evicts the members too slow to take theirs;
    /// whether anyone was.
    fn settle(&mut self, sent: Sent) -> bool {
        self.metrics.deliveries.inc_by(sent.queued);
        let evicted = !sent.slow.is_empty();
        for conn in sent.slow {
            self.evict(conn, Kick::SlowConsumer);
        }
        evicted
    }

    /// Sends a new chat message to everyone: the author's copy (connection `author`) with
    /// its `client_id`, everyone else's without.
    pub fn announce_chat(&mut self, mut message: ChatMessage, author: ConnId, client_id: ClientId) {
        self.broadcast(&encode(&ServerMessage::Chat(message.clone())), Some(author));
        message.client_id = Some(client_id);
        self.send_to(author, &encode(&ServerMessage::Chat(message)));
    }

    /// Sends a joining (or resuming) member its `welcome` and what follows it: the roster
    /// in it already shows every waiting presence change, so those do not go out first,
    /// and the member will get only the later ones.
    pub fn send_welcome(&mut self, index: usize, frames: &[Utf8Bytes]) {
        let conn = self.members[index].conn;
        for frame in frames {
            if !self.offer_to(index, frame) {
                self.evict(conn, Kick::SlowConsumer);
                return;
            }
        }
        if self.members[index].presence == PresenceForm::Batches && self.presence.welcomed(conn) {
            self.flush_presence();
        }
    }

    /// Sends one frame to one member (after the waiting presence changes), evicting it
    /// if it cannot keep up.
    pub fn send_to(&mut self, conn: ConnId, frame: &Utf8Bytes) {
        self.flush_presence();
        if let Some(index) = self.position(conn)
            && !self.offer_to(index, frame)
        {
            self.evict(conn, Kick::SlowConsumer);
        }
    }

    /// Offers one frame to the member at `index`; false if its queue refused it.
    fn offer_to(&mut self, index: usize, frame: &Utf8Bytes) -> bool {
        let queued = self.members[index].outbox.offer(frame) == Offer::Queued;
        if queued {
            self.metrics.deliveries.inc();
        }
        queued
    }

    /// Removes the member on `conn` (if still here) with `reason`, and tells the others.
    pub fn evict(&mut self, conn: ConnId, reason: Kick) {
        if let Some(index) = self.position(conn) {
            let mut member = self.members.remove(index);
            self.metrics.members.dec();
            if reason == Kick::SlowConsumer {
                self.metrics.outbox_evictions.inc();
            }
            tracing::info!(room = %self.tag, ?reason, "evicting member");
            tracing::debug!(room = %self.tag, name = %member.name, "evicted member");
            member.outbox.kick(reason);
            self.announce_departure(member.name, false);
            self.settle_owner();
        }
    }

    /// Tells everyone that `name` left, with the new roster (or count); `reconnecting`
    /// when its name is reserved for a resume.
    pub fn announce_departure(&mut self, name: Username, reconnecting: bool) {
        let deltas = ServerMessage::Left {
            name: name.clone(),
            count: self.members.len(),
            reconnecting,
        };
        let change = if reconnecting {
            PresenceChange::Reconnecting(name.clone())
        } else {
            PresenceChange::Left(name.clone())
        };
        let full = |members: &[Member]| ServerMessage::MemberLeft {
            name,
            members: members.iter().map(|m| m.name.clone()).collect(),
            reconnecting,
        };
        let news = PresenceNews {
            change,
            deltas,
            full,
        };
        self.broadcast_presence(news, None);
    }

    /// Marks the room empty when its last member has gone.
    pub fn note_if_empty(&mut self, now: Instant) {
        if self.members.is_empty() && self.empty_since.is_none() {
            self.empty_since = Some(now);
        }
    }
}

mod changes;
#[cfg(test)]
mod tests;
