//! The `confab` binary: wiring only. Native builds open a window; wasm32 builds attach to
//! the `<canvas id="confab">` in `index.html` (see `Trunk.toml`).

// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[cfg(not(target_arch = "wasm32"))]
fn main() -> eframe::Result {
    env_logger::init(); // RUST_LOG=info shows connection and host-mode logs.
    // `confab confab://join/K7Q-X2M-HDP?relay=…`: how a desktop opens a clicked invite.
    let invite = confab::launch::invite_argument(std::env::args().skip(1)).unwrap_or_else(|why| {
        log::warn!("The argument is not an invite ({why}); opening the join screen.");
        None
    });
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Confab")
            .with_inner_size([900.0, 640.0])
            .with_min_inner_size([360.0, 420.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Confab",
        options,
        Box::new(|cc| Ok(Box::new(confab::ConfabApp::new(cc).with_invite(invite)))),
    )
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    /// The running app, for [`confab_state`]. The page has one app and wasm one thread.
    static RUNNER: std::cell::RefCell<Option<eframe::WebRunner>> = const { std::cell::RefCell::new(None) };
}

#[cfg(target_arch = "wasm32")]
fn main() {
    use confab::platform::web;
    use wasm_bindgen::JsCast as _;

    eframe::WebLogger::init(log::LevelFilter::Info).ok();
    let runner = eframe::WebRunner::new(); // installs eframe's panic hook first
    web::show_panics();
    RUNNER.with(|slot| *slot.borrow_mut() = Some(runner.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        let canvas = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("confab"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        let Some(canvas) = canvas else {
            web::show_error("This page has no <canvas id=\"confab\"> for Confab to draw on.");
            return;
        };
        let started = runner
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(|cc| Ok(Box::new(web::TestHook(confab::ConfabApp::new(cc))))),
            )
            .await;
        match started {
            Ok(()) => web::show_started(),
            Err(e) => {
                log::error!("Confab failed to start: {e:?}");
                web::show_error(
                    "Confab could not start its renderer (WebGL 2). Try another browser, or turn on \
                     hardware acceleration in this one.",
                );
            }
        }
    });
}

/// The app's state as JSON, for the browser test (`window.wasmBindings.confab_state()`;
/// see `web-test/`). `"null"` before the app has started.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn confab_state() -> String {
    RUNNER.with(|slot| {
        let runner = slot.borrow();
        let app = runner
            .as_ref()
            .and_then(|r| r.app_mut::<confab::ConfabApp>());
        app.map_or_else(
            || "null".to_owned(),
            |mut app| confab::platform::web::state::state_json(&mut app),
        )
    })
}
