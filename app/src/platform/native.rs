//! The desktop backend of [`crate::platform`]: eframe's storage, the window title, threads
//! for files, the desktop's file dialogs and notifications. No drawing, no model.

pub mod dialog;
mod files;
pub mod notify;
mod read;
mod shrink;

pub use files::FileBackend;

/// Where a file refused for its size can be read again (for a smaller copy): its path.
pub type FileSource = std::path::PathBuf;

use eframe::egui;

use crate::prefs::Prefs;

/// Where the preferences live between runs: eframe's storage (a RON file), which eframe
/// asks the app to write ([`PrefsStore::save`], from `App::save`) every 30 s and on exit.
#[derive(Debug, Default)]
pub struct PrefsStore;

impl PrefsStore {
    /// The preferences saved on an earlier run (or the defaults), and the store.
    pub fn load(cc: &eframe::CreationContext<'_>) -> (Self, Prefs) {
        let prefs = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        (Self, prefs)
    }

    /// Called every frame with the preferences as they are: nothing to do here, eframe
    /// asks for them when it saves.
    pub fn keep(&mut self, _prefs: &Prefs) {}

    /// Writes `prefs` into eframe's storage.
    pub fn save(&self, storage: &mut dyn eframe::Storage, prefs: &Prefs) {
        eframe::set_value(storage, eframe::APP_KEY, prefs);
    }
}

/// Sets the window's title.
pub fn set_title(ctx: &egui::Context, title: &str) {
    ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.to_owned()));
}

/// The reconnect jitter's seed: the wall clock (ms) mixed with the process id, so two
/// apps started in the same millisecond do not retry in step.
pub fn jitter_seed(wall_ms: u64) -> u64 {
    wall_ms ^ u64::from(std::process::id())
}

/// Whether this build can play the mention chime. Natively there is no audio backend: an
/// audio crate (cpal/rodio) would pull ALSA development packages into every build for one
/// beep, so the window's attention request (taskbar flash or dock bounce) is the signal.
pub const CHIME: bool = false;

/// Plays the chime: natively there is none (see [`CHIME`]).
pub fn play_chime() {
    log::info!("mention (no audio backend natively; the window asks for attention)");
}

/// What Save does, said where it is offered.
pub const SAVE_HINT: &str = "Save this picture on this computer";

/// The web page the app runs in, whose address an invite can open: natively there is none.
pub fn page_href() -> Option<String> {
    None
}
