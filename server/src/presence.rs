//! How members hear about each other entering and leaving: the form each one asked for in
//! `hello`, and the per-room batch behind `presence_batches`.
//!
//! A batch holds a room's changes for at most [`BATCH_INTERVAL`] after the last batch went
//! out, then sends them as one `presence` frame per member. The first change after a quiet
//! spell goes out at once, so a single join is not delayed; a room filling with 1,000 people
//! sends each member a handful of frames instead of 1,000.

use std::time::Duration;

use confab_protocol::{PresenceChange, features};
use tokio::time::Instant;

use crate::conn::ConnId;

/// The least time between two batches of one room.
///
/// A quarter of a second: short enough that a list of people keeps up with a crowd to the
/// eye, long enough that rooms of 100 filling at a few joins a second each get several
/// changes per frame (at 50 ms nearly every change went alone, a write to every member;
/// 250 ms took 10,000 joins into 100 rooms from 1,597 to 5,328 joins a second, see
/// BENCHMARKS.md).
pub const BATCH_INTERVAL: Duration = Duration::from_millis(250);

/// The most changes (or late welcomes) one batch holds: at the bound it goes out at once,
/// whatever the interval says.
pub const MAX_BATCH_CHANGES: usize = 1024;

/// The form of presence changes a member asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PresenceForm {
    /// `member_joined` / `member_left` with the whole roster: no `hello`, or none of the
    /// features below.
    #[default]
    Full,
    /// `joined` / `left` with the member count, one frame per change (`roster_deltas`).
    Deltas,
    /// `presence` batches (`presence_batches`).
    Batches,
}

impl PresenceForm {
    /// The form a client listing `wanted` in `hello` gets: the most compact it understands.
    pub fn from_features(wanted: &[String]) -> Self {
        let has = |feature: &str| wanted.iter().any(|f| f == feature);
        if has(features::PRESENCE_BATCHES) {
            Self::Batches
        } else if has(features::ROSTER_DELTAS) {
            Self::Deltas
        } else {
            Self::Full
        }
    }
}

/// A room's presence changes that batched members have not been sent yet.
#[derive(Debug, Default)]
pub struct PresenceBatch {
    /// The changes, oldest first.
    changes: Vec<PresenceChange>,
    /// Each change's event number in the room (cluster mode; 0 where events are not
    /// numbered), so a member gets only the changes after the one its welcome showed.
    evs: Vec<u64>,
    /// Members welcomed while changes were pending, with how many of those changes their
    /// welcome already showed: they get only the rest.
    late: Vec<(ConnId, usize)>,
    /// When the last batch went out.
    last_sent: Option<Instant>,
    /// Whether a timer will send this batch.
    armed: bool,
}

/// A batch on its way out.
#[derive(Debug)]
pub struct Outgoing {
    /// Every change in it, oldest first.
    pub changes: Vec<PresenceChange>,
    /// Each change's event number (see [`PresenceBatch`]).
    pub evs: Vec<u64>,
    /// Members who get only `changes[n..]` (welcomed after the first `n`).
    pub late: Vec<(ConnId, usize)>,
}

#[cfg(test)]
impl Outgoing {
    /// The changes `conn` has not seen: all, or those after its welcome.
    pub fn for_member(&self, conn: ConnId) -> &[PresenceChange] {
        let seen = self
            .late
            .iter()
            .find(|(late, _)| *late == conn)
            .map_or(0, |(_, seen)| *seen);
        &self.changes[seen.min(self.changes.len())..]
    }
}

impl PresenceBatch {
    /// Adds a change; true if the batch should go out now (the first change after a quiet
    /// spell, or the batch is full).
    pub fn push(&mut self, change: PresenceChange, ev: u64, now: Instant) -> bool {
        self.changes.push(change);
        self.evs.push(ev);
        let quiet = self
            .last_sent
            .is_none_or(|sent| now >= sent + BATCH_INTERVAL);
        (quiet && !self.armed && self.changes.len() == 1) || self.is_full()
    }

    /// Notes that `conn` was just welcomed with the room as it is now (pending changes
    /// included); true if the batch should go out now (it is full).
    pub fn welcomed(&mut self, conn: ConnId) -> bool {
        if !self.changes.is_empty() {
            self.late.retain(|(late, _)| *late != conn);
            self.late.push((conn, self.changes.len()));
        }
        self.is_full()
    }

