//! The browser's side of attachments: the file picker (a hidden `<input type=file>`),
//! pictures pasted into the page (a `paste` listener: eframe hands egui only the text of a
//! paste), pictures decoded by the browser's own decoder, and saving as a download through
//! a Blob URL. wasm32 only; no drawing, no model.

use std::sync::mpsc::Sender;

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::Closure;

use egui::ColorImage;

use crate::files::picked::{Picked, Read, Unread, mime_for};
use crate::files::smaller;
use crate::files::{Outbox, Report};
use crate::ui::attachment::decode::header_allows;

/// The browser's file work, answering through an [`Outbox`].
pub struct FileBackend {
    out: Outbox,
}

impl FileBackend {
    /// Starts listening for pictures pasted into the page (for as long as it lives).
    pub fn new(out: Outbox) -> Self {
        listen_for_paste(out.clone());
        Self { out }
    }

    /// Decodes picture `id` with the browser's decoder, asynchronously.
    pub fn decode(&self, id: String, bytes: Vec<u8>) {
        decode(id, bytes, self.out.decoded.clone(), self.out.ctx.clone());
    }

    /// Reads a file dropped on the page.
    pub fn dropped(&self, file: egui::DroppedFileHandle) {
        read_dropped(
            file,
            self.out.max(),
            self.out.picked.clone(),
            self.out.ctx.clone(),
        );
    }

    /// eframe on the web sends no pasted pictures: the page's paste listener reads them.
    pub fn pasted(&self, _ctx: &egui::Context) {}

    /// Makes a smaller copy of the refused picture `file`, under the relay's limit, with
    /// the browser's decoder and a canvas (asynchronously); it arrives as a file to attach.
    pub fn smaller(&self, file: web_sys::File) {
        let (tx, ctx, max) = (
            self.out.picked.clone(),
            self.out.ctx.clone(),
            self.out.max(),
        );
        wasm_bindgen_futures::spawn_local(async move {
            let name = file.name();
            let read = browser_shrink(&file, max)
                .await
                .map(|bytes| Picked {
                    name: smaller::jpeg_name(&name),
                    mime: "image/jpeg".into(),
                    bytes,
                })
                .map_err(|why| Unread::Failed(smaller::could_not(&name, &why)));
            let _ = tx.send(read);
            ctx.request_repaint();
        });
    }

    /// The browser has no file dialogs to leave out.
    pub fn without_dialogs(&mut self, _why: String) {}

    /// Opens the browser's picker (a page cannot read a path, so `path` is not read).
    pub fn attach(&self, _window: &eframe::Frame, _path: Option<&str>) -> Result<(), String> {
        choose(self.out.clone());
        Ok(())
    }

    /// Offers `bytes` as a download named `name`.
    // Owned like the native side's, which moves the bytes to a dialog's thread.
    #[expect(clippy::needless_pass_by_value)]
    pub fn save(&self, _window: &eframe::Frame, name: &str, bytes: Vec<u8>) {
        let said = match download(name, &bytes) {
            Ok(()) => format!("Downloaded {name}."),
            Err(e) => format!("Could not download {name}: {e}"),
        };
        let _ = self.out.reports.send(Report::Notice(said));
        self.out.ctx.request_repaint();
    }
}

/// Opens the picker; the chosen file's bytes go to `out` (or its refusal, when it is over
/// the limit as the picker hands it over).
fn choose(out: Outbox) {
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
        if let Some(file) = chosen.files().and_then(|files| files.get(0)) {
            read(file, None, out.max(), out.picked, out.ctx);
        }
    });
    input.set_onchange(Some(on_change.unchecked_ref()));
    input.click();
}

/// Reads a file dropped on the page into `tx` through the browser's own handle, so one
/// over `max` bytes is refused by its size unread (a handle without one is read first).
fn read_dropped(file: egui::DroppedFileHandle, max: u64, tx: Sender<Read>, ctx: egui::Context) {
    if let Some(web) = file.web_file() {
        read(web.clone(), None, max, tx, ctx);
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let name = file.path().to_string_lossy().into_owned();
        let read = match file.bytes_async().await {
            Ok(bytes) if bytes.len() as u64 > max => Err(Unread::TooBig {
                size: bytes.len() as u64,
                name,
                source: None,
            }),
            Ok(bytes) => Ok(Picked {
                mime: mime_for(&name).to_owned(),
                name,
                bytes,
            }),
            Err(_) => Err(Unread::Failed(format!("Could not read {name}."))),
        };
        let _ = tx.send(read);
        ctx.request_repaint();
    });
}

