//! The scripts of a room's life and what its members do: join (or resume), chat, typing,
//! whisper, status, departure and the owner's hand-off, reaping a dead relay's members,
//! restoring a forgotten membership, permanent rooms.

/// Joins a room (created beforehand by a `SET NX`), or resumes into it.
///
/// ARGV: channel, name key, name JSON, fresh token, given token ("" if none), now ms,
/// max members, relay id, conn id, room code (to list the room among the relay's, for
/// reaping), "1" if this join creates the room (its member owns it), the address, "1" if
/// a given token that matches nothing must not become a fresh join (right after a Redis
/// restart, when the relay that can give the membership back may not have yet), and the
/// deadline (ms, Redis's clock) after which the join is not made (`{'late'}`).
/// Returns `{status, token, ev, last_seq, roster, statuses, room state, gap_after,
/// changes, room, history...}` (`room`: the room key's value, "k:KEY" for a private room) (`changes`: what happened to kept messages, by seq, see
/// `changes.rs`) with status `joined`, `reclaimed` (a reserved name taken back) or
/// `replaced` (the member's older connection is replaced), and `gap_after` either "" or
/// `AFTER:UNTIL`: a membership given back after a Redis restart whose seqs AFTER+1 to
/// UNTIL were used twice (see `RESTORE`), so the member's view is good only up to AFTER
/// and the kept chats up to UNTIL are not the ones it saw. Or `{refusal}`:
/// `room_not_found`, `name_taken`, `room_full`, `room_locked`, `removed`,
/// `unknown_token` (only when asked to be strict).
pub const JOIN: &str = r#"
local channel, key, name, fresh, given, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], clock()
local max_members, relay, conn = tonumber(ARGV[7]), ARGV[8], ARGV[9]
local creating, ip, strict = ARGV[11] == '1', ARGV[12], ARGV[13] == '1'
if too_late(ARGV[14]) then return {'late'} end
if redis.call('EXISTS', ROOM) == 0 then return {'room_not_found'} end
-- An owner whose reservation has ended hands the room on before anyone comes in, as
-- memory mode's sweep has by then (see CHAT).
if redis.call('HLEN', MEMBERS) > 0 then settle_owner(channel, now) end
redis.call('SADD', 'confab:relay:' .. relay .. ':rooms', ARGV[10])
local status, token, ev
local gap_after = ''
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
      if reservation.gap_after then
        gap_after = reservation.gap_after .. ':' .. reservation.gap_until
      end
    end
  end
  if status == 'joined' and strict and given ~= '' then return {'unknown_token'} end
  if status == 'joined' then
    -- Only a new arrival is kept out; a member resuming is let back in.
    if kept_out(key, ip, now) then return {'removed'} end
    if redis.call('EXISTS', LOCKED) == 1 then return {'room_locked'} end
  end
  if redis.call('HLEN', MEMBERS) >= max_members then return {'room_full'} end
  if status == 'reclaimed' then redis.call('HDEL', RESERVED, key) end
  redis.call('HSET', MEMBERS, key, cjson.encode({token = token, relay = relay, conn = conn, ip = ip}))
  redis.call('HSET', NAMES, key, name)
  redis.call('HSET', TOKENS, token, key)
  redis.call('ZADD', ORDER, redis.call('INCR', ORDINAL), key)
  if creating then set_owner(token, key) end
  for i = 1, #KEYS do redis.call('PERSIST', KEYS[i]) end
  for _, file in ipairs(file_keys()) do redis.call('PERSIST', file) end
  ev = publish(channel, '{"kind":"joined","name":' .. name .. ',"count":' .. redis.call('HLEN', MEMBERS)
    .. ',"relay":' .. cjson.encode(relay) .. ',"conn":' .. cjson.encode(conn) .. '}')
  settle_owner(channel, now)
end
-- What happened to kept messages since they were sent, as one JSON object by seq.
local changed, parts = redis.call('HGETALL', CHANGES), {}
for i = 1, #changed, 2 do parts[#parts + 1] = '"' .. changed[i] .. '":' .. changed[i + 1] end
local reply = {status, token, tostring(ev), last(SEQ), roster(), statuses(now), room_state(now), gap_after,
  '{' .. table.concat(parts, ',') .. '}', redis.call('GET', ROOM) or ''}
