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
//! `store.rs` is the cluster's side of the room contract (`rooms::RoomStore`).

mod attachments;
mod bus;
mod local;
mod scripts;
mod store;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use confab_protocol::{
    ClientId, Limits, MemberStatus, RoomCode, Seq, ServerMessage, Username, WelcomeMessage,
    WhisperMessage,
};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, IntoConnectionInfo, ProtocolVersion, PushInfo, PushKind, Value};
use tokio::sync::mpsc;

use crate::Config;
use crate::clock::{millis, now_millis};
use crate::conn::ConnId;
use crate::metrics::Metrics;
use crate::outbox::Kick;
use crate::rooms::frames::{encode, limits_of, missed_since};
use crate::rooms::types::{Arrival, Departure, JoinError, OwnerError, Resume, RoomTag, SendError};

use self::bus::{Envelope, Event, Origin};
use self::local::{Delivered, Evicted, LocalRoom, LocalRooms, lock};
use self::scripts::RoomKeys;

/// Bus messages waiting for the delivery task at most; beyond it they are dropped and
/// every local member resumes (see the module docs), so a stalled relay cannot grow
/// without bound.
const BUS_QUEUE: usize = 16 * 1024;

/// How long a Redis command may take before the request it serves is answered
/// `unavailable` (the connection task is not held up longer than this).
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// Departures that could not reach Redis, kept for a retry at most.
const MAX_RETRIES_KEPT: usize = 100_000;

/// Redis key of the relays' heartbeats (sorted set: relay id by last beat, ms).
const RELAYS_KEY: &str = "confab:relays";

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
}

/// A departure the cluster has not heard of yet.
#[derive(Debug, Clone)]
struct PendingDeparture {
    who: Evicted,
    reserve: bool,
}

/// This relay's side of the cluster.
pub struct Cluster {
    redis: ConnectionManager,
    relay: String,
    config: Arc<Config>,
    limits: Limits,
    metrics: Arc<Metrics>,
    local: LocalRooms,
    /// Rooms whose bus this relay is subscribed to. Held while joining and while dropping
    /// empty rooms, so a subscription never races its own unsubscription.
    subscribed: tokio::sync::Mutex<HashSet<RoomCode>>,
    /// Departures to send again once Redis answers.
    retries: Retries,
    /// The permanent rooms (`--room`).
    permanent: Vec<RoomCode>,
    /// The bus reader and the upkeep task, stopped by [`Cluster::stop`].
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Members sent to resume, by room, until `relay_ttl + room_grace` after: what
    /// [`Cluster::restore`] needs if Redis lost their room meanwhile.
    ledger: Mutex<HashMap<RoomCode, Remembered>>,
}

/// What this relay knew of a room when it sent its members there to resume.
#[derive(Debug)]
struct Remembered {
    /// The newest `seq` it had seen.
    last_seq: Seq,
    /// Resume tokens of the members it sent, by name key.
    tokens: HashMap<String, String>,
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
#[error("cannot use Redis at {url}: {source}")]
pub struct ConnectError {
    url: String,
    source: redis::RedisError,
}

impl Cluster {
    /// Connects to Redis at `url` and starts this relay's bus reader and upkeep tasks.
    pub async fn connect(
        url: &str,
        config: Arc<Config>,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Self>, ConnectError> {
        let fail = |source| ConnectError {
            url: redacted(url),
            source,
        };
        let info = url.into_connection_info().map_err(fail)?;
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let client = redis::Client::open(info.set_redis_settings(settings)).map_err(fail)?;
        let (inlet, bus_rx, overflowed) = BusInlet::new(BUS_QUEUE);
        let push = move |info: PushInfo| {
            inlet.push(info);
            Ok::<(), ()>(())
        };
        let manager_config = ConnectionManagerConfig::new()
            .set_push_sender(push)
            .set_automatic_resubscription()
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(1));
        let redis = ConnectionManager::new_with_config(client, manager_config)
            .await
            .map_err(fail)?;
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
            limits: limits_of(&config),
            local: LocalRooms::new(relay.clone(), Arc::clone(&metrics)),
            relay,
            config,
            metrics,
            subscribed: tokio::sync::Mutex::default(),
            retries: Retries::new(MAX_RETRIES_KEPT),
            ledger: Mutex::default(),
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
        let tasks = [
            tokio::spawn(Arc::clone(&cluster).read_bus(bus_rx, overflowed)),
            tokio::spawn(Arc::clone(&cluster).upkeep()),
        ];
        cluster
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(tasks);
        Ok(cluster)
    }

