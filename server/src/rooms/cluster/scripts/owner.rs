//! The owner's scripts: lock and remove, each behind the same ownership check.

/// Shared by LOCK and REMOVE: whether the requester on (relay, conn) owns the room.
pub const OWNER_CHECK: &str = r#"
local function owner_check(channel, key, relay, conn)
  local member = member_on(key, relay, conn)
  if not member then return 'not_member' end
  -- An owner whose reservation has ended has handed the room on by now in memory mode.
  settle_owner(channel, clock())
  local o = owner()
  if not o or o.token ~= member.token then return 'not_owner' end
  return 'ok'
end
"#;

/// The owner locks or unlocks the room.
///
/// ARGV: channel, name key, relay id, conn id, "1" to lock or "0", now ms.
/// Returns `ok`, `not_owner` or `not_member`.
pub const LOCK: &str = r#"
local checked = owner_check(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if checked ~= 'ok' then return checked end
if ARGV[5] == '1' then redis.call('SET', LOCKED, '1') else redis.call('DEL', LOCKED) end
publish_state(ARGV[1], clock())
return 'ok'
"#;

/// The owner removes a member (or a name reserved for a resume, until its grace ends): bans
/// its name and address, tells its
/// relay to close it (`removed`), and publishes the departure.
///
/// ARGV: channel, owner's name key, relay id, conn id, target name key, ban end ms, now
/// ms, grace ms. Returns `ok`, `not_owner`, `not_member`, `yourself` or `no_such_member`.
pub const REMOVE: &str = r#"
local channel, key, target = ARGV[1], ARGV[2], ARGV[5]
local until_ms, now, grace = from_relay(ARGV[6], ARGV[7]), clock(), tonumber(ARGV[8])
local checked = owner_check(channel, key, ARGV[3], ARGV[4])
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
  -- A reservation whose grace has ended holds nobody (memory mode has swept it by now):
  -- there is no one to remove, ban or announce.
  if tonumber(gone.exp) <= now then return 'no_such_member' end
  keep_out(target, gone.ip, until_ms)
  publish(channel, '{"kind":"left","name":' .. (gone.name or '""') .. ',"count":' .. redis.call('HLEN', MEMBERS) .. '}')
  settle_owner(channel, now)
  return 'ok'
end
return 'no_such_member'
"#;
