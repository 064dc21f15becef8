//! The `confab` binary: wiring only. Native builds open a window; wasm32 builds attach to
//! the `<canvas id="confab">` in `index.html` (see `Trunk.toml`).

// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[cfg(not(target_arch = "wasm32"))]
fn main() -> eframe::Result {
    env_logger::init(); // RUST_LOG=info shows connection and host-mode logs.
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
        Box::new(|cc| Ok(Box::new(confab::ConfabApp::new(cc)))),
    )
}

#[cfg(target_arch = "wasm32")]
fn main() {
    use eframe::wasm_bindgen::JsCast as _;

    eframe::WebLogger::init(log::LevelFilter::Info).ok();
    wasm_bindgen_futures::spawn_local(async {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            log::error!("no document: Confab must run in a browser page");
            return;
        };
        let Some(canvas) = document
            .get_element_by_id("confab")
            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            log::error!("index.html has no <canvas id=\"confab\">");
            return;
        };
        let started = eframe::WebRunner::new()
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(|cc| Ok(Box::new(confab::ConfabApp::new(cc)))),
            )
            .await;
        if let Err(e) = started {
            log::error!("Confab failed to start: {e:?}");
        }
    });
}
