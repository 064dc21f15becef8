//! The emoji picker: a button by the composer opens a panel of emoji with a search field.
//! Mouse and touch: tap an emoji. Keyboard: the search field has the focus, Enter picks the
//! first match, Escape closes. It returns the emoji picked; the composer puts it into the
//! draft (through an action, like any edit).

use egui::{Align2, Button, Key, RichText, TextEdit, Ui, vec2};

use super::icons;
use crate::state::emoji::{FAVOURITES, name_of, search};

/// How many emoji a search shows (five rows of eight).
const SHOWN: usize = 40;
/// Emoji per row.
const PER_ROW: usize = 8;
/// Side of one emoji button: big enough for a fingertip.
const CELL: f32 = 34.0;

/// What the picker remembers between frames (view state only).
#[derive(Debug, Default)]
pub struct EmojiPicker {
    /// Whether the panel is open.
    pub open: bool,
    /// What is typed into its search field.
    pub query: String,
    /// Focus the search field on the next frame (just opened).
    focus_search: bool,
}

impl EmojiPicker {
    /// Opens the panel with an empty search that has the focus.
    pub fn open(&mut self) {
        self.open = true;
        self.focus_search = true;
        self.query.clear();
    }
}

/// The button beside the composer. Toggles the panel.
pub fn emoji_button(ui: &mut Ui, picker: &mut EmojiPicker) -> egui::Response {
    let button = ui
        .add(
            Button::new(RichText::new(icons::MOOD.to_string()).size(20.0))
                .min_size(vec2(36.0, 36.0)),
        )
        .on_hover_text("Emoji (or type : and a name, like :tada:)");
    let button = icons::named(button, "Insert emoji", Some(picker.open));
    if button.clicked() {
        picker.open = !picker.open;
        picker.focus_search = picker.open;
        picker.query.clear();
    }
    button
}

/// Draws the open panel above `anchor` (the button's, or a message's, rectangle; a click
/// on it this frame, `anchor_clicked`, is what opened it, not a click elsewhere). Returns
/// the emoji picked, if any; picking closes the panel.
pub fn emoji_picker_ui(
    ui: &Ui,
    picker: &mut EmojiPicker,
    anchor: egui::Rect,
    anchor_clicked: bool,
) -> Option<&'static str> {
    if !picker.open {
        return None;
    }
    let mut picked = None;
    let area = egui::Area::new(egui::Id::unique("emoji_picker"))
        .order(egui::Order::Foreground)
        .pivot(Align2::RIGHT_BOTTOM)
        .fixed_pos(anchor.right_top() - vec2(0.0, 4.0))
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_width(PER_ROW as f32 * (CELL + 2.0));
                let label = super::field_label(ui, "Search emoji");
                let field = ui
                    .add(
                        TextEdit::singleline(&mut picker.query)
                            .hint_text("e.g. party, rocket, heart")
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label);
                if std::mem::take(&mut picker.focus_search) {
                    field.request_focus();
                }
                let shown: Vec<&'static str> = if picker.query.trim().is_empty() {
                    FAVOURITES.to_vec()
                } else {
                    search(picker.query.trim(), SHOWN)
                        .into_iter()
                        .map(|p| p.emoji)
                        .collect()
                };
                if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    picked = shown.first().copied();
                }
                if shown.is_empty() {
                    ui.weak("No emoji by that name.");
                }
                grid(ui, &shown, &mut picked);
            });
        });
    let escape = ui.input(|i| i.key_pressed(Key::Escape));
    let elsewhere = area.response.clicked_elsewhere() && !anchor_clicked;
    if picked.is_some() || escape || elsewhere {
        picker.open = false;
    }
    picked
}

/// The emoji as a grid of buttons, each named for screen readers (and tests) by its
/// name. One that no font here can draw shows its `:shortcode:` instead (see
/// [`super::message_text::readable`]), and on the web each asks for its colour form.
fn grid(ui: &mut Ui, shown: &[&'static str], picked: &mut Option<&'static str>) {
    for row in shown.chunks(PER_ROW) {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 2.0;
            for &emoji in row {
                let name = name_of(emoji).unwrap_or(emoji);
                let shown = super::message_text::readable(ui, emoji);
                let size = if shown.starts_with(':') { 13.0 } else { 20.0 };
                let button = Button::new(RichText::new(shown).size(size))
                    .frame(false)
                    .min_size(vec2(CELL, CELL));
                let button = ui.add(button).on_hover_text(name);
                if icons::named(button, name, None).clicked() {
                    *picked = Some(emoji);
                }
            }
        });
    }
}
