//! The browser's side of attachments: the file picker (a hidden `<input type=file>`) and
//! saving as a download through a Blob URL. wasm32 only; no drawing, no model.

use std::sync::mpsc::Sender;

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::Closure;

use crate::files::{Picked, mime_for};

/// Opens the picker; the chosen file's bytes go to `tx`.
pub fn choose(tx: Sender<Result<Picked, String>>, ctx: egui::Context) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(input) = document.create_element("input") else {
        return;
    };
    let Ok(input) = input.dyn_into::<web_sys::HtmlInputElement>() else {
        return;
    };
    input.set_type("file");
    let chosen = input.clone();
    let on_change = Closure::once_into_js(move || {
        let Some(file) = chosen.files().and_then(|files| files.get(0)) else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            let name = file.name();
            let read = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await;
            let picked = read
                .map(|buffer| Picked {
                    mime: mime_for(&name).to_owned(),
                    name: name.clone(),
                    bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
                })
                .map_err(|_| format!("Could not read {name}."));
            let _ = tx.send(picked);
            ctx.request_repaint();
        });
    });
    input.set_onchange(Some(on_change.unchecked_ref()));
    input.click();
}

/// Offers `bytes` as a download named `name`.
pub fn download(name: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |_| "the browser refused".to_owned();
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no page")?;
    let anchor = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "no link".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
