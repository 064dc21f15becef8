//! Abuse guards: connections per IP address, failed joins per IP address, the
//! per-connection message rate, and the throttle on the accept loop's error log.
//!
//! The per-IP tables are small synchronous maps behind a `std::sync::Mutex`, held only for
//! a lookup; the rate limit is a lock-free token bucket (`governor`) owned by its connection.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use prometheus::IntGauge;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

/// Open connections per IP address.
#[derive(Debug)]
pub struct ConnectionsPerIp {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One counted connection; dropping it frees the slot.
#[derive(Debug)]
pub struct IpSlot {
    table: Arc<ConnectionsPerIp>,
    ip: IpAddr,
}

/// What a connection holds of the relay's limits for its whole life, given back when it is
/// dropped: its place under `--max-connections`, its count in `confab_connections_open`,
/// and until shutdown a sender the relay waits on for every connection to finish. (Its
/// place under `--max-connections-per-ip` is an [`IpSlot`], taken once the front door
/// knows who the client is.)
#[derive(Debug)]
pub struct Lease {
    open: IntGauge,
    _permit: OwnedSemaphorePermit,
    _done: Option<mpsc::Sender<()>>,
}

impl Lease {
    /// Counts the connection in `open` until the lease is dropped.
    pub fn new(
        permit: OwnedSemaphorePermit,
        open: IntGauge,
        done: Option<mpsc::Sender<()>>,
    ) -> Self {
        open.inc();
        Self {
            open,
            _permit: permit,
            _done: done,
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.open.dec();
    }
}

impl ConnectionsPerIp {
    /// A table allowing `max` open connections per address.
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a slot for `ip`, or `None` when the address already has `max` connections.
    pub fn try_take(self: &Arc<Self>, ip: IpAddr) -> Option<IpSlot> {
        let mut open = lock(&self.open);
        let count = open.entry(ip).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(IpSlot {
            table: Arc::clone(self),
            ip,
        })
    }
}

impl IpSlot {
    /// The client address this slot counts.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut open = lock(&self.table.open);
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Failed joins per IP address in a fixed window, against room-code guessing.
///
/// Not `governor`: a keyed governor limiter can only test by consuming, but a join must be
/// refused *before* it is tried (else a guesser still learns the answer) while only
/// failures may count.
#[derive(Debug)]
pub struct FailedJoins {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    /// The relay-wide ceiling, over all addresses, in the same window.
    relay_max: u32,
    /// Start of the relay-wide window and the failures in it.
    relay_seen: Mutex<(Instant, u32)>,
}

impl FailedJoins {
    /// Allows `max` failures per `window` per address, and `relay_max` from all addresses.
    pub fn new(max: u32, relay_max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
            relay_max,
            relay_seen: Mutex::new((Instant::now(), 0)),
        }
    }

    /// While the relay-wide ceiling is reached: how long until its window ends.
    pub fn relay_wait(&self, now: Instant) -> Option<Duration> {
        let (start, count) = *lock(&self.relay_seen);
        let end = start + self.window;
        (now < end && count >= self.relay_max).then(|| end - now)
    }

    /// Whether `ip` has used up its failures for the current window.
    pub fn is_blocked(&self, ip: IpAddr, now: Instant) -> bool {
        lock(&self.seen)
            .get(&ip)
            .is_some_and(|&(start, count)| now < start + self.window && count >= self.max)
    }

    /// Counts one failed join from `ip`.
    pub fn record(&self, ip: IpAddr, now: Instant) {
        let mut seen = lock(&self.seen);
        let entry = seen.entry(ip).or_insert((now, 0));
        if now >= entry.0 + self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        drop(seen);
        let mut relay = lock(&self.relay_seen);
        // Like the per-address windows, the relay-wide one starts at its first failure.
        if relay.1 == 0 || now >= relay.0 + self.window {
            *relay = (now, 0);
        }
        relay.1 += 1;
    }

