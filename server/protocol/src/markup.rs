//! The formatting people type in chat, the Slack/Discord subset: `*bold*` or `**bold**`,
//! `_italic_`, `` `code` ``, fenced code blocks (```` ``` ````), `> quote` lines and list
//! lines (`- `, `* `, `1. `). Shared by the app and the console client, so a message reads
//! the same in both.
//!
//! Why not a Markdown crate: CommonMark (pulldown-cmark, comrak) reads `*x*` as italic,
//! joins lines into paragraphs and turns `#`, tables or raw HTML into structure, none of
//! which a chat line means. This is the smaller language chat apps actually use, line by
//! line, where every line break the person typed stays.
//!
//! Pure and allocation-light: it only says *what* each run of text is. It never decides
//! what is a link or a mention (the clients do that inside each run), and marks what is
//! not closed as plain text, so nothing typed can make more than text and styles.
//! A word starting with `http://` or `https://` is never split by markers, so addresses
//! with `_` or `*` in them stay whole for the link finder.

/// How a run of text is styled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// `*bold*` or `**bold**`.
    pub bold: bool,
    /// `_italic_`.
    pub italic: bool,
    /// `` `code` ``: monospace, and nothing inside it is formatting, a link or a mention.
    pub code: bool,
}

/// A run of text with one style (its markers left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run<'a> {
    /// The text.
    pub text: &'a str,
    /// Its style.
    pub style: Style,
}

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind<'a> {
    /// An ordinary line.
    Plain,
    /// `> quoted`: drawn with a bar beside it.
    Quote,
    /// `- item` or `* item`: a bullet.
    Bullet,
    /// `1. item`: the number as typed (`"1."`).
    Numbered(&'a str),
}

/// One block of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    /// One line of text (what was typed between two line breaks).
    Line {
        /// What kind of line.
        kind: LineKind<'a>,
        /// Its runs, markers and line prefix left out.
        runs: Vec<Run<'a>>,
    },
    /// A fenced code block: shown as typed, in a monospace box.
    Code {
        /// The word after the opening fence (`rust`), or empty.
        lang: &'a str,
        /// The lines between the fences, without the last line break.
        text: &'a str,
    },
}

/// Reads `text` into blocks: fenced code blocks, and every other line on its own. A fence
/// that is never closed runs to the end of the message (as chat apps do).
pub fn parse(text: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = split_line(rest);
        if let Some(lang) = fence(line) {
            let body_start = offset(text, next);
            let (body_end, after) = close_fence(text, body_start);
            let body = &text[body_start..body_end];
            blocks.push(Block::Code {
                lang,
                text: body.strip_suffix('\n').unwrap_or(body),
            });
            rest = &text[after..];
            continue;
        }
        blocks.push(line_block(line));
        rest = next;
    }
    blocks
}

/// `text` without formatting markers, on one line: what a reply's quote or a notification
/// shows of a message.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for block in parse(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        match block {
            Block::Line { runs, .. } => runs.iter().for_each(|r| out.push_str(r.text)),
            Block::Code { text, .. } => {
                out.push_str(&text.split('\n').collect::<Vec<_>>().join(" "));
            }
        }
    }
    out
}

/// The lines of `text`, each with whether it is code (inside a fenced block), the fence
/// lines themselves left out: for clients that show text as typed (a terminal) but want
/// code set apart.
pub fn lines(text: &str) -> Vec<(bool, &str)> {
    let mut result = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = split_line(rest);
        if fence(line).is_some() {
            let start = offset(text, next);
            let (end, after) = close_fence(text, start);
            let body = &text[start..end];
            let body = body.strip_suffix('\n').unwrap_or(body);
            result.extend(body.split('\n').map(|l| (true, l.trim_end_matches('\r'))));
            rest = &text[after..];
            continue;
        }
        result.push((false, line));
        rest = next;
    }
    result
}

/// The first line of `text` and what follows its line break.
fn split_line(text: &str) -> (&str, &str) {
    match text.find('\n') {
        Some(i) => (text[..i].trim_end_matches('\r'), &text[i + 1..]),
        None => (text, ""),
    }
}

/// Byte offset of `part` (a suffix of `whole`) in `whole`.
fn offset(whole: &str, part: &str) -> usize {
    whole.len() - part.len()
}

/// The language word if `line` opens (or closes) a fence: three backticks at its start.
fn fence(line: &str) -> Option<&str> {
    let lang = line.trim_start().strip_prefix("```")?;
    Some(lang.trim())
}

/// From `start`, where the closing fence line begins and where the text after it begins
/// (both `text.len()` when there is none).
fn close_fence(text: &str, start: usize) -> (usize, usize) {
    let mut at = start;
    while at < text.len() {
        let (line, next) = split_line(&text[at..]);
        if line.trim() == "```" {
            return (at, offset(text, next));
        }
        at = offset(text, next);
    }
    (text.len(), text.len())
}

