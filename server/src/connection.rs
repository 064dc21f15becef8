//! What a connection's frames mean: the join phase, then chat, typing, whisper and leave,
//! with the text rules, the rate limit, the bad-frame count and, in a private room, the
//! signature every post must carry (`private.rs`).
//!
//! No sockets here: each frame becomes an [`Outcome`] that the handler carries out, so the
//! rules read in one place. Dropping a joined connection leaves its room (as a dropped
//! connection), whatever path ended it.

mod enter;
mod private;
mod replies;

use std::net::IpAddr;
use std::sync::Arc;

use confab_protocol::{
    ClientId, ClientMessage, ErrorCode, ServerMessage, close_code, decode_client,
};

use crate::attachments::transfer::Transfers;
use crate::conn::ConnId;
use crate::guards::{MessageRate, RateVerdict};
use crate::outcome::{Outcome, flooded, rate_limited};
use crate::presence::PresenceForm;
use crate::rooms::RoomStore;
use crate::rooms::types::{Change, ChangeError, Departure, Resume, Seat as _, SendError};
use crate::shared::Shared;

use self::replies::{check_text, membership_lost, not_changed, not_sent, owner_outcome};

/// Typing hints per second a connection may send (their own token bucket, apart from the
/// chat rate limit). A client sends one every few seconds while someone types and one when
/// they stop; extra hints are dropped silently, and a sustained flood of them closes the
/// connection with 1008 like any other flood.
pub const TYPING_HINTS_PER_SECOND: u32 = 2;

/// Typing hints that may go at once: a start/stop pair around a few quick messages.
pub const TYPING_HINTS_BURST: u32 = 6;

/// Strike points (one per dropped hint, decaying at one a second) at which a typing-hint
/// flood closes the connection with 1008. Higher than the chat limit because a dropped
/// hint costs nothing and an eager client may send a pair around every message; a
/// script sending hints flat out still reaches it within a fraction of a second.
pub const TYPING_MAX_STRIKES: u32 = 100;

/// Status changes per second a connection may make on average (their own token bucket,
/// so that going away and back never costs a chat message). A client sends one when its
/// person steps away or comes back; a refused one gets `rate_limited` with
/// `retry_after_ms`, and the client sends its latest status again then.
pub const STATUS_CHANGES_PER_SECOND: u32 = 1;

/// Status changes that may go at once.
pub const STATUS_CHANGES_BURST: u32 = 4;

/// Strike points at which a status flood closes the connection with 1008.
pub const STATUS_MAX_STRIKES: u32 = 30;

/// One connection's protocol state, in a relay whose rooms are kept by `S`.
#[derive(Debug)]
pub struct Connection<S: RoomStore> {
    shared: Arc<Shared<S>>,
    ip: IpAddr,
    conn: ConnId,
    bad_frames: u32,
    /// Counts every request from the first frame on, so refused joins cost tokens too.
    rate: MessageRate,
    /// Typing hints' own budget, so that hints never make a person's chat wait.
    typing_rate: MessageRate,
    /// The room this connection is in, once it is.
    membership: Option<S::Membership>,
    /// How the client asked to hear of presence changes (`hello`'s features).
    presence: PresenceForm,
    /// What most connections never use (status changes, file transfers), allocated on
    /// first use so that an idle connection does not carry it.
    occasional: Option<Box<Occasional>>,
}

/// A connection's state for requests most connections never make.
#[derive(Debug)]
struct Occasional {
    /// Status changes' own budget.
    status_rate: MessageRate,
    /// The upload under way and the transfer budget for chunks (`attachments`).
    transfers: Transfers,
}

impl Occasional {
    fn new() -> Self {
        Self {
            status_rate: MessageRate::new(
                STATUS_CHANGES_PER_SECOND,
                STATUS_CHANGES_BURST,
                STATUS_MAX_STRIKES,
            ),
            transfers: Transfers::default(),
        }
    }
}

