//! The helpers every script starts with: the room's keys by name, membership and owner
//! checks, publishing a numbered event, removing a member, the ban list.

/// Shared helpers, prepended to every script.
pub const PRELUDE: &str = r#"
local ROOM, SEQ, EV, HISTORY, MEMBERS, RESERVED, ORDER, ORDINAL, NAMES =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local OWNER, LOCKED, BANNED, AWAY, REMOVALS = KEYS[10], KEYS[11], KEYS[12], KEYS[13], KEYS[14]
local TOKENS, RESTORED, CHANGES = KEYS[15], KEYS[16], KEYS[17]

-- Most removals a room keeps out at once; the oldest (its name and its address together)
-- is forgotten first. The memory store's `MAX_REMOVALS` (rooms/memory/room.rs).
local MAX_REMOVALS = 64

-- Now, in ms, by Redis's clock: every end and every comparison in the scripts uses it, so
-- no relay's clock can reap, ban or expire anything early for the others. An end a relay
-- passes is taken as its distance from the relay's own `now` (`until - now`).
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Whether a request that had to be carried out by `deadline` (ms, Redis's clock, as the
-- relay estimated it when it sent the request) comes too late: the relay has told its
-- client `unavailable` by now, so doing it would make that answer a lie (and the
-- client's resend a duplicate).
local function too_late(deadline)
  return clock() > tonumber(deadline)
end

-- The end `relay_end` (ms, by the calling relay's clock `relay_now`) on Redis's clock.
local function from_relay(relay_end, relay_now)
  return clock() + (tonumber(relay_end) - tonumber(relay_now))
end

-- The roster in joining order, as a JSON array of names: O(members), so only for the
-- joiner's own welcome (JOIN) and a relay reading a room afresh (ROSTER), never published.
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
    -- What happened to the message the history just let go goes with it.
    redis.call('HDEL', CHANGES, tostring(seq - keep))
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
    if tonumber(held.exp) <= now then
      -- A reservation nobody came back for: gone here, so no room keeps them for good
      -- (a permanent room's keys never expire).
      redis.call('HDEL', RESERVED, reserved[i])
    elseif held.name then
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
  redis.call('HDEL', TOKENS, member.token)
  if reserve then
    redis.call('HSET', RESERVED, key,
      cjson.encode({token = member.token, exp = exp, name = name, ip = member.ip}))
  end
  publish(channel, '{"kind":"left","name":' .. (name or '""') .. ',"count":' .. redis.call('HLEN', MEMBERS)
    .. ',"reconnecting":' .. tostring(reserve) .. '}')
  if redis.call('HLEN', MEMBERS) == 0 and redis.call('GET', ROOM) ~= 'p' then
    for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], grace_ms) end
    for _, file in ipairs(file_keys()) do redis.call('PEXPIRE', file, grace_ms) end
  end
  settle_owner(channel, now)
end
"#;
