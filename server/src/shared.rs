//! The relay's shared state: what every connection task holds a handle to.
//!
//! Kept apart from the accept loop (`server`) so the state a room needs reads on its own:
//! the settings, the rooms (in memory or in a cluster), the failed-join counts and the
//! metrics. It owns no sockets.

use std::sync::Arc;

use crate::Config;
use crate::cluster::Cluster;
use crate::guards::FailedJoins;
use crate::metrics::Metrics;
use crate::registry::Registry;
use crate::rooms::Rooms;

/// State every connection task shares.
#[derive(Debug)]
pub struct Shared {
    /// The relay's settings.
    pub config: Arc<Config>,
    /// Every room.
    pub rooms: Rooms,
    /// Failed joins per address (on this relay; in cluster mode Redis counts them too).
    pub failed_joins: FailedJoins,
    /// What the relay counts, for `/metrics`.
    pub metrics: Arc<Metrics>,
}

impl Shared {
    /// Fresh in-memory relay state for `config` (its `redis` setting is not used).
    pub fn new(config: Config) -> Self {
        let config = Arc::new(config);
        let metrics = Arc::new(Metrics::new());
        let rooms = Rooms::Memory(Registry::new(Arc::clone(&config), Arc::clone(&metrics)));
        Self::with_rooms(config, metrics, rooms)
    }

    /// Relay state for `config`: in cluster mode when it names a Redis, which must answer.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        let Some(url) = config.redis.clone() else {
            return Ok(Self::new(config));
        };
        let config = Arc::new(config);
        let metrics = Arc::new(Metrics::new());
        let cluster = Cluster::connect(&url, Arc::clone(&config), Arc::clone(&metrics))
            .await
            .map_err(std::io::Error::other)?;
        Ok(Self::with_rooms(config, metrics, Rooms::Cluster(cluster)))
    }

    fn with_rooms(config: Arc<Config>, metrics: Arc<Metrics>, rooms: Rooms) -> Self {
        Self {
            rooms,
            metrics,
            failed_joins: FailedJoins::new(
                config.max_failed_joins,
                config.max_failed_joins_relay,
                config.failed_join_window,
            ),
            config,
        }
    }
}
