//! Files in and out of the app: reading what was dropped, pasted or picked, decoding
//! attached pictures off the UI thread, and saving attachments. No drawing and no model:
//! the app feeds what arrives here into [`crate::state::Model`] and the picture cache.
//!
//! Native: a dropped file is read from its path, decoding runs on a thread per picture
//! (a channel and `request_repaint` bring the result back), and a saved file goes to the
//! Downloads folder (no file-dialog backend builds on these machines without -dev
//! packages). Web: files are read asynchronously into an inbox, decoding runs in-frame
//! (after the size checks), and saving is a browser download through a Blob URL.

use std::sync::mpsc;

use egui::ColorImage;

/// A file to upload: its name, declared type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    /// The file's name.
    pub name: String,
    /// Its type, guessed from the name.
    pub mime: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Where decoded pictures and asynchronously read files arrive.
pub struct Files {
    decoded_tx: mpsc::Sender<(String, Result<ColorImage, String>)>,
    decoded_rx: mpsc::Receiver<(String, Result<ColorImage, String>)>,
    picked_tx: mpsc::Sender<Result<Picked, String>>,
    picked_rx: mpsc::Receiver<Result<Picked, String>>,
}

impl Default for Files {
    fn default() -> Self {
        let (decoded_tx, decoded_rx) = mpsc::channel();
        let (picked_tx, picked_rx) = mpsc::channel();
        Self {
            decoded_tx,
            decoded_rx,
            picked_tx,
            picked_rx,
        }
    }
}

/// The MIME type a file name suggests (the relay sniffs the bytes anyway).
pub fn mime_for(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or_default();
    match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "md" => "text/plain",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

impl Files {
    /// Decodes `bytes` of attachment `id` (native: on its own thread).
    pub fn decode(&self, ctx: &egui::Context, id: String, bytes: Vec<u8>) {
        let tx = self.decoded_tx.clone();
        #[cfg(not(target_arch = "wasm32"))]
        {
            let ctx = ctx.clone();
            std::thread::spawn(move || {
                let result = crate::ui::attachment::decode::decode(&bytes);
                let _ = tx.send((id, result));
                ctx.request_repaint();
            });
        }
        #[cfg(target_arch = "wasm32")]
        {
            let _ = ctx;
            let result = crate::ui::attachment::decode::decode(&bytes);
            // Freed before the texture is made: the encoded and decoded copies never wait
            // for each other.
            drop(bytes);
            let _ = tx.send((id, result));
        }
    }

    /// Pictures decoded since the last call.
    pub fn decoded(&self) -> Vec<(String, Result<ColorImage, String>)> {
        self.decoded_rx.try_iter().collect()
    }

    /// Files read (dropped on the web, picked in the browser) since the last call.
    pub fn picked(&self) -> Vec<Result<Picked, String>> {
        self.picked_rx.try_iter().collect()
    }

    /// Reads files dropped onto the window.
    pub fn dropped(&self, ctx: &egui::Context, files: Vec<egui::DroppedFileHandle>) {
        for file in files {
            let name = file
                .path()
                .file_name()
                .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
            let mime = mime_for(&name).to_owned();
            #[cfg(not(target_arch = "wasm32"))]
            {
                let _ = ctx;
                let read = file.bytes().map(|bytes| Picked { name, mime, bytes });
                let _ = self.picked_tx.send(read);
            }
            #[cfg(target_arch = "wasm32")]
            {
                let tx = self.picked_tx.clone();
                let ctx = ctx.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let read = file
                        .bytes_async()
                        .await
                        .map(|bytes| Picked { name, mime, bytes });
                    let _ = tx.send(read);
                    ctx.request_repaint();
                });
            }
        }
    }

    /// Reads the file at `path` (native's path field).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_path(&self, path: &str) {
        let path = std::path::Path::new(path);
        let name = path
            .file_name()
            .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
        let read = std::fs::read(path)
            .map(|bytes| Picked {
                mime: mime_for(&name).to_owned(),
                name: name.clone(),
                bytes,
            })
            .map_err(|e| format!("Could not read {name}: {e}"));
        let _ = self.picked_tx.send(read);
    }

    /// Opens the browser's file picker; the chosen file arrives through [`Files::picked`].
    #[cfg(target_arch = "wasm32")]
    pub fn choose(&self, ctx: &egui::Context) {
        crate::web_files::choose(self.picked_tx.clone(), ctx.clone());
    }

    /// Saves an attachment: native into the Downloads folder (or the current one), web
    /// as a browser download. Returns what happened, in words.
    pub fn save(name: &str, bytes: &[u8]) -> String {
        let name = confab_protocol::clean_file_name(name);
        #[cfg(not(target_arch = "wasm32"))]
        {
            let dir = std::env::var_os("HOME")
                .map(|home| std::path::PathBuf::from(home).join("Downloads"))
                .filter(|d| d.is_dir())
                .unwrap_or_else(|| std::path::PathBuf::from("."));
            let mut path = dir.join(&name);
            let mut n = 1;
            while path.exists() {
                path = dir.join(format!("{n} {name}"));
                n += 1;
            }
            match std::fs::write(&path, bytes) {
                Ok(()) => format!("Saved {name} to {}", path.display()),
                Err(e) => format!("Could not save {name}: {e}"),
            }
        }
        #[cfg(target_arch = "wasm32")]
        match crate::web_files::download(&name, bytes) {
            Ok(()) => format!("Downloaded {name}."),
            Err(e) => format!("Could not download {name}: {e}"),
        }
    }
}
