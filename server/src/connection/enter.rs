//! Entering a room: creating or joining within the failed-join allowance, the relay's own
//! count and the one its room store shares with other relays.

use std::sync::Arc;
use std::time::Instant;

use confab_protocol::private::VerifyKey;
use confab_protocol::{ErrorCode, ErrorMessage, RoomCode, ServerMessage, Username, close_code};

use crate::connection::Connection;
use crate::connection::replies::UNAVAILABLE_RETRY_MS;
use crate::outbox::outbox;
use crate::outcome::{Outcome, retry_after_ms};
use crate::rooms::RoomStore;
use crate::rooms::types::{Arrival, JoinError, Resume};
use crate::secrets;

impl<S: RoomStore> Connection<S> {
    /// Creates (`room` is `None`) or joins a room, within the failed-join allowance.
    pub(super) async fn enter(
        &mut self,
        name: Username,
        room: Option<&RoomCode>,
        resume: &Resume,
        verify_key: Option<VerifyKey>,
    ) -> Outcome {
        let shared = Arc::clone(&self.shared);
        let now = Instant::now();
        let blocked_elsewhere =
            shared.rooms.shared_failed_joins(self.ip).await >= shared.config.max_failed_joins;
        if blocked_elsewhere || shared.failed_joins.is_blocked(self.ip, now) {
            let reply = ServerMessage::error(
                ErrorCode::TooManyFailedJoins,
                "too many failed joins from your address; try again later",
            );
            return Outcome::Close {
                reply: Some(reply),
                code: close_code::POLICY,
                reason: "too many failed joins",
            };
        }
        if let Some(wait) = room.and(shared.failed_joins.relay_wait(now)) {
            // Every join by code, not only the failing ones: refusing only unknown codes
            // would still tell a guesser which codes exist.
            return Outcome::Reply(ServerMessage::Error(ErrorMessage {
                code: ErrorCode::TooManyFailedJoins,
                message: "this relay is refusing joins by code for a moment; try again soon".into(),
                client_id: None,
                retry_after_ms: Some(retry_after_ms(wait)),
            }));
        }
        let Ok(fresh_token) = secrets::resume_token() else {
            return Outcome::Reply(ServerMessage::error(
                ErrorCode::Internal,
                "the relay could not draw a token; try again",
            ));
        };
        let (outbox, inbox) = outbox(shared.config.outbox_frames);
        let arrival = Arrival {
            conn: self.conn,
            name,
            outbox,
            fresh_token,
            presence: self.presence,
            page_url: crate::web::page_url::current(),
            ip: self.ip,
            verify_key,
        };
        let result = match room {
            None => shared.rooms.create(arrival).await,
            Some(code) => shared.rooms.join(code, arrival, resume).await,
        };
        match result {
            Ok(membership) => {
                self.membership = Some(membership);
                Outcome::Entered(inbox)
            }
            Err(err) => {
                if err == JoinError::RoomNotFound {
                    shared.metrics.failed_joins.inc();
                    shared.failed_joins.record(self.ip, now);
                    shared.rooms.share_failed_join(self.ip);
                }
                tracing::debug!(%err, ?room, "join refused");
                let mut refusal = ServerMessage::error(err.code(), err.to_string());
                if let ServerMessage::Error(error) = &mut refusal
                    && err == JoinError::Unavailable
                {
                    error.retry_after_ms = Some(UNAVAILABLE_RETRY_MS);
                }
                Outcome::Reply(refusal)
            }
        }
    }
}
