//! The load run: N clients spread over R rooms, S of them senders, either at a total rate
//! or flat out with a bounded number of unanswered messages each, for D seconds.
//!
//! Client `i` is in room `i % R`; clients `0..R` create the rooms, the rest join. Senders
//! are clients `0..S`. Every member (the sender included, through its own echo) records
//! each benchmark message's fan-out latency, from just before the sender wrote it to when
//! the receiver read it. After the send phase, the run waits for every delivery to arrive
//! (or `--drain` to pass) before it counts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde::Serialize;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

use crate::procstat::{self, ProcSample};
use crate::report::Latency;
use crate::tracker::SenderTrack;
use crate::wire::{self, Socket};

/// What to run.
#[derive(Debug, Clone, Args)]
pub struct LoadOptions {
    /// The relay's address; several (comma-separated) for relays of one cluster: client
    /// `i` connects to the `i mod n`-th, so every room spans every relay.
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1:9001")]
    pub server: Vec<SocketAddr>,
    /// Connections in total.
    #[arg(long, default_value_t = 10)]
    pub clients: usize,
    /// Rooms to spread them over (client `i` is in room `i % rooms`).
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// Clients that send (clients `0..senders`).
    #[arg(long, default_value_t = 1)]
    pub senders: usize,
    /// Messages per second over all senders; 0 sends flat out within `--window`.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Flat out: messages each sender may have in flight, counted in deliveries: a sender
    /// waits while more than `window x room size` of its deliveries are still on the way,
    /// so even the slowest member stays about `window` messages behind it (a window
    /// counted by the sender's own echo lets slow members fall arbitrarily far behind).
    #[arg(long, default_value_t = 8)]
    pub window: usize,
    /// Seconds of sending.
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// Bytes of each chat text (at least the header `sender.number.time.`).
    #[arg(long, default_value_t = 32)]
    pub size: usize,
    /// Most seconds to wait after sending for every delivery to arrive.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
    /// Connections opening at once while setting up.
    #[arg(long, default_value_t = 32)]
    pub join_concurrency: usize,
    /// Seconds to wait after everyone joined, for the join notices to settle.
    #[arg(long, default_value_t = 1.0)]
    pub settle: f64,
    /// The relay's PID, to report its RSS and CPU seconds.
    #[arg(long)]
    pub server_pid: Option<u32>,
}

/// Everything a load run measured.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Always `"load"`.
    pub mode: &'static str,
    /// Connections asked for.
    pub clients: usize,
    /// Rooms used.
    pub rooms: usize,
    /// Sending clients.
    pub senders: usize,
    /// Total rate asked for (0: flat out).
    pub rate: f64,
    /// Per-sender window when flat out.
    pub window: usize,
    /// Bytes per chat text.
    pub size: usize,
    /// Connections that joined.
    pub connected: usize,
    /// Connections that failed to connect or join.
    pub connect_errors: usize,
    /// Joined connections that ended before the run did (evicted or failed).
    pub disconnects: usize,
    /// Benchmark messages sent.
    pub sent: u64,
    /// Benchmark messages received, over all members (echoes included).
    pub deliveries: u64,
    /// Seconds from the first send to the last delivery (or the drain deadline).
    pub elapsed_s: f64,
    /// `deliveries / elapsed_s`.
    pub deliveries_per_s: f64,
    /// Deliveries that never arrived.
    pub lost: u64,
    /// Deliveries that arrived more than once.
    pub duplicated: u64,
    /// Deliveries that arrived after a later message from the same sender.
    pub out_of_order: u64,
    /// Fan-out latency.
    pub latency: Latency,
    /// The relay's CPU seconds over the run, when `--server-pid` was given.
    pub server_cpu_s: Option<f64>,
    /// The relay's CPU microseconds per delivery.
    pub server_cpu_us_per_delivery: Option<f64>,
    /// The relay's RSS at the end, bytes.
    pub server_rss_bytes: Option<u64>,
    /// The generator's own CPU seconds over the run (it shares the machine).
    pub generator_cpu_s: Option<f64>,
}

/// State the tasks of one run share.
struct Shared {
    epoch: Instant,
    /// Benchmark messages sent, per sender.
    sent: Vec<AtomicU64>,
    /// Distinct benchmark messages received, all receivers together.
    delivered: AtomicU64,
    /// Per sender: permits for deliveries in flight (flat out only); a sender takes one
    /// per member of its room for each message, each delivery gives one back.
    windows: Vec<Arc<Semaphore>>,
}

/// What one receiver saw.
struct Received {
    room: usize,
    tracks: Vec<SenderTrack>,
    latency: Histogram<u64>,
    ended_early: bool,
}

