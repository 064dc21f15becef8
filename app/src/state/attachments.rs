//! Files going up to the relay and coming down from it: the upload queue and the downloads.
//!
//! Pure bookkeeping: it turns intents and relay messages into [`ClientMessage`]s and
//! [`Transfer`] events, and never touches sockets, files or pictures. The relay takes one
//! upload per connection at a time and one chunk per `upload_ack`; downloads are pulled one
//! `fetch_attachment` at a time, so an `attachment_not_found` (which names no id) is always
//! about the download asked for last.
//!
//! The model is the one owner of where each download is at ([`FetchStatus`]): the view
//! reads it to draw a placeholder, a picture or a card, and asks again for what it finds
//! in none of those states. A download is never dropped: it waits, or it fails visibly.

mod downloads;

use std::collections::VecDeque;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use confab_protocol::{AttachmentLimits, ClientId, ClientMessage};
pub use downloads::Downloads;
use web_time::Instant;

/// Chunk size when the relay did not say (the protocol's example size).
const DEFAULT_CHUNK_BYTES: usize = 32 * 1024;

/// A file waiting to go up, or going up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Chosen by this client: in every `upload_ack`, refusal and the finished `chat`.
    pub client_id: ClientId,
    /// The name shown and sent (the relay cleans it again).
    pub name: String,
    /// The type this client believes it has.
    pub mime: String,
    /// The whole file: it is at most `max_file_bytes`, checked before it was queued.
    bytes: Vec<u8>,
    /// Bytes the relay acknowledged (`None` until `upload_start` was sent).
    acked: Option<u64>,
}

impl Upload {
    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// How far along it is, 0 to 1, for a progress bar.
    pub fn progress(&self) -> f32 {
        match (self.acked, self.bytes.len()) {
            (_, 0) | (None, _) => 0.0,
            (Some(done), total) => done as f32 / total as f32,
        }
    }
}

/// What a download is for, which decides what the app does with the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Decode and show inline.
    Show,
    /// Hand to the person: a save dialog, the Downloads folder or a browser download.
    Save,
}

/// Where a download is at, for the view: a placeholder while it waits or comes down, a
/// card with Retry once it failed. No status: never asked for, or handed over already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchStatus {
    /// Waiting its turn (one download is fetched at a time, or the connection is down).
    Waiting,
    /// Coming down now.
    Fetching,
    /// Not found, or the relay sent something that does not fit, or its room is gone:
    /// it stays failed until asked for again (Retry).
    Failed,
}

/// Something the app must hear about after a relay message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    /// Send this.
    Send(ClientMessage),
    /// Tell the person this went wrong (a refusal, a dropped upload), as an error in the
    /// room.
    Problem(String),
    /// A download is complete.
    Fetched {
        /// The attachment's id.
        id: String,
        /// Its cleaned name.
        name: String,
        /// What it was fetched for.
        purpose: Purpose,
        /// Exactly `size` bytes.
        bytes: Vec<u8>,
    },
    /// A download failed (not found, the relay sent something that does not fit, or its
    /// room ended): its status is now [`FetchStatus::Failed`].
    FetchFailed {
        /// Its cleaned name.
        name: String,
        /// What it was fetched for (a failed Save is told in words).
        purpose: Purpose,
    },
}

/// The upload queue and the downloads of one model.
#[derive(Debug, Default)]
pub struct Attachments {
    /// What the relay allows (from `welcome`).
    pub limits: AttachmentLimits,
    /// Waiting uploads, the one in flight (if any) first.
    uploads: VecDeque<Upload>,
    /// When a rate-limited chunk may be sent again.
    retry_at: Option<Instant>,
    /// Files coming down, and those that failed.
    downloads: Downloads,
}

impl Attachments {
    /// The uploads, the one in flight first, for the progress line.
    pub fn uploads(&self) -> impl Iterator<Item = &Upload> {
        self.uploads.iter()
    }

    /// Where the download of attachment `id` is at (`None`: not asked for, or done).
    pub fn fetch_status(&self, id: &str) -> Option<FetchStatus> {
        self.downloads.status(id)
    }

    /// Asks for the attachment `id` (`size` bytes as declared): see [`Downloads::fetch`].
    pub fn fetch(
        &mut self,
        id: &str,
        name: &str,
        size: u64,
        purpose: Purpose,
        online: bool,
    ) -> Vec<Transfer> {
        self.downloads.fetch(id, name, size, purpose, online)
    }

