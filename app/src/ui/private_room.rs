//! A private room on screen: the lock badge beside the room code, the window with the
//! safety code, and how a message that did not open is drawn. Drawing only.

use egui::{Label, RichText, Ui};

use super::icons;

/// The lock badge that marks a private room. Returns whether it was clicked (opens the
/// safety code window, [`safety_window_ui`]). `open`: the window is showing.
pub fn private_badge_ui(ui: &mut Ui, narrow: bool, open: bool) -> bool {
    let words = if narrow {
        icons::LOCK.to_string()
    } else {
        icons::with_words(icons::LOCK, "Private")
    };
    let text = RichText::new(words).color(ui.visuals().selection.stroke.color);
    let badge = ui.selectable_label(open, text).on_hover_text(
        "End-to-end encrypted: the server passes on messages it cannot read. \
         Click for the safety code.",
    );
    icons::named(badge, "Private room: show the safety code", Some(open)).clicked()
}

/// The safety code window: the code in large digits and what to do with it. `open` turns
/// false when it is closed (Close, Esc or a click outside).
pub fn safety_window_ui(ui: &Ui, code: &str, open: &mut bool) {
    let modal = egui::Modal::new(egui::Id::unique("safety_code")).show(ui.ctx(), |ui| {
        ui.set_max_width(360.0);
        ui.heading(icons::with_words(icons::LOCK, "Private room"));
        ui.add_space(4.0);
        ui.add(
            Label::new(
                "Messages here are end-to-end encrypted with the key in the invite link: \
                 the server passes them on without being able to read them.",
            )
            .wrap(),
        );
        ui.add_space(10.0);
        ui.label(RichText::new("Safety code").strong());
        ui.add(Label::new(RichText::new(code).monospace().size(20.0)).selectable(true));
        ui.add_space(6.0);
        ui.add(
            Label::new(
                "Read it aloud to the others (on a call or in person): if theirs is the \
                 same, you all hold the same key and nobody swapped the link.",
            )
            .wrap(),
        );
        ui.add_space(6.0);
        ui.add(
            Label::new(
                RichText::new(
                    "The server still sees who is here, when messages are sent and how long \
                     they are. Reactions and files are off in private rooms for now.",
                )
                .weak(),
            )
            .wrap(),
        );
        ui.add_space(8.0);
        if ui.button("Close").clicked() {
            *open = false;
        }
    });
    if modal.should_close() {
        *open = false;
    }
}

/// A message that did not open ([`crate::state::private::UNREADABLE`]): a warning in its
/// own style, never its text.
pub fn unreadable_ui(ui: &mut Ui) {
    let words = icons::with_words(
        icons::WARNING,
        "Could not decrypt this message: it was tampered with, or sealed with another key.",
    );
    let text = RichText::new(words)
        .italics()
        .color(ui.visuals().warn_fg_color);
    ui.add(Label::new(text).wrap());
}

#[cfg(test)]
mod tests;
