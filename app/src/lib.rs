//! Confab's chat client: an egui/eframe app for native desktops and the web (wasm32).
//!
//! # Layout
//! - [`app`]: [`ConfabApp`], the eframe glue (drain the socket, draw, apply actions).
//! - [`state`]: the client model and reducer: no egui, no sockets.
//! - [`net`]: the WebSocket and JSON, behind a small seam.
//! - [`pictures`]: the app's cache of decoded attached pictures, which views read.
//! - [`ui`]: one view per file, each returning what the user asked for.
//! - [`platform`]: everything that differs between the desktop and the browser (stored
//!   preferences, the title, files, the chime, notifications, hosting a relay, the browser
//!   test's hook), behind one seam: the `cfg` lines live there.
//! - [`files`]: files in and out (read, decoded, saved) through the platform's backend.
//! - [`launch`]: the invite the native app was started with (a clicked `confab:` link).
//! - [`web_link`]: the join form filled from the web page's address; pure.
//! - `web_glyphs` (wasm32): which characters the browser can draw.
//! - [`prefs`]: what is remembered between runs.
//! - [`notifier`]: system notifications for mentions and whispers (web and desktop).
//! - [`chime`]: the mention sound (Web Audio in the browser; natively none, so no toggle).
//!
//! Dependencies flow one way: `ui -> state <- app -> net -> protocol`.

pub mod app;
pub mod chime;
pub mod files;
pub mod launch;
pub mod net;
pub mod notifier;
pub mod pictures;
pub mod platform;
pub mod prefs;
pub mod state;
pub mod ui;
// Kept at the crate's root for `ui::message_text`, which asks it what the browser draws.
#[cfg(target_arch = "wasm32")]
pub mod web_glyphs;
pub mod web_link;

pub use app::ConfabApp;
