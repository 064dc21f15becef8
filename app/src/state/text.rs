//! Splits message text into plain runs, links and mentions of you, for drawing.
//!
//! Pure string work: it decides *what* is a link or a mention; the views decide how it looks.

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

/// Characters that end a link when they are its last character: sentence punctuation
/// written after an address rather than part of it.
const LINK_TRAILERS: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '"', '\''];

/// Splits `text` into spans. `me` is your name; an empty `me` finds no mentions.
pub fn spans<'a>(text: &'a str, me: &str) -> Vec<Span<'a>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_link_start(rest) {
        push_text(&mut out, &rest[..start], me);
        let tail = &rest[start..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let link = tail[..end].trim_end_matches(LINK_TRAILERS);
        out.push(Span::Link(link));
        rest = &tail[link.len()..];
    }
    push_text(&mut out, rest, me);
    out
}

/// Whether `text` mentions `me` (as a whole word, any ASCII case, `@` optional).
pub fn mentions(text: &str, me: &str) -> bool {
    !me.is_empty() && find_mention(text, me).is_some()
}

fn find_link_start(text: &str) -> Option<usize> {
    ["https://", "http://"]
        .iter()
        .filter_map(|scheme| {
            text.match_indices(scheme).map(|(i, _)| i).find(|&i| {
                text[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
        })
        .min()
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

/// Byte range of the first whole-word occurrence of `me` (with a leading `@` included).
fn find_mention(text: &str, me: &str) -> Option<(usize, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.char_indices().map(|(i, _)| i).find_map(|i| {
        let candidate = text.get(i..i + me.len())?;
        if !candidate.eq_ignore_ascii_case(me) {
            return None;
        }
        let before = text[..i].chars().next_back();
        let after = text[i + me.len()..].chars().next();
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            return None;
        }
        let start = if before == Some('@') { i - 1 } else { i };
        Some((start, i + me.len()))
    })
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