/// Runs one load run. Needs a tokio runtime; uses the current one.
pub async fn run(options: &LoadOptions) -> LoadReport {
    let rooms = options.rooms.max(1);
    let senders = options.senders.min(options.clients);
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        sent: (0..senders).map(|_| AtomicU64::new(0)).collect(),
        delivered: AtomicU64::new(0),
        windows: (0..senders).map(|_| Arc::new(Semaphore::new(0))).collect(),
    });
    let (start_tx, start_rx) = watch::channel(false);
    let (stop_tx, stop_rx) = watch::channel(false);

    let sockets = open_all(options, rooms).await;
    let connect_errors = sockets.iter().filter(|s| s.is_none()).count();
    let mut room_sizes = vec![0u64; rooms];
    for (i, socket) in sockets.iter().enumerate() {
        room_sizes[i % rooms] += u64::from(socket.is_some());
    }
    let connected = usize::try_from(room_sizes.iter().sum::<u64>()).unwrap_or(usize::MAX);
    let mut receivers = JoinSet::new();
    let mut sending = JoinSet::new();
    for (i, socket) in sockets.into_iter().enumerate() {
        let Some(socket) = socket else { continue };
        let (sink, stream) = socket.split();
        let place = Place {
            room: i % rooms,
            senders,
        };
        receivers.spawn(receive(stream, place, Arc::clone(&shared), stop_rx.clone()));
        if i < senders {
            let members = u32::try_from(room_sizes[i % rooms]).unwrap_or(u32::MAX);
            let window = options.window.max(1) * members as usize;
            shared.windows[i].add_permits(window);
            let sender = Sender { me: i, members };
            let task = send(
                sink,
                sender,
                options.clone(),
                Arc::clone(&shared),
                start_rx.clone(),
            );
            sending.spawn(task);
        }
    }
    tokio::time::sleep(Duration::from_secs_f64(options.settle)).await;

    let server_before = options.server_pid.and_then(procstat::sample);
    let generator_before = procstat::cpu_seconds(std::process::id());
    let started = Instant::now();
    let _ = start_tx.send(true);
    while sending.join_next().await.is_some() {}
    let expected: u64 = (0..senders)
        .map(|j| shared.sent[j].load(Ordering::Relaxed) * room_sizes[j % rooms])
        .sum();
    let drain_until = Instant::now() + Duration::from_secs_f64(options.drain);
    while shared.delivered.load(Ordering::Relaxed) < expected && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server_after = options.server_pid.and_then(procstat::sample);
    let generator_after = procstat::cpu_seconds(std::process::id());
    let _ = stop_tx.send(true);

    let mut report = LoadReport {
        mode: "load",
        clients: options.clients,
        rooms,
        senders,
        rate: options.rate,
        window: options.window,
        size: options.size,
        connected,
        connect_errors,
        disconnects: 0,
        sent: shared.sent.iter().map(|s| s.load(Ordering::Relaxed)).sum(),
        deliveries: 0,
        elapsed_s: elapsed,
        deliveries_per_s: 0.0,
        lost: 0,
        duplicated: 0,
        out_of_order: 0,
        latency: Latency::default(),
        server_cpu_s: None,
        server_cpu_us_per_delivery: None,
        server_rss_bytes: server_after.map(|s| s.rss_bytes),
        generator_cpu_s: generator_before
            .zip(generator_after)
            .map(|(before, after)| after - before),
    };
    let mut latency = new_histogram();
    while let Some(joined) = receivers.join_next().await {
        let Ok(received) = joined else {
            report.disconnects += 1;
            continue;
        };
        report.disconnects += usize::from(received.ended_early);
        let _ = latency.add(&received.latency);
        for (j, track) in received.tracks.iter().enumerate() {
            if j % rooms != received.room {
                continue;
            }
            let sent = shared.sent[j].load(Ordering::Relaxed);
            report.deliveries += track.distinct;
            report.lost += sent.saturating_sub(track.distinct);
            report.duplicated += track.duplicated;
            report.out_of_order += track.out_of_order;
        }
    }
    report.latency = Latency::from_histogram(&latency);
    report.deliveries_per_s = report.deliveries as f64 / elapsed.max(1e-9);
    if let (Some(before), Some(after)) = (server_before, server_after) {
        report.server_cpu_s = Some(after.cpu_seconds - before.cpu_seconds);
        report.server_cpu_us_per_delivery = cpu_per_delivery(before, after, report.deliveries);
    }
    report
}

fn cpu_per_delivery(before: ProcSample, after: ProcSample, deliveries: u64) -> Option<f64> {
    (deliveries > 0).then(|| (after.cpu_seconds - before.cpu_seconds) * 1e6 / deliveries as f64)
}

/// Latencies in nanoseconds, from 1 ns to 60 s, three significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000_000, 3).expect("constant bounds are valid")
}

