//! Everything that differs between the desktop and the browser, behind one seam: where
//! preferences are kept, the window's (or tab's) title, reading, picking, decoding and
//! saving files, the mention chime, system notifications, hosting a relay, and the browser
//! test's hook. The rest of the app calls `platform::…` and never names a target: the
//! `cfg` lines of the app live here (and in `main.rs`'s two `main`s), nowhere else.
//!
//! Both backends offer the same names, so code that compiles for one reads the same for
//! the other:
//!
//! | name | native | web |
//! | --- | --- | --- |
//! | [`PrefsStore`] | eframe's storage (RON), written by `App::save` | `localStorage` (JSON), written on change |
//! | [`set_title`] | the window's title | `document.title` |
//! | [`jitter_seed`] | the clock and the process id | the clock (a page has no process id) |
//! | [`FileBackend`] | threads, the desktop's file dialogs, the Downloads folder | the browser's picker, decoder and downloads |
//! | [`FileSource`] | a path (read again for a smaller copy) | the browser's `File` |
//! | [`CHIME`], [`play_chime`] | none (the window asks for attention) | Web Audio |
//! | [`notify`] | `notify-rust` | the Notification API |
//! | [`HostSlot`] | the relay in-process (feature `host`) | none: a do-nothing slot |
//! | [`Hooked`] | the app itself | the app, reachable by the browser test |
//!
//! # Layout
//! - `native`: the desktop backend (`native/dialog.rs`, `native/read.rs`: file dialogs
//!   and reading files off the frame loop; `native/notify.rs`).
//! - `web`: the browser backend (the page around the app; `web/files.rs`,
//!   `web/notify.rs`, `web/chime.rs`, `web/state.rs`: the test hook's JSON).
//! - `host`: the in-process relay (native with feature `host`); `no_host`: the slot every
//!   other build gets, which hosts nothing.
//!
//! It must not decide how the chat behaves: rules live in [`crate::state`], and what a
//! backend reports goes back through the same types on both targets.

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub use native::*;

#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub use web::*;

#[cfg(all(feature = "host", not(target_arch = "wasm32")))]
mod host;
#[cfg(all(feature = "host", not(target_arch = "wasm32")))]
pub use host::HostSlot;

#[cfg(not(all(feature = "host", not(target_arch = "wasm32"))))]
mod no_host;
#[cfg(not(all(feature = "host", not(target_arch = "wasm32"))))]
pub use no_host::HostSlot;
