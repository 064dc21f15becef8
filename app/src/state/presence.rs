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

/// The reconnect schedule every client shares (`confab_protocol::backoff`).
pub use confab_protocol::backoff::Backoff;

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
}
