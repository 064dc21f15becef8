//! A line in the room saying what did not work ("Not sent: beach.jpg is 17.2 MiB, …"):
//! a card with a warning sign and an outline in the theme's error colour, the words in
//! that colour at full size (≥ 4.5:1 on the card in both themes, checked in
//! `palette`'s tests), and, for a picture over the relay's limit, a button that sends a
//! smaller copy. Drawing only.

use chrono::{DateTime, Local};
use egui::{Frame, Label, Margin, RichText, Stroke, Ui};

use super::icons;

/// The words on the offer's button (and its accessible name).
pub const SEND_SMALLER: &str = "Send a smaller copy";

/// The card's fill: the error colour, faint, over the panel.
pub fn card_fill(visuals: &egui::Visuals) -> egui::Color32 {
    visuals.error_fg_color.gamma_multiply(0.12)
}

/// Draws the problem `text` from `when`; `smaller`: with the offer's button. True when
/// the button was clicked.
pub fn problem_ui(ui: &mut Ui, text: &str, smaller: bool, when: &DateTime<Local>) -> bool {
    let error = ui.visuals().error_fg_color;
    let mut clicked = false;
    ui.add_space(6.0);
    ui.vertical_centered(|ui| {
        Frame::new()
            .fill(card_fill(ui.visuals()))
            .stroke(Stroke::new(1.0, error))
            .corner_radius(6)
            .inner_margin(Margin::symmetric(10, 6))
            .show(ui, |ui| {
                ui.set_max_width((ui.available_width() - 24.0).clamp(160.0, 640.0));
                let words = icons::with_words(icons::WARNING, text);
                ui.horizontal_wrapped(|ui| {
                    let label = Label::new(RichText::new(&words).color(error)).wrap();
                    // Named by its words alone: a screen reader cannot say the sign.
                    icons::words_label(ui, label, &words);
                    ui.label(
                        RichText::new(when.format("%H:%M").to_string())
                            .weak()
                            .small(),
                    );
                });
                if smaller {
                    clicked = ui.button(SEND_SMALLER).clicked();
                }
            });
    });
    ui.add_space(2.0);
    clicked
}
