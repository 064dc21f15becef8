//! The scripts about relays rather than rooms: the heartbeat and the list of relays whose
//! heartbeat is too old, both by Redis's clock.

/// Now, in ms, by Redis's clock (the same as the prelude's, for scripts without it).
pub const CLOCK: &str = r#"
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"#;

/// This relay's heartbeat, stamped by Redis, and the mark a reaper left for it (taken).
///
/// KEYS: the relays' heartbeats (sorted set), this relay's reaped mark. ARGV: relay id.
/// Returns `{reaped, now}`: 1 if this relay had been taken for dead (else 0), and Redis's
/// clock (ms), from which the relay sets its requests' deadlines.
pub const BEAT: &str = r#"
local now = clock()
redis.call('ZADD', KEYS[1], now, ARGV[1])
local reaped = 0
if redis.call('GETDEL', KEYS[2]) then reaped = 1 end
return {reaped, now}
"#;

/// The relays whose last heartbeat is older than `ttl` ms by Redis's clock.
///
/// KEYS: the relays' heartbeats. ARGV: ttl ms. Returns their ids.
pub const DEAD: &str = r#"
return redis.call('ZRANGEBYSCORE', KEYS[1], 0, clock() - tonumber(ARGV[1]))
"#;
