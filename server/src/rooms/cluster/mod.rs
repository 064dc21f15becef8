//! Cluster mode: rooms shared by every relay started with the same Redis (`--redis URL`).
//!
//! What must agree lives in Redis and changes only inside Lua scripts (`scripts`): a room's
//! existence, its `seq` counter and kept history, the roster with each member's relay and
//! connection, name reservations and resume tokens. Every change is published, numbered,
//! on the room's bus channel; each relay subscribes to the rooms it has members in and
//! delivers each event to its own members' outboxes (`local`), encoding every frame once
//! per relay. Delivery never waits for Redis: the bus is read by one task per relay.
//!
//! Relays announce themselves with a heartbeat; a relay whose heartbeat is older than
//! `--relay-ttl` is dead, and any relay reaps its members as dropped connections (the
//! others see `member_left`, names stay reserved for `room_grace`). Whenever this relay may
//! have missed bus events (its Redis connection dropped, the bus queue overflowed, or it
//! was itself reaped), it closes its members' connections with 1012 so each resumes and
//! gets exactly what it missed, or a `gap`.
//!
//! The files, one concept each: `store.rs` is the cluster's side of the room contract
//! (`rooms::RoomStore`); `join.rs` enters rooms, `messages.rs` carries what members say,
//! `owner.rs` the owner's commands, `departures.rs` members leaving (`retries.rs` those
//! Redis has not heard of yet), `attachments.rs` files; `scripts.rs` holds every rule Redis
//! runs, `bus.rs` the events they publish, `inlet.rs` and `reader.rs` how this relay reads
//! them, `local.rs` its own members of each room, and `upkeep.rs` heartbeats, reaping and
//! stopping.

mod attachments;
mod bus;
mod changes;
mod departures;
mod forward;
mod inlet;
mod join;
mod local;
mod messages;
mod owner;
mod reader;
mod retries;
mod scripts;
mod store;
mod upkeep;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use confab_protocol::{Limits, RoomCode, Seq, Username};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, ProtocolVersion, PushInfo};

use crate::Config;
use crate::conn::ConnId;
use crate::metrics::Metrics;
use crate::rooms::frames::limits_of;

use self::bus::{Event, Origin};
use self::inlet::{BUS_QUEUE, BusInlet};
use self::local::{LocalRoom, LocalRooms, lock};
use self::retries::{MAX_RETRIES_KEPT, Retries};
use self::scripts::RoomKeys;

/// How long a Redis command may take before the request it serves is answered
/// `unavailable` (the connection task is not held up longer than this).
pub(super) const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// How long Redis may take to start a request that changes a room (see
/// `Cluster::redis_deadline`): the rest of [`REDIS_TIMEOUT`] is room for the answer to
/// come back and for the relay's estimate of Redis's clock to be off.
pub(super) const ACT_WITHIN: Duration = Duration::from_millis(1500);

/// How this relay's scripts lay out a room in Redis. Relays of another layout would
/// misread these keys, so a relay refuses, at start, a Redis whose layout it does not
/// speak (`confab:schema`, set by the first relay to use that Redis).
///
/// 2: bans as removals with counts (`banned`, `removals`), rooms a restore made again
/// marked `r`, every time by Redis's clock.
/// 3: `joined`/`left` events carry the member count, not the roster (relays keep their
/// own copy); `tokens` indexes members by resume token.
pub const SCHEMA: u32 = 3;

/// The key holding the layout ([`SCHEMA`]) of the rooms in a Redis.
const SCHEMA_KEY: &str = "confab:schema";

/// Takes this Redis for layout [`SCHEMA`] if it has none yet; otherwise says why not, if
/// it holds rooms of another.
async fn check_schema(redis: &mut ConnectionManager) -> Result<(), String> {
    let (held,): (Option<String>,) = redis::pipe()
        .cmd("SET")
        .arg(SCHEMA_KEY)
        .arg(SCHEMA)
        .arg("NX")
        .ignore()
        .cmd("GET")
        .arg(SCHEMA_KEY)
        .query_async(redis)
        .await
        .map_err(|err| err.to_string())?;
    match held.as_deref().map(str::parse::<u32>) {
        Some(Ok(SCHEMA)) => Ok(()),
        other => Err(format!(
            "this Redis holds rooms of layout {other:?} (key {SCHEMA_KEY}); this relay speaks layout {SCHEMA}: \
             run relays of one version on one Redis, or give this one another Redis (or db)"
        )),
    }
}

