//! Right-to-left lines. egui applies no Unicode bidi algorithm: it shapes a stretch of
//! Arabic or Hebrew right to left, but puts a line's stretches left to right and aligns
//! the line left. This module finds a line's direction and its pieces in visual order
//! (UAX #9, `unicode-bidi`), so the view draws them left to right as given and right-aligns
//! a right-to-left line. Pure: no egui.
//!
//! egui also guesses a direction for each piece it shapes, from the script of its first
//! letter-like character: a piece of Arabic-Indic digits ("١٢٣٤", script Arabic) is shaped
//! right to left and comes out reversed ("٤٣٢١"), though digits read left to right in
//! Arabic too. So such characters in a left-to-right run become pieces of one character
//! each, which egui cannot turn round.

use unicode_bidi::{BidiClass, BidiInfo, bidi_class};

/// A line ready to draw: its pieces in visual order, left to right.
#[derive(Debug, PartialEq, Eq)]
pub struct VisualLine<'a> {
    /// The line's base direction is right to left: align it right.
    pub rtl: bool,
    /// Pieces to draw left to right. A right-to-left piece is still in logical order: egui
    /// shapes it right to left by itself.
    pub pieces: Vec<&'a str>,
}

/// Whether `text` has any right-to-left letter (Hebrew, Arabic, ...) or a character egui
/// would shape right to left (Arabic-Indic digits): only such text needs [`visual_line`].
pub fn has_rtl(text: &str) -> bool {
    text.chars().any(|c| is_rtl_letter(c) || in_rtl_script(c))
}

/// The Unicode blocks of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko,
/// Samaritan, Mandaic, their supplements and presentation forms, and the historic
/// right-to-left scripts of planes 1): a character from one of them makes egui shape its
/// piece right to left, whatever its own direction.
const RTL_BLOCKS: [std::ops::RangeInclusive<char>; 5] = [
    '\u{0590}'..='\u{08FF}',
    '\u{FB1D}'..='\u{FDFF}',
    '\u{FE70}'..='\u{FEFF}',
    '\u{10800}'..='\u{10FFF}',
    '\u{1E800}'..='\u{1EFFF}',
];

/// Whether `c` belongs to a right-to-left script ([`RTL_BLOCKS`]).
fn in_rtl_script(c: char) -> bool {
    RTL_BLOCKS.iter().any(|block| block.contains(&c))
}

fn is_rtl_letter(c: char) -> bool {
    matches!(bidi_class(c), BidiClass::R | BidiClass::AL)
}

/// `line` (no newline) in visual order.
pub fn visual_line(line: &str) -> VisualLine<'_> {
    let info = BidiInfo::new(line, None);
    let Some(para) = info.paragraphs.first() else {
        return VisualLine {
            rtl: false,
            pieces: vec![],
        };
    };
    let (levels, runs) = info.visual_runs(para, para.range.clone());
    let mut pieces = Vec::new();
    for run in runs {
        let text = &line[run.clone()];
        if levels[run.start].is_rtl() {
            // egui reverses only a stretch of right-to-left letters drawn with one font;
            // spaces (drawn with the Latin font), emoji and punctuation it leaves in place.
            // So the run is cut into words, spaces and the rest, and their order reversed
            // here: a space at a word's edge then lands on the side it belongs to visually.
            let mut chunks = chunks(text);
            chunks.reverse();
            pieces.extend(chunks);
        } else {
            pieces.extend(left_to_right(text));
        }
    }
    VisualLine {
        rtl: para.level.is_rtl(),
        pieces,
    }
}

