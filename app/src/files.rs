//! Files in and out of the app: reading what was dropped, pasted or picked, decoding
//! attached pictures off the UI thread, and saving attachments. No drawing and no model:
//! the app feeds what arrives here into [`crate::state::Model`] and the picture cache.
//!
//! Every file to upload is first checked against the relay's limit by its size alone
//! ([`Files::set_max_bytes`]), so a file over it is refused without being read, and is
//! read off the frame loop. How each target does the work (threads and the desktop's
//! dialogs natively, the browser's picker, decoder and downloads on the web) is the
//! platform's ([`crate::platform::FileBackend`]); everything arrives here, through the
//! same channels on both.

pub mod picked;
pub mod smaller;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use egui::ColorImage;

pub use picked::{Picked, Read, Unread, mime_for};

use crate::platform::{FileBackend, FileSource};

/// What work off the frame loop (a dialog, a save) has to tell the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Words for the room's timeline ("Saved cat.png to …").
    Notice(String),
    /// The attach dialog closed without a file. A cancel looks the same as a dialog that
    /// could not appear (rfd answers "none" for both), so the app also opens its path field.
    NoFileChosen,
}

/// A decoded picture (or why it could not be), by attachment id.
pub type Decoded = (String, Result<ColorImage, String>);

/// The sending halves the platform's file work answers through, and the upload limit it
/// checks sizes against.
#[derive(Clone)]
pub struct Outbox {
    /// Decoded pictures.
    pub decoded: mpsc::Sender<Decoded>,
    /// Files read (or refused) for upload.
    pub picked: mpsc::Sender<Read>,
    /// What dialogs and saves have to say.
    pub reports: mpsc::Sender<Report>,
    /// The largest file read for upload; larger ones are refused by their size. Shared
    /// with the readers (the web's paste listener lives as long as the page).
    max_bytes: Arc<AtomicU64>,
    /// Wakes the frame loop once an answer is in a channel.
    pub ctx: egui::Context,
}

impl Outbox {
    /// The largest file the relay takes now.
    pub fn max(&self) -> u64 {
        self.max_bytes.load(Ordering::Relaxed)
    }
}

/// Where decoded pictures, read files and dialogs' answers arrive.
pub struct Files {
    decoded_rx: mpsc::Receiver<Decoded>,
    picked_rx: mpsc::Receiver<Read>,
    report_rx: mpsc::Receiver<Report>,
    max_bytes: Arc<AtomicU64>,
    backend: FileBackend,
    /// Pictures refused for their size that may be sent smaller, by the offer's number.
    offers: std::collections::HashMap<u64, FileSource>,
}

impl Files {
    /// Files for the app drawing in `ctx` (woken when an answer arrives). Natively this
    /// looks once for a way to open file dialogs; on the web it starts listening for
    /// pictures pasted into the page.
    pub fn new(ctx: &egui::Context) -> Self {
        let (decoded, decoded_rx) = mpsc::channel();
        let (picked, picked_rx) = mpsc::channel();
        let (reports, report_rx) = mpsc::channel();
        let max_bytes = Arc::<AtomicU64>::default();
        let outbox = Outbox {
            decoded,
            picked,
            reports,
            max_bytes: max_bytes.clone(),
            ctx: ctx.clone(),
        };
        Self {
            decoded_rx,
            picked_rx,
            report_rx,
            max_bytes,
            backend: FileBackend::new(outbox),
            offers: Default::default(),
        }
    }

    /// Decodes `bytes` of attachment `id` off the frame loop (natively on a thread of its
    /// own; on the web by the browser, asynchronously).
    pub fn decode(&self, id: String, bytes: Vec<u8>) {
        self.backend.decode(id, bytes);
    }

    /// Pictures decoded since the last call.
    pub fn decoded(&self) -> Vec<Decoded> {
        self.decoded_rx.try_iter().collect()
    }

    /// Files read (dropped, picked, pasted, typed) or refused since the last call.
    pub fn picked(&self) -> Vec<Read> {
        self.picked_rx.try_iter().collect()
    }

    /// What dialogs and saves reported since the last call.
    pub fn reports(&self) -> Vec<Report> {
        self.report_rx.try_iter().collect()
    }

    /// The largest file the relay takes now (the app keeps it current): larger files are
    /// refused by their size, before they are read.
    pub fn set_max_bytes(&self, max: u64) {
        self.max_bytes.store(max, Ordering::Relaxed);
    }

    /// Reads what was dropped or pasted onto the window this frame, off the frame loop:
    /// it arrives through [`Files::picked`].
    pub fn take_input(&self, ctx: &egui::Context) {
        for file in ctx.input(|i| i.raw.dropped_files.clone()) {
            self.backend.dropped(file);
        }
        self.backend.pasted(ctx);
    }

    /// Never opens a file dialog, as if none could open here, for `why` (tests, and
    /// embedders that have no desktop around them). The web has no such dialogs: nothing
    /// changes there.
    pub fn without_dialogs(&mut self, why: String) {
        self.backend.without_dialogs(why);
    }

    /// Attaches a file: the one at `path` where the platform can read paths (natively:
    /// the path field, `/attach PATH`), else the one picked in a picker (the desktop's
    /// dialog in front of `window`, or the browser's). The file arrives through
    /// [`Files::picked`]. `Err` says why no picker can open here: the caller offers its
    /// path field instead.
    pub fn attach(&self, window: &eframe::Frame, path: Option<&str>) -> Result<(), String> {
        self.backend.attach(window, path)
    }

    /// Keeps where the picture refused with offer `offer` (`Model::refuse_file`) can be
    /// read again (its path, or the browser's `File`), for when the person asks for a
    /// smaller copy.
    pub fn offer_smaller(&mut self, offer: u64, source: FileSource) {
        self.offers.insert(offer, source);
    }

    /// Makes a smaller copy of the picture refused with offer `offer`, under the relay's
    /// limit, off the frame loop; it arrives through [`Files::picked`] as a JPEG to attach.
    pub fn smaller(&mut self, offer: u64) {
        if let Some(source) = self.offers.remove(&offer) {
            self.backend.smaller(source);
        }
    }

    /// Saves an attachment: natively where the person says in a save dialog in front of
    /// `window` (or, where no dialog can open or one already is, into the Downloads
    /// folder), on the web as a browser download. What happened arrives through
    /// [`Files::reports`].
    pub fn save(&self, window: &eframe::Frame, name: &str, bytes: Vec<u8>) {
        let name = confab_protocol::clean_file_name(name);
        self.backend.save(window, &name, bytes);
    }
}
