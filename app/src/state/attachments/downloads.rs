//! [`Downloads`]: attachments coming down from the relay, one `fetch_attachment` at a
//! time, and those that failed. The one owner of where each download is at
//! ([`FetchStatus`]); [`super::Attachments`] holds it beside the uploads.

use std::collections::{HashSet, VecDeque};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use confab_protocol::ClientMessage;

use super::{FetchStatus, Purpose, Transfer};

/// A file coming down, chunk by chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Download {
    id: String,
    name: String,
    purpose: Purpose,
    /// The size the descriptor declared: the bytes never grow past it.
    size: u64,
    bytes: Vec<u8>,
}

/// The download in flight, those waiting their turn, and those that failed.
#[derive(Debug, Default)]
pub struct Downloads {
    /// The download being fetched now (at most one request is outstanding, so an
    /// `attachment_not_found`, which names no id, is about this one).
    active: Option<Download>,
    /// Downloads waiting their turn, the next first. Not capped: each is an attachment
    /// the person has in view or asked to save, and the timeline they come from is capped
    /// (`timeline::MAX_ENTRIES`), so this is too. Dropping one would leave its placeholder
    /// waiting for ever.
    waiting: VecDeque<Download>,
    /// Downloads that failed, by attachment id, until asked for again.
    failed: HashSet<String>,
}

impl Downloads {
    /// Where the download of attachment `id` is at (`None`: not asked for, or done).
    pub(super) fn status(&self, id: &str) -> Option<FetchStatus> {
        if self.active.as_ref().is_some_and(|d| d.id == id) {
            Some(FetchStatus::Fetching)
        } else if self.waiting.iter().any(|d| d.id == id) {
            Some(FetchStatus::Waiting)
        } else if self.failed.contains(id) {
            Some(FetchStatus::Failed)
        } else {
            None
        }
    }

    /// Asks for the attachment `id` (`size` bytes as declared) unless it is already asked
    /// for; a failed one is asked for again. The newest request goes first: it is the
    /// picture on screen now (those scrolled past wait), or a Save the person waits on.
    /// The fetch starts now when nothing else is being fetched and `online`. Never
    /// dropped: it waits its turn, or fails visibly.
    pub(super) fn fetch(
        &mut self,
        id: &str,
        name: &str,
        size: u64,
        purpose: Purpose,
        online: bool,
    ) -> Vec<Transfer> {
        if let Some(d) = self
            .active
            .iter_mut()
            .chain(&mut self.waiting)
            .find(|d| d.id == id)
        {
            if purpose == Purpose::Save {
                d.purpose = Purpose::Save;
            }
            return vec![];
        }
        self.failed.remove(id);
        self.waiting.push_front(Download {
            id: id.to_owned(),
            name: name.to_owned(),
            purpose,
            size,
            bytes: Vec::new(),
        });
        if online { self.next() } else { vec![] }
    }

    /// `attachment_chunk`: keep the bytes, ask for more or hand the file over.
    /// `max`: the relay's file size limit (0: none said).
    pub(super) fn on_chunk(
        &mut self,
        id: &str,
        (offset, size): (u64, u64),
        data: &str,
        max: u64,
    ) -> Vec<Transfer> {
        let Some(d) = self.active.as_mut().filter(|d| d.id == id) else {
            return vec![];
        };
        let have = d.bytes.len() as u64;
        let fits = |bytes: &[u8]| {
            offset == have
                && size == d.size
                && offset + bytes.len() as u64 <= size
                && (max == 0 || size <= max)
        };
        let bytes = match STANDARD.decode(data) {
            Ok(bytes) if fits(&bytes) => bytes,
            _ => return self.fail_active(),
        };
        let ended = bytes.is_empty();
        d.bytes.extend_from_slice(&bytes);
        if d.bytes.len() as u64 == d.size {
            let d = self.active.take().expect("active was checked");
            let mut out = vec![Transfer::Fetched {
                id: d.id,
                name: d.name,
                purpose: d.purpose,
                bytes: d.bytes,
            }];
            out.extend(self.next());
            return out;
        }
        if ended {
            return self.fail_active();
        }
        let offset = d.bytes.len() as u64;
        vec![Transfer::Send(ClientMessage::FetchAttachment {
            id: d.id.clone(),
            offset,
        })]
    }

    /// `attachment_not_found`: the download asked for last is gone.
    pub(super) fn on_not_found(&mut self) -> Vec<Transfer> {
        if self.active.is_none() {
            return vec![];
        }
        self.fail_active()
    }

    /// The connection dropped: the download being fetched starts again from its first byte
    /// after the reconnect.
    pub(super) fn restart_active(&mut self) {
        if let Some(mut d) = self.active.take() {
            d.bytes = Vec::new();
            self.waiting.push_front(d);
        }
    }

    /// Every download fails (the room ended, or a new room cannot serve the old room's
    /// files): placeholders become cards with Retry instead of waiting for ever.
    pub(super) fn fail_all(&mut self) -> Vec<Transfer> {
        let downloads = self.active.take().into_iter().chain(self.waiting.drain(..));
        let mut out = Vec::new();
        for d in downloads {
            self.failed.insert(d.id);
            out.push(Transfer::FetchFailed {
                name: d.name,
                purpose: d.purpose,
            });
        }
        out
    }

    /// Only what failed, kept (a new room: the old room's files stay failed).
    pub(super) fn failed_only(self) -> Self {
        Self {
            failed: self.failed,
            ..Self::default()
        }
    }

    pub(super) fn next(&mut self) -> Vec<Transfer> {
        if self.active.is_some() {
            return vec![];
        }
        let Some(d) = self.waiting.pop_front() else {
            return vec![];
        };
        let msg = ClientMessage::FetchAttachment {
            id: d.id.clone(),
            offset: 0,
        };
        self.active = Some(d);
        vec![Transfer::Send(msg)]
    }

    fn fail_active(&mut self) -> Vec<Transfer> {
        let mut out = Vec::new();
        if let Some(d) = self.active.take() {
            self.failed.insert(d.id);
            out.push(Transfer::FetchFailed {
                name: d.name,
                purpose: d.purpose,
            });
        }
        out.extend(self.next());
        out
    }
}