/// Redis key of the relays' heartbeats (sorted set: relay id by last beat, ms).
pub(super) const RELAYS_KEY: &str = "confab:relays";

/// A connection's place in a cluster room.
#[derive(Debug, Clone)]
pub struct Membership {
    code: RoomCode,
    /// The room's Redis keys, made once per membership rather than once per message.
    keys: Arc<RoomKeys>,
    room: Arc<Mutex<LocalRoom>>,
    conn: ConnId,
    key: String,
    name: Username,
    /// The room's code and key when it is private (from the join's reply).
    private: Option<Arc<crate::rooms::types::PrivateRoom>>,
}

/// This relay's side of the cluster.
pub struct Cluster {
    /// Every command (scripts, heartbeats, reads) goes on this connection.
    redis: ConnectionManager,
    /// The room bus: this relay's subscriptions, and nothing else.
    bus: ConnectionManager,
    relay: String,
    config: Arc<Config>,
    limits: Limits,
    metrics: Arc<Metrics>,
    local: LocalRooms,
    /// Per room, whether this relay is subscribed to its bus, behind the room's own lock:
    /// held while a join subscribes and while dropping the emptied room unsubscribes, so a
    /// subscription never races its own unsubscription, and a slow round trip for one room
    /// holds up no other.
    subscriptions: Mutex<HashMap<RoomCode, Arc<tokio::sync::Mutex<bool>>>>,
    /// Departures to send again once Redis answers.
    retries: Retries,
    /// The permanent rooms (`--room`).
    permanent: Vec<RoomCode>,
    /// The bus reader and the upkeep task, stopped by [`Cluster::stop`].
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Numbers this relay's upload reservations (`r:RELAY:N` in a room's file list).
    reservations: std::sync::atomic::AtomicU64,
    /// Members sent to resume, by room, until `relay_ttl + room_grace` after: what
    /// [`Cluster::restore`] needs if Redis lost their room meanwhile.
    ledger: Mutex<HashMap<RoomCode, Remembered>>,
    /// When this relay last lost its connection to Redis: for `relay_ttl` after, the other
    /// relays may still be giving back memberships a restarted Redis forgot, so a resume
    /// Redis does not know yet waits (`unavailable`) rather than becoming a fresh join.
    redis_lost_at: Mutex<Option<Instant>>,
    /// Redis's clock minus this relay's (ms), as the last heartbeat measured it.
    redis_clock_offset: std::sync::atomic::AtomicI64,
}

/// What this relay knew of a room when it sent its members there to resume.
#[derive(Debug)]
struct Remembered {
    /// The newest `seq` it had seen.
    last_seq: Seq,
    /// Resume tokens of the members it sent, by name key (each taken once restored).
    tokens: HashMap<String, String>,
    /// The connections it sent them away from, by name key.
    sent_from: HashMap<String, ConnId>,
    /// Whispers that came for them after they were sent away (`forward.rs`).
    whispers: Vec<Event>,
    /// When to forget it.
    until: Instant,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("relay", &self.relay)
            .finish_non_exhaustive()
    }
}

/// Why cluster mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Redis could not be reached or did not answer.
    #[error("cannot use Redis at {url}: {source}")]
    Redis {
        /// The Redis, its password left out.
        url: String,
        /// What the client said.
        source: redis::RedisError,
    },
    /// Redis holds rooms in a layout this relay does not speak.
    #[error("cannot use Redis at {url}: {reason}")]
    Schema {
        /// The Redis, its password left out.
        url: String,
        /// Which layouts disagree.
        reason: String,
    },
}

