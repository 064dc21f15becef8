//! Files in and out of the app: reading what was dropped, pasted or picked, decoding
//! attached pictures off the UI thread, and saving attachments. No drawing and no model:
//! the app feeds what arrives here into [`crate::state::Model`] and the picture cache.
//!
//! Every file to upload is first checked against the relay's limit by its size alone
//! ([`Files::set_max_bytes`]), so a file over it is refused without being read, and is
//! read off the frame loop.
//!
//! Native: a dropped file or typed path is read on a thread of its own ([`read`]),
//! decoding runs on a thread per picture
//! (a channel and `request_repaint` bring the result back), and attach and Save open the
//! desktop's file dialogs on threads of their own ([`dialog`]); where no dialog can open,
//! attach says why and offers a path field, and Save writes into the Downloads folder. Web:
//! files are read asynchronously into an inbox (picked, dropped or pasted), decoding runs
//! in-frame (after the size checks), and saving is a browser download through a Blob URL.

#[cfg(not(target_arch = "wasm32"))]
pub mod dialog;
pub mod picked;
#[cfg(not(target_arch = "wasm32"))]
pub mod read;

#[cfg(not(target_arch = "wasm32"))]
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use egui::ColorImage;

pub use picked::{Picked, Read, Unread, mime_for};

/// What work off the frame loop (a dialog, a save) has to tell the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Words for the room's timeline ("Saved cat.png to …").
    Notice(String),
    /// The attach dialog closed without a file. A cancel looks the same as a dialog that
    /// could not appear (rfd answers "none" for both), so the app also opens its path field.
    NoFileChosen,
}

/// Where decoded pictures, asynchronously read files and dialogs' answers arrive.
pub struct Files {
    decoded_tx: mpsc::Sender<(String, Result<ColorImage, String>)>,
    decoded_rx: mpsc::Receiver<(String, Result<ColorImage, String>)>,
    picked_tx: mpsc::Sender<Read>,
    picked_rx: mpsc::Receiver<Read>,
    /// The largest file read for upload; larger ones are refused by their size. Shared
    /// with the readers (the web's paste listener lives as long as the page).
    max_bytes: Arc<AtomicU64>,
    report_tx: mpsc::Sender<Report>,
    report_rx: mpsc::Receiver<Report>,
    /// Native: why no file dialog can open here (`None`: attach and Save open one).
    #[cfg(not(target_arch = "wasm32"))]
    no_dialog: Option<String>,
    /// Native: set while a dialog is open, so clicks do not stack dialogs.
    #[cfg(not(target_arch = "wasm32"))]
    dialog_open: Arc<AtomicBool>,
}

impl Default for Files {
    /// Natively, looks once for a way to open file dialogs ([`dialog::unavailable`]).
    fn default() -> Self {
        let (decoded_tx, decoded_rx) = mpsc::channel();
        let (picked_tx, picked_rx) = mpsc::channel();
        let (report_tx, report_rx) = mpsc::channel();
        Self {
            decoded_tx,
            decoded_rx,
            picked_tx,
            picked_rx,
            max_bytes: Arc::default(),
            report_tx,
            report_rx,
            #[cfg(not(target_arch = "wasm32"))]
            no_dialog: dialog::unavailable(),
            #[cfg(not(target_arch = "wasm32"))]
            dialog_open: Arc::default(),
        }
    }
}

