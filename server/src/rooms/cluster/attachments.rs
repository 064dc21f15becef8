//! Attachments in cluster mode: the bytes live in Redis beside their room, so a file
//! uploaded on one relay is fetched from any other, over the WebSocket or HTTP.
//!
//! Each file is a string key, `confab:{CODE}:file:ID`, so a chunk is one `GETRANGE` and
//! costs what the chunk does, not what the file does. `confab:attachment:ID` holds the
//! room's code, for HTTP downloads, which name only the id. The room key `filemeta`
//! (id → `seq:size`, and `_bytes`, the bytes the room holds and has reserved) lists both,
//! so they expire and are kept with the room (the shared prelude's `file_keys`).
//! `confab:file_bytes` (room → bytes) is the cluster-wide total per room, and
//! `confab:file_bytes:sum` their sum; rooms that are gone drop out of it a few at each
//! upload (`HSCAN` from a kept cursor), so no upload scans every room. An upload under way holds its space as the
//! field `r:RELAY:N` of `filemeta` (its size) until it is stored or given up, so when a
//! relay dies mid-upload, reaping it gives its reservations back. A file whose message has left the room's kept
//! history is refused at once and freed by the room's next upload. docs/scaling.md says
//! what Redis holds.

use std::sync::Arc;

use confab_protocol::{Attachment, ClientId, ErrorCode, RoomCode};
use redis::Script;
use redis::aio::ConnectionManager;

use super::bus::Event;
use super::scripts::{RoomKeys, with_prelude};
use super::{Cluster, Membership};
use crate::attachments::{Claim, Release, Stored};
use crate::clock::now_millis;
use crate::metrics::Metrics;
use crate::rooms::types::SendError;

/// The longest attachment id looked up for an HTTP download (ids are 32 hex digits); a
/// longer one, or one with other characters, is refused before any key is built from it.
const MAX_ID_LEN: usize = 64;

/// Helpers for the scripts below, after the shared prelude.
const FILES_PRELUDE: &str = r#"
-- The file list is always the last of a room's keys, whatever other room keys come
-- before it.
local META = KEYS[#KEYS]
local TOTAL, SUM, CURSOR = 'confab:file_bytes', 'confab:file_bytes:sum', 'confab:file_bytes:cursor'
local PREFIX = string.sub(ROOM, 1, -5)
local function data_key(id) return PREFIX .. 'file:' .. id end
local function index_key(id) return 'confab:attachment:' .. id end

-- Frees the files whose messages the history no longer keeps.
local function free_stale()
  local first = redis.call('LINDEX', HISTORY, 0)
  local first_seq = tonumber(redis.call('GET', SEQ) or '0') + 1
  if first then first_seq = tonumber(cjson.decode(first).seq) end
  local fields = redis.call('HGETALL', META)
  local freed = 0
  for i = 1, #fields, 2 do
    local id = fields[i]
    if id ~= '_bytes' and string.sub(id, 1, 2) ~= 'r:' then
      local seq, size = string.match(fields[i + 1], '^(%d+):(%d+)$')
      if tonumber(seq) < first_seq then
        redis.call('UNLINK', data_key(id), index_key(id))
        redis.call('HDEL', META, id)
        freed = freed + tonumber(size)
      end
    end
  end
  return freed
end

-- The `seq` and size of file `id` while its message is in the history, else nil.
local function live(id)
  local meta = redis.call('HGET', META, id)
  if not meta then return nil end
  local seq, size = string.match(meta, '^(%d+):(%d+)$')
  local first = redis.call('LINDEX', HISTORY, 0)
  if not first or tonumber(cjson.decode(first).seq) > tonumber(seq) then return nil end
  return tonumber(seq), tonumber(size)
end

-- Records that room `code` holds `bytes`, keeping SUM the total of TOTAL's fields.
local function set_total(code, bytes)
  local before = tonumber(redis.call('HGET', TOTAL, code) or '0')
  redis.call('HSET', TOTAL, code, bytes)
  redis.call('INCRBY', SUM, bytes - before)
end

-- Looks at about `count` rooms of TOTAL (from where the last look stopped) and drops the
-- ones that are gone with their files: O(count), never a scan of every room.
local function prune(count)
  local cursor = redis.call('GET', CURSOR) or '0'
  local found = redis.call('HSCAN', TOTAL, cursor, 'COUNT', count)
  redis.call('SET', CURSOR, found[1])
  local fields = found[2]
  for i = 1, #fields, 2 do
    if redis.call('EXISTS', 'confab:{' .. fields[i] .. '}:room') == 0 then
      redis.call('HDEL', TOTAL, fields[i])
      redis.call('DECRBY', SUM, tonumber(fields[i + 1]))
    end
  end
  return found[1] == '0'
end

-- Lowers the room's count (and the cluster's) by `size`, never below zero.
local function lower(code, size)
  if size <= 0 or redis.call('EXISTS', META) == 0 then return end
  local mine = redis.call('HINCRBY', META, '_bytes', -size)
  if mine < 0 then redis.call('HSET', META, '_bytes', 0); mine = 0 end
  set_total(code, mine)
