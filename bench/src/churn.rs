//! The churn run: many people join rooms as fast as they can, then all but one per room
//! leave at once. What it measures is what presence costs: joins per second, the bytes
//! every client receives while a room fills, and how many members the relay evicts as slow
//! consumers because of other people's joins and leaves (a client that reads normally
//! should never be).
//!
//! Every connection reads all the time (so it is never slow on its own account) and counts
//! the bytes it receives and the close code it gets.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

use crate::procstat;
use crate::wire::{self, Socket};

/// The relay's close code for an evicted slow consumer.
const SLOW_CONSUMER: u16 = 4000;

/// What to run.
#[derive(Debug, Clone, Args)]
pub struct ChurnOptions {
    /// The relay's address; several (comma-separated) for relays of one cluster: member
    /// `i` (creator or joiner) connects to the `i mod n`-th, so every room spans every relay.
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1:9001")]
    pub server: Vec<SocketAddr>,
    /// Members in all rooms (creators included).
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// Rooms to spread them over (member `i` is in room `i % rooms`).
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// Connections opening at once.
    #[arg(long, default_value_t = 64)]
    pub join_concurrency: usize,
    /// Seconds without a received byte that count as "the room has settled".
    #[arg(long, default_value_t = 0.5)]
    pub quiet: f64,
    /// The relay's PID, to report its CPU seconds.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Clients ask for compact presence changes (`hello` with `roster_deltas`).
    #[arg(long)]
    pub roster_deltas: bool,
    /// Clients ask for batched presence changes (`hello` with `presence_batches`).
    #[arg(long, conflicts_with = "roster_deltas")]
    pub presence_batches: bool,
}

/// What a churn run measured.
#[derive(Debug, Clone, Serialize)]
pub struct ChurnReport {
    /// Always `"churn"`.
    pub mode: &'static str,
    /// Members asked for.
    pub members: usize,
    /// Rooms.
    pub rooms: usize,
    /// Members that joined.
    pub joined: usize,
    /// Connections that failed to connect or join.
    pub connect_errors: usize,
    /// Seconds from the first connect to the last `welcome`.
    pub join_s: f64,
    /// `joined / join_s`.
    pub joins_per_s: f64,
    /// Bytes every client together received from the first connect until the rooms were
    /// quiet (welcomes and join notices).
    pub join_bytes_received: u64,
    /// Members evicted as slow consumers while the rooms filled.
    pub join_evictions: usize,
    /// The relay's CPU seconds from the first connect until the rooms were quiet.
    pub join_server_cpu_s: Option<f64>,
    /// This generator's own CPU seconds over the same time: on one machine the two share
    /// the cores, so the join rate is bounded by what both spend per join.
    pub join_generator_cpu_s: Option<f64>,
    /// Seconds from sending every `leave` until the rooms were quiet.
    pub leave_s: f64,
    /// Bytes received while they left.
    pub leave_bytes_received: u64,
    /// Members evicted as slow consumers while the others left.
    pub leave_evictions: usize,
    /// The relay's CPU seconds for the whole run.
    pub server_cpu_s: Option<f64>,
}

/// What every connection's reader adds to.
#[derive(Debug, Default)]
struct Tally {
    bytes: AtomicU64,
    evictions: AtomicUsize,
}

