//! Files in the room: `/attach PATH` uploads one chunk per relay ack, `/save ID [PATH]`
//! fetches one chunk per request, and how an attachment's message reads in the terminal.
//!
//! No socket here: [`Files`] turns relay frames into the next request to send, and the
//! session sends it, so a transfer never holds up the session's loop.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use confab_protocol::{
    AttachmentLimits, ChatMessage, ClientId, ClientMessage, ErrorCode, ErrorMessage, ServerMessage,
    WelcomeMessage, clean_file_name,
};

use crate::render::{describe, human_size};

/// One transfer at a time each way: the file being uploaded and the one being saved.
#[derive(Debug, Default)]
pub struct Files {
    limits: AttachmentLimits,
    upload: Option<Upload>,
    download: Option<Download>,
    /// The last request of a transfer, sent again after a `rate_limited` wait.
    last_request: Option<ClientMessage>,
    /// File names by attachment id, from the messages seen: `/save ID` saves under it.
    names: HashMap<String, String>,
}

#[derive(Debug)]
struct Upload {
    client_id: ClientId,
    data: Vec<u8>,
}

#[derive(Debug)]
struct Download {
    id: String,
    /// Where to write it; `None` until its name is known (its first chunk).
    path: Option<PathBuf>,
    data: Vec<u8>,
}

/// What to do after a frame: send something (after a wait), and tell the user something.
#[derive(Debug, Default)]
pub struct Step {
    /// The next request of a transfer.
    pub send: Option<ClientMessage>,
    /// How long to wait before sending it (the relay's `retry_after_ms`).
    pub wait: Option<Duration>,
    /// A line for the user: a transfer finished or failed.
    pub note: Option<String>,
}

impl Files {
    /// Transfers under the limits of `welcome` (all zero from a relay without
    /// attachments), knowing the files in its history.
    pub fn new(welcome: &WelcomeMessage) -> Self {
        let mut files = Self {
            limits: welcome.limits.attachments,
            ..Self::default()
        };
        for chat in &welcome.history {
            files.remember(chat);
        }
        files
    }

    fn remember(&mut self, chat: &ChatMessage) {
        if let Some(file) = &chat.attachment {
            self.names.insert(file.id.clone(), file.name.clone());
        }
    }

    /// Whether no transfer is under way.
    pub fn idle(&self) -> bool {
        self.upload.is_none() && self.download.is_none()
    }

    /// Reads the file at `path` and returns the `upload_start` for it, or why not.
    pub fn start_upload(
        &mut self,
        path: &str,
        client_id: ClientId,
    ) -> Result<ClientMessage, String> {
        if self.upload.is_some() {
            return Err("an upload is under way; wait for it to finish".into());
        }
        if self.limits.max_file_bytes == 0 {
            return Err("this relay does not take files".into());
        }
        let size = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {path}: {e}"))?
            .len();
        if size > self.limits.max_file_bytes {
            return Err(format!(
                "{path} is {}; this relay takes files up to {}",
                human_size(size),
                human_size(self.limits.max_file_bytes)
            ));
        }
        let data = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let start = ClientMessage::UploadStart {
            client_id,
            file_name: clean_file_name(path),
            mime: String::new(),
            size: data.len() as u64,
        };
        self.upload = Some(Upload { client_id, data });
        Ok(start)
    }

    /// The first `fetch_attachment` for `id`, saved to `path` (or under its own name).
    pub fn start_download(
        &mut self,
        id: &str,
        path: Option<&str>,
    ) -> Result<ClientMessage, String> {
        if self.download.is_some() {
            return Err("a download is under way; wait for it to finish".into());
        }
        self.download = Some(Download {
            id: id.to_owned(),
            path: path.map(PathBuf::from),
            data: Vec::new(),
        });
        let fetch = ClientMessage::FetchAttachment {
            id: id.to_owned(),
            offset: 0,
        };
        self.last_request = Some(fetch.clone());
        Ok(fetch)
    }

