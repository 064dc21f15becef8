//! The browser page around the app (wasm32 only): reading the page's address, the
//! preferences in `localStorage`, and the loading and error text in `index.html`. The
//! state the browser test reads is `web_state.rs`.
//!
//! The address rules themselves live in [`PageUrl`] and [`crate::web_link`] (pure, tested
//! natively). This
//! module must stay thin: nothing here decides how the chat behaves; it only connects the
//! page to the app.

use confab_protocol::PageUrl;

use crate::prefs::Prefs;

/// The element in `index.html` that shows "Loading…" and, if starting fails, why.
const STATUS_ELEMENT: &str = "status";

/// The page's address (`location.href`), if there is a page.
pub fn page_href() -> Option<String> {
    web_sys::window()?.location().href().ok()
}

/// The preferences to start with: those `saved` on an earlier visit (or the defaults), with
/// the join form filled from the page's address, its relay and the room it invites to
/// (see [`crate::web_link::adopt`]).
pub fn with_page(saved: Option<Prefs>) -> Prefs {
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
pub fn saved_prefs() -> Option<Prefs> {
    let storage = web_sys::window()?.local_storage().ok()??;
    serde_json::from_str(&storage.get_item(PREFS_KEY).ok()??).ok()
}

/// Saves `prefs` for the next visit (quietly not, where the browser keeps no storage).
pub fn save_prefs(prefs: &Prefs) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let (Some(storage), Ok(json)) = (storage, serde_json::to_string(prefs)) {
        let _ = storage.set_item(PREFS_KEY, &json);
    }
}

/// The tab's title: the room, and the unread count while the tab is in the background.
pub fn set_title(title: &str) {
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
