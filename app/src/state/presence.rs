//! Others' typing hints and the reconnect backoff: the two pieces of state that expire.
//!
//! Both take the current time as an argument, so tests drive them with made-up clocks.

use confab_protocol::Username;
use web_time::{Duration, Instant};

/// Who else is composing, each until their hint expires.
#[derive(Debug, Default, Clone)]
pub struct TypingHints {
    until: Vec<(Username, Instant)>,
}

impl TypingHints {
    /// Applies a relayed hint: `active` lasts `ttl` unless repeated; `false` ends it now.
    pub fn apply(&mut self, name: Username, active: bool, now: Instant, ttl: Duration) {
        self.remove(&name);
        if active {
            self.until.push((name, now + ttl));
        }
    }

    /// Ends `name`'s hint (they sent a message or left).
    pub fn remove(&mut self, name: &Username) {
        self.until.retain(|(n, _)| n != name);
    }

    /// Names still composing at `now`, in the order they started.
    pub fn active(&self, now: Instant) -> Vec<&Username> {
        self.until
            .iter()
            .filter(|(_, t)| *t > now)
            .map(|(n, _)| n)
            .collect()
    }

    /// The next moment a hint expires, so the view can be redrawn then.
    pub fn next_expiry(&self, now: Instant) -> Option<Instant> {
        self.until
            .iter()
            .map(|(_, t)| *t)
            .filter(|t| *t > now)
            .min()
    }
}

/// The line under the messages: "ann is typing…", "ann and bob are typing…".
pub fn typing_line(names: &[&Username]) -> Option<String> {
    Some(match names {
        [] => return None,
        [a] => format!("{a} is typing…"),
        [a, b] => format!("{a} and {b} are typing…"),
        [a, b, c] => format!("{a}, {b} and {c} are typing…"),
        many => format!("{} people are typing…", many.len()),
    })
}

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

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    #[test]
    fn typing_hints_expire_after_their_ttl_unless_repeated() {
        let t0 = Instant::now();
        let ttl = Duration::from_secs(6);
        let mut hints = TypingHints::default();
        hints.apply(name("bob"), true, t0, ttl);
        hints.apply(name("cy"), true, t0 + Duration::from_secs(4), ttl);
        assert_eq!(hints.active(t0 + Duration::from_secs(5)).len(), 2);
        assert_eq!(hints.active(t0 + Duration::from_secs(7)), vec![&name("cy")]);
        assert_eq!(hints.next_expiry(t0), Some(t0 + ttl));
        hints.apply(name("cy"), false, t0, ttl);
        assert!(hints.active(t0).iter().all(|n| n.as_str() != "cy"));
    }

    #[test]
    fn the_typing_line_reads_naturally() {
        let (a, b) = (name("ann"), name("bob"));
        assert_eq!(typing_line(&[]), None);
        assert_eq!(typing_line(&[&a]).as_deref(), Some("ann is typing…"));
        assert_eq!(
            typing_line(&[&a, &b]).as_deref(),
            Some("ann and bob are typing…")
        );
        assert_eq!(
            typing_line(&[&a, &b, &a, &b]).as_deref(),
            Some("4 people are typing…")
        );
    }

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
