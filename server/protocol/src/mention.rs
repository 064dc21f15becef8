//! The mention rule every client applies: when does a message call someone by name?
//!
//! Only on purpose: `@name` anywhere (at the start of the text or after a character that
//! is not part of a word, so `bob@ann.example` is an address, not a mention), or the name
//! itself at the start of a line followed by `:` (`ann: look`, the way people address
//! someone in a chat log). A plain word that happens to be a name ("I will", "max speed")
//! mentions nobody. Names compare by the relay's "same name" rule
//! ([`crate::command::name_key`]): `@ANN` and `@аnn` (Cyrillic а) mention `ann`, as the
//! relay would not let both be in the room.

use std::ops::Range;

use crate::command::name_key;

/// The byte range of the first mention of `name` in `text` (its `@` included; a line-start
/// `name:` without its `:`), or `None`. An empty `name` is never mentioned.
pub fn find(text: &str, name: &str) -> Option<Range<usize>> {
    find_after(text, name, 0)
}

/// Like [`find`], for the first mention starting at byte `from` or later, with the text
/// before `from` still deciding what counts as a line start or a word (so a caller can
/// walk through every mention). `None` when `from` is not a character boundary.
pub fn find_after(text: &str, name: &str, from: usize) -> Option<Range<usize>> {
    if name.is_empty() {
        return None;
    }
    let len = name.chars().count();
    let key = name_key(name);
    let rest = text.get(from..)?;
    rest.char_indices().find_map(|(i, c)| {
        let i = from + i;
        let before = text[..i].chars().next_back();
        let (start, name_at) = if c == '@' && !before.is_some_and(is_word) {
            (i, i + 1)
        } else if at_line_start(&text[..i]) && !c.is_whitespace() {
            (i, i)
        } else {
            return None;
        };
        let end = text[name_at..]
            .char_indices()
            .nth(len)
            .map_or(text.len(), |(j, _)| name_at + j);
        let candidate = &text[name_at..end];
        let after = text[end..].chars().next();
        let whole = candidate.chars().count() == len && !after.is_some_and(is_word);
        let addressed = start < name_at || after == Some(':');
        (whole && addressed && name_key(candidate) == key).then_some(start..end)
    })
}

/// Whether `text` mentions `name` (see [`find`]).
pub fn mentions(text: &str, name: &str) -> bool {
    find(text, name).is_some()
}

/// Whether a name may start right after `before`: at the start of the text or of a line,
/// after any spaces.
fn at_line_start(before: &str) -> bool {
    let line = before.rsplit_once('\n').map_or(before, |(_, line)| line);
    line.chars().all(|c| c == ' ' || c == '\t')
}

/// Letters, digits and `_` continue a word: a name must not run on into one.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_at_sign_mentions_in_any_case_and_under_the_same_name_rule() {
        assert_eq!(find("hi @Ann and annie", "ann"), Some(3..7));
        assert!(mentions("@ANN look", "ann"));
        assert!(
            mentions("hey @\u{430}nn", "ann"),
            "a look-alike is the same name"
        );
        assert!(
            mentions("thanks, @Ann Lee!", "ann lee"),
            "a name with a space"
        );
    }

    #[test]
    fn a_name_at_the_start_of_a_line_followed_by_a_colon_mentions() {
        assert_eq!(find("ANN: look", "ann"), Some(0..3));
        assert!(mentions("ok\n  ann: and you?", "ann"));
        assert!(mentions("Ann Lee: hi", "ann lee"));
    }

    #[test]
    fn a_plain_word_equal_to_a_name_mentions_nobody() {
        assert!(!mentions("I will be late", "will"));
        assert!(!mentions("max speed", "max"));
        assert!(
            !mentions("Max is here", "max"),
            "no colon at the start of the line"
        );
        assert!(
            !mentions("so, will: yes", "will"),
            "not at the start of the line"
        );
        assert!(!mentions("Will: yes", "willow"));
    }

    #[test]
    fn a_name_inside_a_longer_word_or_an_address_mentions_nobody() {
        assert!(!mentions("@annie", "ann"));
        assert!(!mentions("write to bob@ann.example", "ann"));
        assert!(!mentions("joanne", "ann"));
        assert!(!mentions("anything @", ""));
    }

    #[test]
    fn a_walk_through_the_text_keeps_the_line_start_rule() {
        let text = "@ann ann: no, but\nann: yes";
        assert_eq!(find_after(text, "ann", 0), Some(0..4));
        assert_eq!(find_after(text, "ann", 4), Some(18..21));
        assert_eq!(find_after(text, "ann", 21), None);
        assert_eq!(find_after("é", "é", 1), None, "not a character boundary");
    }

    #[test]
    fn odd_text_never_panics() {
        for text in ["@", "@@", "\n:", "é@é", "👋@👋:", ""] {
            let _ = find(text, "é");
            let _ = find(text, "a b");
        }
    }
}
