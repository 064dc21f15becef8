//! What members say in a cluster room: chat (sequenced by the chat script), typing hints,
//! whispers, status changes and the roster on request.

use std::sync::Arc;

use confab_protocol::{ClientId, MemberStatus, Seq, ServerMessage, Username, WhisperMessage};

use crate::clock::now_millis;
use crate::rooms::cluster::bus::Event;
use crate::rooms::cluster::local::lock;
use crate::rooms::cluster::scripts;
use crate::rooms::cluster::{Cluster, Membership};
use crate::rooms::frames::encode;
use crate::rooms::types::SendError;

impl Cluster {
    /// Sequences a chat and publishes it; every relay (this one too) delivers it.
    pub async fn chat(
        self: &Arc<Self>,
        membership: &Membership,
        client_id: ClientId,
        text: String,
        reply_to: Option<Seq>,
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
            reply_to,
            from_key: membership.key.clone(),
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
            .arg(self.redis_deadline())
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
            Some("late") => Err(SendError::Unavailable),
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

    pub(super) async fn publish_typing(
        &self,
        membership: &Membership,
        active: bool,
    ) -> Result<(), SendError> {
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
            .arg(self.redis_deadline())
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|_| SendError::Unavailable)?;
        let to: Username = match reply.as_slice() {
            [ok, name] if ok == "ok" => serde_json::from_str(name).unwrap_or_else(|_| to.clone()),
            [lost] if lost == "not_member" => return Err(SendError::MembershipLost),
            [late] if late == "late" => return Err(SendError::Unavailable),
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
}
