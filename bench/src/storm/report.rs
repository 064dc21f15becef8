//! What a storm run prints: one flat report (a table and a JSON line through
//! [`crate::report`]), built from every member's [`Outcome`], the [`Tally`] and the
//! sampler's summaries.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use serde::Serialize;

use super::StormOptions;
use super::backoff::BackoffPolicy;
use super::drafts::SendCounts;
use super::fault::Fault;
use super::fleet::Fleet;
use super::ledger::LedgerCounts;
use super::member::Outcome;
use super::sampler::ProcessSummary;
use super::tally::{self, Tally};
use crate::report::Latency;

/// Seconds of accept rate listed after the fault.
const ACCEPT_SECONDS_SHOWN: usize = 15;

/// Everything a storm run measured.
#[derive(Debug, Clone, Serialize)]
pub struct StormReport {
    /// Always `"storm"`.
    pub mode: &'static str,
    /// What went wrong.
    pub fault: Fault,
    /// The members' reconnect schedule.
    pub backoff: BackoffPolicy,
    /// Relays run.
    pub relays: usize,
    /// Members asked for.
    pub clients: usize,
    /// Rooms.
    pub rooms: usize,
    /// Chats per second asked for, over all senders.
    pub rate: f64,
    /// Where the processes' logs are.
    pub log_dir: String,
    /// Members whose first join succeeded.
    pub joined: usize,
    /// Members whose first join failed.
    pub connect_errors: usize,
    /// The first of those failures.
    pub first_error: Option<String>,
    /// Injecting the fault failed (the run's numbers are then not about that fault).
    pub fault_error: Option<String>,
    /// Members whose connection ended at least once.
    pub members_dropped: usize,
    /// Connections that ended under members, in all.
    pub drops: u64,
    /// Successful re-joins, in all.
    pub reconnects: u64,
    /// Seconds from the fault's start until each dropped member was back in its room
    /// (welcomed, with its missed chats or a `gap`): median, 99th percentile, last.
    pub back_p50_s: Option<f64>,
    /// See `back_p50_s`.
    pub back_p99_s: Option<f64>,
    /// See `back_p50_s`: "every client back" is this.
    pub back_max_s: Option<f64>,
    /// Members not in their room when the run ended (must be 0).
    pub out_at_end: usize,
    /// Seconds from the fault's end until the last room carried a chat again (a chat sent
    /// after the fault's end came back to its sender).
    pub rooms_working_s: Option<f64>,
    /// Rooms with senders where no chat sent after the fault came back (must be 0).
    pub rooms_not_working: usize,
    /// Seconds after the chatting stopped until every member had its room's newest `seq`
    /// (`None`: some never did within `--drain`).
    pub caught_up_s: Option<f64>,
    /// The members' `seq` bookkeeping, summed: `holes` and `duplicates` must be 0.
    pub ledger: LedgerCounts,
    /// Up to 10 members with silent holes: `m{index}@relay{first relay}: expected
    /// SEQ got SEQ` (must be empty).
    pub holes_at: Vec<String>,
    /// The senders' chats, summed.
    pub sends: SendCounts,
    /// Chats never confirmed to their sender (must be 0).
    pub unconfirmed: u64,
    /// Live chats received, over all members.
    pub live_deliveries: u64,
    /// Chats received again under a new `seq` (one chat sequenced twice), over all
    /// members (must be 0).
    pub repeated_texts: u64,
    /// Latency of live chats, from first send (a resent chat keeps its first time).
    pub latency: Latency,
    /// Close codes members received, by code (`dropped`: the connection just ended).
    pub closes: BTreeMap<String, u64>,
    /// Refusals: `join:CODE`, `chat:CODE`, `http:STATUS`, `tcp:KIND`.
    pub refusals: BTreeMap<String, u64>,
    /// Largest `retry_after_ms` seen on a refusal.
    pub max_retry_after_ms: u64,
    /// Most WebSocket handshakes completed in one second while everyone first joined.
    pub setup_peak_accepts_per_s: u32,
    /// Most in one second after the setup (the storm's peak).
    pub storm_peak_accepts_per_s: u32,
    /// Most in one 100 ms bucket after the setup: how tightly the storm's joins bunch up.
    pub storm_peak_accepts_per_100ms: u32,
    /// When that second began, seconds after the fault's start.
    pub storm_peak_at_s: Option<f64>,
    /// Handshakes completed in each second from the fault's start.
    pub accepts_per_s_after_fault: Vec<u32>,
    /// RSS and open files of every process, steady, peak and end, and their slopes.
    pub processes: Vec<ProcessSummary>,
    /// Lines of Redis's log saying it dropped a client over its output buffer limit.
    pub redis_buffer_limit_drops: Option<usize>,
}

/// What the run knows besides the members' outcomes.
pub struct Context<'a> {
    /// The run's options.
    pub options: &'a StormOptions,
    /// The shared counters.
    pub tally: &'a Tally,
    /// The processes (still running).
    pub fleet: &'a Fleet,
    /// Where their logs are.
    pub log_dir: PathBuf,
    /// First joins that failed.
    pub connect_errors: usize,
    /// The first of those failures.
    pub first_error: Option<String>,
    /// Why injecting the fault failed, if it did.
    pub fault_error: Option<String>,
    /// Seconds to catch up after the chatting stopped.
    pub caught_up_s: Option<f64>,
    /// The accept bucket the setup ended in.
    pub setup_end_bucket: usize,
}

