//! The idle run: N connections that join rooms and then say nothing, to see what a quiet
//! member costs the relay (RSS per connection) and how many it can hold.
//!
//! Connections are spread over rooms of `--room-size` members, and over source addresses
//! `127.0.0.1`, `127.0.0.2`, ... (`--per-source` each), since one source address has only
//! about 28k ephemeral ports towards one relay port. Every connection keeps reading (and
//! so answers pings and takes its room's join notices) until the run ends.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::procstat;
use crate::wire::{self, Socket};

/// What to run.
#[derive(Debug, Clone, Args)]
pub struct IdleOptions {
    /// The relay's address.
    #[arg(long, default_value = "127.0.0.1:9001")]
    pub server: SocketAddr,
    /// Connections to open.
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// Members per room.
    #[arg(long, default_value_t = 100)]
    pub room_size: usize,
    /// Connections per 127.0.0.x source address before moving to the next one.
    #[arg(long, default_value_t = 20_000)]
    pub per_source: usize,
    /// Connections opening at once.
    #[arg(long, default_value_t = 64)]
    pub join_concurrency: usize,
    /// Seconds to wait after the last join before measuring.
    #[arg(long, default_value_t = 3.0)]
    pub settle: f64,
    /// Seconds to hold the connections after measuring.
    #[arg(long, default_value_t = 0.0)]
    pub hold: f64,
    /// The relay's PID, to report its RSS.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Clients ask for compact presence changes (`hello` with `roster_deltas`).
    #[arg(long)]
    pub roster_deltas: bool,
    /// Clients ask for batched presence changes (`hello` with `presence_batches`), as the
    /// app does.
    #[arg(long, conflicts_with = "roster_deltas")]
    pub presence_batches: bool,
}

/// What an idle run measured.
#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    /// Always `"idle"`.
    pub mode: &'static str,
    /// Connections asked for.
    pub connections: usize,
    /// Connections that joined and were still open when measured.
    pub held: usize,
    /// Connections that failed to connect or join.
    pub connect_errors: usize,
    /// Seconds to open and join them all.
    pub connect_s: f64,
    /// The relay's RSS before the first connection, bytes.
    pub server_rss_before: Option<u64>,
    /// The relay's RSS with every connection held, bytes.
    pub server_rss_after: Option<u64>,
    /// `(after - before) / held`, bytes.
    pub server_rss_per_connection: Option<f64>,
    /// The generator's own RSS, bytes.
    pub generator_rss: Option<u64>,
    /// The first connect or join error, if any.
    pub first_error: Option<String>,
}

/// Runs one idle run. Needs a tokio runtime; uses the current one.
pub async fn run(options: &IdleOptions) -> IdleReport {
    let before = options.server_pid.and_then(procstat::rss_bytes);
    let rooms = options
        .connections
        .div_ceil(options.room_size.max(1))
        .max(1);
    let presence = wire::Presence::from_flags(options.roster_deltas, options.presence_batches);
    let open = Arc::new(AtomicUsize::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    let mut codes = Vec::with_capacity(rooms);
    let mut first_error = None;
    for i in 0..rooms.min(options.connections) {
        match wire::connect_and_enter(
            options.server,
            source(i, options),
            &format!("c{i}"),
            None,
            presence,
        )
        .await
        {
            Ok((ws, code)) => {
                codes.push(Some(code));
                open.fetch_add(1, Ordering::Relaxed);
                tasks.spawn(hold(ws, Arc::clone(&open), stop_rx.clone()));
            }
            Err(err) => {
                first_error.get_or_insert_with(|| err.to_string());
                codes.push(None);
            }
        }
    }
    let limit = Arc::new(Semaphore::new(options.join_concurrency.max(1)));
    let mut joins = JoinSet::new();
    for i in rooms..options.connections {
        let Some(code) = codes[i % rooms].clone() else {
            continue;
        };
        let (limit, server, from) = (Arc::clone(&limit), options.server, source(i, options));
        joins.spawn(async move {
            let _permit = limit.acquire_owned().await;
            wire::connect_and_enter(server, from, &format!("c{i}"), Some(&code), presence).await
        });
    }
    let mut connect_errors = codes.iter().filter(|c| c.is_none()).count();
    while let Some(joined) = joins.join_next().await {
        match joined {
            Ok(Ok((ws, _))) => {
                open.fetch_add(1, Ordering::Relaxed);
                tasks.spawn(hold(ws, Arc::clone(&open), stop_rx.clone()));
            }
            Ok(Err(err)) => {
                connect_errors += 1;
                first_error.get_or_insert_with(|| err.to_string());
            }
            Err(_) => connect_errors += 1,
        }
    }
    let connect_s = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs_f64(options.settle)).await;
    let after = options.server_pid.and_then(procstat::rss_bytes);
    let held = open.load(Ordering::Relaxed);
    let report = IdleReport {
        mode: "idle",
        connections: options.connections,
        held,
        connect_errors,
        connect_s,
        server_rss_before: before,
        server_rss_after: after,
        server_rss_per_connection: before
            .zip(after)
            .filter(|_| held > 0)
            .map(|(b, a)| (a as f64 - b as f64) / held as f64),
        generator_rss: procstat::rss_bytes(std::process::id()),
        first_error,
    };
    tokio::time::sleep(Duration::from_secs_f64(options.hold)).await;
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    report
}

/// The source address of connection `i`: `127.0.0.1` for the first `per_source`, then
/// `127.0.0.2`, and so on. `None` (let the OS choose) when one address is enough.
fn source(i: usize, options: &IdleOptions) -> Option<IpAddr> {
    if options.connections <= options.per_source {
        return None;
    }
    let n = u32::try_from(i / options.per_source.max(1)).unwrap_or(u32::MAX);
    Some(IpAddr::V4(Ipv4Addr::from(
        u32::from(Ipv4Addr::new(127, 0, 0, 1)) + n,
    )))
}

/// Keeps one connection open and read until the run stops.
async fn hold(mut ws: Socket, open: Arc<AtomicUsize>, mut stop_rx: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stop_rx.wait_for(|stop| *stop) => break,
            frame = ws.next() => if !matches!(frame, Some(Ok(_))) { break },
        }
    }
    open.fetch_sub(1, Ordering::Relaxed);
}
