//! Files and pictures in and out of the app: files dropped, pasted, picked or typed go to
//! the model (or are refused by size), decoded pictures go to the picture cache, and a
//! picture in view is decoded again or fetched. Part of [`ConfabApp`]'s glue.

use confab_protocol::Attachment;
use eframe::egui;

use super::ConfabApp;
use crate::files::{Report, Unread, mime_for};
use crate::state::{Effect, Now, Purpose};

impl ConfabApp {
    /// Files dropped or pasted onto the window, read from a path or the browser's picker,
    /// and pictures decoded: into the model and the picture cache.
    pub(super) fn files_in(&mut self, ctx: &egui::Context, frame: &eframe::Frame, now: Now) {
        // Files over the relay's limit are refused by their size, before they are read.
        (self.files).set_max_bytes(self.model.attachments().max_file_bytes());
        if self.model.room().is_some() {
            self.files.take_input(ctx);
        }
        for picked in self.files.picked() {
            let effects = match picked {
                Ok(file) => self.model.attach(&file.name, &file.mime, file.bytes, now),
                Err(Unread::TooBig { name, size, source }) => {
                    // A picture it can read again may go smaller; anything else cannot.
                    let picture = mime_for(&name).starts_with("image/");
                    let source = source.filter(|_| picture);
                    let offer = self.model.refuse_file(&name, size, source.is_some(), now);
                    if let Some((offer, source)) = offer.zip(source) {
                        self.files.offer_smaller(offer, source);
                    }
                    vec![]
                }
                Err(Unread::Failed(why)) => {
                    self.model.problem(why, now);
                    vec![]
                }
            };
            self.run(ctx, frame, effects);
        }
        for report in self.files.reports() {
            match report {
                Report::Notice(said) => self.model.notice(said, now),
                Report::NoFileChosen => self.offer_path_field(
                    "No file chosen. If no file dialog opened, type the file's path below."
                        .to_owned(),
                    now,
                ),
            }
        }
        for (id, decoded) in self.files.decoded() {
            self.pictures.decoded(ctx, &id, decoded);
        }
    }

    /// A picture in view has nothing to show: decode it again from the bytes kept (its
    /// texture was evicted), or else ask the model to fetch it.
    pub(super) fn show_picture(&mut self, a: &Attachment, now: Now) -> Vec<Effect> {
        match self.pictures.decode_again(&a.id) {
            Some(bytes) => {
                self.files.decode(a.id.clone(), bytes);
                vec![]
            }
            None => self.model.fetch(a, Purpose::Show, now),
        }
    }

    /// Attaches a file: the one at `path` natively (the path field, `/attach PATH`), else
    /// the one picked in the same picker for the attach button and a bare `/attach` (the
    /// web, which cannot read a path, always picks). Where no picker can open, says why
    /// and offers the path field.
    pub(super) fn attach_file(&mut self, frame: &eframe::Frame, path: Option<&str>, now: Now) {
        if let Err(why) = self.files.attach(frame, path) {
            self.offer_path_field(why, now);
        }
    }

    /// Opens the path field under the composer (where no file dialog can help), saying
    /// `why` in the room so the person knows what to do.
    pub(super) fn offer_path_field(&mut self, why: String, now: Now) {
        self.model.notice(why, now);
        self.chat_view.attach_path.get_or_insert_with(String::new);
    }
}
