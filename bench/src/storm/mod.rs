//! Storms and outages: many members in many rooms, chatting at a steady rate, while one
//! thing goes wrong ([`Fault`]): a relay killed and restarted, one of a cluster's relays
//! killed, Redis paused or restarted, a relay too slow for its bus subscription, or
//! nothing at all (the soak). The run starts its own relays and Redis ([`fleet`]), so it
//! knows their PIDs and can kill them, and reports what every member saw: how long until
//! each was back in its room with exactly what it missed or a `gap`, accepts per second,
//! refusals and close codes, chats never confirmed, and the processes' memory and open
//! files over time.
//!
//! # Layout
//! - [`fault`]: what goes wrong, and doing it.
//! - [`fleet`]: the relays and Redis the run owns.
//! - [`member`]: one member: join, read, send, reconnect and resume like the app.
//! - [`plan`]: what a member is told: its room, relays, schedules, and the run's phase.
//! - [`backoff`]: the app's jittered reconnect schedule, and a fixed one to compare.
//! - [`ledger`]: one member's `seq` bookkeeping: holes, repeats, gaps.
//! - [`journal`]: one member's story of the run (`members.log`), to find where a hole began.
//! - [`drafts`]: one sender's unconfirmed chats.
//! - [`frames`]: the relay's frames, decoded as far as a member needs.
//! - [`repeats`]: one member's record of chats received twice under different `seq`s.
//! - [`tally`]: counters every member adds to.
//! - [`sampler`]: RSS and open files of the run's processes, and their slopes.
//! - [`setup`]: starting the fleet and bringing every member into its room.
//! - [`report`]: what a run prints.

pub mod backoff;
pub mod drafts;
pub mod fault;
pub mod fleet;
pub mod frames;
pub mod journal;
pub mod ledger;
pub mod member;
pub mod plan;
pub mod repeats;
pub mod report;
pub mod sampler;
pub mod setup;
pub mod tally;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::Args;

pub use backoff::BackoffPolicy;
pub use fault::Fault;

use plan::Phase;
use report::StormReport;
use tally::Tally;

/// What to run.
#[derive(Debug, Clone, Args)]
pub struct StormOptions {
    /// What goes wrong.
    #[arg(long, value_enum, default_value = "relay-restart")]
    pub fault: Fault,
    /// The members' reconnect schedule.
    #[arg(long, value_enum, default_value = "jittered")]
    pub backoff: BackoffPolicy,
    /// The relay binary (a release build).
    #[arg(
        long,
        env = "CONFAB_RELAY",
        default_value = "target/release/confab-server"
    )]
    pub relay_bin: PathBuf,
    /// `redis-server`, started for cluster runs on a free loopback port.
    #[arg(long, default_value = "redis-server")]
    pub redis_bin: PathBuf,
    /// Relays to start; more than one (or a fault that needs it) starts Redis too.
    #[arg(long, default_value_t = 1)]
    pub relays: usize,
    /// Members in all.
    #[arg(long, default_value_t = 2000)]
    pub clients: usize,
    /// Rooms (member `i` is in room `i mod rooms`, on relay `i mod relays`).
    #[arg(long, default_value_t = 200)]
    pub rooms: usize,
    /// Members that send (members `0..senders`); 0 means every member.
    #[arg(long, default_value_t = 200)]
    pub senders: usize,
    /// Chats per second over all senders.
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// Bytes per chat text.
    #[arg(long, default_value_t = 32)]
    pub size: usize,
    /// Most chats one sender has unconfirmed at once; at that many its turns pass (counted
    /// as `held_back`) until echoes come. A person cannot type faster than the relay
    /// confirms for long, and the relay's burst limit (20 by default, lifted for the bench)
    /// would refuse the rest: without this, a sender cut off for 8 s at 200 chats/s
    /// resends 1,600 chats at once when it is back, a flood of its own making.
    #[arg(long, default_value_t = 64)]
    pub max_unconfirmed: u64,
    /// Rooms are permanent rooms the relays are started with (`--room s0,s1,...`): they
    /// exist again after a restart, so "back in its room" is defined even when the
    /// relay forgot everything. Otherwise members create their rooms.
    #[arg(long)]
    pub permanent_rooms: bool,
    /// Seconds of chatting before the fault (the whole run for `--fault none`).
    #[arg(long, default_value_t = 5.0)]
    pub warmup: f64,
    /// How long the fault lasts: relay or Redis down, Redis or the relay stopped.
    #[arg(long, default_value_t = 1.0)]
    pub down: f64,
    /// Seconds of chatting after the fault ends.
    #[arg(long, default_value_t = 20.0)]
    pub after: f64,
    /// Most seconds to wait, once the chatting stops, for every member to catch up.
    #[arg(long, default_value_t = 30.0)]
    pub drain: f64,
    /// First joins at once while setting up.
    #[arg(long, default_value_t = 64)]
    pub join_concurrency: usize,
    /// Seconds between RSS and open-file samples.
    #[arg(long, default_value_t = 0.5)]
    pub sample_every: f64,
    /// Slow subscriber: Redis's `hard soft seconds` output buffer limit for pub/sub
    /// clients during the run.
    #[arg(long, default_value = "1mb 512kb 1")]
    pub pubsub_limit: String,
    /// Extra flags for every relay (repeat it: `--relay-arg=--relay-ttl --relay-arg=5s`).
    #[arg(long = "relay-arg", allow_hyphen_values = true)]
    pub relay_args: Vec<String>,
    /// Where the relays' and Redis's logs go (default: a fresh directory under /tmp).
    #[arg(long)]
    pub log_dir: Option<PathBuf>,
}

