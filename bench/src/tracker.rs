//! Per-sender bookkeeping at one receiver: which message numbers arrived, so the end of a
//! run can count lost, duplicated and out-of-order deliveries exactly.
//!
//! Each sender numbers its messages 0, 1, 2, ...; the relay must deliver them to every
//! member in that order, exactly once.

/// What one receiver saw from one sender.
#[derive(Debug, Default, Clone)]
pub struct SenderTrack {
    /// Bit `n` is set once message `n` arrived.
    seen: Vec<u64>,
    /// Distinct messages received.
    pub distinct: u64,
    /// Messages received a second (or later) time.
    pub duplicated: u64,
    /// Messages that arrived with a lower number than one already received.
    pub out_of_order: u64,
    /// Highest number received plus one (0 before any).
    next: u64,
}

impl SenderTrack {
    /// Records message number `n`.
    pub fn record(&mut self, n: u64) {
        let word = usize::try_from(n / 64).unwrap_or(usize::MAX);
        let bit = 1u64 << (n % 64);
        if word >= self.seen.len() {
            self.seen.resize(word + 1, 0);
        }
        if self.seen[word] & bit != 0 {
            self.duplicated += 1;
            return;
        }
        self.seen[word] |= bit;
        self.distinct += 1;
        if n < self.next {
            self.out_of_order += 1;
        } else {
            self.next = n + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_delivery_counts_nothing_wrong() {
        let mut track = SenderTrack::default();
        for n in 0..200 {
            track.record(n);
        }
        assert_eq!(
            (track.distinct, track.duplicated, track.out_of_order),
            (200, 0, 0)
        );
    }

    #[test]
    fn repeats_and_late_arrivals_are_told_apart() {
        let mut track = SenderTrack::default();
        for n in [0, 2, 1, 2, 3] {
            track.record(n);
        }
        assert_eq!(track.distinct, 4);
        assert_eq!(track.duplicated, 1);
        assert_eq!(track.out_of_order, 1);
    }
}
