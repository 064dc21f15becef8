//! One member's story of a run, for reading after it: every welcome (same membership or
//! fresh, on which relay, what its history held), `gap`, close, refusal and silent hole,
//! stamped with the run's clock. The report's counts say *how many*; the journal says
//! *when and where*, which is what finding a relay bug takes. A run writes every member's
//! journal to `members.log` in its log directory, beside the relays' and Redis's logs.
//!
//! Bounded: a member keeps its first [`MAX_ENTRIES`] entries and counts the rest.

use std::fmt::Write as _;

/// Most entries one member keeps; later ones are counted, not kept.
pub const MAX_ENTRIES: usize = 256;

/// One member's entries.
#[derive(Debug, Default, Clone)]
pub struct Journal {
    entries: Vec<(u64, String)>,
    /// Entries left out past [`MAX_ENTRIES`].
    pub left_out: u64,
}

impl Journal {
    /// Notes `what` at `at_ns` (ns since the run's epoch).
    pub fn note(&mut self, at_ns: u64, what: impl FnOnce() -> String) {
        if self.entries.len() >= MAX_ENTRIES {
            self.left_out += 1;
            return;
        }
        self.entries.push((at_ns, what()));
    }

    /// The entries kept, oldest first.
    pub fn entries(&self) -> &[(u64, String)] {
        &self.entries
    }

    /// The journal as lines `m{member} {seconds} {entry}`.
    pub fn render(&self, member: usize) -> String {
        let mut out = String::new();
        for (at, what) in &self.entries {
            let _ = writeln!(out, "m{member} {:9.3} {what}", *at as f64 / 1e9);
        }
        if self.left_out > 0 {
            let _ = writeln!(out, "m{member} ({} more entries left out)", self.left_out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_keeps_its_first_entries_and_counts_the_rest() {
        let mut journal = Journal::default();
        for i in 0..MAX_ENTRIES + 3 {
            journal.note(i as u64 * 1_000_000, || format!("entry {i}"));
        }
        assert_eq!(journal.entries().len(), MAX_ENTRIES);
        assert_eq!(journal.left_out, 3);
        let text = journal.render(7);
        assert!(text.starts_with("m7     0.000 entry 0\n"), "{text}");
        assert!(text.ends_with("m7 (3 more entries left out)\n"), "{text}");
    }
}
