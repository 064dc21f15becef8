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
//! - [`message_text`]: a message's text as this machine shows it (emoji, mentions, links,
//!   right-to-left lines).
//! - [`message_actions`]: a message's hover bar, keyboard focus and menu triggers.
//! - [`reactions`]: a message's reaction chips and the quick reactions.
//! - [`bidi`]: right-to-left lines in visual order.
//! - [`palette`]: name colours, the themes' text colours, and the colour science that
//!   checks them.
//! - [`icons`]: the app's own icons (a bundled font) and accessible names for them.
//! - [`fonts`]: the fonts bundled with the app.
//! - [`composer`]: the message box (Enter, Shift+Enter, IME, completion, typing line).
//! - [`emoji_picker`]: the emoji button and panel beside the composer.
//! - [`link_prompt`]: the "open this link?" dialog.
//! - [`invite_qr`]: the invite link as a QR code a phone camera opens.
//! - [`private_room`]: the lock badge, the safety code window, a message that did not open.

pub mod attachment;
pub mod bidi;
pub mod chat;
pub mod chat_line;
pub mod composer;
pub mod emoji_picker;
pub mod fonts;
pub mod icons;
pub mod invite_qr;
pub mod join;
pub mod link_prompt;
pub mod members;
pub mod message_actions;
pub mod message_text;
pub mod messages;
pub mod palette;
pub mod private_room;
pub mod problem;
pub mod reactions;
pub mod row;

use egui::{Color32, Ui};

/// A colour for `name` that stays the same in every session and on every machine (a hash
/// of its lower-case form picks a slot of the theme's [`palette`]).
pub fn name_color(ui: &Ui, name: &confab_protocol::Username) -> Color32 {
    palette::for_name(name.as_str(), ui.visuals().dark_mode)
}

/// A label that screen readers and tests can find a text field by: the returned id goes
/// to the field's `labelled_by`.
pub fn field_label(ui: &mut Ui, text: &str) -> egui::Id {
    ui.label(text).id
}

/// Gives a field its accessible name where no visible label sits beside it (the message
/// box, whose hint says what it is): screen readers and tests find it by `name`.
pub fn accessible_name(response: &egui::Response, name: &str) {
    response
        .ctx
        .accesskit_node_builder(response.id, |node| node.set_label(name));
}

/// A small filled circle (status lights, member dots), painted rather than typed: "●" is
/// in none of the bundled fonts.
pub fn dot(ui: &mut Ui, color: Color32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, color);
    response
}
