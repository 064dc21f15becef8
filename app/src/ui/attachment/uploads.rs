//! Under the composer: a row per upload under way ("Sending NAME…", its progress and
//! Cancel), and natively the path field that stands in for a file dialog. Both fit a
//! phone's width: the buttons and the bar keep their place at the right, and a long file
//! name gives way, shortened with "…" (the whole name is on hover).

use confab_protocol::ClientId;
use egui::{Label, RichText, Sides, TextEdit, Ui};

use crate::state::Attachments;

/// Widest an upload's progress bar is drawn; on a narrow window it takes a third of the
/// row instead, so the name keeps some room.
pub const PROGRESS_WIDTH: f32 = 160.0;

/// One row per upload under way. Returns the upload whose Cancel was clicked.
pub fn uploads_ui(ui: &mut Ui, attachments: Option<&Attachments>) -> Option<ClientId> {
    let mut cancel = None;
    for upload in attachments.into_iter().flat_map(Attachments::uploads) {
        let bar_width = PROGRESS_WIDTH.min(ui.available_width() / 3.0);
        let name = format!("Sending {}…", upload.name);
        Sides::new().shrink_left().truncate().show(
            ui,
            |ui| {
                let label = Label::new(RichText::new(&name).weak()).truncate();
                ui.add(label).on_hover_text(&name);
            },
            |ui| {
                let cancel_button = ui
                    .small_button("Cancel")
                    .on_hover_text(format!("Stop sending {}", upload.name));
                if cancel_button.clicked() {
                    cancel = Some(upload.client_id);
                }
                let bar = egui::ProgressBar::new(upload.progress()).desired_width(bar_width);
                ui.add(bar);
            },
        );
    }
    cancel
}

/// The native stand-in for a file dialog, where none can open (the app says why): a path
/// field, open after the attach button until the file is attached, Cancel or Esc. The
/// field takes the room Attach and Cancel leave. Returns the path to attach.
pub fn attach_path_ui(ui: &mut Ui, path: &mut Option<String>) -> Option<String> {
    let text = path.as_mut()?;
    let label = ui.label("File to attach:");
    let (enter, (close, clicked)) = Sides::new().shrink_left().show(
        ui,
        |ui| {
            let field = TextEdit::singleline(text)
                .hint_text("/path/to/picture.png")
                .desired_width(ui.available_width());
            let field = ui.add(field).labelled_by(label.id);
            field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
        },
        |ui| {
            let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
            let close = ui.button("Cancel").clicked() || escape;
            (close, ui.button("Attach").clicked())
        },
    );
    let attach = enter || clicked;
    let chosen = attach.then(|| text.trim().to_owned());
    if close || attach {
        *path = None;
    }
    chosen
}
