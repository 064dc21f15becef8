//! Reading the bus: every event of this relay's rooms delivered to its members (through
//! `rooms::fanout`), presence batches timed, and a resync whenever events may have been lost.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use confab_protocol::RoomCode;
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

use crate::outbox::Kick;
use crate::rooms::cluster::bus::Envelope;
use crate::rooms::cluster::local::Kicked;
use crate::rooms::cluster::local::deliver::Delivered;
use crate::rooms::cluster::retries::PendingDeparture;
use crate::rooms::cluster::{Cluster, Remembered};

impl Cluster {
    /// Delivers one lane's bus events to local members, in order, until the relay stops
    /// (one reader per lane: see `inlet`).
    pub(super) async fn read_bus(
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
                    *self.redis_lost_at.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(Instant::now());
                    self.resync("the connection to Redis dropped");
                }
                _ => {}
            }
        }
    }

    pub(super) fn parse_push(&self, data: &[Value]) -> Option<(RoomCode, Envelope)> {
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
    pub(super) fn resync(self: &Arc<Self>, why: &str) {
        let kicked = self.local.kick_all(Kick::Resync);
        self.remember_resumes(kicked, why);
    }

    /// Notes the members sent to resume (`why`): their rooms, tokens and newest `seq` in the
    /// ledger, for `restore`, and their old connections as departures for Redis.
    fn remember_resumes(self: &Arc<Self>, kicked: Vec<Kicked>, why: &str) {
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
                    sent_from: HashMap::new(),
                    whispers: Vec::new(),
                    until,
                });
            remembered.last_seq = remembered.last_seq.max(kicked.last_seq);
            remembered.until = until;
            remembered
                .sent_from
                .insert(kicked.who.key.clone(), kicked.who.conn);
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

    /// Tells the cluster about the members a delivery evicted here, and sets the timer of
    /// the presence batch it left waiting.
    pub(super) fn after_delivery(self: &Arc<Self>, code: &RoomCode, delivered: Delivered) {
        self.remember_resumes(delivered.resync, "events of a room were lost on the bus");
        if let Some(whisper) = delivered.unheard {
            self.keep_whisper(code, whisper);
        }
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
}
