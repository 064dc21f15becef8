//! The two room stores of one contract, for suites that run every behaviour against both:
//! rooms in the relay's memory, and rooms in a real `redis-server` (cluster mode), so a
//! rule one store keeps and the other breaks fails a test by name.
//!
//! Time passes for both the same way, without sleeping: [`Store::pass_time`] advances
//! tokio's paused clock, by which the memory store keeps time and the relays' timers run,
//! and moves every end a Redis room holds that much closer (Redis's own clock cannot be
//! moved). See docs/scaling.md, "Where the stores differ".

use std::time::Duration;

use confab_protocol::RoomCode;
use confab_server::Config;

use crate::redis::RedisServer;
use crate::relay::{TestRelay, test_config};

/// Where a relay keeps its rooms.
pub enum Store {
    /// In the relay's own memory (the default).
    Memory,
    /// In Redis (`--redis`): this test's own server, ended with the store.
    Redis(RedisServer),
}

impl Store {
    /// Rooms in memory.
    pub fn memory() -> Self {
        Self::Memory
    }

    /// Rooms in a new `redis-server` of this test's own.
    pub async fn redis() -> Self {
        Self::Redis(RedisServer::start().await)
    }

    /// [`test_config`] on this store (cluster relays notice a dead peer within a second).
    pub fn config(&self) -> Config {
        match self {
            Self::Memory => test_config(),
            Self::Redis(redis) => Config {
                redis: Some(redis.url()),
                relay_ttl: Duration::from_secs(1),
                ..test_config()
            },
        }
    }

    /// A relay on this store, with `change` applied to its settings.
    pub async fn relay_with(&self, change: impl FnOnce(&mut Config)) -> TestRelay {
        let mut config = self.config();
        change(&mut config);
        TestRelay::start(config).await
    }

    /// A relay on this store with the test settings.
    pub async fn relay(&self) -> TestRelay {
        TestRelay::start(self.config()).await
    }

    /// Lets `by` pass for room `room`, as each store keeps time. tokio's clock must be
    /// paused, with auto-advance held off (a `spawn_blocking` task does that), so that
    /// nothing else moves it.
    ///
    /// In Redis, first: every reservation and ban of the room ends `by` sooner, and each of
    /// its keys lives `by` less (a key whose time is up is gone, as Redis would have it).
    /// Then tokio's clock moves on by `by`: the memory store's janitor sweeps what lapsed,
    /// and the relays' own timers (the cluster's owner hand-off after a reservation) fire.
    pub async fn pass_time(&self, room: &RoomCode, by: Duration) {
        if let Self::Redis(redis) = self {
            let prefix = format!("confab:{{{room}}}:");
            let ms = by.as_millis().to_string();
            let moved = redis.cli(&["EVAL", SHIFT_ENDS, "0", &prefix, &ms]);
            assert_eq!(moved.trim(), "1", "the room's ends moved in Redis");
        }
        tokio::time::advance(by).await;
    }
}

/// Moves every end a room keeps in Redis `ARGV[2]` ms closer (keys under prefix `ARGV[1]`):
/// reservations' `exp` (ms), the ban ends in `banned` (`END:COUNT`), and each key's time to
/// live. Knows the cluster store's key layout (`rooms/cluster/scripts/mod.rs`).
const SHIFT_ENDS: &str = r#"
local prefix, by = ARGV[1], tonumber(ARGV[2])
local reserved = redis.call('HGETALL', prefix .. 'reserved')
for i = 1, #reserved, 2 do
  local held = cjson.decode(reserved[i + 1])
  held.exp = tonumber(held.exp) - by
  redis.call('HSET', prefix .. 'reserved', reserved[i], cjson.encode(held))
end
local banned = redis.call('HGETALL', prefix .. 'banned')
for i = 1, #banned, 2 do
  local ends, count = string.match(banned[i + 1], '^(%d+):(%d+)$')
  redis.call('HSET', prefix .. 'banned', banned[i],
    string.format('%d:%d', math.max(tonumber(ends) - by, 0), count))
end
for _, key in ipairs(redis.call('KEYS', prefix .. '*')) do
  local ttl = redis.call('PTTL', key)
  if ttl > by then
    redis.call('PEXPIRE', key, ttl - by)
  elseif ttl >= 0 then
    redis.call('DEL', key)
  end
end
return 1
"#;

/// Declares `async fn $name(store: Store)` as two tests, `$name::memory` and
/// `$name::redis`, so each behaviour of the room contract runs against both stores. The
/// `Store` written in the signature is this module's (no import needed).
#[macro_export]
macro_rules! on_both_stores {
    ($(#[$meta:meta])* async fn $name:ident($store:ident: Store) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($store: $crate::stores::Store) $body

            #[tokio::test]
            async fn memory() {
                run($crate::stores::Store::memory()).await;
            }

            #[tokio::test]
            async fn redis() {
                run($crate::stores::Store::redis().await).await;
            }
        }
    };
}