    /// `attachment_chunk`: keep the bytes, ask for more or hand the file over.
    pub fn on_chunk(&mut self, id: &str, offset: u64, size: u64, data: &str) -> Vec<Transfer> {
        let max = self.limits.max_file_bytes;
        self.downloads.on_chunk(id, (offset, size), data, max)
    }

    /// `attachment_not_found`: the download asked for last is gone.
    pub fn on_not_found(&mut self) -> Vec<Transfer> {
        self.downloads.on_not_found()
    }

    /// Every download fails (the room ended, or a new room cannot serve the old room's
    /// files): placeholders become cards with Retry instead of waiting for ever.
    pub fn fail_downloads(&mut self) -> Vec<Transfer> {
        self.downloads.fail_all()
    }

    /// Queues a file for upload. Refused locally, in words, when the relay does not take
    /// files or the file is over its limit. `online`: whether to start it now.
    pub fn attach(
        &mut self,
        client_id: ClientId,
        name: &str,
        mime: &str,
        bytes: Vec<u8>,
        online: bool,
    ) -> Result<Vec<Transfer>, String> {
        if let Some(why) = self.refusal(name, bytes.len() as u64) {
            return Err(why);
        }
        let name = confab_protocol::clean_file_name(name);
        self.uploads.push_back(Upload {
            client_id,
            name,
            mime: mime.to_owned(),
            bytes,
            acked: None,
        });
        Ok(if online { self.start_next() } else { vec![] })
    }

    /// Why a file called `name` of `size` bytes would not be sent, in words, if it would
    /// not: the relay takes no files, or it is over the relay's limit. Asked before a file
    /// is read (its size from the file system or the browser) and again when it is attached.
    pub fn refusal(&self, name: &str, size: u64) -> Option<String> {
        let name = confab_protocol::clean_file_name(name);
        if self.limits.is_unset() || self.limits.max_uploads_in_flight == 0 {
            return Some(format!(
                "Not sent: {name}: this server does not take files."
            ));
        }
        let max = self.limits.max_file_bytes;
        (size > max).then(|| {
            format!(
                "Not sent: {name} is {}, and this server takes files up to {}. Send a \
                 smaller copy (phones and photo apps can share a picture at a smaller size).",
                super::words::file_size(size),
                super::words::file_size(max)
            )
        })
    }

    /// The largest file worth reading for upload now: anything larger is refused by its
    /// size alone ([`Attachments::refusal`]), before its bytes are read. 0 when the relay
    /// takes no files.
    pub fn max_file_bytes(&self) -> u64 {
        if self.limits.is_unset() || self.limits.max_uploads_in_flight == 0 {
            0
        } else {
            self.limits.max_file_bytes
        }
    }

    /// Cancels the upload `client_id` (in flight or waiting).
    pub fn cancel(&mut self, client_id: ClientId) -> Vec<Transfer> {
        let Some(at) = self.uploads.iter().position(|u| u.client_id == client_id) else {
            return vec![];
        };
        let upload = self.uploads.remove(at).expect("position is in range");
        if upload.acked.is_none() {
            return vec![];
        }
        self.retry_at = None;
        let mut out = vec![Transfer::Send(ClientMessage::UploadCancel)];
        out.extend(self.start_next());
        out
    }

    /// `upload_ack`: send the next chunk of the upload in flight.
    pub fn on_ack(&mut self, client_id: ClientId, received: u64) -> Vec<Transfer> {
        let chunk = self.chunk_bytes();
        let Some(upload) = self
            .uploads
            .front_mut()
            .filter(|u| u.client_id == client_id)
        else {
            return vec![];
        };
        upload.acked = Some(received);
        match chunk_at(&upload.bytes, received, chunk) {
            Some(msg) => vec![Transfer::Send(msg)],
            None => vec![],
        }
    }

    /// Our own `chat` came back with `client_id`: that upload is done; start the next.
    pub fn on_posted(&mut self, client_id: ClientId) -> Vec<Transfer> {
        if self
            .uploads
            .front()
            .is_some_and(|u| u.client_id == client_id)
        {
            self.uploads.pop_front();
            self.retry_at = None;
            return self.start_next();
        }
        vec![]
    }

