//! Fonts the app adds to egui's own: a small Arabic one, so Arabic is shaped (letters
//! joined) on every target, and the icon font every control is drawn with
//! ([`super::icons`]), so no button depends on the system's fonts. Owns nothing else:
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

/// The glyphs of [`super::icons`], cut from Material Symbols Rounded
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
