//! [`Notifier`]: raises the system notifications the model asks for ([`Alert`]): the
//! browser's Notification API on the web, the desktop's notification service natively.
//!
//! It decides nothing: whether a message is worth a notification and what it may say is
//! the model's ([`crate::state::alert`]). It must not read the timeline, and views never
//! call it; the app calls it when it carries out an [`crate::state::Effect::Alert`].
//!
//! How each target shows them is the platform's (`platform::notify`): on the web the
//! Notification API, through the service worker's registration when the page has one
//! (Chrome on Android only shows notifications that way); natively `notify-rust`, on a
//! short-lived thread (it waits for D-Bus).

use crate::platform::notify as backend;
use crate::state::Alert;

/// Shows system notifications on this platform. Holds nothing: the platform keeps the
/// permission (the browser asks once per site and remembers the answer).
#[derive(Debug, Default)]
pub struct Notifier;

impl Notifier {
    /// Asks the person for permission to show notifications, where the platform asks (the
    /// web). Call it only while handling a click or key press: browsers ignore a request
    /// made without a user gesture, and one made on page load is rude.
    pub fn ask_permission(&self) {
        backend::ask_permission();
    }

    /// Whether notifications cannot be shown here, whatever the app does: the person
    /// blocked them for this site, or the platform has none. The bell then says so.
    pub fn blocked(&self) -> bool {
        backend::blocked()
    }

    /// Raises `alert` as a system notification (quietly nothing if not allowed). One
    /// notification per room is kept: a newer one from the same room replaces it.
    pub fn show(&self, alert: &Alert) {
        backend::show(alert);
    }
}

/// The notification's tag: notifications of one room replace each other instead of
/// piling up.
pub(crate) fn tag(alert: &Alert) -> String {
    format!("confab-{}", alert.room)
}