    /// Takes in one frame from the relay and says what comes next.
    pub fn observe(&mut self, msg: &ServerMessage) -> Step {
        match msg {
            ServerMessage::UploadAck {
                client_id,
                received,
            } => self.next_chunk(*client_id, *received),
            ServerMessage::Chat(chat) => match (
                self.remember(chat),
                &self.upload,
                chat.client_id,
                &chat.attachment,
            ) {
                ((), Some(upload), Some(id), Some(file)) if upload.client_id == id => {
                    self.upload = None;
                    Step {
                        note: Some(format!("sent {}", describe(file))),
                        ..Step::default()
                    }
                }
                _ => Step::default(),
            },
            ServerMessage::AttachmentChunk {
                id,
                offset,
                size,
                data,
            } => self.chunk_arrived(id, *offset, *size, data),
            ServerMessage::Error(error) => self.refused(error),
            _ => Step::default(),
        }
    }

    fn next_chunk(&mut self, client_id: ClientId, received: u64) -> Step {
        let Some(upload) = self.upload.as_ref().filter(|u| u.client_id == client_id) else {
            return Step::default();
        };
        let max = usize::try_from(self.limits.max_chunk_bytes.max(1)).unwrap_or(usize::MAX);
        let from = usize::try_from(received)
            .unwrap_or(usize::MAX)
            .min(upload.data.len());
        let to = from.saturating_add(max).min(upload.data.len());
        let chunk = ClientMessage::UploadChunk {
            offset: from as u64,
            data: BASE64.encode(&upload.data[from..to]),
        };
        self.last_request = Some(chunk.clone());
        Step {
            send: Some(chunk),
            ..Step::default()
        }
    }

    fn chunk_arrived(&mut self, id: &str, offset: u64, size: u64, data: &str) -> Step {
        let Some(download) = self
            .download
            .as_mut()
            .filter(|d| d.id == id && d.data.len() as u64 == offset)
        else {
            return Step::default();
        };
        match BASE64.decode(data) {
            Ok(bytes) if !bytes.is_empty() || offset >= size => download.data.extend(bytes),
            _ => {
                self.download = None;
                return note("! the relay sent a bad chunk; nothing was saved");
            }
        }
        if (download.data.len() as u64) < size {
            let fetch = ClientMessage::FetchAttachment {
                id: id.to_owned(),
                offset: download.data.len() as u64,
            };
            self.last_request = Some(fetch.clone());
            return Step {
                send: Some(fetch),
                ..Step::default()
            };
        }
        let Some(done) = self.download.take() else {
            return Step::default();
        };
        let path = done.path.unwrap_or_else(|| {
            PathBuf::from(clean_file_name(
                self.names.get(id).map_or(id, String::as_str),
            ))
        });
        match std::fs::write(&path, &done.data) {
            Ok(()) => note(&format!("saved {} ({})", path.display(), human_size(size))),
            Err(err) => note(&format!("! cannot write {}: {err}", path.display())),
        }
    }

    fn refused(&mut self, error: &ErrorMessage) -> Step {
        let ours_upload = self
            .upload
            .as_ref()
            .is_some_and(|u| error.client_id == Some(u.client_id));
        if error.code == ErrorCode::RateLimited && !self.idle() {
            return Step {
                send: self.last_request.clone(),
                wait: Some(Duration::from_millis(error.retry_after_ms.unwrap_or(1000))),
                note: None,
            };
        }
        if ours_upload
            || (self.upload.is_some()
                && matches!(error.code, ErrorCode::BadChunk | ErrorCode::UploadTimedOut))
        {
            self.upload = None;
            return note(&format!(
                "! the upload failed: {}",
                crate::render::clean(&error.message)
            ));
        }
        if self.download.is_some() && error.code == ErrorCode::AttachmentNotFound {
            self.download = None;
            return note("! no such file in this room (it may have left the history)");
        }
        Step::default()
    }
}

fn note(text: &str) -> Step {
    Step {
        note: Some(text.to_owned()),
        ..Step::default()
    }
}
