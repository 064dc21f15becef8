//! Confab's chat client: an egui/eframe app for native desktops and the web (wasm32).
//!
//! # Layout
//! - [`app`]: [`ConfabApp`], the eframe glue (drain the socket, draw, apply actions).
//! - [`state`]: the client model and reducer: no egui, no sockets.
//! - [`net`]: the WebSocket and JSON, behind a small seam.
//! - [`pictures`]: the app's cache of decoded attached pictures, which views read.
//! - [`ui`]: one view per file, each returning what the user asked for.
//! - `host` (native, feature `host`): runs the relay in-process for "Host a room on this
//!   computer".
//! - [`launch`]: the invite the native app was started with (a clicked `confab:` link).
//! - [`web_link`]: the join form filled from the web page's address; pure.
//! - `web` (wasm32): the browser page around the app (address, loading and error text).
//! - `web_glyphs` (wasm32): which characters the browser can draw.
//! - `web_state` (wasm32): the app's state as JSON, for the browser test.
//! - [`prefs`]: what is remembered between runs.
//! - [`notifier`]: system notifications for mentions and whispers (web and desktop).
//! - [`chime`]: the mention sound (Web Audio in the browser; natively none, so no toggle).
//!
//! Dependencies flow one way: `ui -> state <- app -> net -> protocol`.

pub mod app;
pub mod chime;
pub mod files;
#[cfg(all(feature = "host", not(target_arch = "wasm32")))]
pub mod host;
pub mod launch;
pub mod net;
pub mod notifier;
pub mod pictures;
pub mod prefs;
pub mod state;
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod web_files;
#[cfg(target_arch = "wasm32")]
pub mod web_glyphs;
pub mod web_link;
#[cfg(target_arch = "wasm32")]
pub mod web_state;

pub use app::ConfabApp;
