//! Desktop notifications through `notify-rust`: the freedesktop notification service over
//! D-Bus on Linux and the BSDs, the system's own on macOS and Windows.

use crate::state::Alert;

/// Nothing to ask: desktops let applications notify, and the person turns it off in the
/// desktop's own settings.
pub fn ask_permission() {}

/// Only the desktop knows whether it shows them; the app cannot tell in advance.
pub fn blocked() -> bool {
    false
}

/// Shows `alert`. `show` waits for the notification service's answer (a D-Bus round trip
/// on Linux, which may take a while or time out where no service runs), so it runs on a
/// thread of its own rather than the UI thread; a failure is logged, never shown.
pub fn show(alert: &Alert) {
    let title = alert.title.clone();
    let body = alert.body.clone();
    let id = crate::notifier::tag(alert);
    let spawned = std::thread::Builder::new()
        .name("notification".into())
        .spawn(move || {
            let mut notification = notify_rust::Notification::new();
            notification
                .appname("Confab")
                .summary(&title)
                .body(&body)
                .icon("confab");
            #[cfg(all(unix, not(target_os = "macos")))]
            notification.hint(notify_rust::Hint::Category("im.received".into()));
            if let Err(err) = notification.show() {
                log::info!("notification {id} not shown: {err}");
            }
        });
    if let Err(err) = spawned {
        log::warn!("no thread for a notification: {err}");
    }
}
