//! Entering a cluster room: creating one under a code no relay has, joining or resuming,
//! and giving a resuming member its room back when Redis lost it (`restore`).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use confab_protocol::private::VerifyKey;
use confab_protocol::{RoomCode, ServerMessage, Username, WelcomeMessage};

use crate::clock::{millis, now_millis};
use crate::conn::ConnId;
use crate::rooms::cluster::bus::Envelope;
use crate::rooms::cluster::changes;
use crate::rooms::cluster::local::{LocalRoom, lock};
use crate::rooms::cluster::scripts::{self, RoomKeys};
use crate::rooms::cluster::{Cluster, Membership};
use crate::rooms::frames::{encode, missed_since};
use crate::rooms::types::{Arrival, JoinError, PrivateRoom, Resume, RoomTag, Seat};

/// What a private room's `room` key holds before its verification key.
const PRIVATE_PREFIX: &str = "k:";

/// The `room` key's value for a new room: "1", or "k:" and a private room's key.
fn room_value(verify_key: Option<&VerifyKey>) -> String {
    verify_key.map_or_else(
        || "1".to_owned(),
        |key| format!("{PRIVATE_PREFIX}{}", key.encode()),
    )
}

impl Seat for Membership {
    fn private_room(&self) -> Option<&PrivateRoom> {
        self.private.as_deref()
    }
}

impl Cluster {
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
            // The room key's value says what kind of room it is: "1", or a private room's
            // "k:" and verification key (JOIN hands it to every joiner).
            let claimed: Option<String> = redis::cmd("SET")
                .arg(RoomKeys::of(&code).all()[0].as_str())
                .arg(room_value(arrival.verify_key.as_ref()))
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
    pub(super) async fn enter(
        self: &Arc<Self>,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
        creating: bool,
    ) -> Result<Membership, JoinError> {
        let keys = RoomKeys::of(code);
        let conn = arrival.conn;
        let key = arrival.name.uniqueness_key();
        let gate = self.subscription(code);
        let room = {
            let mut subscribed = gate.lock().await;
            let (room, _) = self.local.get_or_make(code);
            lock(&room).add_pending(
                conn,
                arrival.name.clone(),
                arrival.outbox,
                arrival.presence,
                self.config.outbox_frames,
            );
            self.metrics.members.inc();
            if !*subscribed {
                if self.subscribe(&keys).await.is_err() {
                    self.forget(&room, conn);
                    return Err(JoinError::Unavailable);
                }
                *subscribed = true;
            }
            room
        };
        drop(gate);
        let given = resume.token.as_deref().unwrap_or("");
        self.restore(&keys, code, &key, given).await;
        // Right after Redis came back, another relay may not have given this member's
        // place back yet: its resume waits for that rather than losing it.
        let waits_for_restore = !given.is_empty() && self.redis_recently_lost();
        let reply = self
            .run_join(
                &keys,
                code,
                conn,
                (&arrival.name, &arrival.fresh_token),
                (given, waits_for_restore),
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
            Some("joined" | "reclaimed" | "replaced") if reply.len() >= 10 => None,
            Some("unknown_token" | "late") => Some(JoinError::Unavailable),
            Some("room_not_found") if waits_for_restore => Some(JoinError::Unavailable),
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
        if !lock(&room).seed_roster(&members, joined_at) {
            self.read_roster_again(&keys, &room).await;
        }
        let statuses = serde_json::from_str(&reply[5]).unwrap_or_default();
        let room_state = serde_json::from_str(&reply[6]).unwrap_or_default();
        // A membership given back after a Redis restart may say which seqs were used
        // twice (see `RESTORE`): the member has seen only up to the first of them, and the
        // kept chats numbered with them are not the ones it saw, so it gets a `gap` over
        // them rather than the new chats taken for old.
        let reused: Option<(u64, u64)> = reply[7]
            .split_once(':')
            .and_then(|(after, until)| Some((after.parse().ok()?, until.parse().ok()?)));
        let seen = resume
            .last_seq
            .filter(|_| resumed)
            .map(|seen| reused.map_or(seen, |(after, _)| seen.min(after)));
        let changes = changes::parse(&reply[8]);
        let verify_key = reply[9]
            .strip_prefix(PRIVATE_PREFIX)
            .and_then(|key| VerifyKey::parse(key).ok());
        let kept: Vec<_> = reply[10..]
            .iter()
            .filter_map(|event| Envelope::parse(event.as_bytes(), self.config.max_text_chars))
            .filter_map(Envelope::into_chat)
            .filter(|chat| reused.is_none_or(|(_, until)| chat.seq > until))
            .map(|chat| changes::apply(chat, &changes))
            .collect();
        let mut missed = missed_since(&kept, newest, seen, |seq| {
            changes::changed_at(&changes, seq)
        });
        let welcome = ServerMessage::Welcome(Box::new(WelcomeMessage {
            room: code.clone(),
            you: arrival.name.clone(),
            members,
            history: std::mem::take(&mut missed.history),
            resume_token: reply[1].clone(),
            limits: self.limits,
            page_url: arrival.page_url.clone(),
            statuses,
            room_state,
            verify_key,
        }));
        let mut first = vec![encode(&welcome)];
        first.extend(missed.after_welcome());
        let ServerMessage::Welcome(welcome) = welcome else {
            unreachable!("made as a welcome above")
        };
        let membership = Membership {
            code: code.clone(),
            keys: Arc::new(keys),
            room: Arc::clone(&room),
            conn,
            key,
            private: verify_key.map(|verify_key| {
                Arc::new(PrivateRoom {
                    code: code.clone(),
                    verify_key,
                    you: arrival.name.clone(),
                })
            }),
            name: arrival.name,
        };
        let live = lock(&room).go_live(
            conn,
            (joined_at, &welcome.members),
            newest,
            &reply[1],
            &first,
        );
        if live {
            self.metrics.deliveries.inc_by(first.len() as u64);
        } else {
            self.evict_slow(&membership);
        }
        tracing::info!(room = %RoomTag::of(code), status = %reply[0], "member joined");
        Ok(membership)
    }

    /// Reads `room`'s roster from Redis afresh, for a copy that lost presence changes
    /// while it waited for its first join's reply (`local::roster`); a few tries, as
    /// changes may be lost again while this one is under way.
    async fn read_roster_again(&self, keys: &RoomKeys, room: &Mutex<LocalRoom>) {
        for _ in 0..3 {
            let read: redis::RedisResult<(String, String)> = scripts::ROSTER_SCRIPT
                .key(keys.all())
                .invoke_async(&mut self.redis.clone())
                .await;
            let Ok((ev, roster)) = read else {
                break;
            };
            let roster: Vec<Username> = serde_json::from_str(&roster).unwrap_or_default();
            if lock(room).seed_roster(&roster, ev.parse().unwrap_or(0)) {
                return;
            }
        }
        tracing::warn!("a room's roster could not be read: its roster frames may be stale");
    }

    pub(super) async fn run_join(
        &self,
        keys: &RoomKeys,
        code: &RoomCode,
        conn: ConnId,
        (name, fresh_token): (&Username, &str),
        (given_token, strict): (&str, bool),
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
            .arg(if strict { "1" } else { "0" })
            .arg(self.redis_deadline())
            .invoke_async(&mut self.redis.clone())
            .await
    }

    /// Whether this relay lost Redis less than `relay_ttl` ago.
    fn redis_recently_lost(&self) -> bool {
        self.redis_lost_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|at| at.elapsed() < self.config.relay_ttl)
    }