end
"#;

/// Reserves space for an upload, held by this relay under `reservation` (`r:RELAY:N`).
/// ARGV: size, room limit, cluster limit, room code, reservation.
/// Returns `ok`, `room`, `relay` or `gone` (the room has no members).
const RESERVE: &str = r#"
local size, max_room, max_total, code = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
if redis.call('EXISTS', ROOM) == 0 or redis.call('HLEN', MEMBERS) == 0 then return 'gone' end
lower(code, free_stale())
local mine = tonumber(redis.call('HGET', META, '_bytes') or '0')
set_total(code, mine)
if mine + size > max_room then return 'room' end
-- Rooms that ended left their bytes in the total: a few are dropped at every upload, and
-- more (still a bounded number) only when the total looks full.
prune(16)
for _ = 1, 8 do
  if tonumber(redis.call('GET', SUM) or '0') + size <= max_total then break end
  if prune(256) then break end
end
if tonumber(redis.call('GET', SUM) or '0') + size > max_total then return 'relay' end
set_total(code, redis.call('HINCRBY', META, '_bytes', size))
redis.call('HSET', META, ARGV[5], size)
return 'ok'
"#;

/// Gives back reserved space, unless reaping did already. ARGV: size, room code,
/// reservation.
const RELEASE: &str = r#"
if redis.call('HDEL', META, ARGV[3]) == 1 then lower(ARGV[2], tonumber(ARGV[1])) end
return 1
"#;

/// Gives back every reservation of relay `relay` in the room (it was reaped: its uploads
/// under way will never finish). ARGV: relay id, room code. Returns the bytes freed.
const FREE_RELAY: &str = r#"
local prefix = 'r:' .. ARGV[1] .. ':'
local fields = redis.call('HGETALL', META)
local freed = 0
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, #prefix) == prefix then
    redis.call('HDEL', META, fields[i])
    freed = freed + tonumber(fields[i + 1])
  end
end
lower(ARGV[2], freed)
return freed
"#;

/// Stores a finished upload and sequences its chat, like `CHAT`; its reservation becomes
/// the file's (or, if reaping gave it back meanwhile, the file takes its space again).
/// ARGV: channel, name key, relay id, conn id, event body, history length, id, bytes,
/// size, room code, reservation.
/// Returns `{"ok", seq}` or `{"not_member"}`.
const ATTACH: &str = r#"
local channel, key, relay, conn, body, keep = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
if too_late(ARGV[12]) then return {'late'} end
if not member_on(key, relay, conn) then return {'not_member'} end
local seq, event = sequence(body, keep)
-- The room has a member, so its keys have no expiry: neither do these.
redis.call('SET', data_key(ARGV[7]), ARGV[8])
redis.call('SET', index_key(ARGV[7]), ARGV[10])
redis.call('HSET', META, ARGV[7], seq .. ':' .. ARGV[9])
if redis.call('HDEL', META, ARGV[11]) == 0 then
  set_total(ARGV[10], redis.call('HINCRBY', META, '_bytes', tonumber(ARGV[9])))
end
redis.call('PUBLISH', channel, event)
lower(ARGV[10], free_stale())
return {'ok', tostring(seq)}
"#;

/// Reads a range of a file still in the history: one `GETRANGE`, whatever the file's
/// size. ARGV: id, offset, length. Returns `{size, bytes}`, or an empty array.
const FETCH: &str = r#"
local seq, size = live(ARGV[1])
if not seq then return {} end
local from, len = tonumber(ARGV[2]), tonumber(ARGV[3])
if from >= size or len <= 0 then return {size, ''} end
local chunk = redis.call('GETRANGE', data_key(ARGV[1]), from, from + len - 1)
-- A file listed without its bytes would make a client ask for the same chunk forever.
if #chunk == 0 then return {} end
return {size, chunk}
"#;