    /// The relay refused something with `client_id`: if it is the upload in flight, drop
    /// it (naming the file) and start the next. Returns `None` if it was not an upload.
    /// A `rate_limited` chunk is sent again after `retry_after_ms` instead.
    pub fn on_refused(
        &mut self,
        client_id: ClientId,
        code: confab_protocol::ErrorCode,
        why: &str,
        retry_after_ms: Option<u64>,
        now: Instant,
    ) -> Option<Vec<Transfer>> {
        let upload = self.uploads.front().filter(|u| u.client_id == client_id)?;
        if code == confab_protocol::ErrorCode::RateLimited && upload.acked.is_some() {
            let wait = std::time::Duration::from_millis(retry_after_ms.unwrap_or(1000));
            self.retry_at = Some(now + wait);
            return Some(vec![]);
        }
        let upload = self.uploads.pop_front().expect("front was checked");
        self.retry_at = None;
        let mut out = vec![Transfer::Problem(format!(
            "Not sent: {}: {why}",
            upload.name
        ))];
        out.extend(self.start_next());
        Some(out)
    }

    /// Time passed: send a rate-limited chunk again once its wait is over.
    pub fn tick(&mut self, now: Instant) -> Vec<Transfer> {
        if self.retry_at.is_none_or(|at| now < at) {
            return vec![];
        }
        self.retry_at = None;
        let chunk = self.chunk_bytes();
        let Some(upload) = self.uploads.front() else {
            return vec![];
        };
        upload
            .acked
            .and_then(|acked| chunk_at(&upload.bytes, acked, chunk))
            .map(Transfer::Send)
            .into_iter()
            .collect()
    }

    /// When [`Attachments::tick`] has something to do.
    pub fn next_wakeup(&self) -> Option<Instant> {
        self.retry_at
    }

    /// The connection dropped: the upload in flight is lost (the relay dropped it too);
    /// the download being fetched starts again from its first byte after the reconnect.
    pub fn connection_dropped(&mut self) -> Vec<Transfer> {
        self.retry_at = None;
        self.downloads.restart_active();
        match self.uploads.front() {
            Some(upload) if upload.acked.is_some() => {
                let upload = self.uploads.pop_front().expect("front was checked");
                vec![Transfer::Problem(format!(
                    "Not sent: {}: the connection dropped; attach it again.",
                    upload.name
                ))]
            }
            _ => vec![],
        }
    }

    /// Bookkeeping for a new room that carries this one's transcript on: its files stay
    /// in the old room, so their downloads fail (and stay failed), and uploads that have
    /// not started are dropped as before; `limits` are the new room's.
    pub fn for_new_room(&mut self, limits: AttachmentLimits) -> Vec<Transfer> {
        let out = self.fail_downloads();
        *self = Self {
            limits,
            downloads: std::mem::take(&mut self.downloads).failed_only(),
            ..Self::default()
        };
        out
    }

    /// In the room again (`welcome`): start what is waiting.
    pub fn reconnected(&mut self, limits: AttachmentLimits) -> Vec<Transfer> {
        self.limits = limits;
        let mut out = self.start_next();
        out.extend(self.downloads.next());
        out
    }

    fn chunk_bytes(&self) -> usize {
        match self.limits.max_chunk_bytes {
            0 => DEFAULT_CHUNK_BYTES,
            n => n as usize,
        }
    }

    fn start_next(&mut self) -> Vec<Transfer> {
        match self.uploads.front_mut() {
            Some(upload) if upload.acked.is_none() => {
                upload.acked = Some(0);
                vec![Transfer::Send(ClientMessage::UploadStart {
                    client_id: upload.client_id,
                    file_name: upload.name.clone(),
                    mime: upload.mime.clone(),
                    size: upload.size(),
                })]
            }
            _ => vec![],
        }
    }
}

/// The `upload_chunk` from `offset`, or `None` when every byte was sent.
fn chunk_at(bytes: &[u8], offset: u64, chunk: usize) -> Option<ClientMessage> {
    let start = usize::try_from(offset).ok().filter(|&o| o < bytes.len())?;
    let end = bytes.len().min(start + chunk);
    Some(ClientMessage::UploadChunk {
        offset,
        data: STANDARD.encode(&bytes[start..end]),
    })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fetch_tests;
