//! The relay's shared state: what every connection task holds a handle to.
//!
//! Kept apart from the accept loop (`server`) so the state a room needs reads on its own:
//! the settings, the room directory, the failed-join counts and the metrics. It owns no sockets.

use std::sync::Arc;

use crate::Config;
use crate::guards::FailedJoins;
use crate::metrics::Metrics;
use crate::registry::Registry;

/// State every connection task shares.
#[derive(Debug)]
pub struct Shared {
    /// The relay's settings.
    pub config: Arc<Config>,
    /// Every room.
    pub registry: Registry,
    /// Failed joins per address.
    pub failed_joins: FailedJoins,
    /// What the relay counts, for `/metrics`.
    pub metrics: Arc<Metrics>,
}

impl Shared {
    /// Fresh relay state for `config`.
    pub fn new(config: Config) -> Self {
        let config = Arc::new(config);
        let metrics = Arc::new(Metrics::new());
        Self {
            registry: Registry::new(Arc::clone(&config), Arc::clone(&metrics)),
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
