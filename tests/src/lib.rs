//! confab-tests: end-to-end tests of the Confab relay, and the helpers they share.
//!
//! Every test starts a real relay ([`confab_server::run`]) on `127.0.0.1:0` inside its own
//! tokio runtime and talks to it over real sockets with tokio-tungstenite clients. Nothing
//! is mocked: what passes here is what a browser or the console client would see.
//!
//! Rules the helpers enforce so that a broken relay fails a test instead of hanging it:
//! - every await is bounded by [`within`] (or by an explicit shorter window), and a
//!   timeout panics with what was being waited for;
//! - no fixed ports, no wall-clock performance assertions: timing only appears as
//!   "eventually, within [`STEP`]". "Nothing else arrives" is shown by a marker (a chat,
//!   a roster request) whose answer comes after anything sent before it, or on tokio's
//!   paused clock, which moves only once every task is idle: never by a real-time window
//!   a loaded machine could outrun.
//!
//! # Layout
//! - [`relay`]: [`TestRelay`], a relay running in a task, with its shutdown handle, and
//!   [`test_config`], the relaxed baseline every test narrows.
//! - [`client`]: [`TestClient`], a WebSocket client with typed send/receive helpers, and
//!   [`Event`], what reading the socket can yield.
//! - [`bundle`]: [`bundle::TempBundle`], a small web bundle in a temporary directory.
//! - [`http`]: plain HTTP requests to the relay's port (pages, `/healthz`), over TCP or TLS.
//! - [`metrics`]: `GET /metrics` over HTTP, parsed into samples by name.
//! - [`raw`]: [`raw::RawClient`], a WebSocket peer written byte by byte over TCP, for
//!   frames a library would refuse to send.
//! - [`redis`]: [`redis::RedisServer`], a real `redis-server` per cluster test, and
//!   [`redis::RelayProcess`], a relay in its own process that a test can `kill -9`.
//! - [`stores`]: [`stores::Store`], memory or a real Redis, and [`on_both_stores!`], which
//!   makes one behaviour two tests, one per store (`tests/room_contract.rs`).
//! - [`wire`]: small constructors and views of protocol values ([`name`], [`welcome_of`],
//!   [`error_of`]) that keep tests short.
//! - `tests/*.rs`: one file per concept of the relay behaviour spec (rooms, presence,
//!   chat, whisper, resume, limits, bad input, keepalive, lifecycle, ...).

use std::future::Future;
use std::time::Duration;

pub mod bundle;
pub mod client;
pub mod http;
pub mod metrics;
pub mod raw;
pub mod reading;
pub mod redis;
pub mod relay;
pub mod stores;
pub mod wire;

pub use client::TestClient;
pub use confab_protocol::{ErrorMessage, WelcomeMessage};
pub use reading::Event;
pub use relay::{TestRelay, test_config};
pub use wire::{WelcomeExt, chat_from, code, error_of, name, welcome_of};

/// The longest any single step of a test may take before it counts as a hang. Generous,
/// because two cores are shared with compilers; passing tests never wait this long.
pub const STEP: Duration = Duration::from_secs(5);

/// A short pause: between the tries of [`eventually`], or, on a paused clock (where it
/// ends only once the relay and its clients are all idle), before a "nothing happened"
/// check. Never a real-time window a check depends on.
pub const QUIET: Duration = Duration::from_millis(300);

/// Awaits `future` for at most [`STEP`], panicking with `what` if it takes longer.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(STEP, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {STEP:?} waiting for {what}"),
    }
}

/// Repeats `attempt` (with `pause` between tries) until it returns `Some`, for at most
/// [`STEP`]. For outcomes that happen "eventually" (a room expiring, a slot freeing up).
pub async fn eventually<T, F, Fut>(what: &str, pause: Duration, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    within(what, async {
        loop {
            if let Some(value) = attempt().await {
                return value;
            }
            tokio::time::sleep(pause).await;
        }
    })
    .await
}

/// Sends relay logs to the test's captured output once per test binary. Quiet unless
/// `RUST_LOG` is set, e.g. `RUST_LOG=confab_server=debug`.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    // Fails harmlessly when a previous test in this binary installed it already.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}
