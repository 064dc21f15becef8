//! The Lua scripts that change a room's shared state. Redis runs each one atomically, so
//! every check and its update happen together (two relays racing for one name admit exactly
//! one), and the events a script publishes are numbered in the order they happened.
//!
//! Every script takes the same keys, one room's ([`RoomKeys`]), and publishes on the room's
//! bus channel (first argument). An event is a JSON object whose first field is `ev`, the
//! room's event number; a chat also carries `seq`. Names are stored JSON-encoded (by the
//! relay, from validated [`confab_protocol::Username`]s), so a script can splice them into
//! an event without encoding anything itself.

use std::sync::LazyLock;

use confab_protocol::RoomCode;
use redis::Script;

/// The keys of one room. All share the hash tag `{CODE}`, so they live on one shard.
#[derive(Debug, Clone)]
pub struct RoomKeys {
    /// The bus channel every relay with members in the room subscribes to.
    pub channel: String,
    keys: [String; 15],
}

impl RoomKeys {
    /// The keys of `code`.
    pub fn of(code: &RoomCode) -> Self {
        let key = |part: &str| format!("confab:{{{code}}}:{part}");
        Self {
            channel: key("bus"),
            keys: [
                key("room"),     // 1: exists while the room does ("1", or "p" if permanent)
                key("seq"),      // 2: the last chat's seq
                key("ev"),       // 3: the last event's number
                key("history"),  // 4: list of the last history_len chat events
                key("members"),  // 5: hash: name key -> {"token","relay","conn"}
                key("reserved"), // 6: hash: name key -> {"token","exp"} of dropped members
                key("order"),    // 7: sorted set: name key by joining order
                key("ordinal"),  // 8: the last joining ordinal
                key("names"),    // 9: hash: name key -> the name, JSON-encoded
                key("owner"),    // 10: {"token","key"}: the owner's resume token and name key
                key("locked"),   // 11: exists while the room is locked
                // 12: hash: name key or "ip:ADDR" -> "END:COUNT", the latest ban end (ms)
                // among the `removals` that name it, and how many do. (Not "bans": that
                // hash held bare end times, which a relay of this version cannot read.)
                key("banned"),
                key("away"),     // 13: hash: name key -> "1" for members who are away
                key("removals"), // 14: list: the removals kept out, oldest first
                // Always the last (the prelude's `file_keys` finds it from the end):
                key("filemeta"), // 15: hash: attachment id -> "seq:size", "_bytes" -> bytes held
            ],
        }
    }

    /// The keys, in the order every script expects them.
    pub fn all(&self) -> &[String] {
        &self.keys
    }
}

/// Shared helpers, prepended to every script.
const PRELUDE: &str = r#"
local ROOM, SEQ, EV, HISTORY, MEMBERS, RESERVED, ORDER, ORDINAL, NAMES =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local OWNER, LOCKED, BANNED, AWAY, REMOVALS = KEYS[10], KEYS[11], KEYS[12], KEYS[13], KEYS[14]

-- Most removals a room keeps out at once; the oldest (its name and its address together)
-- is forgotten first. The memory store's `MAX_REMOVALS` (rooms/memory/room.rs).
local MAX_REMOVALS = 64

