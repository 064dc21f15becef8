//! What every member of a storm run adds to while it runs: accepted connections per
//! 100 ms, close codes and refusals by name, each member's newest `seq` and whether it is
//! in its room right now, when each room first worked again after the fault, and one
//! latency histogram.
//!
//! Counters only; members decide what to count, the run decides what it means.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use hdrhistogram::Histogram;

/// Width of one accept-rate bucket.
pub const BUCKET_NS: u64 = 100_000_000;

/// "Not yet" for the fault's timestamps.
const NOT_YET: u64 = u64::MAX;

/// The run's shared counters.
#[derive(Debug)]
pub struct Tally {
    /// Time zero of the run.
    pub epoch: Instant,
    /// WebSocket handshakes completed, per [`BUCKET_NS`] since the epoch.
    accepts: Mutex<Vec<u32>>,
    /// Close codes received (`1012`, `4000`, ...; `dropped` when the connection just
    /// ended), by name.
    closes: Mutex<BTreeMap<String, u64>>,
    /// Refusals by name: `join:CODE` and `chat:CODE` error frames, `http:STATUS` handshake
    /// refusals, `tcp:KIND` failed connects, `join:timeout`.
    refusals: Mutex<BTreeMap<String, u64>>,
    /// Largest `retry_after_ms` any refusal carried.
    pub max_retry_after_ms: AtomicU64,
    /// Per member: its newest `seq` accounted for, plus one (0: none yet).
    pub next_seq: Vec<AtomicU64>,
    /// Per member: its chats not confirmed yet.
    pub unconfirmed: Vec<AtomicU64>,
    /// Per member: in its room right now.
    pub joined: Vec<AtomicBool>,
    /// Per room: when (ns since the epoch) a chat sent after the fault's end first came
    /// back to its sender; 0 until then.
    pub room_back_ns: Vec<AtomicU64>,
    fault_start_ns: AtomicU64,
    fault_end_ns: AtomicU64,
    /// Fan-out latency of live chats, ns.
    pub latency: Mutex<Histogram<u64>>,
}

impl Tally {
    /// Counters for `members` members in `rooms` rooms, starting now.
    pub fn new(members: usize, rooms: usize) -> Self {
        Self {
            epoch: Instant::now(),
            accepts: Mutex::default(),
            closes: Mutex::default(),
            refusals: Mutex::default(),
            max_retry_after_ms: AtomicU64::new(0),
            next_seq: (0..members).map(|_| AtomicU64::new(0)).collect(),
            unconfirmed: (0..members).map(|_| AtomicU64::new(0)).collect(),
            joined: (0..members).map(|_| AtomicBool::new(false)).collect(),
            room_back_ns: (0..rooms).map(|_| AtomicU64::new(0)).collect(),
            fault_start_ns: AtomicU64::new(NOT_YET),
            fault_end_ns: AtomicU64::new(NOT_YET),
            latency: Mutex::new(crate::load::new_histogram()),
        }
    }

    /// Nanoseconds since the epoch.
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(NOT_YET - 1)
    }

    /// Counts a completed WebSocket handshake.
    pub fn accepted(&self) {
        let bucket = usize::try_from(self.now_ns() / BUCKET_NS).unwrap_or(usize::MAX);
        let mut accepts = self.accepts.lock().unwrap_or_else(PoisonError::into_inner);
        if accepts.len() <= bucket {
            accepts.resize(bucket + 1, 0);
        }
        accepts[bucket] += 1;
    }

    /// Counts a close (or a connection that just ended).
    pub fn closed(&self, label: String) {
        bump(&self.closes, label);
    }

    /// Counts a refusal.
    pub fn refused(&self, label: String, retry_after_ms: Option<u64>) {
        bump(&self.refusals, label);
        if let Some(ms) = retry_after_ms {
            self.max_retry_after_ms.fetch_max(ms, Ordering::Relaxed);
        }
    }

    /// Marks the fault's start (the kill or stop is about to be sent).
    pub fn fault_started(&self) {
        self.fault_start_ns.store(self.now_ns(), Ordering::Relaxed);
    }

    /// Marks the fault's end (restarted, continued, or, for a kill, the kill itself).
    pub fn fault_ended(&self) {
        self.fault_end_ns.store(self.now_ns(), Ordering::Relaxed);
    }

    /// When the fault started, if it has.
    pub fn fault_start(&self) -> Option<u64> {
        Some(self.fault_start_ns.load(Ordering::Relaxed)).filter(|&t| t != NOT_YET)
    }

    /// When the fault ended, if it has.
    pub fn fault_end(&self) -> Option<u64> {
        Some(self.fault_end_ns.load(Ordering::Relaxed)).filter(|&t| t != NOT_YET)
    }

    /// The accept counts so far, per bucket.
    pub fn accepts(&self) -> Vec<u32> {
        self.accepts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Close counts by name.
    pub fn closes(&self) -> BTreeMap<String, u64> {
        self.closes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Refusal counts by name.
    pub fn refusals(&self) -> BTreeMap<String, u64> {
        self.refusals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn bump(map: &Mutex<BTreeMap<String, u64>>, label: String) {
    *map.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(label)
        .or_default() += 1;
}

/// The most accepts in any second (ten consecutive buckets) from bucket `from` on, and
/// the second (since the epoch) that window started.
pub fn peak_per_second(accepts: &[u32], from: usize) -> (u32, f64) {
    let window = usize::try_from(1_000_000_000 / BUCKET_NS).unwrap_or(10);
    let mut best = (0, 0.0);
    for start in from..accepts.len() {
        let sum: u32 = accepts[start..accepts.len().min(start + window)]
            .iter()
            .sum();
        if sum > best.0 {
            best = (sum, start as f64 * BUCKET_NS as f64 / 1e9);
        }
    }
    best
}

/// Accepts per whole second from bucket `from` on, for `seconds` seconds.
pub fn per_second(accepts: &[u32], from: usize, seconds: usize) -> Vec<u32> {
    let window = usize::try_from(1_000_000_000 / BUCKET_NS).unwrap_or(10);
    (0..seconds)
        .map(|s| {
            let start = (from + s * window).min(accepts.len());
            let end = (start + window).min(accepts.len());
            accepts[start..end].iter().sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_second_is_found_wherever_it_starts() {
        let mut accepts = vec![0u32; 40];
        accepts[15..25].iter_mut().for_each(|a| *a = 3);
        assert_eq!(peak_per_second(&accepts, 0), (30, 1.5));
        assert_eq!(per_second(&accepts, 10, 3), vec![15, 15, 0]);
    }
}
