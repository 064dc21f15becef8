//! Splits message text into plain runs, links and mentions of you, for drawing.
//!
//! Pure string work: it decides *what* is a link or a mention; the views decide how it looks.

use confab_protocol::command;

/// One run of a message's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span<'a> {
    /// Ordinary text, shown as-is.
    Text(&'a str),
    /// An `http://` or `https://` address: clickable, after asking.
    Link(&'a str),
    /// Your own name (with or without `@`): highlighted.
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
        push_text(&mut out, &text[at..link.start()], me);
        out.push(Span::Link(url));
        at = link.end();
    }
    push_text(&mut out, &text[at..], me);
    out
}

/// Whether `text` mentions `me` (as a whole word, under the same-name rule, `@` optional).
pub fn mentions(text: &str, me: &str) -> bool {
    !me.is_empty() && find_mention(text, me).is_some()
}

fn push_text<'a>(out: &mut Vec<Span<'a>>, mut text: &'a str, me: &str) {
    while !me.is_empty()
        && let Some((start, end)) = find_mention(text, me)
    {
        if start > 0 {
            out.push(Span::Text(&text[..start]));
        }
        out.push(Span::Mention(&text[start..end]));
        text = &text[end..];
    }
    if !text.is_empty() {
        out.push(Span::Text(text));
    }
}

/// Byte range of the first whole-word occurrence of `me` (with a leading `@` included),
/// compared by the relay's "same name" rule ([`command::same_name`]'s key): `@ANN` and
/// `@аnn` (Cyrillic а) mention `ann`, as the relay would not let both be in the room.
fn find_mention(text: &str, me: &str) -> Option<(usize, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let len = me.chars().count();
    let key = command::name_key(me);
    let starts = text.char_indices().map(|(i, _)| i);
    starts
        .filter_map(|i| {
            let before = text[..i].chars().next_back();
            if before.is_some_and(is_word) {
                return None;
            }
            let end = text[i..]
                .char_indices()
                .nth(len)
                .map_or(text.len(), |(j, _)| i + j);
            let candidate = &text[i..end];
            if candidate.chars().count() != len || text[end..].chars().next().is_some_and(is_word) {
                return None;
            }
            if command::name_key(candidate) != key {
                return None;
            }
            let start = if before == Some('@') { i - 1 } else { i };
            Some((start, end))
        })
        .next()
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
    fn mentions_of_me_are_whole_words_in_any_case() {
        assert_eq!(
            spans("hi @Ann and annie", "ann"),
            vec![
                Span::Text("hi "),
                Span::Mention("@Ann"),
                Span::Text(" and annie")
            ]
        );
        assert!(mentions("ANN: look", "ann"));
        assert!(
            mentions("hey @\u{430}nn", "ann"),
            "a look-alike is the same name"
        );
        assert!(mentions("hi Ann Lee!", "ann lee"), "a name with a space");
        assert!(!mentions("joanne", "ann"));
        assert!(!mentions("anything", ""));
    }

    #[test]
    fn text_without_links_or_mentions_is_one_span() {
        assert_eq!(
            spans("小明 👋 hello", "bob"),
            vec![Span::Text("小明 👋 hello")]
        );
    }
}