impl Cluster {
    /// Connects to Redis at `url` and starts this relay's bus reader and upkeep tasks.
    pub async fn connect(
        url: &str,
        config: Arc<Config>,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Self>, ConnectError> {
        let fail = |source| ConnectError::Redis {
            url: redacted(url),
            source,
        };
        let info = url.into_connection_info().map_err(fail)?;
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let client = redis::Client::open(info.set_redis_settings(settings)).map_err(fail)?;
        // One delivery lane per worker thread: rooms are delivered in parallel.
        let lanes = tokio::runtime::Handle::current().metrics().num_workers();
        let (inlet, bus_lanes, overflowed) = BusInlet::new(lanes, BUS_QUEUE);
        let push = move |info: PushInfo| {
            inlet.push(info);
            Ok::<(), ()>(())
        };
        let timeouts = || {
            ConnectionManagerConfig::new()
                .set_response_timeout(Some(REDIS_TIMEOUT))
                .set_connection_timeout(Some(REDIS_TIMEOUT))
                .set_number_of_retries(2)
                .set_max_delay(Duration::from_secs(1))
        };
        // Two connections: the bus's subscriptions on one, every command on the other, so
        // a command's reply never counts against Redis's limit for a slow subscriber
        // (which would drop both), and a dropped bus never fails a command.
        let bus_config = timeouts()
            .set_push_sender(push)
            .set_automatic_resubscription();
        let bus = ConnectionManager::new_with_config(client.clone(), bus_config)
            .await
            .map_err(fail)?;
        let redis = ConnectionManager::new_with_config(client, timeouts())
            .await
            .map_err(fail)?;
        check_schema(&mut redis.clone())
            .await
            .map_err(|reason| ConnectError::Schema {
                url: redacted(url),
                reason,
            })?;
        let relay = crate::secrets::resume_token().map_or_else(
            |_| format!("relay-{}", std::process::id()),
            |token| token.chars().take(12).collect(),
        );
        let permanent = config
            .permanent_rooms
            .iter()
            .filter_map(|raw| match RoomCode::parse(raw) {
                Ok(code) => Some(code),
                Err(err) => {
                    tracing::warn!(room = raw, %err, "ignoring invalid permanent room");
                    None
                }
            })
            .collect();
        let cluster = Arc::new(Self {
            permanent,
            redis,
            bus,
            limits: limits_of(&config),
            local: LocalRooms::new(relay.clone(), Arc::clone(&metrics)),
            relay,
            config,
            metrics,
            subscriptions: Mutex::default(),
            retries: Retries::new(MAX_RETRIES_KEPT),
            ledger: Mutex::default(),
            redis_lost_at: Mutex::default(),
            redis_clock_offset: std::sync::atomic::AtomicI64::new(0),
            reservations: std::sync::atomic::AtomicU64::new(0),
            tasks: Mutex::default(),
        });
        cluster.beat().await.map_err(fail)?;
        for code in &cluster.permanent {
            scripts::PERMANENT_SCRIPT
                .key(RoomKeys::of(code).all())
                .invoke_async::<i64>(&mut cluster.redis.clone())
                .await
                .map_err(fail)?;
        }
        tracing::info!(relay = %cluster.relay, "cluster mode: rooms are shared through Redis");
        let readers = bus_lanes
            .into_iter()
            .map(|lane| tokio::spawn(Arc::clone(&cluster).read_bus(lane, Arc::clone(&overflowed))));
        let mut tasks: Vec<_> = readers.collect();
        tasks.push(tokio::spawn(Arc::clone(&cluster).upkeep()));
        cluster
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(tasks);
        Ok(cluster)
    }

    fn origin(&self, conn: ConnId) -> Origin {
        Origin {
            relay: self.relay.clone(),
            conn: conn.to_string(),
        }
    }

    /// The lock over room `code`'s subscription (made if new).
    fn subscription(&self, code: &RoomCode) -> Arc<tokio::sync::Mutex<bool>> {
        let mut all = self.subscriptions.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(all.entry(code.clone()).or_default())
    }

    /// Forgets room `code`'s subscription lock if only the caller (holding `gate`) still
    /// has it: a join after this makes a new one.
    fn forget_subscription(&self, code: &RoomCode, gate: &Arc<tokio::sync::Mutex<bool>>) {
        let mut all = self.subscriptions.lock().unwrap_or_else(|p| p.into_inner());
        // Two: the map's and the caller's. Anyone else got theirs from the map, under
        // this same lock, and is waiting for it.
        if Arc::strong_count(gate) == 2 {
            all.remove(code);
        }
    }

    async fn subscribe(&self, keys: &RoomKeys) -> redis::RedisResult<()> {
        self.bus.clone().subscribe(&keys.channel).await
    }

    /// Removes a member whose join did not complete.
    fn forget(&self, room: &Mutex<LocalRoom>, conn: ConnId) {
        if lock(room).remove(conn).is_some() {
            self.metrics.members.dec();
        }
    }
}

/// `url` without its password, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redacted("redis://user:secret@host:6379/0"),
            "redis://…@host:6379/0"
        );
        assert_eq!(redacted("redis://host:6379"), "redis://host:6379");
    }
}