/// Builds the report.
pub fn build(
    ctx: &Context<'_>,
    outcomes: &[Outcome],
    processes: Vec<ProcessSummary>,
) -> StormReport {
    let tally = ctx.tally;
    let (mut ledger, mut sends) = (LedgerCounts::default(), SendCounts::default());
    let fault_start = tally.fault_start();
    let mut back: Vec<f64> = Vec::new();
    for outcome in outcomes {
        ledger += outcome.ledger;
        sends += outcome.sends;
        if let Some((at, start)) = outcome.back_ns.zip(fault_start) {
            back.push(at.saturating_sub(start) as f64 / 1e9);
        }
    }
    back.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        let last = back.len().checked_sub(1)?;
        back.get(((last as f64) * q).round() as usize).copied()
    };
    let accepts = tally.accepts();
    let fault_bucket = fault_start.map(|ns| usize::try_from(ns / tally::BUCKET_NS).unwrap_or(0));
    let (storm_peak, peak_at) = tally::peak_per_second(&accepts, ctx.setup_end_bucket);
    let (rooms_working_s, rooms_not_working) = rooms_back(ctx);
    let latency = tally.latency.lock().unwrap_or_else(PoisonError::into_inner);
    StormReport {
        mode: "storm",
        fault: ctx.options.fault,
        backoff: ctx.options.backoff,
        relays: ctx.fleet.relay_addrs().len(),
        clients: ctx.options.clients,
        rooms: ctx.options.rooms,
        rate: ctx.options.rate,
        log_dir: ctx.log_dir.display().to_string(),
        joined: outcomes.iter().filter(|o| o.joined_once).count(),
        connect_errors: ctx.connect_errors,
        first_error: ctx.first_error.clone(),
        fault_error: ctx.fault_error.clone(),
        members_dropped: outcomes.iter().filter(|o| o.drops > 0).count(),
        drops: outcomes.iter().map(|o| o.drops).sum(),
        reconnects: outcomes.iter().map(|o| o.reconnects).sum(),
        back_p50_s: quantile(0.5),
        back_p99_s: quantile(0.99),
        back_max_s: back.last().copied(),
        out_at_end: outcomes
            .len()
            .saturating_sub(
                tally
                    .joined
                    .iter()
                    .filter(|j| j.load(Ordering::Relaxed))
                    .count(),
            )
            .saturating_sub(outcomes.iter().filter(|o| !o.joined_once).count()),
        rooms_working_s,
        rooms_not_working,
        caught_up_s: ctx.caught_up_s,
        ledger,
        holes_at: holes_at(outcomes, ctx.fleet.relay_addrs().len()),
        sends,
        unconfirmed: outcomes.iter().map(|o| o.unconfirmed).sum(),
        live_deliveries: outcomes.iter().map(|o| o.live).sum(),
        repeated_texts: outcomes.iter().map(|o| o.repeated_texts).sum(),
        latency: Latency::from_histogram(&latency),
        closes: tally.closes(),
        refusals: tally.refusals(),
        max_retry_after_ms: tally.max_retry_after_ms.load(Ordering::Relaxed),
        setup_peak_accepts_per_s: tally::peak_per_second(
            &accepts[..ctx.setup_end_bucket.min(accepts.len())],
            0,
        )
        .0,
        storm_peak_accepts_per_s: storm_peak,
        storm_peak_accepts_per_100ms: accepts
            .get(ctx.setup_end_bucket..)
            .and_then(|after| after.iter().max().copied())
            .unwrap_or(0),
        storm_peak_at_s: fault_start.map(|start| peak_at - start as f64 / 1e9),
        accepts_per_s_after_fault: fault_bucket
            .map(|from| tally::per_second(&accepts, from, ACCEPT_SECONDS_SHOWN))
            .unwrap_or_default(),
        processes,
        redis_buffer_limit_drops: std::fs::read_to_string(ctx.log_dir.join("redis.log"))
            .ok()
            .map(|log| {
                log.lines()
                    .filter(|l| l.contains("output buffer limits"))
                    .count()
            }),
    }
}

/// The first few members with a silent hole, and where.
fn holes_at(outcomes: &[Outcome], relays: usize) -> Vec<String> {
    outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let (expected, got) = o.first_hole?;
            Some(format!(
                "m{i}@relay{}: expected {expected} got {got}",
                i % relays.max(1)
            ))
        })
        .take(10)
        .collect()
}

/// Seconds from the fault's end to the last room's first chat after it, and how many rooms
/// with senders never had one.
fn rooms_back(ctx: &Context<'_>) -> (Option<f64>, usize) {
    let Some(end) = ctx.tally.fault_end() else {
        return (None, 0);
    };
    let senders = match ctx.options.senders {
        0 => ctx.options.clients,
        n => n.min(ctx.options.clients),
    };
    let rooms_with_senders = ctx.options.rooms.max(1).min(senders);
    let back: Vec<u64> = ctx.tally.room_back_ns
        [..rooms_with_senders.min(ctx.tally.room_back_ns.len())]
        .iter()
        .map(|slot| slot.load(Ordering::Relaxed))
        .collect();
    let missing = back.iter().filter(|&&at| at == 0).count();
    let last = back.iter().filter(|&&at| at > 0).max();
    (last.map(|&at| at.saturating_sub(end) as f64 / 1e9), missing)
}
