//! The web backend of [`crate::platform`] (wasm32 only): the page around the app (its
//! address, the preferences in `localStorage`, the tab's title, the loading and error text
//! in `index.html`), and the browser's files, chime and notifications in the modules
//! below. The state the browser test reads is `web/state.rs`, reached through [`TestHook`].
//!
//! The address rules themselves live in [`PageUrl`] and [`crate::web_link`] (pure, tested
//! natively). This
//! module must stay thin: nothing here decides how the chat behaves; it only connects the
//! page to the app.

mod chime;
mod files;
pub mod notify;
pub mod state;

pub use files::FileBackend;

/// Where a file refused for its size can be read again (for a smaller copy): the
/// browser's handle on it, kept until the person asks or leaves.
pub type FileSource = web_sys::File;

use confab_protocol::PageUrl;

use crate::prefs::Prefs;

/// The element in `index.html` that shows "Loading…" and, if starting fails, why.
const STATUS_ELEMENT: &str = "status";

/// The page's address (`location.href`), if there is a page.
pub fn page_href() -> Option<String> {
    web_sys::window()?.location().href().ok()
}

/// Where the preferences live between visits: `localStorage`, as JSON, written whenever
/// they change (eframe's own storage is native only here, see app/Cargo.toml).
#[derive(Debug, Default)]
pub struct PrefsStore {
    /// The preferences as last written, so they are only written when they change.
    saved: Prefs,
}

impl PrefsStore {
    /// The preferences saved on an earlier visit (or the defaults), with the join form
    /// filled from the page's address, and the store.
    pub fn load(_cc: &eframe::CreationContext<'_>) -> (Self, Prefs) {
        let prefs = with_page(saved_prefs());
        let store = Self {
            saved: prefs.clone(),
        };
        (store, prefs)
    }

    /// Writes `prefs` if they changed since the last write.
    pub fn keep(&mut self, prefs: &Prefs) {
        if *prefs != self.saved {
            save_prefs(prefs);
            self.saved = prefs.clone();
        }
    }

    /// eframe's storage: not used on the web (see [`PrefsStore::keep`]).
    pub fn save(&self, _storage: &mut dyn eframe::Storage, _prefs: &Prefs) {}
}

/// The reconnect jitter's seed: the wall clock alone (`std::process::id` panics on wasm32:
/// a page has no process id).
pub fn jitter_seed(wall_ms: u64) -> u64 {
    wall_ms
}

/// Whether this build can play the mention chime: the web can, with Web Audio.
pub const CHIME: bool = true;

/// Plays the chime; a failure (the autoplay policy before any click) is only logged.
pub fn play_chime() {
    if let Err(err) = chime::play() {
        log::debug!("mention chime not played: {err:?}");
    }
}

/// What Save does, said where it is offered.
pub const SAVE_HINT: &str = "Download this picture";

/// The app as the page runs it: the same app, which the browser test reaches through
/// `WebRunner::app_mut::<ConfabApp>` (eframe finds it with `App::as_any_mut`, a method
/// only the web has).
pub struct TestHook(pub crate::ConfabApp);

impl eframe::App for TestHook {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.0.logic(ctx, frame);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.0.ui(ui, frame);
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(&mut self.0)
    }
}

/// The preferences to start with: those `saved` on an earlier visit (or the defaults), with
/// the join form filled from the page's address, its relay and the room it invites to
/// (see [`crate::web_link::adopt`]).
fn with_page(saved: Option<Prefs>) -> Prefs {
    let was_saved = saved.is_some();
    let mut prefs = saved.unwrap_or_default();
    if let Some(href) = page_href()
        && let Some(page) = PageUrl::parse(&href)
    {
        crate::web_link::adopt(&page, &mut prefs.form, was_saved);
    }
    prefs
}

/// Where the preferences live in the page's `localStorage`, as JSON.
const PREFS_KEY: &str = "confab.prefs";

/// The preferences saved on an earlier visit to this page's origin, if any can be read.
fn saved_prefs() -> Option<Prefs> {
    let storage = web_sys::window()?.local_storage().ok()??;
    serde_json::from_str(&storage.get_item(PREFS_KEY).ok()??).ok()
}

/// Saves `prefs` for the next visit (quietly not, where the browser keeps no storage).
fn save_prefs(prefs: &Prefs) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let (Some(storage), Ok(json)) = (storage, serde_json::to_string(prefs)) {
        let _ = storage.set_item(PREFS_KEY, &json);
    }
}

/// The tab's title: the room, and the unread count while the tab is in the background.
/// (eframe's web backend ignores viewport titles: the tab title is the page's.)
pub fn set_title(_ctx: &egui::Context, title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

fn status_element() -> Option<web_sys::Element> {
    web_sys::window()?
        .document()?
        .get_element_by_id(STATUS_ELEMENT)
}

/// Hides the loading text once the app draws.
pub fn show_started() {
    if let Some(status) = status_element() {
        status.set_attribute("hidden", "").ok();
    }
}

/// Replaces the app with a readable error (the details go to the console).
pub fn show_error(message: &str) {
    if let Some(status) = status_element() {
        status.set_text_content(Some(message));
        status.set_class_name("error");
        status.remove_attribute("hidden").ok();
    }
}

/// Shows [`show_error`] on any panic, after eframe's own hook has logged it (install after
/// `WebRunner::new`, which installs that hook). A panic stops the app: without this the
/// page would freeze on its last frame with no word of why.
pub fn show_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        show_error(&format!(
            "Confab stopped because of a bug: {info}. Reload the page to start again; \
             the browser console has the details."
        ));
    }));
}