/// A whole file for an HTTP download, if `token` is the resume token of a member now in
/// the room (the check a WebSocket fetch makes by being a member's connection) and the
/// file's message is still in the history. ARGV: id, token. Returns `{event, bytes}`
/// (`event`: the history entry announcing the file, with its descriptor), or an empty
/// array. History entries are chats with consecutive `seq`s, so the announcing entry is
/// found by its index and checked. With ARGV[3] = `head`, the bytes are not read (an HTTP
/// `HEAD` answers from the descriptor) and `bytes` is empty.
const DOWNLOAD: &str = r#"
local id, token, head = ARGV[1], ARGV[2], ARGV[3] == 'head'
-- O(1): the token's member, if it is in the room under that token now.
local key = redis.call('HGET', TOKENS, token)
local held = key and redis.call('HGET', MEMBERS, key)
if not held or cjson.decode(held).token ~= token then return {} end
local seq = live(id)
if not seq then return {} end
local first = tonumber(cjson.decode(redis.call('LINDEX', HISTORY, 0)).seq)
local event = redis.call('LINDEX', HISTORY, seq - first)
if not event or tonumber(cjson.decode(event).seq) ~= seq then return {} end
if head then
  if redis.call('EXISTS', data_key(id)) == 0 then return {} end
  return {event, ''}
end
local data = redis.call('GET', data_key(id))
if not data then return {} end
return {event, data}
"#;

fn files_script(body: &str) -> Script {
    with_prelude(&format!("{FILES_PRELUDE}{body}"))
}

/// Gives reserved space back in Redis, from a task of its own (a drop cannot wait), and
/// takes it off this relay's `confab_attachment_bytes`.
#[derive(Debug)]
struct RedisRelease {
    redis: ConnectionManager,
    metrics: Arc<Metrics>,
    /// The reservation's field in the room's `filemeta` (`r:RELAY:N`).
    reservation: String,
}

impl Release for RedisRelease {
    fn release(&self, room: &RoomCode, size: u64) {
        self.metrics.attachment_bytes.sub(gauge_bytes(size));
        let mut redis = self.redis.clone();
        let keys = RoomKeys::of(room);
        let room = room.to_string();
        let reservation = self.reservation.clone();
        tokio::spawn(async move {
            let done: redis::RedisResult<i64> = files_script(RELEASE)
                .key(keys.all())
                .arg(size)
                .arg(room)
                .arg(reservation)
                .invoke_async(&mut redis)
                .await;
            if let Err(err) = done {
                tracing::warn!(%err, "reserved attachment space not given back");
            }
        });
    }
}

