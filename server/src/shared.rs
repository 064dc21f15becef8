//! The relay's shared state: what every connection task holds a handle to.
//!
//! Kept apart from the accept loop (`server`) so the state a room needs reads on its own:
//! the settings, the room store (in memory or in a cluster), the failed-join counts and the
//! metrics. It owns no sockets.

use std::sync::Arc;

use crate::Config;
use crate::guards::FailedJoins;
use crate::metrics::Metrics;
use crate::rooms::cluster::Cluster;
use crate::rooms::memory::Registry;

/// State every connection task shares, over room store `S` (see `rooms::RoomStore`).
#[derive(Debug)]
pub struct Shared<S> {
    /// The relay's settings.
    pub config: Arc<Config>,
    /// Every room.
    pub rooms: Arc<S>,
    /// Failed joins per address (on this relay; in cluster mode Redis counts them too).
    pub failed_joins: FailedJoins,
    /// What the relay counts, for `/metrics`.
    pub metrics: Arc<Metrics>,
}

impl Shared<Registry> {
    /// Fresh in-memory relay state for `config` (its `redis` setting is not used).
    pub fn new(config: Config) -> Self {
        let config = Arc::new(config);
        let metrics = Arc::new(Metrics::new());
        let rooms = Arc::new(Registry::new(Arc::clone(&config), Arc::clone(&metrics)));
        Self::with_rooms(config, metrics, rooms)
    }
}

impl Shared<Cluster> {
    /// Relay state for `config` in cluster mode, on the Redis at `url`, which must answer.
    pub async fn cluster(config: Config, url: &str) -> std::io::Result<Self> {
        let config = Arc::new(config);
        let metrics = Arc::new(Metrics::new());
        let cluster = Cluster::connect(url, Arc::clone(&config), Arc::clone(&metrics))
            .await
            .map_err(std::io::Error::other)?;
        Ok(Self::with_rooms(config, metrics, cluster))
    }
}

impl<S> Shared<S> {
    fn with_rooms(config: Arc<Config>, metrics: Arc<Metrics>, rooms: Arc<S>) -> Self {
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