    /// Forgets windows that have ended, so the table does not grow without bound.
    pub fn sweep(&self, now: Instant) {
        lock(&self.seen).retain(|_, &mut (start, _)| now < start + self.window);
    }
}

/// Strike points forgiven per second: a sender refused less often than this (a person
/// who overshoots now and then) never reaches the limit, while one that stays well above
/// the rate keeps adding points even when some of its messages get through.
pub const STRIKE_DECAY_PER_SECOND: f64 = 1.0;

/// One connection's message rate: a token bucket, plus a decaying strike score that
/// measures sustained abuse over time rather than refusals in a row.
///
/// A refusal is a strike only when the sender did not wait as long as the last refusal
/// told it to: a client that waits `retry_after_ms` each time it is refused (a long file
/// transfer, a paste of many lines) is slowed to the rate and never cut off.
///
/// The bucket and the strike score read one clock, the bucket's: the real one in the
/// relay, a `governor::clock::FakeRelativeClock` that tests advance by hand.
#[derive(Debug)]
pub struct MessageRate<C: Clock = DefaultClock> {
    bucket: RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<C::Instant>>,
    /// Strike points; +1 per refusal that came before `retry_at`, minus
    /// [`STRIKE_DECAY_PER_SECOND`] per second.
    score: f64,
    /// When the last refusal said the next token would be there; `None` before any.
    retry_at: Option<C::Instant>,
    /// When `score` was last decayed.
    scored_at: C::Instant,
    max_strikes: u32,
    /// Whether the refusal before this one went unanswered by an accepted frame: then
    /// the sender already has its `rate_limited` error and gets no more until it slows.
    refused_last: bool,
}

/// What the rate limit says about one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateVerdict {
    /// Go ahead.
    Allowed,
    /// Refuse this message; the next token comes after the given wait. `answer` is true
    /// only for the first refusal after an accepted frame: a flooder is not sent an error
    /// per refused frame.
    Limited {
        /// How long until the next token.
        wait: Duration,
        /// Whether to tell the sender (with a `rate_limited` error).
        answer: bool,
    },
    /// Refused for long enough that the strike score reached the limit: close.
    Abusive,
}

impl MessageRate {
    /// A bucket of `burst` tokens refilled at `per_second`, closing once the strike score
    /// reaches `max_strikes`; on the real clock.
    pub fn new(per_second: u32, burst: u32, max_strikes: u32) -> Self {
        Self::with_clock(per_second, burst, max_strikes, DefaultClock::default())
    }
}

impl<C: Clock> MessageRate<C> {
    /// [`MessageRate::new`] on `clock`, for the bucket and the strike score alike.
    pub fn with_clock(per_second: u32, burst: u32, max_strikes: u32, clock: C) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        let bucket = RateLimiter::direct_with_clock(quota, clock);
        let scored_at = bucket.clock().now();
        Self {
            bucket,
            score: 0.0,
            retry_at: None,
            scored_at,
            max_strikes,
            refused_last: false,
        }
    }

    /// Takes a token for one message.
    pub fn check(&mut self) -> RateVerdict {
        let now = self.bucket.clock().now();
        let elapsed = Duration::from(now.duration_since(self.scored_at)).as_secs_f64();
        self.score = (self.score - elapsed * STRIKE_DECAY_PER_SECOND).max(0.0);
        self.scored_at = now;
        match self.bucket.check() {
            Ok(()) => {
                self.refused_last = false;
                RateVerdict::Allowed
            }
            Err(not_until) => {
                let waited = self.retry_at.is_some_and(|at| now >= at);
                if !waited {
                    self.score += 1.0;
                    if self.score >= f64::from(self.max_strikes) {
                        return RateVerdict::Abusive;
                    }
                }
                let wait = not_until.wait_time_from(now);
                self.retry_at = Some(now + Nanos::from(wait));
                let answer = !self.refused_last;
                self.refused_last = true;
                RateVerdict::Limited { wait, answer }
            }
        }
    }
}

/// Shortest time between two "accept failed" log lines. Out of file descriptors (EMFILE),
/// the accept loop fails every time it backs off (ten times a second); one line per this
/// interval, with a count, says the same without flooding the log.
pub const ACCEPT_ERROR_LOG_EVERY: Duration = Duration::from_secs(5);

/// Throttles the accept loop's error log: the first failure is logged at once, later ones
/// are counted and summed up in the next line at most every [`ACCEPT_ERROR_LOG_EVERY`].
#[derive(Debug, Default)]
pub struct AcceptErrors {
    /// When the last line was written.
    logged_at: Option<Instant>,
    /// Failures since that line.
    unlogged: u64,
}

impl AcceptErrors {
    /// A throttle that has logged nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one failure at `now`; `Some(n)` means "log now: `n` failures since the last
    /// line" (this one included).
    pub fn record(&mut self, now: Instant) -> Option<u64> {
        self.unlogged += 1;
        let due = self
            .logged_at
            .is_none_or(|at| now.saturating_duration_since(at) >= ACCEPT_ERROR_LOG_EVERY);
        if !due {
            return None;
        }
        self.logged_at = Some(now);
        Some(std::mem::take(&mut self.unlogged))
    }

    /// Counts `err` and logs it when a line is due.
    pub fn log(&mut self, err: &std::io::Error) {
        if let Some(failures) = self.record(Instant::now()) {
            tracing::warn!(%err, failures, "accept failed (out of file descriptors?); backing off");
        }
    }
}

/// Locks a guard table. The tables hold plain counters that no panic can leave half-updated,
/// so a poisoned lock is still consistent and is used as is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