impl Files {
    /// Decodes `bytes` of attachment `id` (native: on its own thread; the web: by the
    /// browser, asynchronously).
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
        crate::web_files::decode(id, bytes, tx, ctx.clone());
    }

    /// Pictures decoded since the last call.
    pub fn decoded(&self) -> Vec<(String, Result<ColorImage, String>)> {
        self.decoded_rx.try_iter().collect()
    }

    /// Files read (dropped, picked, pasted, typed) or refused since the last call.
    pub fn picked(&self) -> Vec<Read> {
        self.picked_rx.try_iter().collect()
    }

    /// The largest file the relay takes now (the app keeps it current): larger files are
    /// refused by their size, before they are read.
    pub fn set_max_bytes(&self, max: u64) {
        self.max_bytes.store(max, Ordering::Relaxed);
    }

    fn max(&self) -> u64 {
        self.max_bytes.load(Ordering::Relaxed)
    }

    /// Reads files dropped onto the window, off the frame loop.
    pub fn dropped(&self, ctx: &egui::Context, files: Vec<egui::DroppedFileHandle>) {
        for file in files {
            #[cfg(not(target_arch = "wasm32"))]
            read::spawn_dropped(file, self.max(), self.picked_tx.clone(), ctx.clone());
            #[cfg(target_arch = "wasm32")]
            crate::web_files::read_dropped(file, self.max(), self.picked_tx.clone(), ctx.clone());
        }
    }

    /// What dialogs and saves reported since the last call.
    pub fn reports(&self) -> Vec<Report> {
        self.report_rx.try_iter().collect()
    }

    /// Reads the file at `path` (native's path field, `/attach PATH`) off the frame loop.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_path(&self, ctx: &egui::Context, path: &str) {
        let (tx, ctx) = (self.picked_tx.clone(), ctx.clone());
        read::spawn_path(path.into(), self.max(), tx, ctx);
    }

    /// Never opens a file dialog, as if none could open here, for `why` (tests, and
    /// embedders that have no desktop around them).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn without_dialogs(&mut self, why: String) {
        self.no_dialog = Some(why);
    }

    /// Opens a file picker for the attach button: the browser's on the web, the desktop's dialog natively
    /// (on its own thread, in front of `window` and modal to it where the desktop allows).
    /// The chosen file arrives through [`Files::picked`]. `Err` says why no dialog can
    /// open here: the caller offers its path field instead.
    pub fn choose(&self, ctx: &egui::Context, window: &eframe::Frame) -> Result<(), String> {
        #[cfg(target_arch = "wasm32")]
        {
            let _ = window;
            crate::web_files::choose(self.picked_tx.clone(), self.max_bytes.clone(), ctx.clone());
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            if let Some(why) = &self.no_dialog {
                return Err(why.clone());
            }
            let (picked_tx, report_tx) = (self.picked_tx.clone(), self.report_tx.clone());
            // `false`: a dialog is already open, and it is the answer to this click too.
            let max = self.max();
            let _ = dialog::pick(
                &self.dialog_open,
                window,
                max,
                (picked_tx, report_tx),
                ctx.clone(),
            );
        }
        Ok(())
    }

    /// Takes images pasted into the page (the browser hands egui only pasted text): they
    /// arrive through [`Files::picked`] like the picker's.
    #[cfg(target_arch = "wasm32")]
    pub fn listen_for_paste(&self, ctx: &egui::Context) {
        crate::web_files::listen_for_paste(
            self.picked_tx.clone(),
            self.max_bytes.clone(),
            ctx.clone(),
        );
    }

    /// Saves an attachment: natively where the person says in a save dialog in front of
    /// `window` (or, where no dialog can open or one already is, into the Downloads
    /// folder), on the web as a browser download. What happened arrives through [`Files::reports`].
    // Owned: natively the bytes move to the dialog's thread; the web only borrows them.
    #[cfg_attr(target_arch = "wasm32", expect(clippy::needless_pass_by_value))]
    pub fn save(&self, ctx: &egui::Context, window: &eframe::Frame, name: &str, bytes: Vec<u8>) {
        let name = confab_protocol::clean_file_name(name);
        #[cfg(target_arch = "wasm32")]
        let _ = window;
        #[cfg(not(target_arch = "wasm32"))]
        let said = {
            let dir = downloads();
            let bytes = match &self.no_dialog {
                Some(_) => bytes,
                None => match dialog::save(
                    &self.dialog_open,
                    window,
                    name.clone(),
                    bytes,
                    &dir,
                    self.report_tx.clone(),
                    ctx.clone(),
                ) {
                    Ok(()) => return,
                    Err(bytes) => bytes,
                },
            };
            save_into(&dir, &name, &bytes)
        };
        #[cfg(target_arch = "wasm32")]
        let said = match crate::web_files::download(&name, &bytes) {
            Ok(()) => format!("Downloaded {name}."),
            Err(e) => format!("Could not download {name}: {e}"),
        };
        let _ = self.report_tx.send(Report::Notice(said));
        ctx.request_repaint();
    }
}

/// The Downloads folder (or the current one, without a home).
#[cfg(not(target_arch = "wasm32"))]
fn downloads() -> std::path::PathBuf {
    std::env::var_os("HOME")
        .map(|home| std::path::PathBuf::from(home).join("Downloads"))
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

/// Writes `bytes` as `name` into `dir`, numbering the name ("1 cat.png") rather than
/// overwriting a file, and says what happened.
#[cfg(not(target_arch = "wasm32"))]
fn save_into(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let mut path = dir.join(name);
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
