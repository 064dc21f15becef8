//! The text of a message as this machine shows it: emoji it cannot draw written as their
//! `:shortcode:`, emoji asking for their colour form on the web, mentions highlighted,
//! links clickable, right-to-left lines in visual order, and the quiet time beside a
//! header. Used by every kind of row (`row`, `chat_line`) and the emoji picker.

use chrono::{DateTime, Local};
use confab_protocol::Username;
use egui::{Align, Label, Layout, RichText, Ui};

use confab_protocol::markup::{self, Block, LineKind, Run};

use crate::state::emoji::readable_emoji;
use crate::state::text::{Span, spans};

/// "14:05", quiet: the time beside a header.
pub fn time_text(when: &DateTime<Local>) -> RichText {
    RichText::new(when.format("%H:%M").to_string())
        .weak()
        .small()
}

/// Text with right-to-left letters, line by line in visual order (see [`super::bidi`]); a
/// right-to-left line is aligned right. Plain text: mentions and links are not marked in
/// such messages yet.
///
/// The lines share the width of the widest one, not the whole row: a short Hebrew line
/// sits just right of its sender's name instead of at the far edge of a wide window.
fn rtl_text(ui: &mut Ui, text: &str) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let widest = ui.ctx().fonts_mut(|fonts| {
        text.lines()
            .map(|line| {
                let line = line.replace(' ', "\u{a0}");
                fonts
                    .layout_no_wrap(line, font.clone(), egui::Color32::WHITE)
                    .size()
                    .x
            })
            .fold(0.0, f32::max)
    });
    let width = (widest + 8.0).min(ui.available_width());
    for line in text.lines() {
        let visual = super::bidi::visual_line(line);
        let layout = if visual.rtl {
            Layout::right_to_left(Align::TOP)
        } else {
            Layout::left_to_right(Align::TOP)
        };
        ui.allocate_ui_with_layout(egui::vec2(width, 0.0), layout, |ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
            let mut pieces = visual.pieces;
            if visual.rtl {
                pieces.reverse(); // this layout fills from the right
            }
            for piece in pieces {
                // A label drops spaces at its edges; no-break spaces stay.
                ui.add(Label::new(piece.replace(' ', "\u{a0}")).extend());
            }
        });
    }
}

/// The text of a message, formatted (see [`confab_protocol::markup`]: bold, italic, code,
/// code blocks, quotes, lists), mentions highlighted and links clickable. Returns a
/// clicked link's address. Nothing in the text becomes anything but styled text, a link
/// (opened only after the app's confirmation) or a code block's copy button.
pub fn message_text(ui: &mut Ui, text: &str, me: &Username) -> Option<String> {
    message_text_after(ui, text, me, None)
}

/// [`message_text`], with `trailer` (a quiet "(edited)") after its last line.
pub fn message_text_after(
    ui: &mut Ui,
    text: &str,
    me: &Username,
    trailer: Option<RichText>,
) -> Option<String> {
    let text = &*readable(ui, text);
    if super::bidi::has_rtl(text) {
        rtl_text(ui, text);
        if let Some(trailer) = trailer {
            ui.add(Label::new(trailer));
        }
        return None;
    }
    let mut clicked = None;
    let blocks = markup::parse(text);
    let last = blocks.len().saturating_sub(1);
    let mut trailer = trailer;
    for (i, block) in blocks.into_iter().enumerate() {
        match block {
            Block::Line { kind, runs } => {
                let after = if i == last { trailer.take() } else { None };
                if let Some(url) = line_ui(ui, kind, &runs, me, after) {
                    clicked = Some(url);
                }
            }
            Block::Code { lang, text } => code_block_ui(ui, lang, text),
        }
    }
    if let Some(trailer) = trailer {
        ui.add(Label::new(trailer));
    }
    clicked
}

/// One line of a message: its prefix (quote bar, bullet, number), then its runs.
fn line_ui(
    ui: &mut Ui,
    kind: LineKind<'_>,
    runs: &[Run<'_>],
    me: &Username,
    trailer: Option<RichText>,
) -> Option<String> {
    let mut clicked = None;
    let response = ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        match kind {
            LineKind::Plain => {}
            LineKind::Quote => ui.add_space(10.0),
            LineKind::Bullet => {
                ui.add(Label::new("  •  ").selectable(false));
            }
            LineKind::Numbered(number) => {
                ui.add(Label::new(format!("  {number} ")).selectable(false));
            }
        }
        if runs.is_empty() {
            ui.label(" "); // an empty line keeps its height
        }
        for run in runs {
            if let Some(url) = run_ui(ui, run, me) {
                clicked = Some(url);
            }
        }
        if let Some(trailer) = trailer {
            ui.add(Label::new(trailer));
        }
    });
    if kind == LineKind::Quote {
        let rect = response.response.rect;
        let stroke = egui::Stroke::new(3.0, ui.visuals().weak_text_color());
        ui.painter()
            .vline(rect.left() + 2.0, rect.y_range(), stroke);
    }
    clicked
}

/// One styled run; outside code, with its links and mentions.
fn run_ui(ui: &mut Ui, run: &Run<'_>, me: &Username) -> Option<String> {
    let styled = |t: &str| {
        let mut text = RichText::new(t);
        if run.style.bold {
            text = text.strong();
        }
        if run.style.italic {
            text = text.italics();
        }
        if run.style.code {
            text = text.code();
        }
        text
    };
    if run.style.code {
        ui.add(Label::new(styled(run.text)).wrap());
        return None;
    }
    let mut clicked = None;
    for span in spans(run.text, me.as_str()) {
        match span {
            Span::Text(t) => {
                ui.add(Label::new(styled(t)).wrap());
            }
            Span::Mention(t) => {
                let highlight = ui.visuals().warn_fg_color.gamma_multiply(0.3);
                ui.add(Label::new(styled(t).strong().background_color(highlight)).wrap());
            }
            Span::Link(url) => {
                // A `Link` is focusable: Tab reaches it, Enter asks to open it.
                let link = ui.add(egui::Link::new(styled(url)));
                if link.on_hover_text(format!("Open {url}")).clicked() {
                    clicked = Some(url.to_owned());
                }
            }
        }
    }
    clicked
}