/// Runs one storm. Needs a tokio runtime; uses the current one.
pub async fn run(options: &StormOptions) -> std::io::Result<StormReport> {
    let tally = Arc::new(Tally::new(options.clients, options.rooms.max(1)));
    let (mut fleet, log_dir) = setup::start_fleet(options).await?;
    options.fault.prepare(&fleet, &options.pubsub_limit)?;
    let targets = Arc::new(Mutex::new(setup::labelled_pids(&fleet)));
    let samples = Arc::new(Mutex::new(sampler::Samples::default()));
    let every = Duration::from_secs_f64(options.sample_every.max(0.05));
    let sampling = sampler::spawn(
        Arc::clone(&targets),
        Arc::clone(&samples),
        tally.epoch,
        every,
    );

    let (control_tx, control_rx) = tokio::sync::watch::channel(Phase::Setup);
    let joined = setup::join_all(options, &fleet, &tally, &control_rx).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let send_start = tally.epoch.elapsed().as_secs_f64();
    let _ = control_tx.send(Phase::Sending);
    tokio::time::sleep(Duration::from_secs_f64(options.warmup)).await;

    let fault_at = (options.fault != Fault::None).then(|| tally.epoch.elapsed().as_secs_f64());
    let down = Duration::from_secs_f64(options.down);
    let injected = options.fault.inject(&mut fleet, &tally, down).await;
    // A restarted process has a new PID.
    *targets.lock().unwrap_or_else(PoisonError::into_inner) = setup::labelled_pids(&fleet);
    if options.fault != Fault::None {
        tokio::time::sleep(Duration::from_secs_f64(options.after)).await;
    }
    let send_end = tally.epoch.elapsed().as_secs_f64();
    let _ = control_tx.send(Phase::Quiet);
    let caught_up = drain(&tally, options, Duration::from_secs_f64(options.drain)).await;
    let stop_at = tally.epoch.elapsed().as_secs_f64();
    let _ = control_tx.send(Phase::Stop);
    let mut outcomes = Vec::with_capacity(joined.members.len());
    for member in joined.members {
        if let Ok(outcome) = member.await {
            outcomes.push(outcome);
        }
    }
    let journals: String = outcomes
        .iter()
        .enumerate()
        .map(|(i, outcome)| outcome.journal.render(i))
        .collect();
    if let Err(err) = std::fs::write(log_dir.join("members.log"), journals) {
        eprintln!("members.log not written: {err}");
    }
    sampling.abort();
    let summaries = samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .summarize(fault_at, (send_start, send_end), stop_at);
    let context = report::Context {
        options,
        tally: &tally,
        fleet: &fleet,
        log_dir,
        connect_errors: joined.connect_errors,
        first_error: joined.first_error,
        fault_error: injected.err().map(|e| e.to_string()),
        caught_up_s: caught_up,
        setup_end_bucket: joined.setup_end_bucket,
    };
    Ok(report::build(&context, &outcomes, summaries))
}

/// Waits until every member that ever joined is in its room and has seen its room's
/// newest `seq`, or until `limit`; returns the seconds it took, `None` if it never did.
async fn drain(tally: &Tally, options: &StormOptions, limit: Duration) -> Option<f64> {
    let started = Instant::now();
    let rooms = options.rooms.max(1);
    loop {
        if caught_up(tally, rooms) {
            return Some(started.elapsed().as_secs_f64());
        }
        if started.elapsed() >= limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every joined member is in its room and at its room's newest `seq`, none is out, and
/// every chat written was confirmed.
fn caught_up(tally: &Tally, rooms: usize) -> bool {
    if tally
        .unconfirmed
        .iter()
        .any(|n| n.load(Ordering::Relaxed) > 0)
    {
        return false;
    }
    let mut newest = vec![0u64; rooms];
    for (i, next) in tally.next_seq.iter().enumerate() {
        let slot = &mut newest[i % rooms];
        *slot = (*slot).max(next.load(Ordering::Relaxed));
    }
    tally.next_seq.iter().enumerate().all(|(i, next)| {
        let joined = tally.joined[i].load(Ordering::Relaxed);
        let next = next.load(Ordering::Relaxed);
        // A member that never joined (a setup failure) has nothing to catch up with.
        (joined && next == newest[i % rooms]) || (!joined && next == 0)
    })
}