/// One line: its kind from its prefix, then its runs.
fn line_block(line: &str) -> Block<'_> {
    let (kind, body) = if let Some(body) = line.strip_prefix("> ").or(line.strip_prefix('>')) {
        (LineKind::Quote, body)
    } else if let Some(body) = line.strip_prefix("- ").or(line.strip_prefix("* ")) {
        (LineKind::Bullet, body)
    } else if let Some((number, body)) = numbered(line) {
        (LineKind::Numbered(number), body)
    } else {
        (LineKind::Plain, line)
    };
    Block::Line {
        kind,
        runs: runs(body),
    }
}

/// `("12.", "item")` for `12. item`.
fn numbered(line: &str) -> Option<(&str, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let after = line.get(digits..)?;
    let body = after.strip_prefix(". ")?;
    (1..=9).contains(&digits).then(|| (&line[..=digits], body))
}

/// The markers, longest first (`**` before `*`).
const MARKERS: [&str; 4] = ["`", "**", "*", "_"];

/// Where each marker may close, as sorted byte offsets: found once per line, so matching
/// an opener is a binary search and a line full of lone markers stays linear-ish instead
/// of scanning ahead from each of them.
struct Closers {
    at: [Vec<usize>; 4],
}

impl Closers {
    fn find(text: &str) -> Self {
        let mut at: [Vec<usize>; 4] = Default::default();
        let mut chars = text.char_indices();
        while let Some((i, _)) = chars.next() {
            if let Some(len) = address_len(text, i) {
                // Nothing inside an address closes a marker (nor opens one, see `inline`).
                let end = i + len;
                while chars.clone().next().is_some_and(|(j, _)| j < end) {
                    chars.next();
                }
                continue;
            }
            for (m, marker) in MARKERS.iter().enumerate() {
                if text[i..].starts_with(marker) && can_close(text, i, marker) {
                    at[m].push(i);
                }
            }
        }
        Self { at }
    }

    /// The first place after `from` (and before `end`) where marker `m` closes.
    fn next(&self, m: usize, from: usize, end: usize) -> Option<usize> {
        let list = &self.at[m];
        let i = list.partition_point(|&p| p < from);
        list.get(i).copied().filter(|&p| p < end)
    }
}

/// Whether `c` may sit next to a marker on its outer side: a space, punctuation or nothing.
fn outer(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != '\\'))
}

/// Whether `marker` at byte `i` may open: outer side free, inner side not a space.
fn can_open(text: &str, i: usize, marker: &str) -> bool {
    let before = text[..i].chars().next_back();
    let after = text[i + marker.len()..].chars().next();
    if marker == "`" {
        return after.is_some();
    }
    outer(before) && after.is_some_and(|c| !c.is_whitespace())
}

/// Whether `marker` at byte `i` may close: inner side not a space, outer side free.
fn can_close(text: &str, i: usize, marker: &str) -> bool {
    if marker == "`" {
        return true;
    }
    let before = text[..i].chars().next_back();
    let after = text[i + marker.len()..].chars().next();
    before.is_some_and(|c| !c.is_whitespace()) && outer(after)
}

/// Splits one line's `text` into styled runs.
fn runs(text: &str) -> Vec<Run<'_>> {
    let closers = Closers::find(text);
    let mut out = Vec::new();
    inline(text, 0, text.len(), Style::default(), &closers, &mut out);
    out
}

/// Runs of `text[start..end]` under `style`, appended to `out`.
fn inline<'a>(
    text: &'a str,
    start: usize,
    end: usize,
    style: Style,
    closers: &Closers,
    out: &mut Vec<Run<'a>>,
) {
    let mut plain_from = start;
    let mut i = start;
    while i < end {
        let rest = &text[i..end];
        // An address stays whole, markers and all, up to the next space.
        if let Some(len) = address_len(text, i) {
            i = (i + len).min(end);
            continue;
        }
        let opened = MARKERS.iter().enumerate().find_map(|(m, marker)| {
            if !rest.starts_with(marker) || !can_open(text, i, marker) {
                return None;
            }
            let inner = i + marker.len();
            let close = closers.next(m, inner + 1, end)?;
            Some((m, inner, close))
        });
        let Some((m, inner, close)) = opened else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        push(out, text, plain_from, i, style);
        let mut inner_style = style;
        match MARKERS[m] {
            "`" => inner_style.code = true,
            "_" => inner_style.italic = true,
            _ => inner_style.bold = true,
        }
        if inner_style.code {
            push(out, text, inner, close, inner_style);
        } else {
            inline(text, inner, close, inner_style, closers, out);
        }
        i = close + MARKERS[m].len();
        plain_from = i;
    }
    push(out, text, plain_from, end, style);
}

