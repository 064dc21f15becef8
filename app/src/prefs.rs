//! What the app remembers between runs: native in eframe's storage (RON), on the web as
//! JSON in `localStorage` (`web.rs`).

use serde::{Deserialize, Serialize};

use crate::ui::join::JoinForm;

/// What is remembered between runs. `#[serde(default)]`: older saves still load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The join form (name, server, host address).
    pub form: JoinForm,
    /// Whether mentions and whispers that arrive while the window is in the background
    /// raise a system notification and ring (where a chime can play). Off until the person
    /// turns it on: on the web that click is what asks the browser for permission.
    /// Saved as `mention_sound` before notifications existed.
    #[serde(alias = "mention_sound")]
    pub alerts: bool,
}
