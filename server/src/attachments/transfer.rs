//! One connection's attachment traffic: its upload under way (at most one) and its
//! downloads, each chunk under the connection's transfer budget.
//!
//! The connection hands every `upload_*` and `fetch_attachment` frame of a joined connection
//! to [`Transfers::on_message`]; the answer is an [`Outcome`] like any other frame's. The
//! upload's bytes and reserved space live in a slot shared with a small watchdog task that
//! drops them when no chunk came for `upload_timeout`, so a client that stalls holds
//! nothing for long even if it never sends again.

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use confab_protocol::{
    Attachment, ClientId, ClientMessage, ErrorCode, ErrorMessage, ServerMessage, clean_file_name,
    clean_mime, close_code,
};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::sniff::sniff;
use super::{Claim, Stored};
use crate::guards::{MessageRate, RateVerdict};
use crate::outcome::{Outcome, flooded, rate_limited};
use crate::rooms::RoomStore;
use crate::rooms::types::SendError;
use crate::secrets;
use crate::shared::Shared;

/// Chunks (uploaded or fetched) a connection may move per second: with 32 KiB chunks,
/// 2 MiB/s each way, so a 4 MiB file takes about two seconds. A budget of its own, apart
/// from the chat rate limit: a transfer never makes its sender's chat wait, and since
/// each chunk is one request answered by one frame, it never floods an outbox either.
pub const CHUNKS_PER_SECOND: u32 = 64;

/// Chunks that may go at once.
pub const CHUNKS_BURST: u32 = 64;

/// Strike points at which a chunk flood closes the connection with 1008: a client that
/// waits `retry_after_ms` after a refusal never gets near it.
pub const CHUNK_MAX_STRIKES: u32 = 100;

/// An upload between `upload_start` and its last chunk.
#[derive(Debug)]
struct Pending {
    client_id: ClientId,
    file_name: String,
    mime: String,
    size: u64,
    data: Vec<u8>,
    reservation: Claim,
}

/// What the connection and its watchdog share.
#[derive(Debug)]
struct Slot {
    /// `None` once finished, cancelled or timed out.
    pending: Option<Pending>,
    /// When the upload is dropped unless another chunk arrives.
    deadline: Instant,
    /// Set by the watchdog, so the next chunk is told why its upload is gone.
    timed_out: bool,
}

/// The upload under way, from the connection's side.
#[derive(Debug)]
struct Upload {
    slot: Arc<Mutex<Slot>>,
    watchdog: AbortHandle,
}

impl Drop for Upload {
    fn drop(&mut self) {
        self.watchdog.abort();
    }
}

/// One connection's transfers: the upload under way and the transfer budget.
#[derive(Debug)]
pub struct Transfers {
    rate: MessageRate,
    upload: Option<Upload>,
}

impl Default for Transfers {
    fn default() -> Self {
        Self {
            rate: MessageRate::new(CHUNKS_PER_SECOND, CHUNKS_BURST, CHUNK_MAX_STRIKES),
            upload: None,
        }
    }
}

impl Transfers {
    /// Takes a token from the transfer budget for an `upload_chunk` or `fetch_attachment`;
    /// `Some` is the refusal to send instead. Every refusal is answered (a client waits
    /// for each chunk's answer), with `retry_after_ms`.
    pub fn within_rate<S: RoomStore>(&mut self, shared: &Shared<S>) -> Option<Outcome> {
        let client_id = self
            .upload
            .as_ref()
            .and_then(|u| lock(&u.slot).pending.as_ref().map(|p| p.client_id));
        match self.rate.check() {
            RateVerdict::Allowed => None,
            RateVerdict::Limited { wait, .. } => {
                shared.metrics.rate_limited.inc();
                Some(rate_limited(
                    "transferring too fast; wait a moment",
                    client_id,
                    wait,
                ))
            }
            RateVerdict::Abusive => Some(flooded()),
        }
    }

    /// Handles an attachment frame of a joined connection.
    pub async fn on_message<S: RoomStore>(
        &mut self,
        shared: &Shared<S>,
        membership: &S::Membership,
        message: ClientMessage,
    ) -> Outcome {
        match message {
            ClientMessage::UploadStart {
                client_id,
                file_name,
                mime,
                size,
            } => {
                self.start(shared, membership, client_id, file_name, mime, size)
                    .await
            }
            ClientMessage::UploadChunk { offset, data } => {
                self.chunk(shared, membership, offset, &data).await
            }
            ClientMessage::UploadCancel => {
                self.upload = None;
                Outcome::Nothing
            }
            ClientMessage::FetchAttachment { id, offset } => {
                fetch(shared, membership, &id, offset).await
            }
            _ => Outcome::Nothing,
        }
    }

