//! Others' typing hints, your own status (away after idling) and the reconnect backoff:
//! the pieces of state that expire.
//!
//! All take the current time as an argument, so tests drive them with made-up clocks.

use confab_protocol::{MemberStatus, Username};
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

/// How long without input (or without focus) before you are shown as away.
pub const AWAY_AFTER: Duration = Duration::from_secs(5 * 60);

/// How long to wait for the relay to confirm a status before sending it again (it may have
/// been refused by the status rate limit, or lost with a connection).
pub const STATUS_RETRY: Duration = Duration::from_secs(2);

/// Your own status: what you chose, whether idling made you away, and what the relay has
/// confirmed, so the model sends a change once and again only if it did not arrive.
#[derive(Debug, Clone)]
pub struct MyStatus {
    /// What you set (`/away`, the people list): `Online` or `Away`.
    chosen: MemberStatus,
    /// Away because nothing happened for [`AWAY_AFTER`]; ends on the next input.
    idle: bool,
    /// The last input (or focus gained).
    last_activity: Instant,
    /// What the relay last echoed for you on this connection.
    confirmed: MemberStatus,
    /// When a send that has not been confirmed may be repeated.
    retry_at: Option<Instant>,
}

impl MyStatus {
    /// Online, active at `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            chosen: MemberStatus::Online,
            idle: false,
            last_activity: now,
            confirmed: MemberStatus::Online,
            retry_at: None,
        }
    }

    /// What others should see.
    pub fn wanted(&self) -> MemberStatus {
        if self.idle {
            MemberStatus::Away
        } else {
            self.chosen
        }
    }

    /// You chose a status (coming back also ends idling).
    pub fn choose(&mut self, status: MemberStatus, now: Instant) {
        self.chosen = status;
        self.idle = false;
        self.last_activity = now;
        self.retry_at = None;
    }

    /// Input or focus at `now`: ends idle-away.
    pub fn activity(&mut self, now: Instant) {
        self.last_activity = now;
        if self.idle {
            self.idle = false;
            self.retry_at = None;
        }
    }

    /// The relay echoed your status.
    pub fn confirmed(&mut self, status: MemberStatus) {
        self.confirmed = status;
        self.retry_at = None;
    }

    /// A new connection joined: the relay starts every membership online.
    pub fn reconnected(&mut self) {
        self.confirmed = MemberStatus::Online;
        self.retry_at = None;
    }

    /// Time passed: the status to send now, if any (idling turns into away here).
    pub fn due(&mut self, now: Instant) -> Option<MemberStatus> {
        if !self.idle && now.saturating_duration_since(self.last_activity) >= AWAY_AFTER {
            self.idle = true;
        }
        let wanted = self.wanted();
        if wanted == self.confirmed || self.retry_at.is_some_and(|at| now < at) {
            return None;
        }
        self.retry_at = Some(now + STATUS_RETRY);
        Some(wanted)
    }

    /// The next moment [`Self::due`] may have something to say, so the view wakes then.
    pub fn next_deadline(&self) -> Option<Instant> {
        let idle = (!self.idle && self.chosen == MemberStatus::Online)
            .then_some(self.last_activity + AWAY_AFTER);
        let retry = self.retry_at.filter(|_| self.wanted() != self.confirmed);
        idle.into_iter().chain(retry).min()
    }
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
    fn idling_makes_you_away_and_input_brings_you_back() {
        let t0 = Instant::now();
        let mut me = MyStatus::new(t0);
        assert_eq!(me.due(t0 + AWAY_AFTER / 2), None);
        assert_eq!(me.next_deadline(), Some(t0 + AWAY_AFTER));
        assert_eq!(me.due(t0 + AWAY_AFTER), Some(MemberStatus::Away));
        // Not confirmed yet: repeated only after STATUS_RETRY.
        assert_eq!(me.due(t0 + AWAY_AFTER + Duration::from_millis(10)), None);
        me.confirmed(MemberStatus::Away);
        let later = t0 + AWAY_AFTER * 2;
        me.activity(later);
        assert_eq!(me.due(later), Some(MemberStatus::Online));
        me.confirmed(MemberStatus::Online);
        assert_eq!(me.due(later), None);
    }

    #[test]
    fn a_chosen_away_survives_input_and_a_refused_change_is_sent_again() {
        let t0 = Instant::now();
        let mut me = MyStatus::new(t0);
        me.choose(MemberStatus::Away, t0);
        assert_eq!(me.due(t0), Some(MemberStatus::Away));
        // The relay refused it (rate limit): nothing echoed, so it goes again later.
        assert_eq!(me.due(t0 + STATUS_RETRY / 2), None);
        assert_eq!(me.due(t0 + STATUS_RETRY), Some(MemberStatus::Away));
        me.confirmed(MemberStatus::Away);
        me.activity(t0 + STATUS_RETRY * 2);
        assert_eq!(
            me.wanted(),
            MemberStatus::Away,
            "input does not undo a choice"
        );
        // A reconnect starts online on the relay: away is sent again.
        me.reconnected();
        assert_eq!(me.due(t0 + STATUS_RETRY * 3), Some(MemberStatus::Away));
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