    /// Creates a room under a code drawn from `new_code` (drawn again while taken
    /// anywhere in the cluster) and joins it.
    pub async fn create(
        self: &Arc<Self>,
        mut new_code: impl FnMut() -> Result<RoomCode, getrandom::Error>,
        arrival: Arrival,
    ) -> Result<Membership, JoinError> {
        if self.local.len() >= self.config.max_rooms {
            return Err(JoinError::TooManyRooms);
        }
        let grace = millis(self.config.room_grace).max(1);
        let code = loop {
            let code = new_code().map_err(|_| JoinError::NoRandomness)?;
            // Taken with the grace period as its lifetime: if the creator never gets in,
            // the code is free again after it. The join makes it last.
            let claimed: Option<String> = redis::cmd("SET")
                .arg(RoomKeys::of(&code).all()[0].as_str())
                .arg("1")
                .arg("NX")
                .arg("PX")
                .arg(grace)
                .query_async(&mut self.redis.clone())
                .await
                .map_err(|_| JoinError::Unavailable)?;
            if claimed.is_some() {
                break code;
            }
        };
        tracing::info!(room = %RoomTag::of(&code), "room created");
        self.enter(&code, arrival, &Resume::default(), true).await
    }

    /// Joins (or resumes into) the room `code`.
    pub async fn join(
        self: &Arc<Self>,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
    ) -> Result<Membership, JoinError> {
        self.enter(code, arrival, resume, false).await
    }

    /// Joins `code`; `creating` when the room was just made for this member (its owner).
    async fn enter(
        self: &Arc<Self>,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
        creating: bool,
    ) -> Result<Membership, JoinError> {
        let keys = RoomKeys::of(code);
        let conn = arrival.conn;
        let key = arrival.name.uniqueness_key();
        let room = {
            let mut subscribed = self.subscribed.lock().await;
            let (room, _) = self.local.get_or_make(code);
            lock(&room).add_pending(
                conn,
                arrival.name.clone(),
                arrival.outbox,
                arrival.presence,
                self.config.outbox_frames,
            );
            self.metrics.members.inc();
            if !subscribed.contains(code) {
                if self.subscribe(&keys).await.is_err() {
                    self.forget(&room, conn);
                    return Err(JoinError::Unavailable);
                }
                subscribed.insert(code.clone());
            }
            room
        };
        let given = resume.token.as_deref().unwrap_or("");
        self.restore(&keys, code, &key, given).await;
        let reply = self
            .run_join(
                &keys,
                code,
                conn,
                (&arrival.name, &arrival.fresh_token),
                given,
                (creating, arrival.ip),
            )
            .await;
        let reply = match reply {
            Ok(reply) => reply,
            Err(err) => {
                tracing::warn!(%err, "join could not reach Redis");
                self.forget(&room, conn);
                return Err(JoinError::Unavailable);
            }
        };
        let refusal = match reply.first().map(String::as_str) {
            Some("joined" | "reclaimed" | "replaced") if reply.len() >= 7 => None,
            Some("name_taken") => Some(JoinError::NameTaken),
            Some("room_locked") => Some(JoinError::RoomLocked),
            Some("removed") => Some(JoinError::Removed),
            Some("room_full") => Some(JoinError::RoomFull),
            Some("room_not_found") => Some(JoinError::RoomNotFound),
            other => {
                tracing::error!(?other, "unexpected answer from the join script");
                Some(JoinError::Unavailable)
            }
        };
        if let Some(refusal) = refusal {
            self.forget(&room, conn);
            return Err(refusal);
        }
        let resumed = reply[0] != "joined";
        let joined_at: u64 = reply[2].parse().unwrap_or(0);
        let newest: u64 = reply[3].parse().unwrap_or(0);
        let members: Vec<Username> = serde_json::from_str(&reply[4]).unwrap_or_default();
        lock(&room).note_roster(&members, joined_at);
        let statuses = serde_json::from_str(&reply[5]).unwrap_or_default();
        let room_state = serde_json::from_str(&reply[6]).unwrap_or_default();
        let kept: Vec<_> = reply[7..]
            .iter()
            .filter_map(|event| Envelope::parse(event.as_bytes(), self.config.max_text_chars))
            .filter_map(Envelope::into_chat)
            .collect();
        let (history, gap) = missed_since(&kept, newest, resume.last_seq.filter(|_| resumed));
        let welcome = ServerMessage::Welcome(Box::new(WelcomeMessage {
            room: code.clone(),
            you: arrival.name.clone(),
            members,
            history,
            resume_token: reply[1].clone(),
            limits: self.limits,
            page_url: arrival.page_url.clone(),
            statuses,
            room_state,
        }));
        let mut first = vec![encode(&welcome)];
        first.extend(gap.as_ref().map(encode));
        let membership = Membership {
            code: code.clone(),
            keys: Arc::new(keys),
            room: Arc::clone(&room),
            conn,
            key,
            name: arrival.name,
        };
        let live = lock(&room).go_live(conn, joined_at, newest, &reply[1], &first);
        if live {
            self.metrics.deliveries.inc_by(first.len() as u64);
        } else {
            self.evict_slow(&membership);
        }
        tracing::info!(room = %RoomTag::of(code), status = %reply[0], "member joined");
        Ok(membership)
    }