/// The connection's occasional state, made on first use.
fn occasional(slot: &mut Option<Box<Occasional>>) -> &mut Occasional {
    slot.get_or_insert_with(|| Box::new(Occasional::new()))
}

impl<S: RoomStore> Connection<S> {
    /// A connection for a new connection from `ip`.
    pub fn new(shared: Arc<Shared<S>>, ip: IpAddr, conn: ConnId) -> Self {
        let config = &shared.config;
        let rate = MessageRate::new(
            config.messages_per_second,
            config.burst,
            config.max_rate_strikes,
        );
        let typing_rate = MessageRate::new(
            TYPING_HINTS_PER_SECOND,
            TYPING_HINTS_BURST,
            TYPING_MAX_STRIKES,
        );
        Self {
            shared,
            ip,
            conn,
            bad_frames: 0,
            rate,
            typing_rate,
            membership: None,
            presence: PresenceForm::Full,
            occasional: None,
        }
    }

    /// Whether the connection is in a room.
    pub fn is_joined(&self) -> bool {
        self.membership.is_some()
    }

    /// Handles one text frame. In memory mode this never waits; in cluster mode it waits
    /// for Redis (bounded by the cluster's command timeout).
    pub async fn on_text(&mut self, text: &str) -> Outcome {
        match decode_client(text) {
            Ok(ClientMessage::Leave) => self.leave().await,
            Ok(message @ ClientMessage::Typing { .. }) => match self.typing_rate.check() {
                RateVerdict::Allowed => self.on_message(message).await,
                // A hint is advisory: an extra one is dropped without a word.
                RateVerdict::Limited { .. } => Outcome::Nothing,
                RateVerdict::Abusive => Outcome::Close {
                    reply: None,
                    code: close_code::POLICY,
                    reason: "flooding",
                },
            },
            Ok(ClientMessage::Status { status }) if !status.settable() => self.bad_frame(
                ServerMessage::error(ErrorCode::Malformed, "a client can set online or away only"),
            ),
            Ok(message @ ClientMessage::Status { .. }) => {
                match occasional(&mut self.occasional).status_rate.check() {
                    RateVerdict::Allowed => self.on_message(message).await,
                    RateVerdict::Limited { wait, .. } => rate_limited(
                        "you are changing your status too often; wait a moment",
                        None,
                        wait,
                    ),
                    RateVerdict::Abusive => Outcome::Close {
                        reply: None,
                        code: close_code::POLICY,
                        reason: "flooding",
                    },
                }
            }
            // Chunks have their own budget, so a transfer never makes chat wait.
            Ok(
                message @ (ClientMessage::UploadChunk { .. }
                | ClientMessage::FetchAttachment { .. }),
            ) if self.membership.is_some() => match occasional(&mut self.occasional)
                .transfers
                .within_rate(&self.shared)
            {
                Some(refusal) => refusal,
                None => self.on_message(message).await,
            },
            Ok(message) => {
                let client_id = match &message {
                    ClientMessage::Chat { client_id, .. }
                    | ClientMessage::Whisper { client_id, .. }
                    | ClientMessage::UploadStart { client_id, .. } => Some(*client_id),
                    _ => None,
                };
                match self.within_rate(client_id) {
                    Some(refusal) => refusal,
                    None => self.on_message(message).await,
                }
            }
            // Not JSON, an unknown type, a missing field: the client is broken or hostile.
            Err(err) if err.code == ErrorCode::Malformed => {
                self.bad_frame(ServerMessage::error(err.code, err.message))
            }
            // A name or code that breaks the rules: a person's typo, answered like a refused join.
            Err(err) => self
                .within_rate(None)
                .unwrap_or(Outcome::Reply(ServerMessage::error(err.code, err.message))),
        }
    }

    /// Handles one binary frame: Confab speaks text only.
    pub fn on_binary(&mut self) -> Outcome {
        self.bad_frame(ServerMessage::error(
            ErrorCode::BinaryFrame,
            "Confab speaks JSON in text frames only",
        ))
    }

