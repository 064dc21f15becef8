//! Before the storm: start the run's relays (and Redis), then bring every member into its
//! room, room creators first, at most `--join-concurrency` first joins at a time.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::StormOptions;
use super::fault::Fault;
use super::fleet::{Fleet, FleetSpec};
use super::member::{self, Outcome};
use super::plan::{Entry, Phase, Plan};
use super::tally::{self, Tally};

/// Every member's task, and how the first joins went.
#[derive(Debug)]
pub struct Joined {
    /// One task per member that was started (its outcome comes at the end).
    pub members: Vec<JoinHandle<Outcome>>,
    /// Members whose first join failed (they gave up).
    pub connect_errors: usize,
    /// The first of those failures.
    pub first_error: Option<String>,
    /// The accept bucket the setup ended in: the storm's accept peak is looked for after it.
    pub setup_end_bucket: usize,
}

/// The name of permanent room `r` (`--permanent-rooms`); its code is the same in capitals.
pub fn permanent_room(r: usize) -> String {
    format!("s{r}")
}

/// Starts the relays (two at least for the faults that kill or stop one of a cluster's)
/// and Redis when needed, with logs in `--log-dir` or a fresh directory.
pub async fn start_fleet(options: &StormOptions) -> io::Result<(Fleet, PathBuf)> {
    let needs_two = matches!(options.fault, Fault::RelayKill | Fault::SlowSubscriber);
    let relays = if needs_two {
        options.relays.max(2)
    } else {
        options.relays.max(1)
    };
    let mut relay_args = options.relay_args.clone();
    if options.permanent_rooms {
        let names: Vec<String> = (0..options.rooms.max(1)).map(permanent_room).collect();
        relay_args.extend(["--room".to_owned(), names.join(",")]);
    }
    let log_dir = options.log_dir.clone().unwrap_or_else(|| {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        std::env::temp_dir().join(format!("confab-storm-{}-{stamp}", std::process::id()))
    });
    let spec = FleetSpec {
        relay_bin: options.relay_bin.clone(),
        relays,
        redis_bin: (relays > 1 || options.fault.needs_redis()).then(|| options.redis_bin.clone()),
        relay_args,
        log_dir: log_dir.clone(),
    };
    Ok((Fleet::start(&spec).await?, log_dir))
}

/// The processes to sample, labelled: `relay0`, `relay1`, ..., `redis`.
pub fn labelled_pids(fleet: &Fleet) -> Vec<(String, Option<u32>)> {
    let mut pids: Vec<(String, Option<u32>)> = (0..fleet.relay_addrs().len())
        .map(|i| (format!("relay{i}"), fleet.relay_pid(i)))
        .collect();
    if fleet.redis_addr().is_some() {
        pids.push(("redis".to_owned(), fleet.redis_pid()));
    }
    pids
}

/// Starts every member and waits for each one's first welcome (or failure).
pub async fn join_all(
    options: &StormOptions,
    fleet: &Fleet,
    tally: &Arc<Tally>,
    control_rx: &watch::Receiver<Phase>,
) -> Joined {
    let rooms = options.rooms.max(1).min(options.clients.max(1));
    let senders = match options.senders {
        0 => options.clients,
        n => n.min(options.clients),
    };
    let every = (senders > 0 && options.rate > 0.0)
        .then(|| Duration::from_secs_f64(senders as f64 / options.rate));
    let relays = fleet.relay_addrs();
    let plan = |index: usize, entry: Entry| Plan {
        index,
        room: index % rooms,
        entry,
        relays: relays.clone(),
        send_every: every.filter(|_| index < senders),
        // Senders spread over one period rather than all sending at once.
        send_offset: every.map_or(Duration::ZERO, |e| e.mul_f64(index as f64 / senders as f64)),
        size: options.size,
        policy: options.backoff,
        max_unconfirmed: options.max_unconfirmed,
    };
    let starter = Starter {
        limit: Arc::new(Semaphore::new(options.join_concurrency.max(1))),
        tally: Arc::clone(tally),
        control_rx: control_rx.clone(),
    };
    let mut joined = Joined {
        members: Vec::with_capacity(options.clients),
        connect_errors: 0,
        first_error: None,
        setup_end_bucket: 0,
    };
    let codes: Vec<Option<String>> = if options.permanent_rooms {
        (0..rooms).map(|r| Some(permanent_room(r))).collect()
    } else {
        let creators = (0..rooms).map(|i| plan(i, Entry::Create)).collect();
        starter.start(creators, &mut joined).await
    };
    let first_joiner = if options.permanent_rooms { 0 } else { rooms };
    let mut joiners = Vec::new();
    for i in first_joiner..options.clients {
        match &codes[i % rooms] {
            Some(code) => joiners.push(plan(i, Entry::Join(code.clone()))),
            None => joined.connect_errors += 1,
        }
    }
    starter.start(joiners, &mut joined).await;
    // The bucket after the one the last first join landed in.
    joined.setup_end_bucket =
        usize::try_from(tally.now_ns() / tally::BUCKET_NS + 1).unwrap_or(usize::MAX);
    joined
}

/// Starts members with a bounded number of first joins under way.
struct Starter {
    limit: Arc<Semaphore>,
    tally: Arc<Tally>,
    control_rx: watch::Receiver<Phase>,
}

impl Starter {
    /// Starts `plans`' members, waits for their first welcomes, and returns each one's
    /// room code (`None` where the first join failed), in the order of `plans`.
    async fn start(&self, plans: Vec<Plan>, joined: &mut Joined) -> Vec<Option<String>> {
        let mut codes = vec![None; plans.len()];
        let mut firsts = JoinSet::new();
        for (slot, plan) in plans.into_iter().enumerate() {
            let Ok(permit) = Arc::clone(&self.limit).acquire_owned().await else {
                break;
            };
            let (first_tx, first_rx) = oneshot::channel();
            let task = member::run(
                plan,
                Arc::clone(&self.tally),
                self.control_rx.clone(),
                first_tx,
            );
            joined.members.push(tokio::spawn(task));
            firsts.spawn(async move {
                let first = first_rx.await;
                drop(permit);
                (slot, first)
            });
        }
        while let Some(Ok((slot, first))) = firsts.join_next().await {
            match first {
                Ok(Ok(code)) => codes[slot] = Some(code),
                Ok(Err(err)) => {
                    joined.connect_errors += 1;
                    joined.first_error.get_or_insert(err);
                }
                Err(_) => joined.connect_errors += 1,
            }
        }
        codes
    }
}