    async fn run_join(
        &self,
        keys: &RoomKeys,
        code: &RoomCode,
        conn: ConnId,
        (name, fresh_token): (&Username, &str),
        given_token: &str,
        (creating, ip): (bool, IpAddr),
    ) -> redis::RedisResult<Vec<String>> {
        let name_json = serde_json::to_string(name).unwrap_or_default();
        scripts::JOIN_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(name.uniqueness_key())
            .arg(&name_json)
            .arg(fresh_token)
            .arg(given_token)
            .arg(now_millis())
            .arg(self.config.max_room_members)
            .arg(&self.relay)
            .arg(conn.to_string())
            .arg(code.to_string())
            .arg(if creating { "1" } else { "0" })
            .arg(ip.to_string())
            .invoke_async(&mut self.redis.clone())
            .await
    }

    /// If this relay sent the member with name key `key` and token `token` to resume from
    /// room `code`, makes sure Redis still knows the membership, giving it back if Redis
    /// forgot (see `RESTORE`: it was restarted). Only tokens this relay handed out itself
    /// count, each once, so nobody gets into a room this way who was not in it.
    async fn restore(&self, keys: &RoomKeys, code: &RoomCode, key: &str, token: &str) {
        let last_seq = {
            let mut ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
            let Some(remembered) = ledger.get_mut(code) else {
                return;
            };
            if token.is_empty() || remembered.tokens.get(key).map(String::as_str) != Some(token) {
                return;
            }
            remembered.tokens.remove(key);
            remembered.last_seq
        };
        let grace = millis(self.config.room_grace).max(1);
        let restored: redis::RedisResult<i64> = scripts::RESTORE_SCRIPT
            .key(keys.all())
            .arg(key)
            .arg(token)
            .arg(now_millis() + grace)
            .arg(last_seq)
            .arg(grace)
            .invoke_async(&mut self.redis.clone())
            .await;
        if let Err(err) = restored {
            tracing::warn!(%err, "could not check a resumed membership with Redis");
        }
    }

    /// Sequences a chat and publishes it; every relay (this one too) delivers it.
    pub async fn chat(
        self: &Arc<Self>,
        membership: &Membership,
        client_id: ClientId,
        text: String,
    ) -> Result<(), SendError> {
        let was_typing = lock(&membership.room)
            .member(membership.conn)
            .map(|member| std::mem::take(&mut member.typing));
        match was_typing {
            // Evicted or replaced here: the connection is on its way out.
            None => return Err(SendError::MembershipLost),
            // Sending ends composing; say so first, so no client shows a stale hint.
            Some(true) => {
                if let Err(SendError::MembershipLost) = self.publish_typing(membership, false).await
                {
                    return Err(SendError::MembershipLost);
                }
            }
            Some(false) => {}
        }
        let body = Event::Chat {
            seq: 0,
            from: membership.name.clone(),
            text,
            ts: now_millis(),
            client_id,
            origin: self.origin(membership.conn),
            attachment: None,
        }
        .to_body();
        let keys = &membership.keys;
        let timer = self.metrics.redis_chat_seconds.start_timer();
        let reply: Vec<String> = scripts::CHAT_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .arg(body)
            .arg(self.config.history_len)
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|err| {
                tracing::warn!(%err, "chat could not be sequenced");
                SendError::Unavailable
            })?;
        timer.observe_duration();
        match reply.first().map(String::as_str) {
            Some("ok") => {
                self.metrics.chats_relayed.inc();
                Ok(())
            }
            _ => Err(SendError::MembershipLost),
        }
    }

