//! Emoji by name: `:shortcode:` completion and the picker's search, over the `emojis`
//! crate's table (Unicode's emoji with their GitHub shortcodes, `:tada:` → 🎉).
//!
//! Pure string work on the draft; the composer view draws the popup and the picker.

use std::borrow::Cow;

mod pages;

pub use pages::{CATEGORIES, Category, TONES, Tone, page};

/// Fewest letters after `:` before suggestions appear: `:D` and `:)` stay smileys in text,
/// and a one-letter query would match hundreds.
pub const MIN_QUERY: usize = 2;

/// Most suggestions shown at once.
pub const MAX_SUGGESTIONS: usize = 8;

/// One emoji offered for a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    /// The emoji itself (what goes into the draft).
    pub emoji: &'static str,
    /// Its shortcode without colons (`tada`), or its name when it has none.
    pub code: &'static str,
}

impl Pick {
    fn of(e: &'static emojis::Emoji, code: &'static str) -> Self {
        Self {
            emoji: e.as_str(),
            code,
        }
    }
}

/// The emoji whose shortcode starts with `query` (best: shortest code), then those whose
/// shortcode or name contains it. Case is ignored; an empty query finds nothing.
pub fn search(query: &str, max: usize) -> Vec<Pick> {
    let query = query.to_lowercase();
    if query.is_empty() {
        return vec![];
    }
    let mut starts: Vec<Pick> = Vec::new();
    let mut contains: Vec<Pick> = Vec::new();
    for e in emojis::iter() {
        if let Some(code) = e.shortcodes().find(|c| c.starts_with(&query)) {
            starts.push(Pick::of(e, code));
        } else if let Some(code) = e.shortcodes().find(|c| c.contains(&query)) {
            contains.push(Pick::of(e, code));
        } else if e.name().contains(&query) {
            contains.push(Pick::of(e, e.shortcode().unwrap_or(e.name())));
        }
    }
    starts.sort_by_key(|p| p.code.len());
    starts.extend(contains);
    starts.truncate(max);
    starts
}

/// The `:query` being typed at the end of `word` (the word under the cursor), if it is one:
/// a colon, then at least [`MIN_QUERY`] shortcode characters, no closing colon.
pub fn shortcode_query(word: &str) -> Option<&str> {
    let query = word.strip_prefix(':')?;
    let is_code = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+');
    (query.chars().count() >= MIN_QUERY && query.chars().all(is_code)).then_some(query)
}

/// The emoji with this shortcode. A walk over the table rather than `emojis`' own hash
/// maps (`get_by_shortcode`, `get`): those maps cost the web bundle more than the table
/// itself, and a walk over ~1,900 entries per typed `:code:` is nothing.
fn by_shortcode(code: &str) -> Option<&'static emojis::Emoji> {
    emojis::iter().find(|e| e.shortcodes().any(|c| c == code))
}

/// The name of `emoji` (for hover text and screen readers), if it is in the table.
pub fn name_of(emoji: &str) -> Option<&'static str> {
    lookup(emoji).map(emojis::Emoji::name)
}

/// `emoji` in the table, skin-toned ones included ("waving hand: medium skin tone"). A
/// walk, not `emojis::get`: its map would cost the web bundle (see [`by_shortcode`]).
pub(super) fn lookup(emoji: &str) -> Option<&'static emojis::Emoji> {
    emojis::iter().find_map(|e| {
        if e.as_str() == emoji {
            return Some(e);
        }
        e.skin_tones()?.find(|toned| toned.as_str() == emoji)
    })
}

