//! How long a client waits before reconnecting after its connection dropped: the one
//! schedule the app uses and the load tool imitates (`confab-bench storm`), so a storm
//! measures what real clients do.
//!
//! Exponential with jitter: 0.5 s, 1 s, 2 s, ... capped at [`Backoff::MAX`], each scaled by
//! a random factor in [0.5, 1.0], so a room full of clients dropped by the same relay
//! restart does not come back in lockstep. It never sleeps itself.

use std::time::Duration;

/// Exponential backoff with jitter for reconnecting: 0.5 s, 1 s, 2 s… capped at
/// [`Backoff::MAX`], each scaled by a random factor in [0.5, 1.0] so that a room full of
/// clients dropped by the same relay restart does not reconnect in lockstep.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// Failed attempts since the last successful join.
    pub attempt: u32,
    /// splitmix64 state: good enough for jitter, and needs no RNG crate (or JS) on wasm.
    rng: u64,
}

impl Backoff {
    /// First delay.
    pub const BASE: Duration = Duration::from_millis(500);
    /// Longest delay: a user staring at "reconnecting" should not wait longer than this.
    pub const MAX: Duration = Duration::from_secs(30);

    /// A backoff whose jitter is seeded by `seed` (the app passes the clock's nanoseconds).
    pub fn new(seed: u64) -> Self {
        Self {
            attempt: 0,
            rng: seed,
        }
    }

    /// The delay before the next attempt; counts the attempt.
    pub fn next_delay(&mut self) -> Duration {
        let exp = Self::BASE
            .saturating_mul(1 << self.attempt.min(16))
            .min(Self::MAX);
        self.attempt = self.attempt.saturating_add(1);
        let fraction = 0.5 + 0.5 * (self.next_random() >> 11) as f64 / (1u64 << 53) as f64;
        exp.mul_f64(fraction)
    }

    /// Joined again: the next drop starts from [`Self::BASE`].
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let mut b = Backoff::new(42);
        let delays: Vec<_> = (0..12).map(|_| b.next_delay()).collect();
        for (i, d) in delays.iter().enumerate() {
            let full = Backoff::BASE.saturating_mul(1 << i).min(Backoff::MAX);
            assert!(
                *d <= full && *d >= full / 2,
                "attempt {i}: {d:?} vs {full:?}"
            );
        }
        b.reset();
        assert!(b.next_delay() <= Backoff::BASE);
    }

    #[test]
    fn clients_dropped_together_do_not_reconnect_in_lockstep() {
        // A room's worth of clients with different seeds, all dropped by one restart.
        let first: Vec<Duration> = (0..100u64)
            .map(|seed| Backoff::new(seed.wrapping_mul(0x1234_5678_9ABC)).next_delay())
            .collect();
        assert_ne!(Backoff::new(1).next_delay(), Backoff::new(2).next_delay());
        let (min, max) = (first.iter().min(), first.iter().max());
        let (min, max) = (
            min.copied().unwrap_or_default(),
            max.copied().unwrap_or_default(),
        );
        assert!(
            min >= Backoff::BASE / 2 && max <= Backoff::BASE,
            "{min:?}..{max:?}"
        );
        // Spread over most of the documented [BASE/2, BASE] range, not bunched up.
        assert!(
            max - min >= Backoff::BASE / 4,
            "delays bunched in {min:?}..{max:?}"
        );
    }
}
