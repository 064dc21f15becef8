//! The one delivery path: how a room's frames reach its members on this relay, whichever
//! store decided them.
//!
//! Each store decides and records (the memory store under the room's lock, the cluster in
//! Redis), then hands the frames here with the room's members on this relay: a broadcast
//! encoded once and offered to every member, a presence change in the form each member
//! asked for (the whole roster, a delta, or a place in the room's next `presence` batch),
//! and the batch itself when it is due. Offering never blocks; a member whose queue is full
//! comes back in [`Sent::slow`] for the store to evict, because only the store knows what an
//! eviction means for its room (a departure announced here, or one the cluster must hear).

use confab_protocol::{PresenceChange, ServerMessage};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::conn::ConnId;
use crate::presence::{PresenceBatch, PresenceForm};
use crate::rooms::frames::encode;

/// Where a member is in its room's numbered events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// In a room whose events are not numbered (memory): it gets whatever it is offered.
    Welcomed,
    /// Welcomed at event `after`: it gets only the events numbered after it.
    Live {
        /// The event number its welcome is as of.
        after: u64,
    },
    /// Its join is under way: what it is offered waits for its welcome, by event number.
    Pending,
}

/// A member of a room on this relay, as the fan-out sees it.
pub trait Recipient {
    /// Its connection.
    fn conn(&self) -> ConnId;
    /// How it hears of others entering and leaving.
    fn presence(&self) -> PresenceForm;
    /// Where it is in the room's events.
    fn stage(&self) -> Stage;
    /// Offers it `frame`, of event number `ev` (0 where events are not numbered); false if
    /// its queue is full.
    fn offer(&mut self, ev: u64, frame: &Utf8Bytes) -> bool;
    /// Offers it presence `changes` (numbered `evs`) with the room's `count` after them:
    /// how a member still joining takes a batch (held as changes until its welcome says
    /// which of them it already knows). False if its queue is full.
    fn offer_changes(&mut self, changes: &[PresenceChange], evs: &[u64], count: usize) -> bool;
}

/// What one fan-out did.
#[derive(Debug, Default)]
#[must_use = "the slow members must be evicted"]
pub struct Sent {
    /// Frames queued (counted as deliveries).
    pub queued: u64,
    /// Members whose queue was full: the store evicts them.
    pub slow: Vec<ConnId>,
}

impl Sent {
    /// Both fan-outs' results together.
    pub fn and(mut self, other: Self) -> Self {
        self.queued += other.queued;
        self.slow.extend(other.slow);
        self
    }
}

/// Offers `frame_for(member)` (of event `ev`) to every member but `skip`, and to none for
/// which it gives nothing.
pub fn broadcast<'f, R: Recipient>(
    members: &mut [R],
    ev: u64,
    skip: Option<ConnId>,
    frame_for: impl Fn(&R) -> Option<&'f Utf8Bytes>,
) -> Sent {
    let mut sent = Sent::default();
    for member in members {
        if Some(member.conn()) == skip {
            continue;
        }
        let Some(frame) = frame_for(member) else {
            continue;
        };
        if member.offer(ev, frame) {
            sent.queued += 1;
        } else {
            sent.slow.push(member.conn());
        }
    }
    sent
}

/// One presence change, as each form of member hears it.
#[derive(Debug)]
pub struct PresenceNews<F> {
    /// For members that take `presence` batches.
    pub change: PresenceChange,
    /// For members that asked for `roster_deltas` (`joined` / `left` with a count).
    pub deltas: ServerMessage,
    /// For members that read the whole roster (`member_joined` / `member_left`), made only
    /// if one of them is here.
    pub full: F,
}

