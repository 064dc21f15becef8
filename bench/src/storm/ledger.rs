//! One member's account of its room's numbered chats across reconnects: did it see every
//! `seq` exactly once, in order, or was each hole announced by a `gap`?
//!
//! docs/protocol.md's resume rule: after a resuming `welcome`, `history` holds exactly the
//! kept messages after `last_seq`, and a `gap` follows the `welcome` when some of them are
//! gone. A `gap` therefore arrives *after* the history it explains, so the ledger holds a
//! resume's history back until the next frame says whether a `gap` comes with it.
//! Pure bookkeeping: no sockets, no clocks.

use serde::Serialize;

/// Counts for one member (summed over members for a report).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LedgerCounts {
    /// Distinct chats seen (live or in a `welcome`'s history).
    pub seen: u64,
    /// Chats skipped without a `gap` saying so: must be 0.
    pub holes: u64,
    /// Chats seen again, or going back in `seq`: must be 0.
    pub duplicates: u64,
    /// `gap` notices received.
    pub gaps: u64,
    /// Chats those notices said are gone.
    pub gap_messages: u64,
    /// Memberships that started over with a new token (the relay forgot the old one):
    /// numbering restarts, as docs/protocol.md tells clients to do.
    pub fresh: u64,
}

impl std::ops::AddAssign for LedgerCounts {
    fn add_assign(&mut self, other: Self) {
        self.seen += other.seen;
        self.holes += other.holes;
        self.duplicates += other.duplicates;
        self.gaps += other.gaps;
        self.gap_messages += other.gap_messages;
        self.fresh += other.fresh;
    }
}

/// The ledger itself.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    /// The `seq` this member must see next; `None` until the room's numbering is known.
    expected: Option<u64>,
    /// A resuming `welcome`'s history, until the next frame shows whether a `gap` follows.
    held: Option<Vec<u64>>,
    /// What it counted.
    pub counts: LedgerCounts,
    /// The first silent hole: the `seq` expected and the one that came instead.
    pub first_hole: Option<(u64, u64)>,
    /// The latest silent hole, likewise (for a member's journal).
    pub last_hole: Option<(u64, u64)>,
}

impl Ledger {
    /// A `welcome`. `same_membership` is true when the relay kept the token this member
    /// resumed with; a first join or a new token starts the numbering over.
    pub fn welcome(&mut self, history: Vec<u64>, same_membership: bool, first: bool) {
        self.settle();
        if same_membership {
            self.held = Some(history);
            return;
        }
        self.expected = None;
        self.counts.fresh += u64::from(!first);
        history.into_iter().for_each(|seq| self.record(seq));
    }

    /// A `gap`: messages `after + 1 .. resumed_from` are gone for good.
    pub fn gap(&mut self, after: u64, resumed_from: u64) {
        self.counts.gaps += 1;
        self.counts.gap_messages += resumed_from.saturating_sub(after + 1);
        if self.expected.is_none_or(|next| next <= resumed_from) {
            self.expected = Some(resumed_from);
        }
        self.settle();
    }

    /// A live chat.
    pub fn chat(&mut self, seq: u64) {
        self.settle();
        self.record(seq);
    }

    /// Any other frame, or the connection's end: a held history has no `gap` coming.
    pub fn settle(&mut self) {
        if let Some(history) = self.held.take() {
            history.into_iter().for_each(|seq| self.record(seq));
        }
    }

    /// The connection ended: a resume's history still held is dropped, not taken, since
    /// the frame that would have settled it (perhaps its `gap`) was never read; the next
    /// resume asks again from before it, and gets it again or a `gap`. Whether one was
    /// dropped.
    pub fn abandon(&mut self) -> bool {
        self.held.take().is_some()
    }

    /// A resume's history is waiting for a possible `gap`.
    pub fn holding(&self) -> bool {
        self.held.is_some()
    }

    /// The newest `seq` accounted for (seen, or declared gone by a `gap`), to resume from.
    /// A history still held for its `gap` does not count yet (reading this must not
    /// settle it: the `gap` may be on its way).
    pub fn last_seq(&self) -> Option<u64> {
        self.expected.map(|next| next.saturating_sub(1))
    }

    fn record(&mut self, seq: u64) {
        match self.expected {
            Some(next) if seq < next => self.counts.duplicates += 1,
            Some(next) => {
                if seq > next {
                    self.first_hole.get_or_insert((next, seq));
                    self.last_hole = Some((next, seq));
                }
                self.counts.holes += seq - next;
                self.counts.seen += 1;
                self.expected = Some(seq + 1);
            }
            None => {
                self.counts.seen += 1;
                self.expected = Some(seq + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resume_with_exactly_the_missed_messages_counts_nothing_wrong() {
        let mut ledger = Ledger::default();
        ledger.welcome(vec![1, 2], false, true);
        ledger.chat(3);
        assert_eq!(ledger.last_seq(), Some(3));
        ledger.welcome(vec![4, 5], true, false);
        assert_eq!(
            ledger.last_seq(),
            Some(3),
            "held until we know no gap comes"
        );
        ledger.chat(6);
        let counts = ledger.counts;
        assert_eq!((counts.seen, counts.holes, counts.duplicates), (6, 0, 0));
    }

    #[test]
    fn a_gap_after_the_welcome_explains_the_hole_before_its_history() {
        let mut ledger = Ledger::default();
        ledger.welcome(vec![1], false, true);
        ledger.welcome(vec![5, 6], true, false);
        ledger.gap(1, 5);
        ledger.chat(7);
        let counts = ledger.counts;
        assert_eq!((counts.holes, counts.gaps, counts.gap_messages), (0, 1, 3));
        assert_eq!(ledger.last_seq(), Some(7));
    }

    #[test]
    fn a_silent_hole_and_a_repeat_are_both_counted() {
        let mut ledger = Ledger::default();
        ledger.welcome(vec![1], false, true);
        ledger.welcome(vec![4], true, false);
        ledger.chat(4);
        let counts = ledger.counts;
        assert_eq!((counts.holes, counts.duplicates), (2, 1));
    }

    #[test]
    fn a_new_token_starts_the_numbering_over() {
        let mut ledger = Ledger::default();
        ledger.welcome(vec![1, 2, 3], false, true);
        ledger.welcome(vec![1], false, false);
        ledger.chat(2);
        let counts = ledger.counts;
        assert_eq!((counts.fresh, counts.holes, counts.duplicates), (1, 0, 0));
    }

    #[test]
    fn a_resume_cut_off_before_its_next_frame_is_asked_for_again_not_counted_as_a_hole() {
        let mut ledger = Ledger::default();
        ledger.welcome(vec![1, 2], false, true);
        // Resumed after missing 3..=9; the relay queued a `gap` after this welcome, but
        // the connection ended before it was read.
        ledger.welcome(vec![10, 11], true, false);
        assert!(ledger.abandon());
        assert_eq!(
            ledger.last_seq(),
            Some(2),
            "asks again from before the resume"
        );
        ledger.welcome(vec![12], true, false);
        ledger.gap(2, 12);
        ledger.chat(13);
        let counts = ledger.counts;
        assert_eq!((counts.holes, counts.duplicates, counts.gaps), (0, 0, 1));
        assert!(!ledger.abandon(), "nothing held any more");
    }
}