/// Reads `file` into `tx` (asynchronously, waking egui when done), typed as `mime` or, if
/// that is `None`, as its name suggests. Over `max` bytes (`File.size`, known before any
/// byte is read), it is refused unread.
fn read(file: web_sys::File, mime: Option<String>, max: u64, tx: Sender<Read>, ctx: egui::Context) {
    let name = file.name();
    // A `File`'s size is a whole number of bytes, as a JS number.
    let size = file.size() as u64;
    if size > max {
        let _ = tx.send(Err(Unread::TooBig {
            name,
            size,
            source: Some(file),
        }));
        ctx.request_repaint();
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let read = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await;
        let picked = read
            .map(|buffer| Picked {
                mime: mime.unwrap_or_else(|| mime_for(&name).to_owned()),
                name: name.clone(),
                bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
            })
            .map_err(|_| Unread::Failed(format!("Could not read {name}.")));
        let _ = tx.send(picked);
        ctx.request_repaint();
    });
}

/// Listens for pastes on the page for as long as it lives: every picture in a paste's
/// `clipboardData` (its files, or else its items of kind "file") is read into `tx`. Text
/// is left to eframe's own listener, on the same `document` (it stops the event going
/// further up, not other listeners there).
fn listen_for_paste(out: Outbox) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on_paste = Closure::<dyn FnMut(web_sys::ClipboardEvent)>::new(
        move |event: web_sys::ClipboardEvent| {
            let Some(data) = event.clipboard_data() else {
                return;
            };
            for file in pasted_pictures(&data) {
                let mime = file.type_();
                // A screenshot pasted from the system clipboard is often called "image.png".
                read(
                    file,
                    Some(mime),
                    out.max(),
                    out.picked.clone(),
                    out.ctx.clone(),
                );
            }
        },
    );
    let _ = document.add_event_listener_with_callback("paste", on_paste.as_ref().unchecked_ref());
    // The listener lives as long as the page: there is one, made once per app.
    on_paste.forget();
}

/// The pictures in a paste: its files of an `image/` type, or, when it lists no files
/// (some browsers put a copied picture only in `items`), its items of kind "file" that are.
fn pasted_pictures(data: &web_sys::DataTransfer) -> Vec<web_sys::File> {
    let is_picture = |mime: &str| mime.starts_with("image/");
    let mut pictures = Vec::new();
    if let Some(files) = data.files() {
        pictures.extend(
            (0..files.length())
                .filter_map(|i| files.get(i))
                .filter(|f| is_picture(&f.type_())),
        );
    }
    if pictures.is_empty() {
        let items = data.items();
        pictures.extend(
            (0..items.length())
                .filter_map(|i| items.get(i))
                .filter(|item| item.kind() == "file" && is_picture(&item.type_()))
                .filter_map(|item| item.get_as_file().ok().flatten()),
        );
    }
    pictures
}

/// Offers `bytes` as a download named `name`.
fn download(name: &str, bytes: &[u8]) -> Result<(), String> {
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

/// Decodes picture `id` with the browser (asynchronously, waking egui when done) into
/// `tx`, once [`header_allows`] has read a size from its header that the app would show.
/// Whatever the browser cannot decode (data that ends early or breaks the format) is
/// `Err`, in words: the picture is then shown as a file.
fn decode(
    id: String,
    bytes: Vec<u8>,
    tx: Sender<(String, Result<ColorImage, String>)>,
    ctx: egui::Context,
) {
    if let Err(why) = header_allows(&bytes) {
        let _ = tx.send((id, Err(why)));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let result = browser_decode(bytes).await;
        let _ = tx.send((id, result));
        ctx.request_repaint();
    });
}

