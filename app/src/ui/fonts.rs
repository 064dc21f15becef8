//! Fonts the app adds to egui's own: a small Arabic one, so Arabic is shaped (letters
//! joined) on every target, and the icon font every control is drawn with
//! (`ui::icons`), so no button depends on the system's fonts. Owns nothing else:
//! emoji and other scripts come from the system (native) or the browser (web) fallbacks,
//! see `app/Cargo.toml`.
//!
//! Why bundle it: egui shapes text (harfrust) only with fonts it holds. On the web the
//! glyphs it lacks are drawn by the browser one cluster at a time, so Arabic came out as
//! isolated letters. The subset (`assets/fonts/LICENSE-DejaVu.txt` says how it was cut)
//! costs about 33 KB raw, 16 KB brotli.

use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
use egui::{Context, FontFamily};

/// DejaVu Sans's Arabic letters and presentation forms with their shaping tables.
const ARABIC: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Arabic.ttf");

/// The glyphs of `ui::icons`, cut from Material Symbols Rounded
/// (`assets/fonts/LICENSE-MaterialSymbols.txt`): about 4.6 KB.
const ICONS: &[u8] = include_bytes!("../../../assets/fonts/ConfabIcons.ttf");

/// Adds the bundled fonts to `ctx`, after egui's (so Latin text keeps egui's font).
pub fn install(ctx: &Context) {
    // Private-use code points that no other font has: last in the family, and still found.
    // Material Symbols sit a little high on egui's text line; the crate that ships them
    // (egui_material_icons) moves them down by the same 5 % of the size.
    let mut icons = FontData::from_static(ICONS);
    icons.tweak.y_offset_factor = 0.05;
    ctx.add_font(FontInsert::new(
        "confab-icons",
        icons,
        vec![InsertFontFamily {
            family: FontFamily::Proportional,
            priority: FontPriority::Lowest,
        }],
    ));
    ctx.add_font(FontInsert::new(
        "dejavu-sans-arabic",
        FontData::from_static(ARABIC),
        vec![InsertFontFamily {
            family: FontFamily::Proportional,
            priority: FontPriority::Lowest,
        }],
    ));
}

/// An emoji that the system's colour emoji font has and its text fonts lack (📋): looking
/// it up first makes the colour font the first system font egui discovers.
const COLOUR_EMOJI_PROBE: char = '\u{1f4cb}';

/// Makes emoji come from the system's colour emoji font rather than a text font that also
/// has some of them (DejaVu Sans has 😀 and ❤, in grey outline). Call at the start of every
/// frame (a cached look-up after the first; fonts are rebuilt when the scale changes).
///
/// Why: egui looks for a glyph in its fonts, then in the system fonts it has already
/// discovered in the order it found them, and only then asks the system, which answers
/// with the sans-serif font first. Once the controls stopped being emoji, the first emoji
/// in a message found DejaVu Sans and every emoji after it stayed grey. Native only: the
/// browser picks emoji fonts itself, and the test harness has no system fonts.
pub fn prefer_colour_emoji(ctx: &Context) {
    if cfg!(target_arch = "wasm32") {
        return;
    }
    let font = egui::FontId::proportional(14.0);
    ctx.fonts_mut(|fonts| fonts.has_glyph(&font, COLOUR_EMOJI_PROBE));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// Needs a colour emoji font and DejaVu Sans on the system (`scripts/setup.sh`
    /// installs fonts-noto-color-emoji and fonts-dejavu-core).
    #[test]
    fn emoji_come_from_the_colour_emoji_font_not_a_text_font_with_grey_ones() {
        let ctx = Context::default();
        ctx.add_font_provider(Arc::new(
            egui_system_font_provider::SystemFontProvider::new(),
        ));
        install(&ctx);
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        prefer_colour_emoji(&ctx);
        let font = egui::FontId::proportional(14.0);
        let discovered = ctx.fonts_mut(|fonts| {
            // 😀 and ❤, which DejaVu Sans also has, after a message's ordinary text.
            for c in "morning all 😀 ❤".chars() {
                assert!(fonts.has_glyph(&font, c), "{c:?} can be drawn");
            }
            fonts
                .discovered_fonts()
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
        });
        assert!(
            discovered
                .first()
                .is_some_and(|n| n.contains("Color Emoji")),
            "the colour emoji font is the one found for emoji: {discovered:?}"
        );
        assert!(
            !discovered.iter().any(|n| n.contains("DejaVu")),
            "no text font was needed for 😀 or ❤: {discovered:?}"
        );
    }
}