/// The length of the address starting at byte `i` (up to the next space), if a word
/// starting there is one (`http://` or `https://` not inside a longer word).
fn address_len(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let starts = rest.starts_with("http://") || rest.starts_with("https://");
    let word_start = text[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    (starts && word_start).then(|| rest.find(char::is_whitespace).unwrap_or(rest.len()))
}

/// Appends `text[from..to]` as a run of `style`, joined to the last run if it has the same.
fn push<'a>(out: &mut Vec<Run<'a>>, text: &'a str, from: usize, to: usize, style: Style) {
    if from >= to {
        return;
    }
    match out.last_mut() {
        // Only neighbours in the text can be joined: one slice of the line.
        Some(last)
            if last.style == style
                && last.text.as_ptr() as usize + last.text.len()
                    == text[from..].as_ptr() as usize =>
        {
            let start = offset_in(text, last.text);
            last.text = &text[start..to];
        }
        _ => out.push(Run {
            text: &text[from..to],
            style,
        }),
    }
}

/// Byte offset of `part` (a slice of `whole`) in `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Style = Style {
        bold: true,
        italic: false,
        code: false,
    };
    const I: Style = Style {
        bold: false,
        italic: true,
        code: false,
    };
    const C: Style = Style {
        bold: false,
        italic: false,
        code: true,
    };
    const P: Style = Style {
        bold: false,
        italic: false,
        code: false,
    };

    fn line(text: &str) -> Vec<(&str, Style)> {
        match parse(text).into_iter().next() {
            Some(Block::Line { runs, .. }) => runs.iter().map(|r| (r.text, r.style)).collect(),
            other => panic!("not a line: {other:?}"),
        }
    }

    #[test]
    fn single_and_double_stars_are_bold_and_underscores_italic() {
        assert_eq!(line("a *b* c"), [("a ", P), ("b", B), (" c", P)]);
        assert_eq!(line("**b**"), [("b", B)]);
        assert_eq!(line("_i_!"), [("i", I), ("!", P)]);
    }

    #[test]
    fn styles_nest_and_code_holds_markers_as_typed() {
        let bold_italic = Style {
            bold: true,
            italic: true,
            code: false,
        };
        assert_eq!(
            line("*a _b_*"),
            [("a ", B), ("b", bold_italic)],
            "italic inside bold"
        );
        assert_eq!(line("`*x*`"), [("*x*", C)]);
    }

    #[test]
    fn markers_inside_words_and_unclosed_ones_stay_text() {
        assert_eq!(line("snake_case_name"), [("snake_case_name", P)]);
        assert_eq!(line("2 * 3 * 4"), [("2 * 3 * 4", P)]);
        assert_eq!(line("*open"), [("*open", P)]);
        assert_eq!(line("a ** b"), [("a ** b", P)]);
    }

    #[test]
    fn addresses_keep_their_underscores_and_stars() {
        let url = "https://example.com/a_b_/c*d*";
        assert_eq!(
            line(&format!("see {url} ok")),
            [(&*format!("see {url} ok"), P)]
        );
        assert_eq!(
            line("_see https://x.y/a_b_"),
            [("_see https://x.y/a_b_", P)]
        );
    }

    #[test]
    fn quotes_bullets_and_numbers_are_line_kinds() {
        let kinds: Vec<_> = parse("> hi\n- a\n* b\n12. c\n1.5 d\nplain")
            .into_iter()
            .map(|b| match b {
                Block::Line { kind, .. } => kind,
                Block::Code { .. } => panic!("no code here"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                LineKind::Quote,
                LineKind::Bullet,
                LineKind::Bullet,
                LineKind::Numbered("12."),
                LineKind::Plain,
                LineKind::Plain
            ]
        );
    }

    #[test]
    fn a_fenced_block_keeps_its_lines_and_an_unclosed_one_runs_to_the_end() {
        let blocks = parse("look:\n```rust\nlet x = *y;\n  _z_\n```\nafter");
        assert_eq!(
            blocks[1],
            Block::Code {
                lang: "rust",
                text: "let x = *y;\n  _z_"
            }
        );
        assert_eq!(blocks.len(), 3);
        assert_eq!(
            parse("```\nopen"),
            [Block::Code {
                lang: "",
                text: "open"
            }]
        );
    }

    #[test]
    fn lines_mark_code_and_keep_the_rest_as_typed() {
        assert_eq!(
            lines("*hi*\n```\ncode *x*\n```\n> q"),
            [(false, "*hi*"), (true, "code *x*"), (false, "> q")]
        );
        assert_eq!(lines("a\nb"), [(false, "a"), (false, "b")]);
    }

    #[test]
    fn plain_drops_markers_for_a_one_line_preview() {
        assert_eq!(plain("**hi** _there_\n> `x`"), "hi there x");
    }

    #[test]
    fn a_line_of_lone_markers_is_read_in_reasonable_time() {
        // Each opener finds its closer by binary search: 40,000 markers stay fast.
        let text = "*a ".repeat(20_000);
        let runs = line(&text);
        assert_eq!(runs.iter().map(|r| r.0.len()).sum::<usize>(), text.len());
    }
}
