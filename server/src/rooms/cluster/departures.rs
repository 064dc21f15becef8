//! Members leaving a cluster room: at once on this relay, then in Redis from a task of their
//! own, retried while Redis does not answer, with the owner's hand-off settled when a
//! dropped owner's reservation ends.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{millis, now_millis};
use crate::rooms::cluster::local::{Evicted, lock};
use crate::rooms::cluster::retries::PendingDeparture;
use crate::rooms::cluster::scripts::{self, RoomKeys};
use crate::rooms::cluster::{Cluster, Membership, REDIS_TIMEOUT};
use crate::rooms::types::{Departure, RoomTag};

impl Cluster {
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

    /// Removes the member here at once and from the shared state before returning (within
    /// the Redis command timeout; after it, as [`Self::depart`] does).
    pub async fn leave(self: &Arc<Self>, membership: &Membership) {
        if lock(&membership.room).remove(membership.conn).is_none() {
            return;
        }
        self.metrics.members.dec();
        tracing::info!(room = %RoomTag::of(&membership.code), departure = ?Departure::Left, "member left");
        let departure = PendingDeparture {
            who: Evicted {
                code: membership.code.clone(),
                key: membership.key.clone(),
                conn: membership.conn,
            },
            reserve: false,
        };
        match tokio::time::timeout(REDIS_TIMEOUT, self.send_departure(&departure)).await {
            Ok(Ok(owner_reserved)) => self.settle_owner_later(owner_reserved, &departure),
            Ok(Err(_)) | Err(_) => self.retry_later(departure),
        }
    }

    pub(super) fn evict_slow(self: &Arc<Self>, membership: &Membership) {
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

    pub(super) fn spawn_departure(self: &Arc<Self>, departure: PendingDeparture) {
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
    pub(super) fn settle_owner_later(
        self: &Arc<Self>,
        owner_reserved: bool,
        departure: &PendingDeparture,
    ) {
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

    pub(super) fn retry_later(&self, departure: PendingDeparture) {
        if !self.retries.keep(departure) {
            tracing::warn!(
                "too many departures waiting for Redis; dropping one (reaping cleans up)"
            );
        }
    }

    /// Sends a departure; `true` if the member was the owner and its name is now reserved.
    pub(super) async fn send_departure(
        &self,
        departure: &PendingDeparture,
    ) -> redis::RedisResult<bool> {
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
}
