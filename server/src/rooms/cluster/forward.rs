//! Whispers are not lost across a resync. A relay that sends its members to resume (1012)
//! may still get whispers for them: Redis lists them until their departure lands, and the
//! event that showed a hole may itself be one. Their senders saw the echo, so the relay
//! keeps each such whisper (in memory, bounded, for as long as it remembers the member)
//! and publishes it again once the member is back on a newer connection, on any relay.
//!
//! Whispers are still never stored in Redis: only the relay that was sending them holds
//! them, and only until the member is back or forgotten.

use std::sync::Arc;

use confab_protocol::RoomCode;

use crate::rooms::cluster::Cluster;
use crate::rooms::cluster::bus::Event;
use crate::rooms::cluster::scripts::{self, RoomKeys};

/// Most whispers kept for the members of one room a relay sent to resume.
pub const MAX_KEPT_WHISPERS: usize = 64;

impl Cluster {
    /// Keeps `whisper` (in room `code`) if it is for a member this relay sent to resume.
    pub(super) fn keep_whisper(self: &Arc<Self>, code: &RoomCode, whisper: Event) {
        let Event::Whisper { to_key, .. } = &whisper else {
            return;
        };
        let mut ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        let Some(remembered) = ledger.get_mut(code) else {
            return;
        };
        if !remembered.sent_from.contains_key(to_key) {
            return;
        }
        if remembered.whispers.len() >= MAX_KEPT_WHISPERS {
            tracing::warn!("too many whispers for members sent to resume: one dropped");
            return;
        }
        remembered.whispers.push(whisper);
    }

    /// Publishes again each kept whisper whose member is back; keeps the others (they go
    /// when the member is forgotten).
    pub(super) async fn forward_whispers(&self) {
        let waiting: Vec<(RoomCode, Event, String)> = {
            let ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
            ledger
                .iter()
                .flat_map(|(code, remembered)| {
                    remembered.whispers.iter().filter_map(|whisper| {
                        let Event::Whisper { to_key, .. } = whisper else {
                            return None;
                        };
                        let conn = remembered.sent_from.get(to_key)?;
                        Some((code.clone(), whisper.clone(), conn.to_string()))
                    })
                })
                .collect()
        };
        for (code, whisper, conn) in waiting {
            let Event::Whisper { to_key, .. } = &whisper else {
                continue;
            };
            let keys = RoomKeys::of(&code);
            let published: redis::RedisResult<i64> = scripts::FORWARD_SCRIPT
                .key(keys.all())
                .arg(&keys.channel)
                .arg(whisper.to_body())
                .arg(to_key)
                .arg(&self.relay)
                .arg(&conn)
                .invoke_async(&mut self.redis.clone())
                .await;
            match published {
                Ok(1) => {
                    let mut ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(remembered) = ledger.get_mut(&code) {
                        remembered.whispers.retain(|kept| kept != &whisper);
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::debug!(%err, "a kept whisper waits for Redis");
                    return;
                }
            }
        }
    }
}