    /// Queues the whole roster (as this relay last heard it) for the member.
    pub fn roster(self: &Arc<Self>, membership: &Membership) {
        // Waiting presence changes go first: the roster is as of after them.
        let mut room = lock(&membership.room);
        let flushed = self.local.flush_and_evict(&membership.code, &mut room);
        let sent = room.send_roster(membership.conn);
        drop(room);
        self.after_delivery(&membership.code, flushed);
        if !sent {
            self.evict_slow(membership);
        }
    }

    /// Publishes a typing hint (best effort: a lost hint expires on its own, so only a lost
    /// membership is an error).
    pub async fn typing(
        self: &Arc<Self>,
        membership: &Membership,
        active: bool,
    ) -> Result<(), SendError> {
        let here = lock(&membership.room)
            .member(membership.conn)
            .map(|member| member.typing = active)
            .is_some();
        if !here {
            return Err(SendError::MembershipLost);
        }
        self.publish_typing(membership, active).await
    }

    async fn publish_typing(&self, membership: &Membership, active: bool) -> Result<(), SendError> {
        let body = Event::Typing {
            name: membership.name.clone(),
            active,
            origin: self.origin(membership.conn),
        }
        .to_body();
        let keys = &membership.keys;
        let sent: Result<i64, _> = scripts::EVENT_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(body)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .invoke_async(&mut self.redis.clone())
            .await;
        match sent {
            Ok(0) => Err(SendError::MembershipLost),
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::debug!(%err, "typing hint not published");
                Err(SendError::Unavailable)
            }
        }
    }

    /// Sends a whisper to `to` wherever it is connected, and echoes it to its sender.
    pub async fn whisper(
        self: &Arc<Self>,
        membership: &Membership,
        to: &Username,
        client_id: ClientId,
        text: String,
    ) -> Result<(), SendError> {
        let ts = now_millis();
        let body = Event::Whisper {
            from: membership.name.clone(),
            to_key: to.uniqueness_key(),
            text: text.clone(),
            ts,
        }
        .to_body();
        let keys = &membership.keys;
        let reply: Vec<String> = scripts::WHISPER_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(to.uniqueness_key())
            .arg(body)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|_| SendError::Unavailable)?;
        let to: Username = match reply.as_slice() {
            [ok, name] if ok == "ok" => serde_json::from_str(name).unwrap_or_else(|_| to.clone()),
            [lost] if lost == "not_member" => return Err(SendError::MembershipLost),
            _ => return Err(SendError::NoSuchMember),
        };
        let echo = encode(&ServerMessage::Whisper(WhisperMessage {
            from: membership.name.clone(),
            to,
            text,
            ts,
            client_id: Some(client_id),
        }));
        let mut room = lock(&membership.room);
        let flushed = self.local.flush_and_evict(&membership.code, &mut room);
        let sent = room.send_to(membership.conn, &echo);
        drop(room);
        self.after_delivery(&membership.code, flushed);
        if sent {
            self.metrics.deliveries.inc();
        } else {
            self.evict_slow(membership);
        }
        Ok(())
    }

    /// Sets the member's status in the shared state and publishes it (best effort, like a
    /// typing hint: the client sends its status again after a resume).
    pub async fn status(
        self: &Arc<Self>,
        membership: &Membership,
        status: MemberStatus,
    ) -> Result<(), SendError> {
        let body = Event::Status {
            name: membership.name.clone(),
            status,
        }
        .to_body();
        let keys = &membership.keys;
        let set: Result<i64, _> = scripts::STATUS_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .arg(status.label())
            .arg(body)
            .invoke_async(&mut self.redis.clone())
            .await;
        match set {
            Ok(0) => Err(SendError::MembershipLost),
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::debug!(%err, "status not published");
                Err(SendError::Unavailable)
            }
        }
    }

    /// The owner locks or unlocks the room.
    pub async fn lock_room(
        self: &Arc<Self>,
        membership: &Membership,
        locked: bool,
    ) -> Result<(), OwnerError> {
        let keys = &membership.keys;
        let reply: String = scripts::LOCK_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .arg(if locked { "1" } else { "0" })
            .arg(now_millis())
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|_| OwnerError::Unavailable)?;
        owner_reply(&reply)
    }

    /// The owner removes `name`: its relay closes it with 4003; name and address are kept
    /// out for `removal_ban`.
    pub async fn remove(
        self: &Arc<Self>,
        membership: &Membership,
        name: &Username,
    ) -> Result<(), OwnerError> {
        let keys = &membership.keys;
        let now = now_millis();
        let reply: String = scripts::REMOVE_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .arg(name.uniqueness_key())
            .arg(now + millis(self.config.removal_ban))
            .arg(now)
            .arg(millis(self.config.room_grace).max(1))
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|_| OwnerError::Unavailable)?;
        owner_reply(&reply)
    }

    /// Removes the member here at once, and from the shared state in a task of its own
    /// (retried by the upkeep task while Redis does not answer).
    pub fn depart(self: &Arc<Self>, membership: &Membership, departure: Departure) {
        if lock(&membership.room).remove(membership.conn).is_none() {
            // Already evicted, replaced or reset: the cluster has heard, or will.
            return;
        }
        self.metrics.members.dec();
        tracing::info!(room = %RoomTag::of(&membership.code), ?departure, "member left");
        let who = Evicted {
            code: membership.code.clone(),
            key: membership.key.clone(),
            conn: membership.conn,
        };
        self.spawn_departure(PendingDeparture {
            who,
            reserve: departure == Departure::Dropped,
        });
    }

    /// Stops this relay's part in the cluster when the relay stops: no more heartbeats or
    /// bus reading, and the heartbeat set to long ago, so the next upkeep of any other
    /// relay reaps this one's members at once (as dropped: they resume elsewhere).
    pub async fn stop(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            task.abort();
        }
        let mut redis = self.redis.clone();
        let goodbye = redis.zadd::<_, _, _, ()>(RELAYS_KEY, &self.relay, 0);
        if !matches!(
            tokio::time::timeout(REDIS_TIMEOUT, goodbye).await,
            Ok(Ok(()))
        ) {
            tracing::warn!("could not say goodbye to Redis; others reap this relay after its TTL");
        }
    }

    /// Failed joins recorded for `ip` by every relay in the current window.
    pub async fn failed_joins(&self, ip: IpAddr) -> u32 {
        let count: Result<Option<u32>, _> =
            self.redis.clone().get(format!("confab:failed:{ip}")).await;
        count.ok().flatten().unwrap_or(0)
    }

    /// Counts a failed join by `ip` for every relay, for the failed-join window.
    pub fn record_failed_join(self: &Arc<Self>, ip: IpAddr) {
        let mut redis = self.redis.clone();
        let window = millis(self.config.failed_join_window).max(1);
        tokio::spawn(async move {
            let key = format!("confab:failed:{ip}");
            let counted: Result<(), _> = redis::pipe()
                .incr(&key, 1)
                .ignore()
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(window)
                .arg("NX")
                .ignore()
                .query_async(&mut redis)
                .await;
            if let Err(err) = counted {
                tracing::debug!(%err, "failed join not counted in Redis");
            }
        });
    }

    fn origin(&self, conn: ConnId) -> Origin {
        Origin {
            relay: self.relay.clone(),
            conn: conn.to_string(),
        }
    }

    async fn subscribe(&self, keys: &RoomKeys) -> redis::RedisResult<()> {
        self.redis.clone().subscribe(&keys.channel).await
    }

    /// Removes a member whose join did not complete.
    fn forget(&self, room: &Mutex<LocalRoom>, conn: ConnId) {
        if lock(room).remove(conn).is_some() {
            self.metrics.members.dec();
        }
    }

    fn evict_slow(self: &Arc<Self>, membership: &Membership) {
        if lock(&membership.room)
            .kick_slow(membership.conn, &self.metrics)
            .is_some()
        {
            self.spawn_departure(PendingDeparture {
                who: Evicted {
                    code: membership.code.clone(),
                    key: membership.key.clone(),
                    conn: membership.conn,
                },
                reserve: false,
            });
        }
    }

    /// Tells the cluster about the members a delivery evicted here, and sets the timer of
    /// the presence batch it left waiting.
    fn after_delivery(self: &Arc<Self>, code: &RoomCode, delivered: Delivered) {
        for who in delivered.evicted {
            self.spawn_departure(PendingDeparture {
                who,
                reserve: false,
            });
        }
        if let Some(at) = delivered.batch_at {
            let cluster = Arc::clone(self);
            let code = code.clone();
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                let next = cluster.local.send_batch(&code);
                cluster.after_delivery(&code, next);
            });
        }
    }

    fn spawn_departure(self: &Arc<Self>, departure: PendingDeparture) {
        let cluster = Arc::clone(self);
        tokio::spawn(async move {
            match cluster.send_departure(&departure).await {
                Ok(owner_reserved) => cluster.settle_owner_later(owner_reserved, &departure),
                Err(_) => cluster.retry_later(departure),
            }
        });
    }

    /// When the owner dropped (`owner_reserved`), runs [`scripts::SETTLE_SCRIPT`] once its
    /// reservation has ended, so the room gets its next owner then, as in memory mode,
    /// rather than at the next event in the room. If this relay stops first, the next
    /// departure in the room settles it.
    fn settle_owner_later(self: &Arc<Self>, owner_reserved: bool, departure: &PendingDeparture) {
        if !owner_reserved {
            return;
        }
        let cluster = Arc::clone(self);
        let code = departure.who.code.clone();
        tokio::spawn(async move {
            // A little past the end, so the reservation has surely lapsed in Redis too.
            tokio::time::sleep(cluster.config.room_grace + Duration::from_millis(20)).await;
            let keys = RoomKeys::of(&code);
            let settled: redis::RedisResult<i64> = scripts::SETTLE_SCRIPT
                .key(keys.all())
                .arg(&keys.channel)
                .arg(now_millis())
                .invoke_async(&mut cluster.redis.clone())
                .await;
            if let Err(err) = settled {
                tracing::debug!(%err, "settling the owner after a reservation failed");
            }
        });
    }

    fn retry_later(&self, departure: PendingDeparture) {
        if !self.retries.keep(departure) {
            tracing::warn!(
                "too many departures waiting for Redis; dropping one (reaping cleans up)"
            );
        }
    }

    /// Sends a departure; `true` if the member was the owner and its name is now reserved.
    async fn send_departure(&self, departure: &PendingDeparture) -> redis::RedisResult<bool> {
        let keys = RoomKeys::of(&departure.who.code);
        let grace = millis(self.config.room_grace).max(1);
        let done: i64 = scripts::DEPART_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(&departure.who.key)
            .arg(&self.relay)
            .arg(departure.who.conn.to_string())
            .arg(if departure.reserve { "1" } else { "0" })
            .arg(now_millis() + grace)
            .arg(grace)
            .arg(now_millis())
            .invoke_async(&mut self.redis.clone())
            .await?;
        Ok(done == 2)
    }

    /// Delivers bus events to local members, in order, until the relay stops.
    async fn read_bus(
        self: Arc<Self>,
        mut bus: mpsc::Receiver<PushInfo>,
        overflowed: Arc<AtomicBool>,
    ) {
        while let Some(push) = bus.recv().await {
            if overflowed.swap(false, Ordering::Relaxed) {
                self.resync("the bus queue overflowed");
            }
            match push.kind {
                PushKind::Message => {
                    let Some((code, envelope)) = self.parse_push(&push.data) else {
                        continue;
                    };
                    let delivered = self.local.deliver(&code, &envelope);
                    self.after_delivery(&code, delivered);
                }
                PushKind::Disconnection => {
                    self.metrics.redis_disconnects.inc();
                    self.resync("the connection to Redis dropped");
                }
                _ => {}
            }
        }
    }

    fn parse_push(&self, data: &[Value]) -> Option<(RoomCode, Envelope)> {
        let [Value::BulkString(channel), Value::BulkString(payload)] = data else {
            return None;
        };
        let channel = std::str::from_utf8(channel).ok()?;
        let code = channel
            .strip_prefix("confab:{")?
            .strip_suffix("}:bus")
            .and_then(|code| RoomCode::parse(code).ok())?;
        Some((code, Envelope::parse(payload, self.config.max_text_chars)?))
    }

    /// This relay may have missed events: every local member resumes (1012), and the
    /// shared state hears of the old connections once Redis answers again.
    fn resync(self: &Arc<Self>, why: &str) {
        let kicked = self.local.kick_all(Kick::Resync);
        if kicked.is_empty() {
            return;
        }
        tracing::warn!(
            members = kicked.len(),
            "{why}: local members reconnect to resume"
        );
        self.metrics.cluster_resyncs.inc();
        let until = Instant::now() + self.config.relay_ttl + self.config.room_grace;
        let mut ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        for kicked in kicked {
            let remembered = ledger
                .entry(kicked.who.code.clone())
                .or_insert_with(|| Remembered {
                    last_seq: 0,
                    tokens: HashMap::new(),
                    until,
                });
            remembered.last_seq = remembered.last_seq.max(kicked.last_seq);
            remembered.until = until;
            if !kicked.token.is_empty() {
                remembered
                    .tokens
                    .insert(kicked.who.key.clone(), kicked.token);
            }
            self.retry_later(PendingDeparture {
                who: kicked.who,
                reserve: true,
            });
        }
    }

    /// Heartbeat; returns whether this relay had been taken for dead (a reaper left a
    /// mark: see [`Self::reap`]).
    async fn beat(&self) -> redis::RedisResult<bool> {
        let (reaped,): (Option<String>,) = redis::pipe()
            .zadd(RELAYS_KEY, &self.relay, now_millis())
            .ignore()
            .cmd("GETDEL")
            .arg(reaped_key(&self.relay))
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(reaped.is_some())
    }

    /// Heartbeats, reaps dead relays, drops empty local rooms and retries departures.
    async fn upkeep(self: Arc<Self>) {
        let ttl = self.config.relay_ttl.max(Duration::from_millis(300));
        let mut ticks = tokio::time::interval(ttl / 3);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match self.beat().await {
                Ok(true) => self.resync("this relay was taken for dead"),
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(%err, "Redis did not take the heartbeat");
                    continue;
                }
            }
            if let Err(err) = self.reap(ttl).await {
                tracing::warn!(%err, "reaping dead relays failed");
            }
            self.drop_empty_rooms().await;
            self.keep_permanent_rooms().await;
            let now = Instant::now();
            self.ledger
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|_, remembered| remembered.until > now);
            for departure in self.retries.take_all() {
                match self.send_departure(&departure).await {
                    Ok(owner_reserved) => self.settle_owner_later(owner_reserved, &departure),
                    Err(_) => self.retry_later(departure),
                }
            }
        }
    }

    /// Removes the members of relays whose heartbeat is older than `ttl`, as dropped.
    async fn reap(&self, ttl: Duration) -> redis::RedisResult<()> {
        let mut redis = self.redis.clone();
        let cutoff = now_millis().saturating_sub(millis(ttl));
        let dead: Vec<String> = redis.zrangebyscore(RELAYS_KEY, 0, cutoff).await?;
        let grace = millis(self.config.room_grace).max(1);
        for relay in dead.iter().filter(|relay| **relay != self.relay) {
            let rooms_key = format!("confab:relay:{relay}:rooms");
            let codes: Vec<String> = redis.smembers(&rooms_key).await?;
            let mut reaped = 0;
            for code in codes.iter().filter_map(|code| RoomCode::parse(code).ok()) {
                let keys = RoomKeys::of(&code);
                let removed: i64 = scripts::REAP_SCRIPT
                    .key(keys.all())
                    .arg(&keys.channel)
                    .arg(relay)
                    .arg(now_millis() + grace)
                    .arg(grace)
                    .arg(now_millis())
                    .invoke_async(&mut redis)
                    .await?;
                reaped += removed;
            }
            let _: () = redis.del(&rooms_key).await?;
            let _: () = redis.zrem(RELAYS_KEY, relay).await?;
            // Tells the relay, should it be alive after all (cut off from Redis for longer
            // than the TTL), that its members are gone: it sends them to resume.
            let _: () = redis
                .set_ex(reaped_key(relay), "1", REAPED_MARK_SECS)
                .await?;
            tracing::info!(%relay, members = reaped, "reaped a dead relay");
            self.metrics.relays_reaped.inc();
        }
        Ok(())
    }

    /// Makes the permanent rooms exist (again, if Redis was restarted).
    async fn keep_permanent_rooms(&self) {
        for code in &self.permanent {
            let made: redis::RedisResult<i64> = scripts::PERMANENT_SCRIPT
                .key(RoomKeys::of(code).all())
                .invoke_async(&mut self.redis.clone())
                .await;
            if let Err(err) = made {
                tracing::debug!(%err, "permanent room not refreshed");
            }
        }
    }

    async fn drop_empty_rooms(&self) {
        let mut subscribed = self.subscribed.lock().await;
        let mut redis = self.redis.clone();
        for code in self.local.drop_empty() {
            subscribed.remove(&code);
            let keys = RoomKeys::of(&code);
            let rooms_key = format!("confab:relay:{}:rooms", self.relay);
            let _ = redis.unsubscribe(&keys.channel).await;
            // A member may have joined since on another connection of this relay: the
            // next join adds the room back (the join script does).
            let _: Result<(), _> = redis.srem(rooms_key, code.to_string()).await;
        }
    }
}

