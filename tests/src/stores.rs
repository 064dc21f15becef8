//! The two room stores of one contract, for suites that run every behaviour against both:
//! rooms in the relay's memory, and rooms in a real `redis-server` (cluster mode), so a
//! rule one store keeps and the other breaks fails a test by name.

use std::time::Duration;

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
}

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