    /// Gives back, at once, every membership this relay sent to resume that Redis may have
    /// forgotten (see `RESTORE`), so each member can resume on any relay, not only this
    /// one. Each is tried until Redis answers, then forgotten here.
    pub(super) async fn restore_remembered(&self) {
        let remembered: Vec<(RoomCode, String, String, u64)> = {
            let ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
            ledger
                .iter()
                .flat_map(|(code, room)| {
                    room.tokens.iter().map(|(key, token)| {
                        (code.clone(), key.clone(), token.clone(), room.last_seq)
                    })
                })
                .collect()
        };
        for (code, key, token, last_seq) in remembered {
            let keys = RoomKeys::of(&code);
            if self
                .run_restore(&keys, &key, &token, last_seq)
                .await
                .is_err()
            {
                return;
            }
            let mut ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(room) = ledger.get_mut(&code)
                && room.tokens.get(&key) == Some(&token)
            {
                room.tokens.remove(&key);
            }
        }
    }

    /// If this relay sent the member with name key `key` and token `token` to resume from
    /// room `code`, makes sure Redis still knows the membership, giving it back if Redis
    /// forgot (see `RESTORE`: it was restarted). Only tokens this relay handed out itself
    /// count, each once, so nobody gets into a room this way who was not in it.
    pub(super) async fn restore(&self, keys: &RoomKeys, code: &RoomCode, key: &str, token: &str) {
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
        if let Err(err) = self.run_restore(keys, key, token, last_seq).await {
            tracing::warn!(%err, "could not check a resumed membership with Redis");
        }
    }

    /// Runs `RESTORE` for the member with name key `key` and token `token`, who had seen
    /// up to `last_seq`.
    async fn run_restore(
        &self,
        keys: &RoomKeys,
        key: &str,
        token: &str,
        last_seq: u64,
    ) -> redis::RedisResult<i64> {
        let grace = millis(self.config.room_grace).max(1);
        let now = now_millis();
        scripts::RESTORE_SCRIPT
            .key(keys.all())
            .arg(key)
            .arg(token)
            .arg(now + grace)
            .arg(last_seq)
            .arg(grace)
            .arg(now)
            .invoke_async(&mut self.redis.clone())
            .await
    }
}
