//! The start-up run: spawn the relay binary, time how long until it accepts a TCP
//! connection, then read its idle RSS. Repeated, reported as median, min and max.
//!
//! The relay is started with `--bind 127.0.0.1:PORT` on a port the generator just found
//! free, and killed (by its own child handle) after each round.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;

use crate::procstat;

/// Longest wait for the relay to accept before a round counts as failed.
const ACCEPT_DEADLINE: Duration = Duration::from_secs(5);

/// How often to try connecting while waiting.
const POLL_EVERY: Duration = Duration::from_micros(200);

/// What to run.
#[derive(Debug, Clone, Args)]
pub struct StartupOptions {
    /// The relay binary (a release build: `target/release/confab-server`).
    #[arg(long, default_value = "target/release/confab-server")]
    pub binary: PathBuf,
    /// Rounds to run.
    #[arg(long, default_value_t = 10)]
    pub rounds: usize,
    /// Milliseconds to wait after the first accept before reading the idle RSS.
    #[arg(long, default_value_t = 500)]
    pub idle_wait_ms: u64,
    /// Extra arguments for the relay (after `--`).
    #[arg(last = true)]
    pub relay_args: Vec<String>,
}

/// What a start-up run measured.
#[derive(Debug, Clone, Serialize)]
pub struct StartupReport {
    /// Always `"startup"`.
    pub mode: &'static str,
    /// Rounds that reached an accepted connection.
    pub rounds: usize,
    /// Median ms from spawn to the first accepted TCP connection.
    pub accept_ms_median: f64,
    /// Fastest round.
    pub accept_ms_min: f64,
    /// Slowest round.
    pub accept_ms_max: f64,
    /// Median idle RSS after `idle_wait_ms`, bytes.
    pub idle_rss_median: u64,
    /// Rounds that failed to start or accept in time.
    pub failures: usize,
}

/// Runs the start-up rounds.
pub fn run(options: &StartupOptions) -> StartupReport {
    let mut accept_ms = Vec::new();
    let mut rss = Vec::new();
    let mut failures = 0;
    for _ in 0..options.rounds {
        match round(options) {
            Some((ms, bytes)) => {
                accept_ms.push(ms);
                rss.push(bytes);
            }
            None => failures += 1,
        }
    }
    accept_ms.sort_by(f64::total_cmp);
    rss.sort_unstable();
    StartupReport {
        mode: "startup",
        rounds: accept_ms.len(),
        accept_ms_median: median(&accept_ms).unwrap_or(f64::NAN),
        accept_ms_min: accept_ms.first().copied().unwrap_or(f64::NAN),
        accept_ms_max: accept_ms.last().copied().unwrap_or(f64::NAN),
        idle_rss_median: rss.get(rss.len() / 2).copied().unwrap_or(0),
        failures,
    }
}

/// One spawn: ms until accepting and the idle RSS, or `None` if it never accepted.
fn round(options: &StartupOptions) -> Option<(f64, u64)> {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let started = Instant::now();
    let mut child = Command::new(&options.binary)
        .arg("--bind")
        .arg(addr.to_string())
        .args(&options.relay_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut accepted = None;
    while started.elapsed() < ACCEPT_DEADLINE {
        if TcpStream::connect(addr).is_ok() {
            accepted = Some(started.elapsed().as_secs_f64() * 1000.0);
            break;
        }
        std::thread::sleep(POLL_EVERY);
    }
    std::thread::sleep(Duration::from_millis(options.idle_wait_ms));
    let rss = procstat::rss_bytes(child.id());
    let _ = child.kill();
    let _ = child.wait();
    accepted.zip(rss)
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(f64::midpoint(sorted[n / 2 - 1], sorted[n / 2])),
    }
}