/// A fenced code block: monospace in a box, as typed, under a line naming its language
/// with a button that copies it.
fn code_block_ui(ui: &mut Ui, lang: &str, text: &str) {
    egui::Frame::new()
        .fill(ui.visuals().code_bg_color)
        .corner_radius(4)
        .inner_margin(egui::Margin::symmetric(8, 4))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.add(Label::new(RichText::new(lang).weak().small()).selectable(false));
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    let copy =
                        ui.small_button(super::icons::with_words(super::icons::COPY, "Copy"));
                    if super::icons::named(copy, "Copy code", None).clicked() {
                        ui.ctx().copy_text(text.to_owned());
                    }
                });
            });
            ui.add(Label::new(RichText::new(text).monospace()).wrap());
        });
}

/// The start of `text` without formatting, on one line, cut at `chars` with "…".
pub fn preview(text: &str, chars: usize) -> String {
    let plain = confab_protocol::markup::plain(text);
    let plain = confab_protocol::command::action_text(&plain).unwrap_or(&plain);
    let mut out: String = plain.chars().take(chars).collect();
    if plain.chars().nth(chars).is_some() {
        out.push('…');
    }
    out
}

/// `text` as this machine can show it: emoji that no font here has become their
/// `:shortcode:` rather than boxes. Native: the fonts are egui's, the bundled ones and the
/// system's. Web: the browser draws emoji (egui's fonts have none), with the first font of
/// its list that has the glyph; where that is a monochrome font (DejaVu Sans has 😀), emoji
/// came out grey, so each also asks for emoji presentation, which takes the colour font.
pub fn readable<'t>(ui: &Ui, text: &'t str) -> std::borrow::Cow<'t, str> {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = ui;
        match readable_emoji(text, crate::web_glyphs::browser_draws) {
            std::borrow::Cow::Borrowed(text) => emoji_presentation(text),
            std::borrow::Cow::Owned(text) => emoji_presentation(&text).into_owned().into(),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Most messages have no emoji at all: no need to ask the fonts.
        if !text.chars().any(crate::state::emoji::could_be_emoji) {
            return text.into();
        }
        let font = egui::TextStyle::Body.resolve(ui.style());
        ui.ctx()
            .fonts_mut(|fonts| readable_emoji(text, |c| fonts.has_glyph(&font, c)))
    }
}

/// `text` with U+FE0F (emoji presentation) after each pictograph that lacks it, so a
/// browser draws it with a colour emoji font rather than a monochrome font that has the
/// same code point. Skin-tone and ZWJ sequences, and pictographs already followed by a
/// selector, are left as they are (a selector inside them would split them).
pub fn emoji_presentation(text: &str) -> std::borrow::Cow<'_, str> {
    // The pictograph blocks, and the older symbols whose default is emoji presentation
    // (Unicode's Emoji_Presentation property: ☕, ⚡, ✅, ⭐, ...).
    let pictograph = |c: char| match u32::from(c) {
        0x1F3FB..=0x1F3FF => false,
        0x1F300..=0x1FAFF => true,
        0x231A | 0x231B | 0x23E9..=0x23EC | 0x23F0 | 0x23F3 | 0x25FD | 0x25FE => true,
        0x2614 | 0x2615 | 0x2648..=0x2653 | 0x267F | 0x2693 | 0x26A1 | 0x26AA | 0x26AB => true,
        0x26BD | 0x26BE | 0x26C4 | 0x26C5 | 0x26CE | 0x26D4 | 0x26EA | 0x26F2 | 0x26F3 => true,
        0x26F5 | 0x26FA | 0x26FD | 0x2705 | 0x270A | 0x270B | 0x2728 | 0x274C | 0x274E => true,
        0x2753..=0x2755 | 0x2757 | 0x2795..=0x2797 | 0x27B0 | 0x27BF => true,
        0x2B1B | 0x2B1C | 0x2B50 | 0x2B55 => true,
        _ => false,
    };
    let keeps = |next: Option<char>| {
        next.is_some_and(|n| matches!(u32::from(n), 0xFE0E | 0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF))
    };
    let mut chars = text.chars().peekable();
    if !text.chars().any(pictograph) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut after_zwj = false;
    while let Some(c) = chars.next() {
        out.push(c);
        if pictograph(c) && !after_zwj && !keeps(chars.peek().copied()) {
            out.push('\u{fe0f}');
        }
        after_zwj = c == '\u{200d}';
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::emoji_presentation;

    #[test]
    fn pictographs_ask_for_emoji_presentation_and_sequences_stay_whole() {
        assert_eq!(emoji_presentation("hi 😀!"), "hi 😀\u{fe0f}!");
        assert_eq!(
            emoji_presentation("☕ ✓"),
            "☕\u{fe0f} ✓",
            "text-default ✓ stays text"
        );
        assert_eq!(
            emoji_presentation("😀\u{fe0f}"),
            "😀\u{fe0f}",
            "already asked"
        );
        assert_eq!(emoji_presentation("👋🏽"), "👋🏽", "skin tone kept on its hand");
        let family = "👨\u{200d}👩\u{200d}👧";
        assert_eq!(
            emoji_presentation(family),
            family,
            "a ZWJ sequence stays whole"
        );
        assert!(matches!(
            emoji_presentation("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
