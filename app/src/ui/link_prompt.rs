//! "Open this link?": links in messages are written by strangers, so opening one always
//! takes a second, deliberate click that shows the full address.

use egui::{Id, Modal, RichText, Ui};

/// Shows the dialog for `url` while `pending` holds it. Returns the address to open once
/// confirmed; closing or cancelling clears `pending`.
pub fn link_prompt_ui(ui: &Ui, pending: &mut Option<String>) -> Option<String> {
    let url = pending.clone()?;
    let mut open = None;
    let mut close = false;
    let modal = Modal::new(Id::unique("confab_link_prompt")).show(ui.ctx(), |ui| {
        ui.set_max_width(420.0);
        ui.heading("Open this link?");
        ui.label("It was posted in the chat. Check the address before opening it:");
        ui.add(egui::Label::new(RichText::new(&url).monospace()).wrap());
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Open link").clicked() {
                open = Some(url.clone());
            }
            close = ui.button("Cancel").clicked();
        });
    });
    if open.is_some() || close || modal.should_close() {
        *pending = None;
    }
    open
}
