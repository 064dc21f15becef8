//! Web notifications: the Notification API. A page that a service worker controls (see
//! `app/sw.js`) shows them through the worker's registration: Chrome on Android has no
//! `new Notification()` (it throws), and a click on one then focuses the page from the
//! worker. Other pages construct them directly and focus themselves when clicked.

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use crate::state::Alert;

/// The page's icon, relative to the page (copied by trunk: `app/index.html`).
const ICON: &str = "assets/icon-192.png";

/// Whether this browser has the Notification API here (not in an insecure context, and
/// not in iOS Safari outside an installed web app).
fn supported() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
}

/// Asks once (the browser remembers the answer for the site); a no-op once answered.
pub fn ask_permission() {
    if supported() && Notification::permission() == NotificationPermission::Default {
        // The answer is read again at each `show`: the promise needs no handler.
        if let Err(err) = Notification::request_permission() {
            log::info!("notification permission not asked: {err:?}");
        }
    }
}

/// Blocked for this site, or no Notification API at all.
pub fn blocked() -> bool {
    !supported() || Notification::permission() == NotificationPermission::Denied
}

/// Shows `alert` if the person allowed notifications for this site.
pub fn show(alert: &Alert) {
    if !supported() || Notification::permission() != NotificationPermission::Granted {
        log::info!("notification not shown (not allowed here): {}", alert.title);
        return;
    }
    let options = NotificationOptions::new();
    options.set_body(&alert.body);
    options.set_tag(&crate::notifier::tag(alert));
    options.set_icon(ICON);
    match service_worker() {
        Some(container) => {
            let title = alert.title.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let shown = async {
                    let registration = JsFuture::from(container.ready()?).await?;
                    let registration: web_sys::ServiceWorkerRegistration =
                        registration.dyn_into()?;
                    JsFuture::from(registration.show_notification_with_options(&title, &options)?)
                        .await
                };
                if let Err(err) = shown.await {
                    log::warn!("notification not shown: {err:?}");
                }
            });
        }
        None => match Notification::new_with_options(&alert.title, &options) {
            Ok(notification) => {
                let focus = Closure::once_into_js(|| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.focus();
                    }
                });
                notification.set_onclick(Some(focus.unchecked_ref()));
            }
            Err(err) => log::warn!("notification not shown: {err:?}"),
        },
    }
}

/// The service worker container, if a worker controls this page.
fn service_worker() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return None;
    }
    let container = navigator.service_worker();
    container.controller().is_some().then_some(container)
}
