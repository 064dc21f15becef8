//! What the chat screen says about the room around the conversation: the line while this
//! app hosts it, the card where the composer was once it has ended, and the owner's
//! question before removing someone. Drawing only: each returns what was chosen.

use egui::{RichText, Ui};

use super::ChatAction;
use crate::ui::icons;

/// Where the composer was, once the room has ended: what happened (naming the room) and
/// the way on: one click makes a new room on the same relay and copies its invite.
pub(super) fn ended_ui(ui: &mut Ui, reason: &str) -> Option<ChatAction> {
    let mut action = None;
    ui.add_space(6.0);
    egui::Frame::group(ui.style())
        .fill(ui.visuals().faint_bg_color)
        .stroke(egui::Stroke::new(1.0, ui.visuals().warn_fg_color))
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.add(egui::Label::new(RichText::new(reason).strong()).wrap());
            ui.add_space(6.0);
            ui.horizontal_wrapped(|ui| {
                let visuals = ui.visuals();
                let primary = egui::Button::new(
                    RichText::new("Create a new room and copy its invite")
                        .color(visuals.selection.stroke.color),
                )
                .fill(visuals.selection.bg_fill);
                if ui.add(primary).clicked() {
                    action = Some(ChatAction::NewRoom);
                }
                if ui.button("Back to the start").clicked() {
                    action = Some(ChatAction::Leave);
                }
            });
        });
    ui.add_space(4.0);
    action
}

/// "You are hosting at …": the room lives in this app, so others depend on it staying open.
pub(super) fn hosting_line(ui: &mut Ui, at: &str, invite_link: &str) {
    ui.add_space(3.0);
    ui.horizontal_wrapped(|ui| {
        let words = "You are hosting at";
        let hosting = RichText::new(icons::with_words(icons::HOSTING, words)).weak();
        let hosting = ui.add(egui::Label::new(hosting).selectable(false));
        icons::spoken(hosting, words);
        ui.label(RichText::new(at).monospace());
        ui.label(RichText::new("· others join with").weak());
        ui.label(RichText::new(invite_link).monospace());
    });
    ui.add_space(3.0);
}

/// Asks the owner before removing `who` (kept out for a while, so not a slip of the mouse).
pub(super) fn confirm_remove_ui(
    ui: &Ui,
    who: &mut Option<confab_protocol::Username>,
) -> Option<ChatAction> {
    let name = who.clone()?;
    let mut action = None;
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("confirm_remove")).show(ui.ctx(), |ui| {
        ui.set_max_width(340.0);
        ui.heading(format!("Remove {name} from the room?"));
        ui.add_space(4.0);
        ui.add(
            egui::Label::new(
                "Their connection is closed, and their name and address are kept out of \
                 the room for a while.",
            )
            .wrap(),
        );
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let remove =
                egui::Button::new(RichText::new("Remove").color(ui.visuals().error_fg_color));
            if ui.add(remove).clicked() {
                action = Some(ChatAction::Remove(name.clone()));
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    });
    if modal.should_close() || close || action.is_some() {
        *who = None;
    }
    action
}
