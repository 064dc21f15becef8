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
    /// Whether mentions ring while the window is in the background.
    pub mention_sound: bool,
}
