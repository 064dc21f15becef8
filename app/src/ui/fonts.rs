//! Fonts the app adds to egui's own: a small Arabic one, so Arabic is shaped (letters
//! joined) on every target. Owns nothing else: emoji and other scripts come from the
//! system (native) or the browser (web) fallbacks, see `app/Cargo.toml`.
//!
//! Why bundle it: egui shapes text (harfrust) only with fonts it holds. On the web the
//! glyphs it lacks are drawn by the browser one cluster at a time, so Arabic came out as
//! isolated letters. The subset (`assets/fonts/LICENSE-DejaVu.txt` says how it was cut)
//! costs about 33 KB raw, 16 KB brotli.

use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
use egui::{Context, FontFamily};

/// DejaVu Sans's Arabic letters and presentation forms with their shaping tables.
const ARABIC: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Arabic.ttf");

/// Adds the bundled fonts to `ctx`, after egui's (so Latin text keeps egui's font).
pub fn install(ctx: &Context) {
    ctx.add_font(FontInsert::new(
        "dejavu-sans-arabic",
        FontData::from_static(ARABIC),
        vec![InsertFontFamily {
            family: FontFamily::Proportional,
            priority: FontPriority::Lowest,
        }],
    ));
}