/// Replaces every whole `:shortcode:` in `text` with its emoji (`:tada:` → 🎉). Unknown
/// codes, and text such as times (`12:30:45`), are left alone.
pub fn replace_shortcodes(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(open) = rest.find(':') {
        let after = &rest[open + 1..];
        let close = after.find(':');
        let emoji = close.and_then(|close| {
            let code = &after[..close];
            let before_ok = rest[..open]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            (before_ok && !code.is_empty())
                .then(|| by_shortcode(code))
                .flatten()
                .map(|e| (e, close))
        });
        match emoji {
            Some((e, close)) => {
                out.push_str(&rest[..open]);
                out.push_str(e.as_str());
                rest = &after[close + 1..];
                changed = true;
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `text` with every emoji that no font here can draw (`can_draw` says so of its first
/// code point) written as its `:shortcode:` (or `:name:`), so a machine or browser without
/// an emoji font shows `:tada:` rather than a box. Emoji that can be drawn, and anything
/// that is not an emoji, are left as they are.
pub fn readable_emoji(text: &str, mut can_draw: impl FnMut(char) -> bool) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !could_be_emoji(c) || can_draw(c) {
            continue;
        }
        // The cluster: selectors, skin tones, a keycap, and ZWJ-joined pictographs.
        let mut end = start + c.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            let joins = next == '\u{200d}';
            if !(joins || is_emoji_modifier(next)) {
                break;
            }
            chars.next();
            end = at + next.len_utf8();
            if joins && let Some((at, joined)) = chars.next() {
                end = at + joined.len_utf8();
            }
        }
        let cluster = &text[start..end];
        let base = &text[start..start + c.len_utf8()];
        let Some(emoji) = table_entry(cluster).or_else(|| table_entry(base)) else {
            continue;
        };
        out.push_str(&text[copied..start]);
        out.push(':');
        out.push_str(emoji.shortcode().unwrap_or(emoji.name()));
        out.push(':');
        copied = end;
    }
    if copied == 0 {
        return text.into();
    }
    out.push_str(&text[copied..]);
    out.into()
}

/// Whether `c` is in a block where emoji start (a cheap test before asking the fonts, so
/// the letters of other scripts cost nothing): Unicode's emoji outside the pictograph
/// planes are the few symbols listed here.
pub fn could_be_emoji(c: char) -> bool {
    matches!(
        u32::from(c),
        0xA9 | 0xAE
            | 0x203C
            | 0x2049
            | 0x2122
            | 0x2139
            | 0x2194..=0x21AA
            | 0x231A..=0x23FF
            | 0x24C2
            | 0x25AA..=0x27BF
            | 0x2934
            | 0x2935
            | 0x2B05..=0x2B55
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
            | 0x1F000..=0x1FAFF
    )
}

/// A code point that belongs to the emoji before it: variation selectors, skin tones, the
/// keycap mark.
fn is_emoji_modifier(c: char) -> bool {
    matches!(u32::from(c), 0xFE0E | 0xFE0F | 0x1F3FB..=0x1F3FF | 0x20E3)
}

/// The table's entry for `cluster`, with or without its emoji presentation selector.
/// Compares borrowed slices: this runs for every undrawable emoji shown in a frame.
fn table_entry(cluster: &str) -> Option<&'static emojis::Emoji> {
    let bare = |s: &'static str| s.trim_end_matches('\u{fe0f}');
    let wanted = cluster.trim_end_matches('\u{fe0f}');
    emojis::iter().find(|e| bare(e.as_str()) == wanted)
}

/// A few emoji for the picker's first page, before anything is searched: the everyday ones.
pub const FAVOURITES: &[&str] = &[
    "😀", "😂", "🙂", "😉", "😍", "🤔", "😅", "😭", "😮", "😡", "👍", "👎", "👏", "🙏", "💪", "👋",
    "🎉", "❤️", "🔥", "✨", "✅", "❌", "👀", "🚀", "☕", "🍕", "🎂", "🌈", "💯", "🤝",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_no_font_can_draw_become_their_shortcodes_and_the_rest_stays() {
        let nothing = |_: char| false;
        assert_eq!(
            readable_emoji("ship it 🚀 now 🎉", nothing),
            "ship it :rocket: now :tada:"
        );
        assert_eq!(
            readable_emoji("👍🏽 ok", nothing),
            ":+1: ok",
            "skin tone goes with its hand"
        );
        assert_eq!(
            readable_emoji("❤️ 日本", nothing),
            ":heart: 日本",
            "not an emoji: kept"
        );
        let family = "👨\u{200d}👩\u{200d}👧 hi";
        assert_eq!(
            readable_emoji(family, nothing),
            ":family_man_woman_girl: hi"
        );
        let all = |_: char| true;
        assert!(matches!(
            readable_emoji("ship it 🚀", all),
            Cow::Borrowed(_)
        ));
        let only_rocket = |c: char| c == '🚀';
        assert_eq!(readable_emoji("🚀🎉", only_rocket), "🚀:tada:");
        let mut asked = vec![];
        let _ = readable_emoji("日本語 שלום ☕", |c| {
            asked.push(c);
            true
        });
        assert_eq!(asked, ['☕'], "other scripts' letters are not looked up");
    }

    #[test]
    fn a_shortcode_prefix_finds_the_emoji_shortest_code_first() {
        let picks = search("tad", MAX_SUGGESTIONS);
        assert_eq!(picks.first().map(|p| p.emoji), Some("🎉"));
        assert_eq!(picks[0].code, "tada");
        assert!(search("rocket", 3).iter().any(|p| p.emoji == "🚀"));
        assert!(search("", 3).is_empty());
        assert!(search("zzzzqqq", 3).is_empty());
        assert!(search("e", 100).len() <= 100);
    }

    #[test]
    fn only_a_colon_and_two_code_letters_make_a_query() {
        assert_eq!(shortcode_query(":ta"), Some("ta"));
        assert_eq!(shortcode_query(":t"), None);
        assert_eq!(shortcode_query(":)"), None);
        assert_eq!(shortcode_query("ta"), None);
        assert_eq!(shortcode_query(":ta:"), None);
    }

    #[test]
    fn whole_shortcodes_become_emoji_and_times_do_not() {
        assert_eq!(
            replace_shortcodes("ship it :rocket: now :tada:").as_deref(),
            Some("ship it 🚀 now 🎉")
        );
        assert_eq!(replace_shortcodes("at 12:30:45"), None);
        assert_eq!(replace_shortcodes(":nosuchcode: :"), None);
        assert_eq!(replace_shortcodes("a:rocket:"), None, "inside a word");
    }

    #[test]
    fn the_favourites_are_all_known_emoji() {
        for e in FAVOURITES {
            assert!(name_of(e).is_some(), "{e}");
        }
    }
}