/// An offscreen canvas of `width` x `height` and its 2D context, or `None` where the
/// browser gives either not.
fn canvas_2d(
    width: u32,
    height: u32,
) -> Option<(
    web_sys::OffscreenCanvas,
    web_sys::OffscreenCanvasRenderingContext2d,
)> {
    let canvas = web_sys::OffscreenCanvas::new(width, height).ok()?;
    let context = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    Some((canvas, context))
}

/// `createImageBitmap` on the bytes, drawn on an offscreen canvas and read back as
/// unpremultiplied RGBA (`getImageData`).
async fn browser_decode(bytes: Vec<u8>) -> Result<ColorImage, String> {
    fn refused<E>(_: E) -> String {
        "the browser could not decode it".to_owned()
    }
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    // The encoded copy is not needed once the browser has its own.
    drop(bytes);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(refused)?;
    let window = web_sys::window().ok_or("no page")?;
    let promise = window
        .create_image_bitmap_with_blob(&blob)
        .map_err(refused)?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(refused)?
        .dyn_into()
        .map_err(refused)?;
    let (width, height) = (bitmap.width(), bitmap.height());
    let pixels = (|| {
        let (_canvas, context) = canvas_2d(width, height).ok_or_else(|| refused(()))?;
        context
            .draw_image_with_image_bitmap(&bitmap, 0.0, 0.0)
            .map_err(refused)?;
        let data = context
            .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
            .map_err(refused)?;
        Ok::<_, String>(data.data())
    })();
    bitmap.close();
    let pixels = pixels?;
    let size = [width as usize, height as usize];
    Ok(ColorImage::from_rgba_unmultiplied(size, &pixels))
}

/// The picture in `file` as a JPEG of at most `max` bytes: decoded by the browser
/// (`createImageBitmap`, off the page's main thread where the browser can), drawn scaled
/// on an offscreen canvas and encoded there (`convertToBlob`), smaller in steps until it
/// fits (the steps of [`smaller`], as on the desktop).
async fn browser_shrink(file: &web_sys::File, max: u64) -> Result<Vec<u8>, String> {
    fn refused<E>(_: E) -> String {
        "the browser could not read it as a picture.".to_owned()
    }
    let window = web_sys::window().ok_or("no page")?;
    let promise = window
        .create_image_bitmap_with_blob(file)
        .map_err(refused)?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(refused)?
        .dyn_into()
        .map_err(refused)?;
    let (width, height) = (bitmap.width(), bitmap.height());
    let mut side = smaller::first_side(width, height);
    let result = loop {
        let scale = f64::from(side) / f64::from(width.max(height).max(1));
        let fit = |n: u32| ((f64::from(n) * scale).round() as u32).max(1);
        let blob = match encode_jpeg(&bitmap, fit(width), fit(height)).await {
            Ok(blob) => blob,
            Err(why) => break Err(why),
        };
        let size = blob.size() as u64;
        if size <= max {
            let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await;
            break buffer
                .map(|b| js_sys::Uint8Array::new(&b).to_vec())
                .map_err(refused);
        }
        match smaller::next_side(side, size, max) {
            Some(next) => side = next,
            None => {
                break Err(
                    "this server's file limit is too small even for a small picture.".into(),
                );
            }
        }
    };
    bitmap.close();
    result
}

/// `bitmap` drawn at `width` x `height` on an offscreen canvas, as a JPEG blob.
async fn encode_jpeg(
    bitmap: &web_sys::ImageBitmap,
    width: u32,
    height: u32,
) -> Result<web_sys::Blob, String> {
    fn refused<E>(_: E) -> String {
        "the browser could not make a JPEG of it.".to_owned()
    }
    let (canvas, context) = canvas_2d(width, height).ok_or_else(|| refused(()))?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(
            bitmap,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .map_err(refused)?;
    let options = web_sys::ImageEncodeOptions::new();
    options.set_type("image/jpeg");
    options.set_quality(f64::from(smaller::QUALITY) / 100.0);
    let promise = canvas
        .convert_to_blob_with_options(&options)
        .map_err(refused)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(refused)?
        .dyn_into()
        .map_err(refused)
}