    async fn start<S: RoomStore>(
        &mut self,
        shared: &Shared<S>,
        membership: &S::Membership,
        client_id: ClientId,
        file_name: String,
        mime: String,
        size: u64,
    ) -> Outcome {
        let busy = self
            .upload
            .as_ref()
            .is_some_and(|u| lock(&u.slot).pending.is_some());
        if busy || shared.config.max_uploads_in_flight == 0 {
            return refusal(
                ErrorCode::UploadInProgress,
                "one upload at a time: finish or cancel the one under way",
                client_id,
            );
        }
        let reservation = match shared.rooms.reserve_file(membership, size).await {
            Ok(reservation) => reservation,
            Err(code) => return refusal(code, limit_message(code, shared), client_id),
        };
        let pending = Pending {
            client_id,
            file_name: clean_file_name(&file_name),
            mime: clean_mime(&mime),
            size,
            // Grows as chunks come: a client cannot make the relay allocate what it declares.
            data: Vec::new(),
            reservation,
        };
        if size == 0 {
            return finish(shared, membership, pending).await;
        }
        let slot = Arc::new(Mutex::new(Slot {
            pending: Some(pending),
            deadline: Instant::now() + shared.config.upload_timeout,
            timed_out: false,
        }));
        let watchdog =
            tokio::spawn(watch(Arc::downgrade(&slot), Arc::clone(&shared.metrics))).abort_handle();
        self.upload = Some(Upload { slot, watchdog });
        Outcome::Reply(ServerMessage::UploadAck {
            client_id,
            received: 0,
        })
    }

    async fn chunk<S: RoomStore>(
        &mut self,
        shared: &Shared<S>,
        membership: &S::Membership,
        offset: u64,
        data: &str,
    ) -> Outcome {
        let Some(upload) = self.upload.take() else {
            return refusal(ErrorCode::BadChunk, "no upload under way", None);
        };
        // The slot's lock is held only in this block, never across the `finish` below.
        let step = {
            let mut slot = lock(&upload.slot);
            let timed_out = slot.timed_out;
            match slot.pending.take() {
                None => Err(if timed_out {
                    refusal(
                        ErrorCode::UploadTimedOut,
                        "the upload stalled and was dropped; start again",
                        None,
                    )
                } else {
                    refusal(ErrorCode::BadChunk, "no upload under way", None)
                }),
                Some(pending) => match append(pending, offset, data, shared.config.max_chunk_bytes)
                {
                    Err(refused) => Err(*refused),
                    Ok(pending) if pending.data.len() as u64 == pending.size => Ok(pending),
                    Ok(pending) => {
                        let ack = ServerMessage::UploadAck {
                            client_id: pending.client_id,
                            received: pending.data.len() as u64,
                        };
                        slot.pending = Some(pending);
                        slot.deadline = Instant::now() + shared.config.upload_timeout;
                        Err(Outcome::Reply(ack))
                    }
                },
            }
        };
        match step {
            Ok(finished) => finish(shared, membership, finished).await,
            Err(answer) => {
                if matches!(answer, Outcome::Reply(ServerMessage::UploadAck { .. })) {
                    self.upload = Some(upload);
                }
                answer
            }
        }
    }
}

/// Adds one chunk to `pending`, or says why the chunk ends the upload.
fn append(
    mut pending: Pending,
    offset: u64,
    data: &str,
    max: u32,
) -> Result<Pending, Box<Outcome>> {
    let client_id = pending.client_id;
    let max = max as usize;
    let too_large = || {
        refusal(
            ErrorCode::ChunkTooLarge,
            format!("a chunk can have at most {max} bytes; the upload was dropped"),
            client_id,
        )
    };
    // Checked before decoding, so an oversized chunk costs no allocation.
    if data.len() > max.div_ceil(3) * 4 {
        return Err(Box::new(too_large()));
    }
    let Ok(bytes) = BASE64.decode(data) else {
        return Err(Box::new(refusal(
            ErrorCode::BadChunk,
            "the chunk is not valid base64; the upload was dropped",
            client_id,
        )));
    };
    if bytes.len() > max {
        return Err(Box::new(too_large()));
    }
    let received = pending.data.len() as u64;
    if offset != received || received + bytes.len() as u64 > pending.size || bytes.is_empty() {
        return Err(Box::new(refusal(
            ErrorCode::BadChunk,
            format!(
                "expected a chunk at offset {received} within the declared size; the upload was dropped"
            ),
            client_id,
        )));
    }
    pending.data.extend_from_slice(&bytes);
    Ok(pending)
}

