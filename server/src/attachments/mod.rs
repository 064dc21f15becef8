//! Attachments: files members upload to their room, kept in this relay's memory.
//!
//! # Layout
//! - this file: [`FileStore`], the bytes and the accounting (per room, per relay), and
//!   [`Claim`], the space an upload under way holds.
//! - [`transfer`]: one connection's upload under way and its downloads, with the
//!   per-connection limits (chunk size, uploads in flight, stall timeout, transfer rate).
//! - [`sniff`]: what the bytes are (magic numbers) and an image's size (its header only).
//! - [`http`]: `GET /attachments/<id>`, authorised by a current member's resume token.
//!
//! The store never takes a room's lock and never awaits; a room's engine calls in while
//! holding its room's lock (order: room, then store), so an attachment is stored before
//! the message announcing it reaches anyone. It owns no sockets. One lock for the whole
//! store is enough: every operation under it is a few map updates and counter changes (the
//! bytes are shared, never copied, under it); the copying happens outside, per connection.

pub mod http;
pub mod sniff;
pub mod transfer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use confab_protocol::{Attachment, AttachmentLimits, ErrorCode, RoomCode, Seq};

use crate::Config;
use crate::clock::millis;
use crate::metrics::Metrics;

/// What `welcome.limits.attachments` tells clients about `config`.
pub fn limits_of(config: &Config) -> AttachmentLimits {
    AttachmentLimits {
        max_file_bytes: config.max_file_bytes,
        max_room_bytes: config.max_room_attachment_bytes,
        max_relay_bytes: config.max_relay_attachment_bytes,
        max_chunk_bytes: config.max_chunk_bytes,
        max_uploads_in_flight: config.max_uploads_in_flight,
        upload_timeout_ms: millis(config.upload_timeout),
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// A stored file: what its message says about it, and its bytes (shared, not copied,
/// with every download in progress).
#[derive(Debug, Clone)]
pub struct Stored {
    /// The descriptor the room's message carries.
    pub descriptor: Attachment,
    /// The file.
    pub data: Arc<[u8]>,
    /// The `seq` of the message that announced it: once the room's history no longer
    /// keeps that message, the file is gone too.
    pub seq: Seq,
}

/// The files of one room and the bytes it holds (stored and reserved).
#[derive(Debug, Default)]
struct RoomFiles {
    bytes: u64,
    files: HashMap<String, Stored>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Bytes stored and reserved across every room.
    bytes: u64,
    rooms: HashMap<RoomCode, RoomFiles>,
    /// Which room each id belongs to, for HTTP requests that name only the id.
    index: HashMap<String, RoomCode>,
}

/// Every attachment on this relay, with the per-room and per-relay byte limits.
#[derive(Debug)]
pub struct FileStore {
    limits: AttachmentLimits,
    metrics: Arc<Metrics>,
    inner: Mutex<Inner>,
}

/// Space held for an upload under way; given back when dropped, unless the upload was
/// kept (then the space belongs to the stored file).
#[derive(Debug)]
pub struct Claim {
    room: RoomCode,
    size: u64,
    owner: Arc<dyn Release>,
    /// What the owner calls this claim (cluster mode: its field in the room's file list).
    name: String,
}

/// Whoever holds the space a [`Claim`] stands for: this relay's [`FileStore`], or (cluster
/// mode) Redis.
pub trait Release: Send + Sync + std::fmt::Debug {
    /// Gives back `size` bytes of `room`'s space. Never waits.
    fn release(&self, room: &RoomCode, size: u64);
}

impl Claim {
    /// Space `size` in `room`, held by `owner` until dropped or [`Self::settle`]d.
    pub fn new(room: RoomCode, size: u64, owner: Arc<dyn Release>) -> Self {
        Self {
            room,
            size,
            owner,
            name: String::new(),
        }
    }

    /// The same claim, known to its owner as `name`.
    pub fn named(mut self, name: String) -> Self {
        self.name = name;
        self
    }

    /// What the owner calls this claim ("" if it gave it no name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The upload was kept: its space now belongs to the file. Returns the size held.
    pub fn settle(mut self) -> u64 {
        std::mem::take(&mut self.size)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let size = std::mem::take(&mut self.size);
        if size > 0 {
            self.owner.release(&self.room, size);
        }
    }
}

impl Release for FileStore {
    fn release(&self, room: &RoomCode, size: u64) {
        let mut inner = self.lock();
        self.give_back(&mut inner, room, size);
    }
}

impl FileStore {
    /// An empty store enforcing `limits`, reporting into `metrics`.
    pub fn new(limits: AttachmentLimits, metrics: Arc<Metrics>) -> Self {
        Self {
            limits,
            metrics,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Holds `size` bytes for an upload to `room`, or says which limit it would pass.
    pub fn reserve(self: &Arc<Self>, room: &RoomCode, size: u64) -> Result<Claim, ErrorCode> {
        if size > self.limits.max_file_bytes {
            return Err(ErrorCode::FileTooLarge);
        }
        let mut inner = self.lock();
        if inner.bytes.saturating_add(size) > self.limits.max_relay_bytes {
            return Err(ErrorCode::RelayAttachmentsFull);
        }
        let files = inner.rooms.entry(room.clone()).or_default();
        if files.bytes.saturating_add(size) > self.limits.max_room_bytes {
            return Err(ErrorCode::RoomAttachmentsFull);
        }
        files.bytes += size;
        inner.bytes += size;
        self.publish(&inner);
        let owner: Arc<dyn Release> = Arc::<Self>::clone(self);
        Ok(Claim::new(room.clone(), size, owner))
    }

    /// Keeps a finished upload under its reservation (whose room it belongs to).
    pub fn keep(&self, reservation: Claim, stored: Stored) {
        let room = reservation.room.clone();
        let reserved = reservation.settle();
        let mut inner = self.lock();
        let actual = stored.descriptor.size;
        // The upload never holds more than it reserved (chunks past the size are refused).
        self.give_back(&mut inner, &room, reserved.saturating_sub(actual));
        let id = stored.descriptor.id.clone();
        inner.index.insert(id.clone(), room.clone());
        inner
            .rooms
            .entry(room)
            .or_default()
            .files
            .insert(id, stored);
        self.publish(&inner);
    }

    /// The attachment `id`, if it belongs to `room`: the same `None` for an unknown id, an
    /// expired one and another room's, so a refusal tells nothing.
    pub fn fetch(&self, room: &RoomCode, id: &str) -> Option<Stored> {
        let inner = self.lock();
        inner.rooms.get(room)?.files.get(id).cloned()
    }

    /// The room attachment `id` belongs to.
    pub fn room_of(&self, id: &str) -> Option<RoomCode> {
        self.lock().index.get(id).cloned()
    }

    /// Frees `room`'s attachments announced before `first_kept` (its history's oldest
    /// kept `seq`): their messages are gone, so they are too.
    pub fn trim(&self, room: &RoomCode, first_kept: Seq) {
        let mut inner = self.lock();
        let Some(files) = inner.rooms.get_mut(room) else {
            return;
        };
        let gone: Vec<String> = files
            .files
            .iter()
            .filter(|(_, stored)| stored.seq < first_kept)
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            if let Some(stored) = inner.rooms.get_mut(room).and_then(|f| f.files.remove(&id)) {
                inner.index.remove(&id);
                self.give_back(&mut inner, room, stored.descriptor.size);
            }
        }
        self.publish(&inner);
    }

    /// Frees everything of a room that is gone. Reservations of uploads still under way
    /// give their space back when they end.
    pub fn drop_room(&self, room: &RoomCode) {
        let mut inner = self.lock();
        let Some(files) = inner.rooms.get_mut(room) else {
            return;
        };
        let stored: Vec<(String, u64)> = files
            .files
            .drain()
            .map(|(id, s)| (id, s.descriptor.size))
            .collect();
        for (id, size) in stored {
            inner.index.remove(&id);
            self.give_back(&mut inner, room, size);
        }
        self.publish(&inner);
    }

    /// Bytes stored and reserved on this relay.
    #[cfg(test)]
    pub fn bytes(&self) -> u64 {
        self.lock().bytes
    }

    fn give_back(&self, inner: &mut Inner, room: &RoomCode, size: u64) {
        inner.bytes = inner.bytes.saturating_sub(size);
        if let Some(files) = inner.rooms.get_mut(room) {
            files.bytes = files.bytes.saturating_sub(size);
            if files.bytes == 0 && files.files.is_empty() {
                inner.rooms.remove(room);
            }
        }
        self.publish(inner);
    }

    fn publish(&self, inner: &Inner) {
        let files: usize = inner.rooms.values().map(|f| f.files.len()).sum();
        self.metrics
            .attachment_bytes
            .set(i64::try_from(inner.bytes).unwrap_or(i64::MAX));
        self.metrics
            .attachments
            .set(i64::try_from(files).unwrap_or(i64::MAX));
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic under this lock would be a bug; the maps are still consistent enough to
        // keep serving, so later callers carry on.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(file: u64, room: u64, relay: u64) -> Arc<FileStore> {
        let limits = AttachmentLimits {
            max_file_bytes: file,
            max_room_bytes: room,
            max_relay_bytes: relay,
            ..AttachmentLimits::default()
        };
        Arc::new(FileStore::new(limits, Arc::default()))
    }

    fn code(s: &str) -> RoomCode {
        RoomCode::parse(s).expect("valid code")
    }

    fn stored(id: &str, size: u64, seq: Seq) -> Stored {
        Stored {
            descriptor: Attachment {
                id: id.into(),
                name: "f".into(),
                mime: String::new(),
                sniffed_mime: None,
                size,
                width: None,
                height: None,
            },
            data: vec![0; usize::try_from(size).expect("small")].into(),
            seq,
        }
    }

    #[test]
    fn each_limit_refuses_with_its_own_code() {
        let store = store(10, 15, 25);
        assert_eq!(
            store.reserve(&code("A"), 11).err(),
            Some(ErrorCode::FileTooLarge)
        );
        let a = store.reserve(&code("A"), 10).expect("fits");
        assert_eq!(
            store.reserve(&code("A"), 10).err(),
            Some(ErrorCode::RoomAttachmentsFull)
        );
        let _b = store.reserve(&code("B"), 10).expect("fits");
        assert_eq!(
            store.reserve(&code("C"), 10).err(),
            Some(ErrorCode::RelayAttachmentsFull)
        );
        drop(a);
        assert_eq!(
            store.bytes(),
            10,
            "a dropped reservation gives its space back"
        );
    }

    #[test]
    fn kept_files_go_when_their_message_leaves_the_history_or_the_room_goes() {
        let store = store(10, 100, 100);
        let room = code("A");
        let r = store.reserve(&room, 10).expect("fits");
        store.keep(r, stored("one", 4, 1));
        let r = store.reserve(&room, 5).expect("fits");
        store.keep(r, stored("two", 5, 2));
        assert_eq!(
            store.bytes(),
            9,
            "a file smaller than declared frees the rest"
        );
        assert!(store.fetch(&room, "one").is_some());
        assert!(
            store.fetch(&code("B"), "one").is_none(),
            "another room's id"
        );
        store.trim(&room, 2);
        assert!(store.fetch(&room, "one").is_none());
        assert_eq!(store.room_of("two"), Some(room.clone()));
        store.drop_room(&room);
        assert_eq!((store.bytes(), store.room_of("two")), (0, None));
    }
}