    /// Counts a WebSocket ping against the rate limit like any other frame. tungstenite
    /// answers it with a pong by itself (one pending pong at most, the newest); a refused
    /// ping gets no error frame, and sustained ping flooding closes with 1008.
    pub fn on_ping(&mut self) -> Outcome {
        match self.rate.check() {
            RateVerdict::Abusive => Outcome::Close {
                reply: None,
                code: close_code::POLICY,
                reason: "flooding",
            },
            RateVerdict::Allowed | RateVerdict::Limited { .. } => Outcome::Nothing,
        }
    }

    /// The peer sent a WebSocket Close with `code`. A normal close (1000) or going away
    /// (1001) is a `leave`: the name is free at once. Any other code, or none, ends the
    /// connection like a drop, so the member keeps its resume window.
    pub fn on_peer_close(&mut self, code: Option<u16>) {
        let departs = matches!(code, Some(close_code::NORMAL | close_code::GOING_AWAY));
        if departs && let Some(membership) = self.membership.take() {
            self.shared.rooms.depart(&membership, Departure::Left);
        }
    }

    /// Answers a frame that broke the protocol, closing with 1008 once there were too many.
    fn bad_frame(&mut self, reply: ServerMessage) -> Outcome {
        self.bad_frames += 1;
        self.shared.metrics.bad_frames.inc();
        if self.bad_frames > self.shared.config.max_bad_frames {
            return Outcome::Close {
                reply: Some(reply),
                code: close_code::POLICY,
                reason: "too many bad frames",
            };
        }
        Outcome::Reply(reply)
    }

    /// Takes a token for one request; `Some` is the refusal to send instead of serving it.
    fn within_rate(&mut self, client_id: Option<ClientId>) -> Option<Outcome> {
        let verdict = self.rate.check();
        if verdict != RateVerdict::Allowed {
            self.shared.metrics.rate_limited.inc();
        }
        match verdict {
            RateVerdict::Allowed => None,
            RateVerdict::Limited { answer: false, .. } => Some(Outcome::Nothing),
            RateVerdict::Limited { wait, .. } => Some(rate_limited(
                "you are sending too fast; wait a moment",
                client_id,
                wait,
            )),
            RateVerdict::Abusive => Some(flooded()),
        }
    }

    /// Leaves on purpose (the name is free at once: the store has recorded it before the
    /// close goes out) and closes normally. Never rate limited.
    async fn leave(&mut self) -> Outcome {
        match self.membership.take() {
            Some(membership) => {
                self.shared.rooms.leave(&membership).await;
                Outcome::Close {
                    reply: None,
                    code: close_code::NORMAL,
                    reason: "left the room",
                }
            }
            None => self.not_joined(),
        }
    }

    fn not_joined(&mut self) -> Outcome {
        self.bad_frame(ServerMessage::error(
            ErrorCode::NotJoined,
            "join or create a room first",
        ))
    }