/// Delivers presence change `news` (event `ev`) to every member but `skip`: the whole
/// roster or a delta at once, a batched member's change into `batch`. `welcomed` is a
/// member just welcomed with this change already in its roster (memory joins), which the
/// batch then leaves out for it. Sends the batch at once when it is due (see `presence`);
/// `count` is the room's member count for it.
pub fn presence<R: Recipient, F: FnOnce(&[R]) -> ServerMessage>(
    members: &mut [R],
    batch: &mut PresenceBatch,
    ev: u64,
    skip: Option<ConnId>,
    welcomed: Option<ConnId>,
    news: PresenceNews<F>,
    count: usize,
) -> Sent {
    let wants = |form: PresenceForm| {
        members
            .iter()
            .any(|m| m.presence() == form && Some(m.conn()) != skip && m.stage() != Stage::Pending)
    };
    let full = wants(PresenceForm::Full).then(|| encode(&(news.full)(members)));
    let deltas = wants(PresenceForm::Deltas).then(|| encode(&news.deltas));
    let batched = members
        .iter()
        .any(|m| m.presence() == PresenceForm::Batches && Some(m.conn()) != skip);
    let mut sent = Sent::default();
    if full.is_some() || deltas.is_some() {
        sent = broadcast(members, ev, skip, |member| match member.presence() {
            _ if member.stage() == Stage::Pending => None,
            PresenceForm::Full => full.as_ref(),
            PresenceForm::Deltas => deltas.as_ref(),
            PresenceForm::Batches => None,
        });
    }
    // A member still joining holds the change itself: its welcome's roster, which the
    // store's copy may not match yet, decides what it then hears.
    for member in members.iter_mut() {
        if member.stage() == Stage::Pending
            && member.presence() != PresenceForm::Batches
            && Some(member.conn()) != skip
        {
            if member.offer_changes(std::slice::from_ref(&news.change), &[ev], count) {
                sent.queued += 1;
            } else {
                sent.slow.push(member.conn());
            }
        }
    }
    // Nobody takes batches: the change is in the roster of every later welcome.
    if batched {
        let now = Instant::now();
        let mut due = batch.push(news.change, ev, now);
        if let Some(conn) = welcomed
            && members.iter().any(|m| m.conn() == conn)
        {
            due |= batch.welcomed(conn);
        }
        if due {
            sent = sent.and(flush(members, batch, count));
        }
    }
    sent
}

/// Sends `batch`'s waiting changes to the members that take batches, as one `presence`
/// frame each with the room's `count`: each gets the changes it has not seen (a member
/// welcomed mid-batch only the later ones), a member whose join is under way each change
/// held as changes to follow its welcome. Frames that are the same are encoded once.
pub fn flush<R: Recipient>(members: &mut [R], batch: &mut PresenceBatch, count: usize) -> Sent {
    let Some(mut outgoing) = batch.take(Instant::now()) else {
        return Sent::default();
    };
    outgoing.late.sort_unstable();
    let changes = &outgoing.changes;
    let evs = &outgoing.evs;
    let frame_of = |from: usize| {
        encode(&ServerMessage::Presence {
            changes: changes[from..].to_vec(),
            count,
        })
    };
    // By the index of the first change a member has not seen; most members see them all.
    let mut frames: Vec<(usize, Utf8Bytes)> = Vec::new();
    let mut sent = Sent::default();
    let newest = evs.last().copied().unwrap_or(0);
    for member in members.iter_mut() {
        if member.presence() != PresenceForm::Batches {
            continue;
        }
        let late = outgoing
            .late
            .binary_search_by_key(&member.conn(), |(conn, _)| *conn)
            .map_or(0, |i| outgoing.late[i].1);
        let from = match member.stage() {
            Stage::Welcomed => late,
            Stage::Live { after } => late.max(evs.partition_point(|ev| *ev <= after)),
            Stage::Pending => {
                if member.offer_changes(changes, evs, count) {
                    sent.queued += 1;
                } else {
                    sent.slow.push(member.conn());
                }
                continue;
            }
        };
        if from >= changes.len() {
            continue;
        }
        let frame = match frames.iter().position(|(start, _)| *start == from) {
            Some(i) => &frames[i].1,
            None => {
                frames.push((from, frame_of(from)));
                &frames[frames.len() - 1].1
            }
        };
        if member.offer(newest, frame) {
            sent.queued += 1;
        } else {
            sent.slow.push(member.conn());
        }
    }
    sent
}
