//! How long a dropped member waits before its next connection attempt: the app's jittered
//! exponential schedule, or a fixed delay (what a naive client does), so a storm run can
//! show what the jitter buys.
//!
//! Owns only the schedule; it never sleeps or connects itself.

use std::time::Duration;

use clap::ValueEnum;

/// Which reconnect schedule every member of a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackoffPolicy {
    /// The app's schedule: 0.5 s, 1 s, 2 s, ... capped at 30 s, each scaled by a random
    /// factor in [0.5, 1.0].
    Jittered,
    /// Always one second: every member dropped at once comes back at once.
    Fixed,
}

/// One member's reconnect delays.
///
/// The jittered formula is the app's `Backoff` (`app/src/state/presence.rs`), written
/// again here because the bench does not depend on the app crate (and its egui tree): the
/// same base, cap, doubling and [0.5, 1.0] factor from a splitmix64 stream. Keep the two
/// in step.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    /// Failed attempts since the last successful join.
    attempt: u32,
    /// splitmix64 state, seeded per member so members do not share a jitter sequence.
    rng: u64,
}

impl Backoff {
    /// The app's first delay.
    pub const BASE: Duration = Duration::from_millis(500);
    /// The app's longest delay.
    pub const MAX: Duration = Duration::from_secs(30);
    /// The naive client's delay.
    pub const FIXED: Duration = Duration::from_secs(1);

    /// A schedule for one member; `seed` feeds the jitter (ignored when fixed).
    pub fn new(policy: BackoffPolicy, seed: u64) -> Self {
        Self {
            policy,
            attempt: 0,
            rng: seed,
        }
    }

    /// The delay before the next attempt; counts the attempt.
    pub fn next_delay(&mut self) -> Duration {
        match self.policy {
            BackoffPolicy::Fixed => Self::FIXED,
            BackoffPolicy::Jittered => {
                let exp = Self::BASE
                    .saturating_mul(1 << self.attempt.min(16))
                    .min(Self::MAX);
                self.attempt = self.attempt.saturating_add(1);
                let fraction = 0.5 + 0.5 * (self.next_random() >> 11) as f64 / (1u64 << 53) as f64;
                exp.mul_f64(fraction)
            }
        }
    }

    /// Joined again: the next drop starts from the first delay.
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
    fn jittered_delays_double_within_half_to_full_and_reset_after_a_join() {
        let mut backoff = Backoff::new(BackoffPolicy::Jittered, 7);
        for i in 0..8 {
            let full = Backoff::BASE.saturating_mul(1 << i).min(Backoff::MAX);
            let delay = backoff.next_delay();
            assert!(delay >= full / 2 && delay <= full, "{i}: {delay:?}");
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Backoff::BASE);
    }

    #[test]
    fn fixed_delays_never_change() {
        let mut backoff = Backoff::new(BackoffPolicy::Fixed, 7);
        let delays: Vec<_> = (0..5).map(|_| backoff.next_delay()).collect();
        assert!(delays.iter().all(|d| *d == Backoff::FIXED));
    }
}
