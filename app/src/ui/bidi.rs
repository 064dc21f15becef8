//! Right-to-left lines. egui applies no Unicode bidi algorithm: it shapes a stretch of
//! Arabic or Hebrew right to left, but puts a line's stretches left to right and aligns
//! the line left. This module finds a line's direction and its pieces in visual order
//! (UAX #9, `unicode-bidi`), so the view draws them left to right as given and right-aligns
//! a right-to-left line. Pure: no egui.

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

/// Whether `text` has any right-to-left letter (Hebrew, Arabic, ...): only such text needs
/// [`visual_line`].
pub fn has_rtl(text: &str) -> bool {
    text.chars().any(is_rtl_letter)
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
            pieces.push(text);
        }
    }
    VisualLine {
        rtl: para.level.is_rtl(),
        pieces,
    }
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
}
