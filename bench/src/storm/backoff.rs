//! How long a dropped member waits before its next connection attempt: the app's jittered
//! exponential schedule, or a fixed delay (what a naive client does), so a storm run can
//! show what the jitter buys.
//!
//! Owns only the schedule; it never sleeps or connects itself.

use std::time::Duration;

use clap::ValueEnum;
use confab_protocol::backoff::Backoff as JitteredBackoff;

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

/// One member's reconnect delays: the clients' own schedule
/// ([`confab_protocol::backoff::Backoff`], the one the app follows), or the fixed delay.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    /// The jittered schedule (unused when fixed).
    jittered: JitteredBackoff,
}

impl Backoff {
    /// The naive client's delay.
    pub const FIXED: Duration = Duration::from_secs(1);

    /// A schedule for one member; `seed` feeds the jitter (ignored when fixed).
    pub fn new(policy: BackoffPolicy, seed: u64) -> Self {
        Self {
            policy,
            jittered: JitteredBackoff::new(seed),
        }
    }

    /// The delay before the next attempt; counts the attempt.
    pub fn next_delay(&mut self) -> Duration {
        match self.policy {
            BackoffPolicy::Fixed => Self::FIXED,
            BackoffPolicy::Jittered => self.jittered.next_delay(),
        }
    }

    /// Joined again: the next drop starts from the first delay.
    pub fn reset(&mut self) {
        self.jittered.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jittered_members_wait_exactly_as_the_app_does() {
        let mut member = Backoff::new(BackoffPolicy::Jittered, 7);
        let mut app = JitteredBackoff::new(7);
        for _ in 0..8 {
            assert_eq!(member.next_delay(), app.next_delay());
        }
        member.reset();
        assert!(member.next_delay() <= JitteredBackoff::BASE);
    }

    #[test]
    fn fixed_delays_never_change() {
        let mut backoff = Backoff::new(BackoffPolicy::Fixed, 7);
        let delays: Vec<_> = (0..5).map(|_| backoff.next_delay()).collect();
        assert!(delays.iter().all(|d| *d == Backoff::FIXED));
    }
}
