//! Files on the desktop: every read and decode on a thread of its own (a channel and
//! `request_repaint` bring the answer back), attach and Save through the desktop's file
//! dialogs ([`super::dialog`]); where no dialog can open, attach says why (the app offers
//! its path field) and Save writes into the Downloads folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use eframe::egui;

use super::{dialog, read, shrink};
use crate::files::{Outbox, Picked, Report};

/// The desktop's file work, answering through an [`Outbox`].
pub struct FileBackend {
    out: Outbox,
    /// Why no file dialog can open here (`None`: attach and Save open one).
    no_dialog: Option<String>,
    /// Set while a dialog is open, so clicks do not stack dialogs.
    dialog_open: Arc<AtomicBool>,
}

impl FileBackend {
    /// Looks once for a way to open file dialogs ([`dialog::unavailable`]).
    pub fn new(out: Outbox) -> Self {
        Self {
            out,
            no_dialog: dialog::unavailable(),
            dialog_open: Arc::default(),
        }
    }

    /// Decodes picture `id` on a thread of its own.
    pub fn decode(&self, id: String, bytes: Vec<u8>) {
        let (tx, ctx) = (self.out.decoded.clone(), self.out.ctx.clone());
        std::thread::spawn(move || {
            let result = crate::ui::attachment::decode::decode(&bytes);
            let _ = tx.send((id, result));
            ctx.request_repaint();
        });
    }

    /// Reads a dropped file on a thread of its own.
    pub fn dropped(&self, file: egui::DroppedFileHandle) {
        let (tx, ctx) = (self.out.picked.clone(), self.out.ctx.clone());
        read::spawn_dropped(file, self.out.max(), tx, ctx);
    }

    /// Pictures pasted onto the window this frame (eframe sends them as pixels), as PNG
    /// files named "pasted.png".
    pub fn pasted(&self, ctx: &egui::Context) {
        let images: Vec<_> = ctx.input(|i| {
            (i.events.iter())
                .filter_map(|e| match e {
                    egui::Event::PasteImage(image) => Some(image.clone()),
                    _ => None,
                })
                .collect()
        });
        for image in images {
            if let Some(bytes) = crate::ui::attachment::decode::encode_png(&image) {
                let _ = self.out.picked.send(Ok(Picked {
                    name: "pasted.png".into(),
                    mime: "image/png".into(),
                    bytes,
                }));
            }
        }
    }

    /// Makes a smaller copy of the picture at `path`, under the relay's limit, on a
    /// thread of its own; it arrives as a file to attach.
    pub fn smaller(&self, path: super::FileSource) {
        let (tx, ctx) = (self.out.picked.clone(), self.out.ctx.clone());
        shrink::spawn_smaller(path, self.out.max(), tx, ctx);
    }

    /// Never opens a file dialog, for `why`.
    pub fn without_dialogs(&mut self, why: String) {
        self.no_dialog = Some(why);
    }

    /// Reads the file at `path`, or opens the attach dialog (on its own thread, in front
    /// of `window` and modal to it where the desktop allows). `Err`: no dialog can open.
    pub fn attach(&self, window: &eframe::Frame, path: Option<&str>) -> Result<(), String> {
        if let Some(path) = path {
            let (tx, ctx) = (self.out.picked.clone(), self.out.ctx.clone());
            read::spawn_path(path.into(), self.out.max(), tx, ctx);
            return Ok(());
        }
        if let Some(why) = &self.no_dialog {
            return Err(why.clone());
        }
        let channels = (self.out.picked.clone(), self.out.reports.clone());
        // `false`: a dialog is already open, and it is the answer to this click too.
        let _ = dialog::pick(
            &self.dialog_open,
            window,
            self.out.max(),
            channels,
            self.out.ctx.clone(),
        );
        Ok(())
    }

    /// Saves `bytes` as `name` where a save dialog says, or into the Downloads folder.
    pub fn save(&self, window: &eframe::Frame, name: &str, bytes: Vec<u8>) {
        let dir = downloads();
        let bytes = match &self.no_dialog {
            Some(_) => bytes,
            None => match dialog::save(
                &self.dialog_open,
                window,
                name.to_owned(),
                bytes,
                &dir,
                self.out.reports.clone(),
                self.out.ctx.clone(),
            ) {
                Ok(()) => return,
                Err(bytes) => bytes,
            },
        };
        let said = save_into(&dir, name, &bytes);
        let _ = self.out.reports.send(Report::Notice(said));
        self.out.ctx.request_repaint();
    }
}

/// The Downloads folder as the desktop names it (translated names and Windows' known
/// folder included), or the home folder, or the current one.
fn downloads() -> PathBuf {
    dirs::download_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Writes `bytes` as `name` into `dir`, numbering the name ("1 cat.png") rather than
/// overwriting a file, and says what happened.
fn save_into(dir: &Path, name: &str, bytes: &[u8]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_never_overwrites_a_file_of_the_same_name() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path();
        let first = save_into(dir, "cat.png", b"one");
        let second = save_into(dir, "cat.png", b"two");
        assert!(first.starts_with("Saved cat.png to"), "{first}");
        assert!(second.contains("1 cat.png"), "{second}");
        assert_eq!(std::fs::read(dir.join("cat.png")).expect("first"), b"one");
        assert_eq!(
            std::fs::read(dir.join("1 cat.png")).expect("second"),
            b"two"
        );
    }
}