/// Departures waiting for Redis to answer again, at most `cap` of them.
#[derive(Debug)]
struct Retries {
    waiting: Mutex<Vec<PendingDeparture>>,
    cap: usize,
}

impl Retries {
    fn new(cap: usize) -> Self {
        Self {
            waiting: Mutex::default(),
            cap,
        }
    }

    /// Keeps `departure` for a retry; false (and dropped) when `cap` are waiting.
    fn keep(&self, departure: PendingDeparture) -> bool {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        let room = waiting.len() < self.cap;
        if room {
            waiting.push(departure);
        }
        room
    }

    /// Everything waiting, leaving none.
    fn take_all(&self) -> Vec<PendingDeparture> {
        std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Where the Redis client hands over pub/sub messages: a bounded queue that never waits
/// (it runs on the Redis connection's reader) and raises a flag when it had to drop one.
struct BusInlet {
    queue: mpsc::Sender<PushInfo>,
    overflowed: Arc<AtomicBool>,
}

impl BusInlet {
    /// An inlet holding `capacity` messages, its outlet, and its overflow flag.
    fn new(capacity: usize) -> (Self, mpsc::Receiver<PushInfo>, Arc<AtomicBool>) {
        let (queue, outlet) = mpsc::channel(capacity);
        let overflowed = Arc::new(AtomicBool::new(false));
        let inlet = Self {
            queue,
            overflowed: Arc::clone(&overflowed),
        };
        (inlet, outlet, overflowed)
    }

    /// Queues `info`, or drops it and raises the flag when the queue is full.
    fn push(&self, info: PushInfo) {
        if self.queue.try_send(info).is_err() {
            self.overflowed.store(true, Ordering::Relaxed);
        }
    }
}

/// How long a reaped relay's mark stays in Redis for it to find.
const REAPED_MARK_SECS: u64 = 3600;

/// The key where reapers mark `relay` as taken for dead.
/// What an owner script's answer means.
fn owner_reply(reply: &str) -> Result<(), OwnerError> {
    match reply {
        // `not_member`: this connection is on its way out; nothing to say.
        "ok" | "not_member" => Ok(()),
        "not_owner" => Err(OwnerError::NotOwner),
        "yourself" => Err(OwnerError::Yourself),
        "no_such_member" => Err(OwnerError::NoSuchMember),
        other => {
            tracing::error!(?other, "unexpected answer from an owner script");
            Err(OwnerError::Unavailable)
        }
    }
}

fn reaped_key(relay: &str) -> String {
    format!("confab:reaped:{relay}")
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
    fn a_full_bus_queue_drops_and_raises_the_flag_instead_of_growing() {
        let (inlet, mut outlet, overflowed) = BusInlet::new(2);
        let message = || PushInfo {
            kind: PushKind::Message,
            data: vec![],
        };
        inlet.push(message());
        inlet.push(message());
        assert!(!overflowed.load(Ordering::Relaxed));
        inlet.push(message());
        assert!(overflowed.load(Ordering::Relaxed), "the third did not fit");
        let queued = std::iter::from_fn(|| outlet.try_recv().ok()).count();
        assert_eq!(queued, 2, "the queue kept its bound");
    }

    #[test]
    fn departures_waiting_for_redis_are_kept_up_to_the_cap_and_no_more() {
        let retries = Retries::new(2);
        let departure = |conn| PendingDeparture {
            who: Evicted {
                code: RoomCode::parse("TEST").expect("valid code"),
                key: "ann".into(),
                conn,
            },
            reserve: true,
        };
        assert!(retries.keep(departure(1)));
        assert!(retries.keep(departure(2)));
        assert!(!retries.keep(departure(3)), "the third is over the cap");
        let conns: Vec<ConnId> = retries.take_all().iter().map(|d| d.who.conn).collect();
        assert_eq!(conns, [1, 2]);
        assert!(retries.take_all().is_empty());
        assert!(retries.keep(departure(4)), "room again once taken");
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redacted("redis://user:secret@host:6379/0"),
            "redis://…@host:6379/0"
        );
        assert_eq!(redacted("redis://host:6379"), "redis://host:6379");
    }
}