for _, event in ipairs(redis.call('LRANGE', HISTORY, 0, -1)) do reply[#reply + 1] = event end
return reply
"#;

/// Sequences a chat: the next `seq`, kept in the history and published. An owner whose
/// reservation has ended hands the room on first, as memory mode's sweep has by then:
/// the relay's timer for that hand-off (`departures::settle_owner_later`) races the
/// chat otherwise, and members would see the new owner before the chat on one relay's
/// timing and after it on another's.
///
/// ARGV: channel, name key, relay id, conn id, event body (a JSON object), history length,
/// deadline (ms, Redis's clock). Returns `{"ok", seq}`, `{"not_member"}` or `{"late"}`
/// (nothing done: the relay has given up on it).
pub const CHAT: &str = r#"
local channel, key, relay, conn, body, keep = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
if too_late(ARGV[7]) then return {'late'} end
if not member_on(key, relay, conn) then return {'not_member'} end
settle_owner(channel, clock())
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
pub const EVENT: &str = r#"
if not member_on(ARGV[3], ARGV[4], ARGV[5]) then return 0 end
publish(ARGV[1], ARGV[2])
return 1
"#;

/// Publishes a whisper if its sender is still a member on this connection and its
/// recipient is a member (and someone else).
///
/// ARGV: channel, recipient's name key, event body, sender's name key, relay id, conn id,
/// deadline (ms, Redis's clock). Returns `{"ok", recipient name JSON}`,
/// `{"no_such_member"}`, `{"not_member"}` or `{"late"}`.
pub const WHISPER: &str = r#"
if too_late(ARGV[7]) then return {'late'} end
if not member_on(ARGV[4], ARGV[5], ARGV[6]) then return {'not_member'} end
local name = redis.call('HGET', NAMES, ARGV[2])
if not name or redis.call('HEXISTS', MEMBERS, ARGV[2]) == 0 then return {'no_such_member'} end
-- A whisper to yourself is only the echo the sender's relay gives it: nothing to publish.
if ARGV[2] ~= ARGV[4] then publish(ARGV[1], ARGV[3]) end
return {'ok', name}
"#;

/// Publishes again a whisper that came for a member after its relay sent it to resume,
/// once the member is back on a newer connection (on any relay); nothing while Redis
/// still lists it on the old one, or while it is not back.
///
/// ARGV: channel, event body, recipient's name key, the relay and connection it was sent
/// away from. Returns 1 if published, 0 if not (yet).
pub const FORWARD: &str = r#"
local held = redis.call('HGET', MEMBERS, ARGV[3])
if not held then return 0 end
local member = cjson.decode(held)
if member.relay == ARGV[4] and member.conn == ARGV[5] then return 0 end
publish(ARGV[1], ARGV[2])
return 1
"#;

/// Removes a member if it is still on the given connection.
///
/// ARGV: channel, name key, relay id, conn id, reserve ("1"/"0"), reservation end ms,
/// grace ms, now ms. Returns 1 if the member was removed, 2 if it was the owner and its
/// name is now reserved (the caller runs [`SETTLE`] when the reservation ends), 0 if not.
pub const DEPART: &str = r#"
local channel, key, relay, conn = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local member = member_on(key, relay, conn)
if not member then return 0 end
local o = owner()
local owner_reserved = ARGV[5] == '1' and o ~= nil and o.token == member.token
remove(channel, key, member, ARGV[5] == '1', from_relay(ARGV[6], ARGV[8]), tonumber(ARGV[7]), clock())
if owner_reserved then return 2 end
return 1
"#;

/// Passes ownership on if its holder is gone for good (a reservation that ended unused),
/// as memory mode does when the reservation's timer fires. Nothing if the owner came back.
///
/// ARGV: channel, now ms. Returns 1.
pub const SETTLE: &str = r#"
settle_owner(ARGV[1], clock())
return 1
"#;

/// Sets a member's status (stored for `welcome`) and publishes the change.
///
/// ARGV: channel, name key, relay id, conn id, status, event body. Returns 1 if done.
pub const STATUS: &str = r#"
local channel, key, relay, conn, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not member_on(key, relay, conn) then return 0 end
if status == 'away' then redis.call('HSET', AWAY, key, '1') else redis.call('HDEL', AWAY, key) end
publish(channel, ARGV[6])
return 1
"#;

/// Removes every member a dead relay had in the room, as dropped connections.
///
/// ARGV: channel, dead relay id, reservation end ms, grace ms, now ms. Returns how many.
pub const REAP: &str = r#"
local channel, dead, grace = ARGV[1], ARGV[2], tonumber(ARGV[4])
local now, exp = clock(), from_relay(ARGV[3], ARGV[5])
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
/// seen, and reserves the name for its token, so the join that follows, on any relay,
/// reclaims it.
///
/// Only what Redis lost: a room Redis still has from before (`"1"`) is the truth, and a
/// member it does not list left or was removed, so it gets nothing back; nor does a name
/// kept out. A room this script made again is marked `"r"`, so the next member any relay
/// sent away gets its place back too. (A permanent room, `"p"`, has no owner to remove
/// anyone.)
///
/// Relays saw different newest seqs when Redis went: the first to give the room back sets
/// `restored` to what it saw (kept for the grace period after the last restore). If chats
/// were numbered since, and this relay had seen past `restored`, those numbers were used
/// twice: the member's reservation then says so (`gap_after`, `gap_until`), and its resume
/// shows a `gap` over them instead of skipping the new chats as already seen. `seq` then
/// moves past everything any relay saw, so no number is used a third time.
///
/// ARGV: name key, token, reservation end ms, last seq seen, grace ms, now ms. Returns 1
/// if the name is reserved for the token now, 0 if not.
pub const RESTORE: &str = r#"
local key, token, seen, grace = ARGV[1], ARGV[2], tonumber(ARGV[4]), ARGV[5]
local now, exp = clock(), from_relay(ARGV[3], ARGV[6])
local state = redis.call('GET', ROOM)
if state == '1' then return 0 end
if kept_out(key, '', now) then return 0 end
if not state then redis.call('SET', ROOM, 'r', 'PX', grace) end
local seq = tonumber(redis.call('GET', SEQ) or '0')
local restored = tonumber(redis.call('GET', RESTORED) or '-1')
local gap_after, gap_until = nil, math.max(seq, seen)
if restored < 0 then
  -- A permanent room is made again at seq 0 after a restart: chats since reused numbers.
  if state == 'p' and seq > 0 and seen > 0 then gap_after = 0 end
  restored = math.max(seq, seen)
elseif seq > restored and seen > restored then
  gap_after = restored
else
  restored = math.max(restored, seen)
end
-- Kept while relays may still be giving memberships back (a permanent room's too).
redis.call('SET', RESTORED, restored, 'PX', grace)
if seq < seen then redis.call('SET', SEQ, seen) end
if redis.call('HEXISTS', MEMBERS, key) == 0 and redis.call('HEXISTS', RESERVED, key) == 0 then
  local held = {token = token, exp = exp}
  if gap_after then held.gap_after, held.gap_until = gap_after, gap_until end
  redis.call('HSET', RESERVED, key, cjson.encode(held))
end
-- Nothing written here outlives the room: the keys end with it (a join makes them last).
local ttl = redis.call('PTTL', ROOM)
if ttl > 0 then
  redis.call('PEXPIRE', SEQ, ttl)
  redis.call('PEXPIRE', RESERVED, ttl)
end
return 1
"#;

/// The room's roster and the number of the newest event it is as of, read together: for a
/// relay whose copy of the roster lost changes (`local::roster`). O(members), and rare.
///
/// Returns `{ev, roster JSON}`.
pub const ROSTER: &str = r#"
return {last(EV), roster()}
"#;

/// Makes a permanent room exist (it never expires).
pub const PERMANENT: &str = r#"
redis.call('SET', ROOM, 'p')
return 1
"#;
