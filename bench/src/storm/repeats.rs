//! One member's record of the chats (a sender's message numbers) it received, and under
//! which `seq`: a chat that comes again under a **new** `seq` was sequenced twice (a
//! repeat, which must not happen); the same chat again under the **same** `seq` is the
//! relay showing it again (a resume's history, a fresh membership's backlog), which is the
//! ledger's business, not a repeat.

use std::collections::HashMap;

/// The record.
#[derive(Debug, Default)]
pub struct Repeats {
    /// The `seq` each chat (sender, number) first came under.
    first_seq: HashMap<(usize, u64), u64>,
    /// Repeats per sender.
    per_sender: HashMap<usize, u64>,
}

/// A chat received under a second `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeat {
    /// The `seq` it first came under.
    pub first: u64,
    /// How many of its sender's chats this member has seen repeated, this one included.
    pub of_sender: u64,
}

impl Repeats {
    /// Records chat `number` of `sender`, received under `seq`; a repeat if it came before
    /// under another `seq`.
    pub fn record(&mut self, sender: usize, number: u64, seq: u64) -> Option<Repeat> {
        let first = *self.first_seq.entry((sender, number)).or_insert(seq);
        if first == seq {
            return None;
        }
        let of_sender = self.per_sender.entry(sender).or_default();
        *of_sender += 1;
        Some(Repeat {
            first,
            of_sender: *of_sender,
        })
    }

    /// Repeats in all.
    pub fn total(&self) -> u64 {
        self.per_sender.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_shown_again_under_its_own_seq_is_no_repeat_but_a_new_seq_is() {
        let mut repeats = Repeats::default();
        assert_eq!(repeats.record(3, 0, 10), None);
        assert_eq!(repeats.record(3, 1, 11), None);
        // A resume's history (or a fresh membership's backlog) shows 10 and 11 again.
        assert_eq!(repeats.record(3, 0, 10), None);
        assert_eq!(repeats.record(3, 1, 11), None);
        assert_eq!(repeats.total(), 0);
        // Chat 1 sequenced a second time, as 40: a repeat, counted once per arrival.
        let repeat = Repeat {
            first: 11,
            of_sender: 1,
        };
        assert_eq!(repeats.record(3, 1, 40), Some(repeat));
        assert_eq!(repeats.record(4, 1, 41), None, "another sender's chat 1");
        assert_eq!(repeats.total(), 1);
    }
}