/// A left-to-right run as pieces egui draws in order: each character of a right-to-left
/// script (Arabic-Indic digits, which read left to right) a piece of its own, so egui's
/// guessed direction cannot reverse them; the rest in stretches as they come.
fn left_to_right(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if in_rtl_script(c) {
            if start < i {
                out.push(&text[start..i]);
            }
            let end = i + c.len_utf8();
            out.push(&text[i..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// What a character is for [`chunks`]: a right-to-left letter, a space, or anything else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rtl,
    Space,
    Other,
}

fn kind(c: char) -> Kind {
    if is_rtl_letter(c) {
        Kind::Rtl
    } else if c.is_whitespace() {
        Kind::Space
    } else {
        Kind::Other
    }
}

/// `text` cut into maximal stretches of right-to-left letters, of spaces, and of the rest.
fn chunks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut last = None;
    for (i, c) in text.char_indices() {
        let k = kind(c);
        if last.is_some_and(|prev| prev != k) {
            out.push(&text[start..i]);
            start = i;
        }
        last = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_line_is_one_left_to_right_piece() {
        let line = visual_line("hello world");
        assert!(!line.rtl);
        assert_eq!(line.pieces, vec!["hello world"]);
    }

    #[test]
    fn an_arabic_line_is_right_to_left_with_the_trailing_emoji_on_the_left() {
        let line = visual_line("مرحبا بالجميع 👋");
        assert!(line.rtl);
        assert_eq!(line.pieces, vec!["👋", " ", "بالجميع", " ", "مرحبا"]);
    }

    #[test]
    fn english_inside_hebrew_keeps_its_place_in_visual_order() {
        // Logical: "שלום" "Confab" "עולם": shown right to left, so the last Hebrew word
        // comes first from the left. egui turns each Hebrew word round by itself; the
        // spaces between the words are pieces of their own, so none is lost at an edge.
        let line = visual_line("שלום Confab עולם");
        assert!(line.rtl);
        assert_eq!(line.pieces, vec!["עולם", " ", "Confab", " ", "שלום"]);
        assert_eq!(line.pieces.concat().chars().count(), 16, "every space kept");
        assert!(has_rtl("abc שלום") && !has_rtl("abc 日本"));
    }

    #[test]
    fn arabic_indic_digits_read_left_to_right_after_the_word_they_follow() {
        // "The price 1234": the number stands at the line's left end, its digits in their
        // own order, each a piece egui cannot turn round.
        let line = visual_line("السعر ١٢٣٤");
        assert!(line.rtl);
        assert_eq!(line.pieces, vec!["١", "٢", "٣", "٤", " ", "السعر"]);
        // Persian digits (extended Arabic-Indic), and digits in a left-to-right line.
        let persian = visual_line("قیمت ۱۲۳");
        assert_eq!(persian.pieces, vec!["۱", "۲", "۳", " ", "قیمت"]);
        assert!(
            has_rtl("total ١٢"),
            "digits egui would reverse need visual order"
        );
        assert_eq!(visual_line("total ١٢").pieces, vec!["total ", "١", "٢"]);
    }

    /// `pieces` laid out by egui one by one, their characters left to right on the screen.
    fn drawn(ctx: &egui::Context, pieces: &[&str]) -> String {
        let font = egui::FontId::proportional(14.0);
        let mut out = String::new();
        ctx.fonts_mut(|fonts| {
            for piece in pieces {
                let text = (*piece).to_owned();
                let galley = fonts.layout_no_wrap(text, font.clone(), egui::Color32::WHITE);
                // Characters egui folds into one shaped glyph follow it with no width.
                let mut glyphs: Vec<_> = (galley.rows.iter())
                    .flat_map(|r| &r.row.glyphs)
                    .filter(|g| g.advance_width > 0.0)
                    .collect();
                glyphs.sort_by(|a, b| a.pos.x.total_cmp(&b.pos.x));
                out.extend(glyphs.iter().map(|g| g.chr));
            }
        });
        out
    }

    #[test]
    fn egui_draws_the_pieces_of_a_price_in_arabic_indic_digits_in_their_own_order() {
        let ctx = egui::Context::default();
        crate::ui::fonts::install(&ctx);
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        // As one piece, egui shapes the digits right to left (what this module works round).
        assert_eq!(
            drawn(&ctx, &["١٢٣٤"]),
            "٤٣٢١",
            "egui turns the digits round"
        );
        let screen = drawn(&ctx, &visual_line("السعر ١٢٣٤").pieces);
        assert!(screen.starts_with("١٢٣٤"), "the price reads 1234: {screen}");
    }
}
