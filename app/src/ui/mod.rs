//! Drawing only: one view per file, each a `*_ui(ui, ...)` function that reads state and
//! returns what the user asked for. Views never touch the network or the model's rules.
//!
//! # Layout
//! - [`join`]: the join screen (name, room, server, create / join / host).
//! - [`chat`]: the chat screen's frame: top bar, people panel, message area, composer.
//! - [`members`]: the people panel.
//! - [`messages`]: the virtualized, bottom-following message list and its "new" pill.
//! - [`row`]: one entry of the message list (chat line, whisper, notice, day separator).
//! - [`chat_line`]: a chat message, grouped under its sender's header.
//! - [`composer`]: the message box (Enter, Shift+Enter, IME, completion, typing line).
//! - [`link_prompt`]: the "open this link?" dialog.

pub mod chat;
pub mod chat_line;
pub mod composer;
pub mod join;
pub mod link_prompt;
pub mod members;
pub mod messages;
pub mod row;

use egui::{Color32, Ui};

/// A colour for `name` that stays the same in every session and on every machine (a hash
/// of its lower-case form picks the hue), readable on the current theme.
pub fn name_color(ui: &Ui, name: &confab_protocol::Username) -> Color32 {
    // FNV-1a: stable across runs and platforms, unlike `std`'s randomized hasher. Not the
    // confusable skeleton: its tables would add ~0.3 MB to the web bundle, and names in
    // one room already differ by skeleton.
    let hash = name
        .as_str()
        .chars()
        .flat_map(char::to_lowercase)
        .flat_map(|c| u32::from(c).to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let hue = (hash % 360) as f32 / 360.0;
    let dark = ui.visuals().dark_mode;
    let (mut saturation, mut value) = if dark { (0.5, 0.95) } else { (0.8, 0.62) };
    // Equal HSV values are not equally readable: yellow and green are far lighter than
    // blue. Darken (light theme) or lighten (dark theme) until the name stands out from
    // the panel by a WCAG contrast of at least 4.5:1, so every name is legible in both.
    let background = relative_luminance(ui.visuals().panel_fill);
    let readable = |l: f32| {
        let (hi, lo) = if l > background {
            (l, background)
        } else {
            (background, l)
        };
        (hi + 0.05) / (lo + 0.05) >= 4.5
    };
    let mut color: Color32 = egui::ecolor::Hsva::new(hue, saturation, value, 1.0).into();
    for _ in 0..12 {
        if readable(relative_luminance(color)) {
            break;
        }
        if dark {
            saturation *= 0.85; // towards white
        } else {
            value *= 0.9; // towards black
        }
        color = egui::ecolor::Hsva::new(hue, saturation, value, 1.0).into();
    }
    color
}

/// WCAG relative luminance of an sRGB colour (0 black, 1 white).
fn relative_luminance(color: Color32) -> f32 {
    let linear = |c: u8| egui::ecolor::linear_f32_from_gamma_u8(c);
    0.2126 * linear(color.r()) + 0.7152 * linear(color.g()) + 0.0722 * linear(color.b())
}

/// A label that screen readers and tests can find a text field by: the returned id goes
/// to the field's `labelled_by`.
pub fn field_label(ui: &mut Ui, text: &str) -> egui::Id {
    ui.label(text).id
}

/// A small filled circle (status lights, member dots), painted rather than typed: "●" is
/// in none of the bundled fonts.
pub fn dot(ui: &mut Ui, color: Color32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, color);
    response
}