    /// When a timer should send the waiting changes, if one is needed and none is set;
    /// the batch counts as armed from then on.
    pub fn arm(&mut self) -> Option<Instant> {
        if self.armed || self.changes.is_empty() {
            return None;
        }
        self.armed = true;
        Some(
            self.last_sent
                .map_or_else(Instant::now, |sent| sent + BATCH_INTERVAL),
        )
    }

    /// The timer went off: it is no longer set.
    pub fn disarm(&mut self) {
        self.armed = false;
    }

    /// Takes the waiting changes to send them now; `None` if there are none.
    pub fn take(&mut self, now: Instant) -> Option<Outgoing> {
        if self.changes.is_empty() {
            return None;
        }
        self.last_sent = Some(now);
        Some(Outgoing {
            changes: std::mem::take(&mut self.changes),
            evs: std::mem::take(&mut self.evs),
            late: std::mem::take(&mut self.late),
        })
    }

    fn is_full(&self) -> bool {
        self.changes.len() >= MAX_BATCH_CHANGES || self.late.len() >= MAX_BATCH_CHANGES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use confab_protocol::Username;

    fn joined(name: &str) -> PresenceChange {
        PresenceChange::Joined(Username::parse(name).unwrap())
    }

    #[test]
    fn the_most_compact_form_the_client_understands_wins() {
        let form = |wanted: &[&str]| {
            let wanted: Vec<String> = wanted.iter().map(|f| f.to_string()).collect();
            PresenceForm::from_features(&wanted)
        };
        assert_eq!(form(&[]), PresenceForm::Full);
        assert_eq!(form(&["roster_deltas"]), PresenceForm::Deltas);
        assert_eq!(
            form(&["roster_deltas", "presence_batches"]),
            PresenceForm::Batches
        );
        assert_eq!(form(&["presence_batches"]), PresenceForm::Batches);
    }

    #[test]
    fn the_first_change_after_a_quiet_spell_goes_out_at_once_and_the_next_wait() {
        let start = Instant::now();
        let mut batch = PresenceBatch::default();
        assert!(batch.push(joined("a"), 0, start));
        assert_eq!(batch.take(start).unwrap().changes, vec![joined("a")]);

        let soon = start + BATCH_INTERVAL / 2;
        assert!(!batch.push(joined("b"), 0, soon));
        assert!(!batch.push(joined("c"), 0, soon));
        assert_eq!(batch.arm(), Some(start + BATCH_INTERVAL));
        assert_eq!(batch.arm(), None, "armed once");
        batch.disarm();
        let sent = batch.take(start + BATCH_INTERVAL).unwrap();
        assert_eq!(sent.changes, vec![joined("b"), joined("c")]);

        let later = start + BATCH_INTERVAL * 3;
        assert!(batch.push(joined("d"), 0, later), "quiet again");
    }

    #[test]
    fn a_member_welcomed_mid_batch_gets_only_the_changes_after_its_welcome() {
        let start = Instant::now();
        let mut batch = PresenceBatch::default();
        batch.push(joined("a"), 0, start);
        batch.take(start);
        batch.push(joined("b"), 0, start);
        batch.push(joined("c"), 0, start);
        batch.welcomed(7);
        batch.push(joined("d"), 0, start);
        batch.welcomed(8);
        let sent = batch.take(start + BATCH_INTERVAL).unwrap();
        assert_eq!(sent.for_member(1).len(), 3, "everyone else gets all");
        assert_eq!(sent.for_member(7), &[joined("d")]);
        assert!(sent.for_member(8).is_empty());
    }

    #[test]
    fn a_full_batch_goes_out_before_its_interval() {
        let start = Instant::now();
        let mut batch = PresenceBatch::default();
        batch.push(joined("first"), 0, start);
        batch.take(start);
        let full = (0..MAX_BATCH_CHANGES)
            .map(|i| batch.push(joined(&format!("m{i}")), 0, start))
            .collect::<Vec<_>>();
        assert!(full[..MAX_BATCH_CHANGES - 1].iter().all(|now| !now));
        assert!(
            full[MAX_BATCH_CHANGES - 1],
            "the change that fills it sends it"
        );
    }
}
