//! confab-bench: a load generator that speaks Confab's protocol to a running relay.
//!
//! It measures what the relay's users feel (fan-out latency, deliveries per second, lost,
//! duplicated and reordered messages) and what the relay pays for it (RSS and CPU seconds
//! read from `/proc/PID` when given the relay's PID). Numbers come out as a table for
//! people and as one JSON line for scripts.
//!
//! # Layout
//! - [`load`]: N clients in R rooms, S senders at a rate or flat out ([`load::run`]).
//! - [`churn`]: mass joins then mass leaves: joins/s, bytes of presence, evictions.
//! - [`idle`]: N joined, silent connections and the relay's memory per connection.
//! - [`fetch`]: upload a file, fetch it back over the WebSocket and HTTP (cluster relays too).
//! - [`storm`]: storms and outages: relays and Redis killed, paused or slowed under a steady
//!   chat, what every member saw and what the processes' memory did; `--fault none` soaks.
//! - [`startup`]: spawn the relay binary, time it to its first accepted connection.
//! - [`wire`]: connecting (from a chosen 127.x source address), joining, and the cheap
//!   parse of relayed chat frames.
//! - [`tracker`]: per-sender sequence bookkeeping: lost, duplicated, out of order.
//! - [`procstat`]: RSS and CPU seconds of a process from `/proc`.
//! - [`report`]: the table and the JSON line.
//!
//! Everything runs against `127.0.0.1` (or other 127.x addresses) only; the generator
//! never decides where a relay is beyond the `--url` it is given.

pub mod churn;
pub mod fetch;
pub mod idle;
pub mod load;
pub mod procstat;
pub mod report;
pub mod startup;
pub mod storm;
pub mod tracker;
pub mod wire;