/// `size` for a gauge (sizes are at most `max_file_bytes`, far below `i64::MAX`).
fn gauge_bytes(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

impl Cluster {
    /// Holds `size` bytes in the member's room, within the room's and the cluster's limits.
    pub async fn reserve_file(
        self: &Arc<Self>,
        membership: &Membership,
        size: u64,
    ) -> Result<Claim, ErrorCode> {
        if size > self.config.max_file_bytes {
            return Err(ErrorCode::FileTooLarge);
        }
        let reservation = format!(
            "r:{}:{}",
            self.relay,
            self.reservations
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let verdict: String = files_script(RESERVE)
            .key(membership.keys.all())
            .arg(size)
            .arg(self.config.max_room_attachment_bytes)
            .arg(self.config.max_relay_attachment_bytes)
            .arg(membership.code.to_string())
            .arg(&reservation)
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|err| {
                tracing::warn!(%err, "attachment space not reserved");
                ErrorCode::Unavailable
            })?;
        match verdict.as_str() {
            "ok" => {
                // In cluster mode `confab_attachment_bytes` counts the uploads under way
                // on this relay: the bytes it reserved and gathers in its own memory
                // (stored files are in Redis). It falls when the upload is stored or given
                // up, whatever ends it (docs/scaling.md).
                self.metrics.attachment_bytes.add(gauge_bytes(size));
                let owner: Arc<dyn Release> = Arc::new(RedisRelease {
                    redis: self.redis.clone(),
                    metrics: Arc::clone(&self.metrics),
                    reservation: reservation.clone(),
                });
                Ok(Claim::new(membership.code.clone(), size, owner).named(reservation))
            }
            "room" => Err(ErrorCode::RoomAttachmentsFull),
            "relay" => Err(ErrorCode::RelayAttachmentsFull),
            _ => Err(ErrorCode::Unavailable),
        }
    }

    /// Stores a finished upload in Redis and announces it like a chat, to every relay.
    pub async fn post_attachment(
        self: &Arc<Self>,
        membership: &Membership,
        client_id: ClientId,
        reservation: Claim,
        stored: Stored,
    ) -> Result<(), SendError> {
        let descriptor = stored.descriptor;
        let body = Event::Chat {
            seq: 0,
            from: membership.name.clone(),
            text: descriptor.name.clone(),
            ts: now_millis(),
            client_id,
            origin: self.origin(membership.conn),
            attachment: Some(Box::new(descriptor.clone())),
            reply_to: None,
            from_key: membership.key.clone(),
        }
        .to_body();
        let reply: Vec<redis::Value> = files_script(ATTACH)
            .key(membership.keys.all())
            .arg(&membership.keys.channel)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .arg(body)
            .arg(self.config.history_len)
            .arg(&descriptor.id)
            .arg(&stored.data[..])
            .arg(descriptor.size)
            .arg(membership.code.to_string())
            .arg(reservation.name())
            .arg(self.redis_deadline())
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|err| {
                tracing::warn!(%err, "attachment could not be stored");
                SendError::Unavailable
            })?;
        match reply.first() {
            Some(redis::Value::BulkString(ok)) if ok == b"ok" => {
                // The space now belongs to the stored file, in Redis: this relay no
                // longer holds it.
                let held = reservation.settle();
                self.metrics.attachment_bytes.sub(gauge_bytes(held));
                self.metrics.chats_relayed.inc();
                Ok(())
            }
            Some(redis::Value::BulkString(late)) if late == b"late" => Err(SendError::Unavailable),
            _ => Err(SendError::MembershipLost),
        }
    }

    /// Gives back the space relay `relay` held in room `code` for uploads under way (it was
    /// reaped: they will never finish); the bytes freed.
    pub(super) async fn free_reservations_of(
        &self,
        keys: &RoomKeys,
        code: &RoomCode,
        relay: &str,
    ) -> redis::RedisResult<i64> {
        files_script(FREE_RELAY)
            .key(keys.all())
            .arg(relay)
            .arg(code.to_string())
            .invoke_async(&mut self.redis.clone())
            .await
    }

    /// Up to `len` bytes from `offset` of attachment `id` in the member's room, with its
    /// size; `None` for an id the room does not (or no longer) keep, or when Redis does not
    /// answer.
    pub async fn fetch_file(
        self: &Arc<Self>,
        membership: &Membership,
        id: &str,
        offset: u64,
        len: usize,
    ) -> Option<(u64, Vec<u8>)> {
        let reply: Vec<redis::Value> = files_script(FETCH)
            .key(membership.keys.all())
            .arg(id)
            .arg(offset)
            .arg(len)
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|err| tracing::warn!(%err, "attachment not fetched"))
            .ok()?;
        let [size, data] = reply.as_slice() else {
            return None;
        };
        let size: u64 = redis::from_redis_value(size.clone()).ok()?;
        let data: Vec<u8> = redis::from_redis_value(data.clone()).ok()?;
        Some((size, data))
    }

    /// Attachment `id` (its descriptor and bytes) for an HTTP download by whoever holds
    /// `token`, from any relay of the cluster: `None` unless a member now in the file's
    /// room holds that resume token and the file's message is still in the history, or
    /// when Redis does not answer. The same `None` for every refusal. With `head_only` the
    /// same checks are made but the bytes are not read out of Redis (they come back empty):
    /// an HTTP `HEAD` answers from the descriptor, which has the size and type.
    pub async fn download(
        self: &Arc<Self>,
        id: &str,
        token: &str,
        head_only: bool,
    ) -> Option<(Attachment, Vec<u8>)> {
        if id.is_empty() || id.len() > MAX_ID_LEN || !id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return None;
        }
        let mut redis = self.redis.clone();
        let code: Option<String> =
            redis::AsyncCommands::get(&mut redis, format!("confab:attachment:{id}"))
                .await
                .map_err(|err| tracing::warn!(%err, "attachment's room not looked up"))
                .ok()?;
        let code = RoomCode::parse(&code?).ok()?;
        let reply: Vec<redis::Value> = files_script(DOWNLOAD)
            .key(RoomKeys::of(&code).all())
            .arg(id)
            .arg(token)
            .arg(if head_only { "head" } else { "get" })
            .invoke_async(&mut redis)
            .await
            .map_err(|err| tracing::warn!(%err, "attachment not downloaded"))
            .ok()?;
        let mut reply = reply.into_iter();
        let (Some(redis::Value::BulkString(event)), Some(redis::Value::BulkString(data))) =
            (reply.next(), reply.next())
        else {
            return None;
        };
        let announced: Announced = serde_json::from_slice(&event)
            .map_err(|err| tracing::warn!(%err, "attachment's history entry unreadable"))
            .ok()?;
        let descriptor = announced.attachment?;
        (descriptor.id == id).then_some((descriptor, data))
    }
}

/// The part of a history entry a download needs: the descriptor of the file it announced.
#[derive(serde::Deserialize)]
struct Announced {
    attachment: Option<Attachment>,
}