/// Stores the finished upload and announces it to the room.
async fn finish<S: RoomStore>(
    shared: &Shared<S>,
    membership: &S::Membership,
    pending: Pending,
) -> Outcome {
    let Ok(id) = secrets::resume_token() else {
        return refusal(
            ErrorCode::Internal,
            "the relay could not draw an id; try again",
            pending.client_id,
        );
    };
    let sniffed = sniff(&pending.data);
    let descriptor = Attachment {
        id,
        name: pending.file_name,
        mime: pending.mime,
        sniffed_mime: sniffed.mime,
        size: pending.size,
        width: sniffed.dimensions.map(|d| d.0),
        height: sniffed.dimensions.map(|d| d.1),
    };
    let stored = Stored {
        descriptor,
        data: pending.data.into(),
        seq: 0,
    };
    let client_id = pending.client_id;
    match shared
        .rooms
        .post_attachment(membership, client_id, pending.reservation, stored)
        .await
    {
        Ok(()) => Outcome::Nothing,
        Err(SendError::MembershipLost) => Outcome::Close {
            reply: None,
            code: close_code::SERVICE_RESTART,
            reason: "the relay lost touch with its cluster; resume",
        },
        Err(_) => refusal(
            ErrorCode::Unavailable,
            "the relay cannot store the file right now; nothing was sent",
            client_id,
        ),
    }
}

/// One chunk of attachment `id` from `offset`, if it is in the member's room.
async fn fetch<S: RoomStore>(
    shared: &Shared<S>,
    membership: &S::Membership,
    id: &str,
    offset: u64,
) -> Outcome {
    let len = shared.config.max_chunk_bytes as usize;
    let Some((size, bytes)) = shared.rooms.fetch_chunk(membership, id, offset, len).await else {
        return not_found();
    };
    Outcome::Reply(ServerMessage::AttachmentChunk {
        id: id.to_owned(),
        offset: offset.min(size),
        size,
        data: BASE64.encode(&bytes),
    })
}

/// The one answer for an id the member may not have, whatever the reason.
pub fn not_found() -> Outcome {
    Outcome::Reply(ServerMessage::error(
        ErrorCode::AttachmentNotFound,
        "no such attachment in your room",
    ))
}

/// Drops the upload in `slot` once its deadline passes with no chunk.
async fn watch(slot: Weak<Mutex<Slot>>, metrics: Arc<crate::metrics::Metrics>) {
    loop {
        let deadline = match slot.upgrade() {
            Some(slot) => lock(&slot).deadline,
            None => return,
        };
        tokio::time::sleep_until(deadline).await;
        let Some(slot) = slot.upgrade() else { return };
        let mut slot = lock(&slot);
        if slot.pending.is_none() {
            return;
        }
        if slot.deadline <= Instant::now() {
            // Frees the bytes received and gives the reserved space back.
            slot.pending = None;
            slot.timed_out = true;
            metrics.uploads_timed_out.inc();
            tracing::info!("upload stalled; dropped");
            return;
        }
    }
}

fn refusal(
    code: ErrorCode,
    message: impl Into<String>,
    client_id: impl Into<Option<ClientId>>,
) -> Outcome {
    Outcome::Reply(ServerMessage::Error(ErrorMessage {
        code,
        message: message.into(),
        client_id: client_id.into(),
        retry_after_ms: None,
    }))
}

fn limit_message<S: RoomStore>(code: ErrorCode, shared: &Shared<S>) -> String {
    let config = &shared.config;
    match code {
        ErrorCode::FileTooLarge => {
            format!("a file can have at most {} bytes", config.max_file_bytes)
        }
        ErrorCode::RoomAttachmentsFull => format!(
            "this room holds its {} bytes of files; older ones make room as they leave the history",
            config.max_room_attachment_bytes
        ),
        _ => "this relay holds as many files as it can right now".to_owned(),
    }
}

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    // Nothing panics under this lock; if something did, the slot is still well-formed.
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
