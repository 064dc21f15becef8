//! [`Username`]: a display name that is safe to show and unambiguous within a room.
//!
//! Owns the name rules; it does not know about rooms (the relay enforces uniqueness
//! with [`Username::uniqueness_key`]).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_security::confusable_detection::skeleton;

/// The Unicode version of the tables that decide names (normalization, general
/// categories, confusable skeletons): all three crates are pinned to the same one.
pub const UNICODE_VERSION: (u8, u8, u8) = unicode_normalization::UNICODE_VERSION;

/// A validated username: 1 to [`Username::MAX_CHARS`] characters after Unicode NFKC
/// normalization and trimming, with no control, format (zero-width, bidi override),
/// private-use, line/paragraph-separator or unassigned characters.
///
/// Construction normalizes, so `Username::parse("ｊｏｅ")` holds `"joe"`. Decoding from JSON
/// applies the same rules, so an invalid name never gets past the decoder.
///
/// Shared, not copied: a clone (a roster, a chat's `from`) counts a reference instead of
/// allocating, and it is written to JSON straight from the one copy.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Username(Arc<str>);

/// Why a proposed username was refused. The text is meant for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Nothing left after trimming white space.
    #[error("a name needs at least one visible character")]
    Empty,
    /// Longer than [`Username::MAX_CHARS`] characters after normalization.
    #[error("a name can have at most {max} characters (this one has {len})", max = Username::MAX_CHARS)]
    TooLong {
        /// Characters in the normalized name.
        len: usize,
    },
    /// Holds a character that could hide or disguise text.
    #[error("a name cannot contain the invisible or control character U+{0:04X}")]
    ForbiddenChar(u32),
}

impl Username {
    /// Most characters (Unicode scalar values, after NFKC) a name may have.
    pub const MAX_CHARS: usize = 24;

    /// Normalizes and validates a proposed name.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let normalized: String = raw.nfkc().collect();
        let trimmed = normalized.trim();
        if trimmed.is_empty() {
            return Err(UsernameError::Empty);
        }
        if let Some(bad) = trimmed.chars().find(|&c| is_forbidden(c)) {
            return Err(UsernameError::ForbiddenChar(bad as u32));
        }
        let len = trimmed.chars().count();
        if len > Self::MAX_CHARS {
            return Err(UsernameError::TooLong { len });
        }
        Ok(Self(Arc::from(trimmed)))
    }

    /// The name as shown to people.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key two names must not share within a room: lower-cased, decomposed (NFD) with
    /// every combining mark removed, then mapped to its Unicode confusable skeleton
    /// (UTS #39) and lower-cased again. So `alice`, `ALICE`, `аlice` (Cyrillic а) and
    /// `alice` + U+0301 (`alicé`) all collide; `José` is a valid name, but it and `Jose`
    /// cannot be in one room together. Unicode data: version [`UNICODE_VERSION`].
    pub fn uniqueness_key(&self) -> String {
        let bare: String = self
            .0
            .to_lowercase()
            .nfd()
            .filter(|&c| !is_combining_mark(c))
            .collect();
        skeleton(&bare).collect::<String>().to_lowercase()
    }
}

