//! The time: [`Now`], what every reducer step is given (the app reads the clocks, the
//! model never does), and [`RelayClock`], the relay's time as learned from the messages it
//! stamps.
//!
//! Messages carry the relay's `ts`; notices the client writes itself (connection lost, a
//! file saved, joins and leaves) have only this machine's clock. When the two clocks
//! disagree, a notice would sort and split days on a different clock than the messages
//! around it: a day separator in the wrong place. So every timeline entry is stamped in
//! relay time: this keeps how far the relay's clock is from ours and converts.

use confab_protocol::Millis;
use web_time::{Instant, SystemTime, UNIX_EPOCH};

/// The current time, in both forms the model needs.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    /// Monotonic: for timers (reconnect, typing hints).
    pub at: Instant,
    /// Wall clock, ms since the Unix epoch: local notices are stamped with it on the
    /// relay's clock ([`RelayClock`]).
    pub wall_ms: Millis,
}

impl Now {
    /// Reads both clocks (through `web-time`, so this works on wasm32 too).
    pub fn current() -> Self {
        let wall_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as Millis);
        Self {
            at: Instant::now(),
            wall_ms,
        }
    }
}

/// How far the relay's clock is ahead of this machine's, learned from its messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayClock {
    /// Relay time minus local time, in ms (negative when the relay is behind). Zero until a
    /// message says otherwise: with nothing to compare, local time is the best guess.
    ahead_ms: i64,
}

impl RelayClock {
    /// A message stamped `ts` by the relay just arrived at `now`: the relay's clock read
    /// `ts` (give or take the trip here, a few ms) when ours read `now`.
    pub fn heard(&mut self, ts: Millis, now: Now) {
        self.ahead_ms = signed(ts) - signed(now.wall_ms);
    }

    /// An old message stamped `ts` (a replayed backlog): the relay's clock reads at least
    /// `ts` now. Moves the estimate forward only when it says less.
    pub fn at_least(&mut self, ts: Millis, now: Now) {
        if ts > self.ms(now) {
            self.heard(ts, now);
        }
    }

    /// `now` on the relay's clock, ms since the Unix epoch: the stamp for a local notice.
    pub fn ms(&self, now: Now) -> Millis {
        now.wall_ms.saturating_add_signed(self.ahead_ms)
    }
}

/// `ms` as a signed number (times past the year 292 million saturate).
fn signed(ms: Millis) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use web_time::Instant;

    use super::*;

    fn at(wall_ms: Millis) -> Now {
        Now {
            at: Instant::now(),
            wall_ms,
        }
    }

    #[test]
    fn local_time_is_used_until_the_relay_says_otherwise() {
        assert_eq!(RelayClock::default().ms(at(5_000)), 5_000);
    }

    #[test]
    fn a_live_message_sets_the_offset_either_way() {
        let mut clock = RelayClock::default();
        clock.heard(10_000, at(4_000));
        assert_eq!(clock.ms(at(5_000)), 11_000, "relay ahead");
        clock.heard(1_000, at(4_000));
        assert_eq!(clock.ms(at(5_000)), 2_000, "relay behind");
    }

    #[test]
    fn a_backlog_only_moves_the_clock_forward() {
        let mut clock = RelayClock::default();
        clock.at_least(3_000, at(5_000));
        assert_eq!(
            clock.ms(at(5_000)),
            5_000,
            "an old message says nothing new"
        );
        clock.at_least(9_000, at(5_000));
        assert_eq!(clock.ms(at(5_000)), 9_000);
    }
}
