//! Splits message text into plain runs, links and mentions of you, for drawing.
//!
//! Pure string work: it decides *what* is a link or a mention; the views decide how it looks.

use std::ops::Range;

use confab_protocol::mention;

/// One run of a message's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span<'a> {
    /// Ordinary text, shown as-is.
    Text(&'a str),
    /// An `http://` or `https://` address: clickable, after asking.
    Link(&'a str),
    /// A mention of you (`@name`, or `name` at a line start before `:`, by the protocol's
    /// [`mention`] rule): highlighted.
    Mention(&'a str),
}

/// Splits `text` into spans. `me` is your name; an empty `me` finds no mentions.
///
/// Links are found by `linkify` (web addresses with a scheme only: `http://`, `https://`),
/// which drops sentence punctuation after an address but keeps a closing `)` whose `(` is
/// inside the link (`https://en.wikipedia.org/wiki/Rust_(programming_language)`).
pub fn spans<'a>(text: &'a str, me: &str) -> Vec<Span<'a>> {
    let mut finder = linkify::LinkFinder::new();
    finder
        .kinds(&[linkify::LinkKind::Url])
        .url_must_have_scheme(true);
    let mut out = Vec::new();
    let mut at = 0;
    for link in finder.links(text) {
        let url = link.as_str();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            continue; // ftp:, mailto: and friends stay text: nothing here opens them.
        }
        push_text(&mut out, text, at..link.start(), me);
        out.push(Span::Link(url));
        at = link.end();
    }
    push_text(&mut out, text, at..text.len(), me);
    out
}

/// Whether `text` mentions `me`, by the protocol's one [`mention`] rule: `@me`, or `me:` at
/// the start of a line; a plain word that equals the name does not.
pub fn mentions(text: &str, me: &str) -> bool {
    mention::mentions(text, me)
}

/// Pushes `text[range]` as plain runs and mentions. Mentions are looked for in the whole
/// `text`, so what comes before `range` (a link, an earlier mention) still decides what
/// starts a line.
fn push_text<'a>(out: &mut Vec<Span<'a>>, text: &'a str, range: Range<usize>, me: &str) {
    let mut at = range.start;
    while let Some(found) = mention::find_after(text, me, at).filter(|f| f.end <= range.end) {
        if found.start > at {
            out.push(Span::Text(&text[at..found.start]));
        }
        out.push(Span::Mention(&text[found.clone()]));
        at = found.end;
    }
    if at < range.end {
        out.push(Span::Text(&text[at..range.end]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_and_lose_trailing_punctuation() {
        assert_eq!(
            spans("see https://example.com/a?b=1. ok", ""),
            vec![
                Span::Text("see "),
                Span::Link("https://example.com/a?b=1"),
                Span::Text(". ok")
            ]
        );
    }

    #[test]
    fn a_link_ending_in_a_parenthesis_it_opened_is_kept_whole() {
        let url = "https://en.wikipedia.org/wiki/Rust_(programming_language)";
        assert_eq!(
            spans(&format!("read {url} now"), ""),
            vec![Span::Text("read "), Span::Link(url), Span::Text(" now")]
        );
        assert_eq!(
            spans("(see https://example.com/x)", ""),
            vec![
                Span::Text("(see "),
                Span::Link("https://example.com/x"),
                Span::Text(")")
            ]
        );
        assert_eq!(
            spans("ftp://x.org/a", ""),
            vec![Span::Text("ftp://x.org/a")]
        );
    }

    #[test]
    fn mentions_of_me_are_highlighted_in_any_case() {
        assert_eq!(
            spans("hi @Ann and annie", "ann"),
            vec![
                Span::Text("hi "),
                Span::Mention("@Ann"),
                Span::Text(" and annie")
            ]
        );
        assert_eq!(
            spans("ANN: look", "ann"),
            vec![Span::Mention("ANN"), Span::Text(": look")]
        );
        assert!(
            mentions("hey @\u{430}nn", "ann"),
            "a look-alike is the same name"
        );
        assert!(mentions("hi @Ann Lee!", "ann lee"), "a name with a space");
        assert!(!mentions("joanne", "ann"));
        assert!(!mentions("anything", ""));
    }

    #[test]
    fn a_name_after_a_mention_or_a_link_is_not_at_the_start_of_a_line() {
        assert_eq!(
            spans("@ann ann: x", "ann"),
            vec![Span::Mention("@ann"), Span::Text(" ann: x")]
        );
        assert_eq!(
            spans("https://a.example ann: x", "ann"),
            vec![Span::Link("https://a.example"), Span::Text(" ann: x")]
        );
    }

    #[test]
    fn a_plain_word_equal_to_my_name_is_not_a_mention() {
        assert!(!mentions("I will be there", "will"));
        assert_eq!(
            spans("max speed, @max", "max"),
            vec![Span::Text("max speed, "), Span::Mention("@max")]
        );
    }

    #[test]
    fn text_without_links_or_mentions_is_one_span() {
        assert_eq!(
            spans("小明 👋 hello", "bob"),
            vec![Span::Text("小明 👋 hello")]
        );
    }
}