    async fn on_message(&mut self, message: ClientMessage) -> Outcome {
        if let ClientMessage::Hello { features: wanted } = &message {
            // Takes effect at the next create/join; unknown features are ignored.
            self.presence = PresenceForm::from_features(wanted);
            return Outcome::Nothing;
        }
        let Some(membership) = &self.membership else {
            return match message {
                ClientMessage::Create { name } => {
                    self.enter(name, None, &Resume::default(), None).await
                }
                ClientMessage::CreatePrivate { name, verify_key } => {
                    self.enter(name, None, &Resume::default(), Some(verify_key))
                        .await
                }
                ClientMessage::Join {
                    name,
                    room,
                    resume_token,
                    last_seq,
                } => {
                    let resume = Resume {
                        token: resume_token,
                        last_seq,
                    };
                    self.enter(name, Some(&room), &resume, None).await
                }
                _ => self.not_joined(),
            };
        };
        let message = match membership.private_room() {
            Some(room) => match private::admit(room, message) {
                Ok(admitted) => admitted,
                Err(refusal) => return Outcome::Reply(ServerMessage::Error(refusal)),
            },
            None => message,
        };
        let rooms = &self.shared.rooms;
        let max_chars = self.shared.config.max_text_chars;
        match message {
            ClientMessage::Create { .. }
            | ClientMessage::CreatePrivate { .. }
            | ClientMessage::Join { .. } => Outcome::Reply(ServerMessage::error(
                ErrorCode::AlreadyJoined,
                "you are already in a room",
            )),
            ClientMessage::Chat {
                client_id,
                text,
                reply_to,
            } => {
                if let Some(refusal) = check_text(&text, max_chars, client_id) {
                    return refusal;
                }
                match rooms.chat(membership, client_id, text, reply_to).await {
                    Ok(()) => Outcome::Nothing,
                    Err(err) => not_sent(err, client_id, ""),
                }
            }
            ClientMessage::Edit {
                client_id,
                seq,
                text,
            } => {
                if let Some(refusal) = check_text(&text, max_chars, client_id) {
                    return refusal;
                }
                let edit = Change::Edit {
                    client_id,
                    seq,
                    text,
                };
                not_changed(rooms.change(membership, edit).await, Some(client_id))
            }
            ClientMessage::Delete { client_id, seq } => {
                let delete = Change::Delete { client_id, seq };
                not_changed(rooms.change(membership, delete).await, Some(client_id))
            }
            ClientMessage::React { seq, emoji, on } => {
                // In a private room `emoji` is the token `private::admit` checked.
                let fits = match membership.private_room() {
                    Some(_) => confab_protocol::private::reaction::is_token(&emoji),
                    None => confab_protocol::is_reaction_emoji(&emoji),
                };
                if !fits {
                    return not_changed(Err(ChangeError::TooManyReactions), None);
                }
                let react = Change::React { seq, emoji, on };
                not_changed(rooms.change(membership, react).await, None)
            }
            ClientMessage::Whisper {
                to,
                client_id,
                text,
            } => {
                if let Some(refusal) = check_text(&text, max_chars, client_id) {
                    return refusal;
                }
                match rooms.whisper(membership, &to, client_id, text).await {
                    Ok(()) => Outcome::Nothing,
                    Err(err) => not_sent(err, client_id, to.as_str()),
                }
            }
            ClientMessage::Typing { active } => match rooms.typing(membership, active).await {
                Err(SendError::MembershipLost) => membership_lost(),
                // A hint that did not go expires on its own: nothing to tell its author.
                Ok(()) | Err(_) => Outcome::Nothing,
            },
            ClientMessage::Roster => {
                rooms.roster(membership);
                Outcome::Nothing
            }
            ClientMessage::Status { status } => match rooms.status(membership, status).await {
                Err(SendError::MembershipLost) => membership_lost(),
                // Not stored: the client sends its status again after its next resume.
                Ok(()) | Err(_) => Outcome::Nothing,
            },
            ClientMessage::Lock { locked } => {
                owner_outcome(rooms.set_locked(membership, locked).await)
            }
            ClientMessage::Remove { name } => owner_outcome(rooms.remove(membership, &name).await),
            // Handled before the rate limit in `on_text`, and before joining.
            ClientMessage::Leave | ClientMessage::Hello { .. } => Outcome::Nothing,
            message @ (ClientMessage::UploadStart { .. }
            | ClientMessage::UploadChunk { .. }
            | ClientMessage::UploadCancel
            | ClientMessage::FetchAttachment { .. }) => {
                occasional(&mut self.occasional)
                    .transfers
                    .on_message(&self.shared, membership, message)
                    .await
            }
        }
    }
}

impl<S: RoomStore> Drop for Connection<S> {
    fn drop(&mut self) {
        if let Some(membership) = self.membership.take() {
            self.shared.rooms.depart(&membership, Departure::Dropped);
        }
    }
}

#[cfg(test)]
mod tests;