-- The roster in joining order, as a JSON array of names.
local function roster()
  local names = {}
  for _, key in ipairs(redis.call('ZRANGE', ORDER, 0, -1)) do
    local name = redis.call('HGET', NAMES, key)
    if name then names[#names + 1] = name end
  end
  return '[' .. table.concat(names, ',') .. ']'
end

-- Publishes `body` (a JSON object) as the room's next event; returns its number.
local function publish(channel, body)
  local ev = redis.call('INCR', EV)
  redis.call('PUBLISH', channel, '{"ev":' .. ev .. ',' .. string.sub(body, 2))
  return ev
end

local function last(key)
  return tostring(redis.call('GET', key) or '0')
end

-- The member under `key` (decoded) if it is in the room on relay `relay`'s connection
-- `conn`; nil if it is not a member or speaks through another connection.
local function member_on(key, relay, conn)
  local current = redis.call('HGET', MEMBERS, key)
  if not current then return nil end
  local member = cjson.decode(current)
  if member.relay ~= relay or member.conn ~= conn then return nil end
  return member
end

-- Gives `body` (a JSON object) the room's next `seq` and event number and keeps it in the
-- last `keep` entries of the history. Returns the seq and the event, not yet published.
local function sequence(body, keep)
  local seq = redis.call('INCR', SEQ)
  local ev = redis.call('INCR', EV)
  local event = '{"ev":' .. ev .. ',"seq":' .. seq .. ',' .. string.sub(body, 2)
  if keep > 0 then
    redis.call('RPUSH', HISTORY, event)
    redis.call('LTRIM', HISTORY, -keep, -1)
  end
  return seq, event
end

-- The owner (`{token, key}`), if the room has one.
local function owner()
  local held = redis.call('GET', OWNER)
  if held then return cjson.decode(held) end
  return nil
end

-- The owner's name (JSON) while a member or a live reservation holds the owner's token.
-- O(1): the owner's name key is kept beside the token.
local function owner_name(now)
  local o = owner()
  if not o then return nil end
  local current = redis.call('HGET', MEMBERS, o.key)
  if current and cjson.decode(current).token == o.token then return redis.call('HGET', NAMES, o.key) end
  local reserved = redis.call('HGET', RESERVED, o.key)
  if reserved then
    local held = cjson.decode(reserved)
    if held.token == o.token and held.name and tonumber(held.exp) > now then return held.name end
  end
  return nil
end

local function set_owner(token, key)
  redis.call('SET', OWNER, cjson.encode({token = token, key = key}))
end

-- The room's owner and lock, as the JSON object `room_state` carries.
local function room_state(now)
  local locked = redis.call('EXISTS', LOCKED) == 1
  return '{"owner":' .. (owner_name(now) or 'null') .. ',"locked":' .. tostring(locked) .. '}'
end

local function publish_state(channel, now)
  publish(channel, '{"kind":"room_state",' .. string.sub(room_state(now), 2))
end

-- Passes ownership to the longest-present member once its holder is gone for good
-- (nobody owns a permanent room).
local function settle_owner(channel, now)
  if redis.call('GET', ROOM) == 'p' or owner_name(now) then return end
  local before = redis.call('GET', OWNER)
  local first = redis.call('ZRANGE', ORDER, 0, 0)[1]
  if first then
    set_owner(cjson.decode(redis.call('HGET', MEMBERS, first)).token, first)
  else
    redis.call('DEL', OWNER)
  end
  if before or first then publish_state(channel, now) end
end

-- Away members and live reservations (reconnecting), as `welcome.statuses`: O(away +
-- reserved), not O(members).
local function statuses(now)
  local out = {}
  for _, key in ipairs(redis.call('HKEYS', AWAY)) do
    local name = redis.call('HGET', NAMES, key)
    if name then out[#out + 1] = '{"name":' .. name .. ',"status":"away"}' end
  end
  local reserved = redis.call('HGETALL', RESERVED)
  for i = 1, #reserved, 2 do
    local held = cjson.decode(reserved[i + 1])
    if held.name and tonumber(held.exp) > now then
      out[#out + 1] = '{"name":' .. held.name .. ',"status":"reconnecting"}'
    end
  end
  return '[' .. table.concat(out, ',') .. ']'
end

-- The fields of BANNED a removal of name key `key` from address `ip` holds (a name
-- reserved by RESTORE has no address).
local function ban_fields(key, ip)
  if ip then return {key, 'ip:' .. ip} end
  return {key}
end

-- A field of BANNED: the latest ban end among the removals that name it, and how many do.
local function banned(field)
  local held = redis.call('HGET', BANNED, field)
  if not held then return nil end
  local ends, count = string.match(held, '^(%d+):(%d+)$')
  return tonumber(ends), tonumber(count)
end

-- Whether the name key or the address was removed from the room and is still kept out.
local function kept_out(key, ip, now)
  for _, field in ipairs(ban_fields(key, ip)) do
    local ends = banned(field)
    if ends and ends > now then return true end
  end
  return false
end

-- Keeps a name key and an address out until `until_ms`, as one removal: at MAX_REMOVALS,
-- the oldest removal is forgotten first, its name and its address together (a field
-- another removal still names stays). O(1): REMOVALS is the order, BANNED the look-up.
local function keep_out(key, ip, until_ms)
  if redis.call('LLEN', REMOVALS) >= MAX_REMOVALS then
    local oldest = cjson.decode(redis.call('LPOP', REMOVALS))
    for _, field in ipairs(ban_fields(oldest.key, oldest.ip)) do
      local ends, count = banned(field)
      if not count or count <= 1 then
        redis.call('HDEL', BANNED, field)
      else
        redis.call('HSET', BANNED, field, string.format('%d:%d', ends, count - 1))
      end
    end
  end
  redis.call('RPUSH', REMOVALS, cjson.encode({key = key, ip = ip}))
  for _, field in ipairs(ban_fields(key, ip)) do
    local ends, count = banned(field)
    redis.call('HSET', BANNED, field,
      string.format('%d:%d', math.max(ends or 0, until_ms), (count or 0) + 1))
  end
end

-- The keys of the room's attachments, listed by its `filemeta` hash (always the last
-- key): `confab:{CODE}:file:ID` (the bytes, a string, so a chunk is one GETRANGE) and
-- `confab:attachment:ID` (the room's code, for HTTP downloads that name only the id).
-- There is one pair per file, so they cannot be among KEYS: the room's expiry and its
-- keeping reach them through this list (attachments.rs).
local function file_keys()
  local prefix = string.sub(ROOM, 1, -5)
  local out = {}
  for _, id in ipairs(redis.call('HKEYS', KEYS[#KEYS])) do
    if id ~= '_bytes' then
      out[#out + 1] = prefix .. 'file:' .. id
      out[#out + 1] = 'confab:attachment:' .. id
    end
  end
  return out
end

-- Removes a member; keeps its name for `token` until `exp` (ms) if `reserve`.
-- Expires the room after `grace_ms` once nobody is left, unless it is permanent.
local function remove(channel, key, member, reserve, exp, grace_ms, now)
  local name = redis.call('HGET', NAMES, key)
  redis.call('HDEL', MEMBERS, key)
  redis.call('ZREM', ORDER, key)
  redis.call('HDEL', NAMES, key)
  redis.call('HDEL', AWAY, key)
  if reserve then
    redis.call('HSET', RESERVED, key,
      cjson.encode({token = member.token, exp = exp, name = name, ip = member.ip}))
  end
  publish(channel, '{"kind":"left","name":' .. (name or '""') .. ',"members":' .. roster()
    .. ',"reconnecting":' .. tostring(reserve) .. '}')
  if redis.call('HLEN', MEMBERS) == 0 and redis.call('GET', ROOM) ~= 'p' then
    for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], grace_ms) end
    for _, file in ipairs(file_keys()) do redis.call('PEXPIRE', file, grace_ms) end
  end
  settle_owner(channel, now)
end
"#;

/// Joins a room (created beforehand by a `SET NX`), or resumes into it.
///
/// ARGV: channel, name key, name JSON, fresh token, given token ("" if none), now ms,
/// max members, relay id, conn id, room code (to list the room among the relay's, for
/// reaping), "1" if this join creates the room (its member owns it), the address.
/// Returns `{status, token, ev, last_seq, roster, statuses, room state, history...}` with
/// status `joined`, `reclaimed` (a reserved name taken back) or `replaced` (the member's
/// older connection is replaced), or `{refusal}`: `room_not_found`, `name_taken`,
/// `room_full`, `room_locked`, `removed`.
const JOIN: &str = r#"
local channel, key, name, fresh, given, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local max_members, relay, conn = tonumber(ARGV[7]), ARGV[8], ARGV[9]
local creating, ip = ARGV[11] == '1', ARGV[12]
if redis.call('EXISTS', ROOM) == 0 then return {'room_not_found'} end
redis.call('SADD', 'confab:relay:' .. relay .. ':rooms', ARGV[10])
local status, token, ev
local current = redis.call('HGET', MEMBERS, key)
if current then
  local member = cjson.decode(current)
  if given == '' or member.token ~= given then return {'name_taken'} end
  local old_relay, old_conn = member.relay, member.conn
  member.relay, member.conn = relay, conn
  redis.call('HSET', MEMBERS, key, cjson.encode(member))
  ev = publish(channel, '{"kind":"replaced","relay":' .. cjson.encode(old_relay)
    .. ',"conn":' .. cjson.encode(old_conn) .. '}')
  status, token = 'replaced', member.token
else
  token, status = fresh, 'joined'
  local held = redis.call('HGET', RESERVED, key)
  if held then
    local reservation = cjson.decode(held)
    if tonumber(reservation.exp) <= now then
      redis.call('HDEL', RESERVED, key)
    elseif reservation.token ~= given then
      return {'name_taken'}
    else
      token, status = reservation.token, 'reclaimed'
    end
  end
  if status == 'joined' then
    -- Only a new arrival is kept out; a member resuming is let back in.
    if kept_out(key, ip, now) then return {'removed'} end
    if redis.call('EXISTS', LOCKED) == 1 then return {'room_locked'} end
  end
  if redis.call('HLEN', MEMBERS) >= max_members then return {'room_full'} end
  if status == 'reclaimed' then redis.call('HDEL', RESERVED, key) end
  redis.call('HSET', MEMBERS, key, cjson.encode({token = token, relay = relay, conn = conn, ip = ip}))
  redis.call('HSET', NAMES, key, name)
  redis.call('ZADD', ORDER, redis.call('INCR', ORDINAL), key)
  if creating then set_owner(token, key) end
  for i = 1, #KEYS do redis.call('PERSIST', KEYS[i]) end
  for _, file in ipairs(file_keys()) do redis.call('PERSIST', file) end
  ev = publish(channel, '{"kind":"joined","name":' .. name .. ',"members":' .. roster()
    .. ',"relay":' .. cjson.encode(relay) .. ',"conn":' .. cjson.encode(conn) .. '}')
  settle_owner(channel, now)
end
local reply = {status, token, tostring(ev), last(SEQ), roster(), statuses(now), room_state(now)}
for _, event in ipairs(redis.call('LRANGE', HISTORY, 0, -1)) do reply[#reply + 1] = event end
return reply
"#;

/// Sequences a chat: the next `seq`, kept in the history and published.
///
/// ARGV: channel, name key, relay id, conn id, event body (a JSON object), history length.
/// Returns `{"ok", seq}` or `{"not_member"}`.
const CHAT: &str = r#"
local channel, key, relay, conn, body, keep = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
if not member_on(key, relay, conn) then return {'not_member'} end
local seq, event = sequence(body, keep)
redis.call('PUBLISH', channel, event)
return {'ok', tostring(seq)}
"#;

/// Publishes an event that needs no `seq` (a typing hint), numbered like every other, if
/// its sender is still a member on this connection (as memory mode checks): a member
/// removed through another relay, or a room that expired, publishes nothing and creates
/// no key.
///
/// ARGV: channel, event body, sender's name key, relay id, conn id. Returns 1 if
/// published, 0 if not.
const EVENT: &str = r#"
if not member_on(ARGV[3], ARGV[4], ARGV[5]) then return 0 end
publish(ARGV[1], ARGV[2])
return 1
"#;

/// Publishes a whisper if its sender is still a member on this connection and its
/// recipient is a member (and someone else).
///
/// ARGV: channel, recipient's name key, event body, sender's name key, relay id, conn id.
/// Returns `{"ok", recipient name JSON}`, `{"no_such_member"}` or `{"not_member"}`.
const WHISPER: &str = r#"
if not member_on(ARGV[4], ARGV[5], ARGV[6]) then return {'not_member'} end
local name = redis.call('HGET', NAMES, ARGV[2])
if not name or redis.call('HEXISTS', MEMBERS, ARGV[2]) == 0 then return {'no_such_member'} end
-- A whisper to yourself is only the echo the sender's relay gives it: nothing to publish.
if ARGV[2] ~= ARGV[4] then publish(ARGV[1], ARGV[3]) end
return {'ok', name}
"#;

/// Removes a member if it is still on the given connection.
///
/// ARGV: channel, name key, relay id, conn id, reserve ("1"/"0"), reservation end ms,
/// grace ms, now ms. Returns 1 if the member was removed, 2 if it was the owner and its
/// name is now reserved (the caller runs [`SETTLE`] when the reservation ends), 0 if not.
const DEPART: &str = r#"
local channel, key, relay, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local member = member_on(key, relay, conn)
if not member then return 0 end
local o = owner()
local owner_reserved = ARGV[5] == '1' and o ~= nil and o.token == member.token
remove(channel, key, member, ARGV[5] == '1', tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
if owner_reserved then return 2 end
return 1
"#;

/// Passes ownership on if its holder is gone for good (a reservation that ended unused),
/// as memory mode does when the reservation's timer fires. Nothing if the owner came back.
///
/// ARGV: channel, now ms. Returns 1.
const SETTLE: &str = r#"
settle_owner(ARGV[1], tonumber(ARGV[2]))
return 1
"#;

/// Sets a member's status (stored for `welcome`) and publishes the change.
///
/// ARGV: channel, name key, relay id, conn id, status, event body. Returns 1 if done.
const STATUS: &str = r#"
local channel, key, relay, conn, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not member_on(key, relay, conn) then return 0 end
if status == 'away' then redis.call('HSET', AWAY, key, '1') else redis.call('HDEL', AWAY, key) end
publish(channel, ARGV[6])
return 1
"#;

/// Shared by LOCK and REMOVE: whether the requester on (relay, conn) owns the room.
const OWNER_CHECK: &str = r#"
local function owner_check(key, relay, conn)
  local member = member_on(key, relay, conn)
  if not member then return 'not_member' end
  local o = owner()
  if not o or o.token ~= member.token then return 'not_owner' end
  return 'ok'
end
"#;

/// The owner locks or unlocks the room.
///
/// ARGV: channel, name key, relay id, conn id, "1" to lock or "0", now ms.
/// Returns `ok`, `not_owner` or `not_member`.
const LOCK: &str = r#"
local checked = owner_check(ARGV[2], ARGV[3], ARGV[4])
if checked ~= 'ok' then return checked end
if ARGV[5] == '1' then redis.call('SET', LOCKED, '1') else redis.call('DEL', LOCKED) end
publish_state(ARGV[1], tonumber(ARGV[6]))
return 'ok'
"#;

/// The owner removes a member (or a reserved name): bans its name and address, tells its
/// relay to close it (`removed`), and publishes the departure.
///
/// ARGV: channel, owner's name key, relay id, conn id, target name key, ban end ms, now
/// ms, grace ms. Returns `ok`, `not_owner`, `not_member`, `yourself` or `no_such_member`.
const REMOVE: &str = r#"
local channel, key, target = ARGV[1], ARGV[2], ARGV[5]
local until_ms, now, grace = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local checked = owner_check(key, ARGV[3], ARGV[4])
if checked ~= 'ok' then return checked end
if target == key then return 'yourself' end
local held = redis.call('HGET', MEMBERS, target)
if held then
  local victim = cjson.decode(held)
  keep_out(target, victim.ip, until_ms)
  publish(channel, '{"kind":"removed","relay":' .. cjson.encode(victim.relay)
    .. ',"conn":' .. cjson.encode(victim.conn) .. '}')
  remove(channel, target, victim, false, 0, grace, now)
  return 'ok'
end
local reserved = redis.call('HGET', RESERVED, target)
if reserved then
  local gone = cjson.decode(reserved)
  redis.call('HDEL', RESERVED, target)
  keep_out(target, gone.ip, until_ms)
  publish(channel, '{"kind":"left","name":' .. (gone.name or '""') .. ',"members":' .. roster() .. '}')
  settle_owner(channel, now)
  return 'ok'
end
return 'no_such_member'
"#;

/// Removes every member a dead relay had in the room, as dropped connections.
///
/// ARGV: channel, dead relay id, reservation end ms, grace ms, now ms. Returns how many.
const REAP: &str = r#"
local channel, dead, exp, grace = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local removed = 0
for _, key in ipairs(redis.call('ZRANGE', ORDER, 0, -1)) do
  local current = redis.call('HGET', MEMBERS, key)
  if current then
    local member = cjson.decode(current)
    if member.relay == dead then
      remove(channel, key, member, true, exp, grace, now)
      removed = removed + 1
    end
  end
end
return removed
"#;

/// Gives back a membership Redis forgot (it was restarted): makes the room exist again
/// (for the grace period, until a join keeps it), moves `seq` up to what the relay had
/// seen, and reserves the name for its token, so the join that follows reclaims it.
///
/// ARGV: name key, token, reservation end ms, last seq seen, grace ms.
const RESTORE: &str = r#"
local key, token, exp, seen, grace = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if redis.call('EXISTS', ROOM) == 0 then redis.call('SET', ROOM, '1', 'PX', grace) end
if tonumber(redis.call('GET', SEQ) or '0') < seen then redis.call('SET', SEQ, seen) end
if redis.call('HEXISTS', MEMBERS, key) == 0 and redis.call('HEXISTS', RESERVED, key) == 0 then
  redis.call('HSET', RESERVED, key, cjson.encode({token = token, exp = exp}))
end
return 1
"#;

/// Makes a permanent room exist (it never expires).
const PERMANENT: &str = r#"
redis.call('SET', ROOM, 'p')
return 1
"#;

/// A script of `body` after the shared helpers (for scripts kept beside what they serve).
pub fn with_prelude(body: &str) -> Script {
    script(body)
}

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}

fn owner_script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{OWNER_CHECK}{body}"))
}

/// [`JOIN`].
pub static JOIN_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(JOIN));
/// [`CHAT`].
pub static CHAT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(CHAT));
/// [`EVENT`].
pub static EVENT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(EVENT));
/// [`WHISPER`].
pub static WHISPER_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(WHISPER));
/// [`DEPART`].
pub static DEPART_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(DEPART));
/// [`SETTLE`].
pub static SETTLE_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(SETTLE));
/// [`STATUS`].
pub static STATUS_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(STATUS));
/// [`LOCK`].
pub static LOCK_SCRIPT: LazyLock<Script> = LazyLock::new(|| owner_script(LOCK));
/// [`REMOVE`].
pub static REMOVE_SCRIPT: LazyLock<Script> = LazyLock::new(|| owner_script(REMOVE));
/// [`REAP`].
pub static REAP_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(REAP));
/// [`RESTORE`].
pub static RESTORE_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(RESTORE));
/// [`PERMANENT`].
pub static PERMANENT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(PERMANENT));