/// Characters that may not appear in a name: they are invisible, reorder text or are not
/// assigned yet (so nobody can tell what they will look like).
fn is_forbidden(c: char) -> bool {
    use GeneralCategory as G;
    matches!(
        c.general_category(),
        G::Control
            | G::Format
            | G::Unassigned
            | G::PrivateUse
            | G::Surrogate
            | G::LineSeparator
            | G::ParagraphSeparator
    )
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Username> for String {
    fn from(name: Username) -> Self {
        name.0.as_ref().to_owned()
    }
}

impl Serialize for Username {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fullwidth_letters_normalize_to_ascii() {
        assert_eq!(
            Username::parse("ｊｏｅ").map(String::from),
            Ok("joe".to_owned())
        );
    }

    #[test]
    fn surrounding_space_is_trimmed_and_blank_names_refused() {
        assert_eq!(
            Username::parse("  ann ").map(String::from),
            Ok("ann".to_owned())
        );
        assert_eq!(Username::parse(" \t "), Err(UsernameError::Empty));
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
    }

    #[test]
    fn invisible_and_bidi_characters_are_refused() {
        for bad in [
            "a\u{200B}b",
            "a\u{202E}b",
            "a\u{0007}",
            "a\u{2028}b",
            "x\u{E000}",
        ] {
            assert!(
                matches!(Username::parse(bad), Err(UsernameError::ForbiddenChar(_))),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn unassigned_code_points_are_refused() {
        assert!(matches!(
            Username::parse("a\u{0378}"),
            Err(UsernameError::ForbiddenChar(0x378))
        ));
    }

    #[test]
    fn length_limit_counts_characters_not_bytes() {
        let ok = "é".repeat(Username::MAX_CHARS);
        assert!(Username::parse(&ok).is_ok());
        let long = "é".repeat(Username::MAX_CHARS + 1);
        assert_eq!(
            Username::parse(&long),
            Err(UsernameError::TooLong {
                len: Username::MAX_CHARS + 1
            })
        );
    }

    #[test]
    fn case_and_confusables_share_a_uniqueness_key() {
        let key = |s: &str| Username::parse(s).map(|n| n.uniqueness_key());
        assert_eq!(key("alice"), key("ALICE"));
        assert_eq!(key("alice"), key("\u{0430}lice"));
        assert_eq!(key("paypal"), key("paypa1"));
        assert_ne!(key("alice"), key("bob"));
    }

    #[test]
    fn names_differing_only_by_combining_marks_collide() {
        let key = |s: &str| Username::parse(s).map(|n| n.uniqueness_key());
        assert_eq!(key("alice\u{0301}"), key("alice"));
        assert_eq!(key("Jose\u{0301}"), key("José"));
        assert_eq!(key("Zoe\u{0308}"), key("zoe"));
        assert_ne!(key("alice"), key("bob"));
    }

    #[test]
    fn accented_names_stay_valid() {
        for name in ["José", "Zoë", "Renée", "Ærøskøbing"] {
            assert_eq!(
                Username::parse(name).map(|n| n.to_string()),
                Ok(name.to_owned())
            );
        }
    }

    #[test]
    fn the_unicode_tables_agree_on_one_version() {
        let (major, minor, patch) = UNICODE_VERSION;
        let security = unicode_security::UNICODE_VERSION;
        assert_eq!(
            (u64::from(major), u64::from(minor), u64::from(patch)),
            security
        );
        assert_eq!(security, unicode_properties::UNICODE_VERSION);
    }

    proptest! {
        #[test]
        fn adding_combining_marks_never_changes_the_key(base in "[a-z]{1,8}", mark in 0x0300u32..0x0370) {
            let marked = format!("{base}{}", char::from_u32(mark).unwrap_or('\u{0301}'));
            if let (Ok(plain), Ok(marked)) = (Username::parse(&base), Username::parse(&marked)) {
                prop_assert_eq!(plain.uniqueness_key(), marked.uniqueness_key());
            }
        }
    }

    #[test]
    fn emoji_and_cjk_names_are_allowed() {
        assert!(Username::parse("小明").is_ok());
        assert!(Username::parse("dev 🚀").is_ok());
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_accepted_names_obey_the_rules(raw in any::<String>()) {
            if let Ok(name) = Username::parse(&raw) {
                let s = name.as_str();
                prop_assert!(!s.is_empty());
                prop_assert!(s.chars().count() <= Username::MAX_CHARS);
                prop_assert!(!s.chars().any(is_forbidden));
                prop_assert_eq!(s.trim(), s);
            }
        }

        #[test]
        fn parsing_is_idempotent(raw in "\\PC{0,40}") {
            if let Ok(name) = Username::parse(&raw) {
                prop_assert_eq!(Username::parse(name.as_str()), Ok(name));
            }
        }
    }
}
