//! The relay's part in the cluster over time: heartbeats, reaping relays that stopped
//! beating, permanent rooms, dropping empty local rooms, the cluster-wide failed-join count,
//! and stopping.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use confab_protocol::RoomCode;
use redis::AsyncCommands;

use crate::clock::{millis, now_millis};
use crate::rooms::cluster::scripts::{self, RoomKeys};
use crate::rooms::cluster::{ACT_WITHIN, Cluster, REDIS_TIMEOUT, RELAYS_KEY};

impl Cluster {
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
            // One transaction: a counter never outlives its window without an expiry.
            let counted: Result<(), _> = redis::pipe()
                .atomic()
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

    /// Heartbeat; returns whether this relay had been taken for dead (a reaper left a
    /// mark: see [`Self::reap`]).
    pub(super) async fn beat(&self) -> redis::RedisResult<bool> {
        let sent = now_millis();
        let (reaped, redis_now): (i64, i64) = scripts::BEAT_SCRIPT
            .key(RELAYS_KEY)
            .key(reaped_key(&self.relay))
            .arg(&self.relay)
            .invoke_async(&mut self.redis.clone())
            .await?;
        // Redis read its clock about halfway through the round trip.
        let halfway = i64::try_from(sent.midpoint(now_millis())).unwrap_or(i64::MAX);
        self.redis_clock_offset
            .store(redis_now.saturating_sub(halfway), Ordering::Relaxed);
        Ok(reaped == 1)
    }

    /// The deadline (ms, Redis's clock) for a request sent now that changes a room: a
    /// margin inside [`REDIS_TIMEOUT`], so Redis carries it out only while the relay still
    /// waits for the answer; one that reaches Redis later does nothing (`late`), and the
    /// `unavailable` the client was told stays true.
    pub(super) fn redis_deadline(&self) -> i64 {
        let now = i64::try_from(now_millis()).unwrap_or(i64::MAX);
        let within = i64::try_from(millis(ACT_WITHIN)).unwrap_or(0);
        now.saturating_add(self.redis_clock_offset.load(Ordering::Relaxed))
            .saturating_add(within)
    }

    /// Heartbeats, reaps dead relays, drops empty local rooms and retries departures.
    pub(super) async fn upkeep(self: Arc<Self>) {
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
            // Before the departures of their old connections, so Redis still lists any
            // member it did not forget.
            self.restore_remembered().await;
            for departure in self.retries.take_all() {
                match self.send_departure(&departure).await {
                    Ok(owner_reserved) => self.settle_owner_later(owner_reserved, &departure),
                    Err(_) => self.retry_later(departure),
                }
            }
            self.forward_whispers().await;
        }
    }

    /// Removes the members of relays whose heartbeat is older than `ttl`, as dropped.
    pub(super) async fn reap(&self, ttl: Duration) -> redis::RedisResult<()> {
        let mut redis = self.redis.clone();
        let dead: Vec<String> = scripts::DEAD_RELAYS_SCRIPT
            .key(RELAYS_KEY)
            .arg(millis(ttl))
            .invoke_async(&mut redis)
            .await?;
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
                self.free_reservations_of(&keys, &code, relay).await?;
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
    pub(super) async fn keep_permanent_rooms(&self) {
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

    /// Forgets the rooms without local members and leaves their buses, each under its own
    /// room's subscription lock (a join into another room never waits for these).
    pub(super) async fn drop_empty_rooms(&self) {
        let mut redis = self.redis.clone();
        for code in self.local.empty_rooms() {
            let gate = self.subscription(&code);
            let mut subscribed = gate.lock().await;
            // A join may have come in between: then the room stays, subscribed.
            if !self.local.drop_if_empty(&code) {
                continue;
            }
            if *subscribed {
                let keys = RoomKeys::of(&code);
                let _ = self.bus.clone().unsubscribe(&keys.channel).await;
                *subscribed = false;
            }
            let rooms_key = format!("confab:relay:{}:rooms", self.relay);
            // A member may have joined since on another connection of this relay: the
            // next join adds the room back (the join script does).
            let _: Result<(), _> = redis.srem(rooms_key, code.to_string()).await;
            drop(subscribed);
            self.forget_subscription(&code, &gate);
        }
    }
}

/// How long a reaped relay's mark stays in Redis for it to find.
const REAPED_MARK_SECS: u64 = 3600;

/// The key where reapers mark `relay` as taken for dead.
fn reaped_key(relay: &str) -> String {
    format!("confab:reaped:{relay}")
}