/// Runs one churn run. Needs a tokio runtime; uses the current one.
pub async fn run(options: &ChurnOptions) -> ChurnReport {
    let cpu_before = options.server_pid.and_then(procstat::cpu_seconds);
    let generator_cpu_before = procstat::cpu_seconds(std::process::id());
    let tally = Arc::new(Tally::default());
    let (leave_tx, leave_rx) = watch::channel(false);
    let rooms = options.rooms.clamp(1, options.members.max(1));
    let presence = wire::Presence::from_flags(options.roster_deltas, options.presence_batches);
    let limit = Arc::new(Semaphore::new(options.join_concurrency.max(1)));
    let started = Instant::now();
    let mut readers = JoinSet::new();
    // The creators open their rooms as concurrently as the joiners join: a run of many
    // small rooms measures the relay, not one round trip after another.
    let mut creations = JoinSet::new();
    for i in 0..rooms {
        let (limit, server) = (Arc::clone(&limit), relay_of(options, i));
        creations.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let name = format!("c{i}");
            (
                i,
                wire::connect_and_enter(server, None, &name, None, presence).await,
            )
        });
    }
    let mut codes = vec![None; rooms];
    let mut connect_errors = 0;
    while let Some(created) = creations.join_next().await {
        match created {
            Ok((i, Ok((ws, code)))) => {
                codes[i] = Some(code);
                // Creators stay: they are the ones who watch everybody else leave.
                readers.spawn(read(ws, Arc::clone(&tally), None));
            }
            _ => connect_errors += 1,
        }
    }
    let mut joins = JoinSet::new();
    for i in rooms..options.members {
        let Some(code) = codes[i % rooms].clone() else {
            continue;
        };
        let (limit, server) = (Arc::clone(&limit), relay_of(options, i));
        joins.spawn(async move {
            let _permit = limit.acquire_owned().await;
            wire::connect_and_enter(server, None, &format!("c{i}"), Some(&code), presence).await
        });
    }
    let mut joined = codes.iter().flatten().count();
    while let Some(result) = joins.join_next().await {
        match result {
            Ok(Ok((ws, _))) => {
                joined += 1;
                readers.spawn(read(ws, Arc::clone(&tally), Some(leave_rx.clone())));
            }
            _ => connect_errors += 1,
        }
    }
    let join_s = started.elapsed().as_secs_f64();
    let quiet = Duration::from_secs_f64(options.quiet);
    until_quiet(&tally, quiet).await;
    let join_bytes_received = tally.bytes.swap(0, Ordering::Relaxed);
    let join_evictions = tally.evictions.swap(0, Ordering::Relaxed);
    let join_server_cpu_s = cpu_spent(cpu_before, options.server_pid);
    let join_generator_cpu_s = cpu_spent(generator_cpu_before, Some(std::process::id()));

    let leaving = Instant::now();
    let _ = leave_tx.send(true);
    let settled = until_quiet(&tally, quiet).await;
    let leave_s = settled.duration_since(leaving).as_secs_f64();
    let report = ChurnReport {
        mode: "churn",
        members: options.members,
        rooms,
        joined,
        connect_errors,
        join_s,
        joins_per_s: joined as f64 / join_s.max(f64::EPSILON),
        join_bytes_received,
        join_evictions,
        join_server_cpu_s,
        join_generator_cpu_s,
        leave_s,
        leave_bytes_received: tally.bytes.load(Ordering::Relaxed),
        leave_evictions: tally.evictions.load(Ordering::Relaxed),
        server_cpu_s: cpu_spent(cpu_before, options.server_pid),
    };
    readers.abort_all();
    report
}

/// CPU seconds `pid` has spent since it had spent `before`.
fn cpu_spent(before: Option<f64>, pid: Option<u32>) -> Option<f64> {
    before
        .zip(pid.and_then(procstat::cpu_seconds))
        .map(|(before, now)| now - before)
}

/// Waits until no byte has arrived for `quiet`; returns when the last one did.
async fn until_quiet(tally: &Tally, quiet: Duration) -> Instant {
    let mut last_change = Instant::now();
    let mut last_bytes = tally.bytes.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let bytes = tally.bytes.load(Ordering::Relaxed);
        if bytes != last_bytes {
            (last_bytes, last_change) = (bytes, Instant::now());
        } else if last_change.elapsed() >= quiet {
            return last_change;
        }
    }
}

/// Reads one connection until it ends, counting bytes and slow-consumer closes; sends
/// `leave` once `leave_rx` says so (never, for `None`).
async fn read(mut ws: Socket, tally: Arc<Tally>, mut leave_rx: Option<watch::Receiver<bool>>) {
    loop {
        let leave = async {
            match leave_rx.as_mut() {
                Some(rx) => rx.wait_for(|leave| *leave).await.is_ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            go = leave => {
                leave_rx = None;
                if go && ws.send(Message::Text(r#"{"type":"leave"}"#.into())).await.is_err() {
                    return;
                }
            }
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    tally.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                }
                Some(Ok(Message::Close(close))) => {
                    if close.is_some_and(|c| u16::from(c.code) == SLOW_CONSUMER) {
                        tally.evictions.fetch_add(1, Ordering::Relaxed);
                    }
                    return;
                }
                Some(Ok(_)) => {}
                _ => return,
            },
        }
    }
}

/// The relay member `i` connects to.
fn relay_of(options: &ChurnOptions, i: usize) -> SocketAddr {
    options.server[i % options.server.len().max(1)]
}
