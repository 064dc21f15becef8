//! confab-server: a WebSocket relay for Confab rooms, on tokio and tokio-tungstenite.
//!
//! People join a room with a name and a room code (or create one), and every chat message
//! is relayed to everyone in the room. Rooms live in memory only and vanish after their
//! last member has been gone for a grace period. The wire format is `confab-protocol`.
//!
//! # Layout
//! - [`config`]: every limit and timing, with defaults ([`Config`]).
//! - [`server`]: the accept loop, connection limits and graceful shutdown ([`run`]).
//! - `handler`: one task per connection: handshake, join, the select loop.
//! - `upgrade`: the HTTP side of the handshake: 101, or an HTTP refusal with a reason.
//! - `session`: what a joined connection's frames do (chat, typing, whisper, leave).
//! - `shared`: the state every connection holds (settings, room directory, failed joins).
//! - `rooms`: what a session can do with rooms, and the two engines behind it:
//!   - `registry` and `room`: in memory (the default): rooms (each behind its own lock),
//!     members, history, resume tokens and the fan-out seam;
//!   - `cluster`: rooms shared by many relays through Redis (`--redis`).
//! - `outbox`: the bounded per-client queue and the eviction signal.
//! - `metrics` and `metrics_endpoint`: counters and gauges, served as Prometheus text on
//!   `--metrics-bind`.
//! - `guards`: per-IP connection counts, failed-join counting and message rate limits.

#[cfg(feature = "bench")]
#[doc(hidden)]
pub mod benching;
mod cluster;
pub mod config;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod guards;
mod handler;
mod metrics;
mod metrics_endpoint;
mod outbox;
mod registry;
mod room;
mod rooms;
mod secrets;
pub mod server;
mod session;
mod shared;
mod upgrade;

pub use config::Config;
pub use server::{run, run_with_metrics};
