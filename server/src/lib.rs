//! confab-server: a WebSocket relay for Confab rooms, on tokio and tokio-tungstenite.
//!
//! People join a room with a name and a room code (or create one), and every chat message
//! is relayed to everyone in the room. Rooms live in this process's memory, or in Redis
//! shared by many relays (`--redis`), and vanish after their last member has been gone for
//! a grace period. The wire format is `confab-protocol`.
//!
//! # Layout
//! - [`config`]: every limit and timing, with defaults ([`Config`]).
//! - [`server`]: the accept loop, connection limits and graceful shutdown ([`run`]).
//! - `front`: each connection's start: TLS, then the first request head, which sends it
//!   to `handler` (a WebSocket upgrade) or `web` (anything else).
//! - `handler`: one task per WebSocket connection: join, the select loop, the close,
//!   generic over its `Peer` (the chat connection, or the conformance echo) and each one's `payload`.
//! - `upgrade`: the HTTP side of the handshake: 101, or an HTTP refusal with a reason.
//! - `web`: plain HTTP on the main port: the web client's files, `/healthz`, `/metrics`.
//! - `stream`: the byte streams under it all (TCP or TLS, counted) and `tls`, their setup.
//! - `connection`: what a connection's frames do (chat, typing, whisper, leave), each
//!   ending in an `outcome` the handler carries out.
//! - `shared`: the state every connection holds (settings, the room store, failed joins),
//!   generic over the room store so that every connection task is built once per store.
//! - `rooms`: the room contract, `RoomStore`, and the two stores that keep it, side by
//!   side:
//!   - `rooms::memory`: in this process (the default): rooms each behind its own lock,
//!     members, history, resume tokens and the fan-out;
//!   - `rooms::cluster`: rooms shared by many relays through Redis (`--redis`), decided by
//!     Lua scripts and delivered from a pub/sub bus;
//!   - `rooms::types` and `rooms::frames`, with `conn`, `clock` and `presence`: the leaves
//!     both stores and the connection import (refusals, admissions, departures; the `gap`
//!     rule, frame encoding and `welcome.limits`), so no module imports back up
//!     (`../shared/tools/rust_cycles.py server/src` finds no circle).
//! - `outbox`: the bounded per-client queue and the eviction signal.
//! - `echo` (feature `conformance`): the same relay with connections that echo every
//!   frame, for Autobahn|Testsuite (`scripts/autobahn.sh`, `docs/conformance.md`).
//! - `metrics` and `metrics_endpoint`: counters and gauges, served as Prometheus text on
//!   `--metrics-bind`.
//! - `guards`: per-IP connection counts, failed-join counting and message rate limits.
//! - `attachments`: uploaded files (kept by the room store), their limits, chunked
//!   transfers and `GET /attachments/<id>`, which every relay of a cluster serves too.

mod attachments;
#[cfg(feature = "bench")]
#[doc(hidden)]
pub mod benching;
mod clock;
pub mod config;
mod conn;
mod connection;
#[cfg(feature = "conformance")]
pub mod echo;
mod front;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod guards;
mod handler;
mod metrics;
mod metrics_endpoint;
mod outbox;
mod outcome;
mod payload;
mod presence;
mod proxy;
mod rooms;
mod secrets;
pub mod server;
mod shared;
mod stream;
mod tls;
mod upgrade;
mod web;
mod wire;

pub use config::Config;
pub use connection::{STATUS_CHANGES_BURST, STATUS_CHANGES_PER_SECOND, TYPING_HINTS_BURST};
pub use rooms::cluster::SCHEMA as CLUSTER_SCHEMA;
pub use server::{LISTEN_BACKLOG, bind, run, run_with_metrics};
