//! The app's own icons: glyphs of a small font bundled with the app
//! (`assets/fonts/ConfabIcons.ttf`, cut from Material Symbols Rounded, see
//! `assets/fonts/LICENSE-MaterialSymbols.txt`), so every control looks the same whether or
//! not the system or browser has an emoji font. Emoji stay for what people write.
//!
//! Each icon is a code point of Unicode's private use area, which no other font in the app
//! has; [`super::fonts::install`] adds the font as the last fallback of the proportional
//! family, so an icon can sit inside any text (`format!("{LOCK} you whispered")`).
//! `scripts/icon-font.sh` cuts the font from the code points listed in [`ALL`].
//!
//! An icon-only control says what it does through [`named`]: screen readers and the
//! kittest tests find it by those words, never by its glyph.

use egui::{Response, Role, WidgetInfo};

/// Copy (the invite link).
pub const COPY: char = '\u{e14d}';
/// Done (the invite was copied).
pub const CHECK: char = '\u{e668}';
/// People (the people panel).
pub const GROUP: char = '\u{ea21}';
/// Sounds on.
pub const BELL: char = '\u{e7f5}';
/// Sounds off.
pub const BELL_OFF: char = '\u{e7f6}';
/// Attach a file.
pub const ATTACH: char = '\u{e226}';
/// The emoji picker.
pub const MOOD: char = '\u{ea22}';
/// The dark theme.
pub const DARK_MODE: char = '\u{e51c}';
/// The light theme.
pub const LIGHT_MODE: char = '\u{e518}';
/// Follow the system's theme.
pub const AUTO_THEME: char = '\u{e1ab}';
/// Close (a panel).
pub const CLOSE: char = '\u{e5cd}';
/// Someone is typing.
pub const EDIT: char = '\u{f097}';
/// More actions (a member's menu).
pub const MORE: char = '\u{e5d3}';
/// Jump down (to new messages).
pub const ARROW_DOWN: char = '\u{e5db}';
/// A whisper (private).
pub const LOCK: char = '\u{e899}';
/// A warning (missed messages).
pub const WARNING: char = '\u{f083}';
/// A file that is not a picture.
pub const FILE: char = '\u{e873}';
/// Hosting a room from this computer.
pub const HOSTING: char = '\u{e1e2}';
/// Leave the room.
pub const LOGOUT: char = '\u{e9ba}';
/// The invite as a QR code.
pub const QR_CODE: char = '\u{ef6b}';

/// Every icon the app draws: the code points `scripts/icon-font.sh` keeps in the font,
/// and what the glyph test checks.
pub const ALL: [char; 20] = [
    COPY, CHECK, GROUP, BELL, BELL_OFF, ATTACH, MOOD, DARK_MODE, LIGHT_MODE, AUTO_THEME, CLOSE,
    EDIT, MORE, ARROW_DOWN, LOCK, WARNING, FILE, HOSTING, LOGOUT, QR_CODE,
];

/// `icon` followed by `words`, for a control that shows both.
pub fn with_words(icon: char, words: &str) -> String {
    format!("{icon} {words}")
}

/// Gives a control its accessible name (`name`: what it does, in words), replacing the
/// glyph egui would read out. `selected` is a toggle's state (`None`: not a toggle).
pub fn named(response: Response, name: &str, selected: Option<bool>) -> Response {
    let enabled = response.enabled();
    match selected {
        Some(on) => response
            .widget_info(|| WidgetInfo::selected(Role::Button, enabled, on, name.to_owned())),
        None => response.widget_info(|| WidgetInfo::labeled(Role::Button, enabled, name)),
    }
    // On the frame it is clicked, `widget_info` only reports the click: name the node too.
    response
        .ctx
        .accesskit_node_builder(response.id, |node| node.set_label(name));
    response
}

/// Makes a glyph drawn on its own (a label holding only an icon) an image named `name`
/// for screen readers and tests, instead of a label whose text is a private-use glyph.
/// Draw it with a label that is not selectable: egui gives a selectable label text runs
/// (its glyphs, for caret navigation), which would still hold the glyph.
pub fn pictured(response: Response, name: &str) -> Response {
    response.ctx.accesskit_node_builder(response.id, |node| {
        node.set_role(Role::Image);
        node.clear_value();
        node.set_label(name);
    });
    response
}

/// Makes a label that shows an icon beside `words` read as the words alone (a label's
/// value is what a screen reader says). As for [`pictured`], the label must not be
/// selectable, or its text runs would still hold the glyph.
pub fn spoken(response: Response, words: &str) -> Response {
    response
        .ctx
        .accesskit_node_builder(response.id, |node| node.set_value(words));
    response
}

/// Adds `label` (whose `text` may hold an icon beside words) so that it reads as its words:
/// without an icon it is an ordinary, selectable label; with one, it is not selectable and
/// [`spoken`] as the words alone.
pub fn words_label(ui: &mut egui::Ui, label: egui::Label, text: &str) -> Response {
    if !has_glyph(text) {
        return ui.add(label);
    }
    let words: String = text.chars().filter(|c| !is_glyph(*c)).collect();
    let response = ui.add(label.selectable(false));
    spoken(response, words.trim())
}

/// Whether `text` holds one of the app's icons (private-use code points): what no
/// accessible name or label may, since a screen reader cannot say it.
pub fn has_glyph(text: &str) -> bool {
    text.chars().any(is_glyph)
}

/// Whether `c` is in Unicode's private use area, where the app's icons are.
pub fn is_glyph(c: char) -> bool {
    ('\u{e000}'..='\u{f8ff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_is_drawn_by_the_bundled_font_with_no_system_font() {
        let ctx = egui::Context::default();
        super::super::fonts::install(&ctx);
        // One pass loads the fonts; its texture changes are not for anyone here.
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        let font = egui::FontId::proportional(16.0);
        let missing: Vec<String> = ctx.fonts_mut(|fonts| {
            ALL.iter()
                .filter(|c| !fonts.has_glyph(&font, **c))
                .map(|c| format!("U+{:04X}", u32::from(*c)))
                .collect()
        });
        assert!(missing.is_empty(), "no glyph for {missing:?}");
    }

    #[test]
    fn no_icon_is_listed_twice() {
        let mut sorted = ALL.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALL.len());
    }
}
