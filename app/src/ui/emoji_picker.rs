//! The emoji picker: a button by the composer opens a panel of emoji with a search field,
//! a tab per category (everyday ones first, then Unicode's groups) and a skin-tone choice
//! applied to every hand and person. Mouse and touch: tap an emoji. Keyboard: the search
//! field has the focus, Enter picks the first match, Escape closes. The grid keeps one
//! height whatever it holds (it scrolls), so the search field never moves as results come
//! and go. It returns the emoji picked; the composer puts it into the draft (through an
//! action, like any edit).

use egui::{Align2, Button, Key, RichText, ScrollArea, TextEdit, Ui, vec2};

use super::icons;
use crate::state::emoji::{CATEGORIES, Category, TONES, Tone, name_of, page, search};

/// How many emoji a search shows.
const SHOWN: usize = 64;
/// Emoji per row.
const PER_ROW: usize = 8;
/// Side of one emoji button: big enough for a fingertip.
const CELL: f32 = 34.0;
/// Rows of emoji in view; more scroll. Fixed, so the panel never changes size.
const ROWS_SHOWN: usize = 5;
/// Side of a category tab or a skin-tone button.
const TAB: f32 = 28.0;

/// What the picker remembers between frames (view state only).
#[derive(Debug, Default)]
pub struct EmojiPicker {
    /// Whether the panel is open.
    pub open: bool,
    /// What is typed into its search field.
    pub query: String,
    /// Focus the search field on the next frame (just opened).
    focus_search: bool,
    /// The page shown while nothing is searched.
    pub category: Category,
    /// The skin tone applied to hands and people.
    pub tone: Tone,
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
                ui.set_width(PER_ROW as f32 * (CELL + 2.0) + 12.0);
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
                let searching = !picker.query.trim().is_empty();
                let turned = tabs(ui, picker, searching);
                let shown: Vec<&'static str> = if searching {
                    search(picker.query.trim(), SHOWN)
                        .into_iter()
                        .map(|p| picker.tone.apply(p.emoji))
                        .collect()
                } else {
                    page(picker.category, picker.tone)
                };
                if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    picked = shown.first().copied();
                }
                grid(ui, &shown, turned, &mut picked);
                tones(ui, &mut picker.tone);
            });
        });
    let escape = ui.input(|i| i.key_pressed(Key::Escape));
    let elsewhere = area.response.clicked_elsewhere() && !anchor_clicked;
    if picked.is_some() || escape || elsewhere {
        picker.open = false;
    }
    picked
}

/// The category tabs, the one shown selected (none while searching). True when a tab
/// was clicked (the grid goes back to its top).
fn tabs(ui: &mut Ui, picker: &mut EmojiPicker, searching: bool) -> bool {
    let mut turned = false;
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 1.0;
        for (category, tab, name) in CATEGORIES {
            let on = !searching && picker.category == category;
            let shown = super::message_text::readable(ui, tab);
            let size = if shown.starts_with(':') { 9.0 } else { 16.0 };
            let button = Button::selectable(on, RichText::new(shown).size(size)).truncate();
            let button = ui.add_sized(vec2(TAB, TAB), button).on_hover_text(name);
            if icons::named(button, name, Some(on)).clicked() {
                picker.category = category;
                picker.query.clear();
                turned = true;
            }
        }
    });
    turned
}

/// The skin tones, as a raised hand in each, the one in use selected.
fn tones(ui: &mut Ui, tone: &mut Tone) {
    ui.horizontal(|ui| {
        ui.weak("Skin tone");
        ui.spacing_mut().item_spacing.x = 1.0;
        for (choice, name) in TONES {
            let shown = super::message_text::readable(ui, choice.sample());
            let size = if shown.starts_with(':') { 9.0 } else { 16.0 };
            let button =
                Button::selectable(*tone == choice, RichText::new(shown).size(size)).truncate();
            let button = ui.add_sized(vec2(TAB, TAB), button).on_hover_text(name);
            if icons::named(button, name, Some(*tone == choice)).clicked() {
                *tone = choice;
            }
        }
    });
}

/// The emoji as a grid of buttons in a scrolled area of one height ([`ROWS_SHOWN`] rows),
/// each named for screen readers (and tests) by its name; `top`: back to the first row.
/// One that no font here can draw shows its `:shortcode:` instead (see
/// [`super::message_text::readable`]), and on the web each asks for its colour form.
fn grid(ui: &mut Ui, shown: &[&'static str], top: bool, picked: &mut Option<&'static str>) {
    let row_height = CELL + ui.spacing().item_spacing.y;
    let height = ROWS_SHOWN as f32 * row_height;
    let rows: Vec<&[&'static str]> = shown.chunks(PER_ROW).collect();
    let mut area = ScrollArea::vertical()
        .id_salt("emoji_grid")
        .auto_shrink(false)
        .min_scrolled_height(height)
        .max_height(height);
    if top {
        area = area.vertical_scroll_offset(0.0);
    }
    area.show_rows(ui, CELL, rows.len().max(1), |ui, range| {
        if shown.is_empty() {
            ui.weak("No emoji by that name.");
            return;
        }
        for row in &rows[range] {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 2.0;
                for &emoji in *row {
                    let name = name_of(emoji).unwrap_or(emoji);
                    let shown = super::message_text::readable(ui, emoji);
                    let size = if shown.starts_with(':') { 13.0 } else { 20.0 };
                    let button = Button::new(RichText::new(shown).size(size))
                        .frame(false)
                        .truncate();
                    let button = ui.add_sized(vec2(TAB, TAB), button).on_hover_text(name);
                    if icons::named(button, name, None).clicked() {
                        *picked = Some(emoji);
                    }
                }
            });
        }
    });
}