/// Opens every connection: room creators first (one by one), then everyone else at most
/// `join_concurrency` at a time. `None` where connecting or joining failed.
async fn open_all(options: &LoadOptions, rooms: usize) -> Vec<Option<Socket>> {
    let mut sockets: Vec<Option<Socket>> = (0..options.clients).map(|_| None).collect();
    let mut codes = Vec::with_capacity(rooms);
    for (i, slot) in sockets.iter_mut().enumerate().take(rooms) {
        match wire::connect_and_enter(
            relay_of(options, i),
            None,
            &format!("c{i}"),
            None,
            wire::Presence::Full,
        )
        .await
        {
            Ok((ws, code)) => {
                *slot = Some(ws);
                codes.push(Some(code));
            }
            Err(err) => {
                eprintln!("room {i}: create failed: {err}");
                codes.push(None);
            }
        }
    }
    let limit = Arc::new(Semaphore::new(options.join_concurrency.max(1)));
    let mut joins = JoinSet::new();
    for i in rooms..options.clients {
        let Some(code) = codes[i % rooms].clone() else {
            continue;
        };
        let (limit, server) = (Arc::clone(&limit), relay_of(options, i));
        joins.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let result = wire::connect_and_enter(
                server,
                None,
                &format!("c{i}"),
                Some(&code),
                wire::Presence::Full,
            )
            .await;
            (i, result)
        });
    }
    let mut first_error = None;
    while let Some(joined) = joins.join_next().await {
        match joined {
            Ok((i, Ok((ws, _)))) => sockets[i] = Some(ws),
            Ok((_, Err(err))) => {
                first_error.get_or_insert_with(|| err.to_string());
            }
            Err(_) => {}
        }
    }
    if let Some(err) = first_error {
        eprintln!("some joins failed; the first error: {err}");
    }
    sockets
}

/// The relay client `i` connects to.
fn relay_of(options: &LoadOptions, i: usize) -> SocketAddr {
    options.server[i % options.server.len().max(1)]
}

/// One sender: waits for the start, then sends for `duration` at its share of `rate`, or
/// flat out within its window.
async fn send(
    mut sink: SplitSink<Socket, Message>,
    Sender { me, members }: Sender,
    options: LoadOptions,
    shared: Arc<Shared>,
    mut start_rx: watch::Receiver<bool>,
) {
    if start_rx.wait_for(|started| *started).await.is_err() {
        return;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(options.duration);
    let senders = shared.sent.len();
    let mut ticks = (options.rate > 0.0).then(|| {
        let period = Duration::from_secs_f64(senders as f64 / options.rate);
        // Spread the senders over one period instead of all sending at once.
        let offset = period.mul_f64(me as f64 / senders as f64);
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks
    });
    let window = Arc::clone(&shared.windows[me]);
    let mut number = 0u64;
    while tokio::time::Instant::now() < deadline {
        match ticks.as_mut() {
            Some(ticks) => {
                ticks.tick().await;
            }
            None => match tokio::time::timeout_at(deadline, window.acquire_many(members)).await {
                Ok(Ok(permit)) => permit.forget(),
                Ok(Err(_)) | Err(_) => return,
            },
        }
        let sent_ns = nanos_since(shared.epoch);
        let text = wire::chat_text(me, number, sent_ns, options.size);
        let chat = confab_protocol::ClientMessage::Chat {
            reply_to: None,
            client_id: number,
            text,
        };
        if sink
            .send(Message::Text(chat.to_json().into()))
            .await
            .is_err()
        {
            return;
        }
        shared.sent[me].fetch_add(1, Ordering::Relaxed);
        number += 1;
    }
}

/// A sender: its client index and how many members its room has (itself included).
#[derive(Debug, Clone, Copy)]
struct Sender {
    me: usize,
    members: u32,
}

/// Where a receiver is: its room, and how many senders there are.
#[derive(Debug, Clone, Copy)]
struct Place {
    room: usize,
    senders: usize,
}

/// One receiver: reads until told to stop, recording every benchmark message.
async fn receive(
    mut stream: SplitStream<Socket>,
    Place { room, senders, .. }: Place,
    shared: Arc<Shared>,
    mut stop_rx: watch::Receiver<bool>,
) -> Received {
    let mut received = Received {
        room,
        tracks: vec![SenderTrack::default(); senders],
        latency: new_histogram(),
        ended_early: false,
    };
    loop {
        let frame = tokio::select! {
            _ = stop_rx.wait_for(|stop| *stop) => return received,
            frame = stream.next() => frame,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break,
        };
        let Some(relayed) = wire::parse_relayed(&text) else {
            continue;
        };
        let now = nanos_since(shared.epoch);
        let _ = received
            .latency
            .record(now.saturating_sub(relayed.sent_ns).max(1));
        if let Some(track) = received.tracks.get_mut(relayed.sender) {
            let before = track.distinct;
            track.record(relayed.number);
            if track.distinct > before {
                shared.delivered.fetch_add(1, Ordering::Relaxed);
                shared.windows[relayed.sender].add_permits(1);
            }
        }
    }
    received.ended_early = !*stop_rx.borrow();
    if received.ended_early {
        // A member that is gone gives no permits back: stop everyone waiting for them.
        for window in &shared.windows {
            window.close();
        }
    }
    received
}

fn nanos_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
