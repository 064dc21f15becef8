//! [`RoomCode`]: the name of a room, as typed, pasted or generated.
//!
//! Owns the code alphabet, normalization and the display form. It does not draw random
//! numbers itself (the relay supplies OS randomness to [`RoomCode::generate`]), so this
//! crate stays free of platform RNG code.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A room code in canonical form: upper-case ASCII letters and digits, no separators.
///
/// Parsing is case-insensitive and ignores separators (`-`, `_`, `.`, spaces), so
/// `k7q-x2m-hdp`, `K7Q X2M HDP` and `K7QX2MHDP` are the same room. Generated codes are
/// [`RoomCode::GENERATED_LEN`] characters from [`RoomCode::ALPHABET`] (about 44.6 bits of
/// entropy) and display in groups of three: `K7Q-X2M-HDP`. Operators may also name rooms
/// (`lobby`), which display in their canonical upper-case form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomCode(String);

/// Why a room code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoomCodeError {
    /// No letters or digits at all.
    #[error("enter a room code")]
    Empty,
    /// More than [`RoomCode::MAX_CHARS`] letters and digits.
    #[error("a room code has at most {max} letters and digits", max = RoomCode::MAX_CHARS)]
    TooLong,
    /// Something other than a letter, digit or separator.
    #[error(
        "a room code has only letters, digits and dashes, dots, underscores or spaces (found {0:?})"
    )]
    BadChar(char),
}

impl RoomCode {
    /// Symbols of generated codes: digits and capitals without the look-alikes 0/O and 1/I/L.
    pub const ALPHABET: &'static [u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    /// Length of a generated code: 31^9 ≈ 2^44.6 possible codes.
    pub const GENERATED_LEN: usize = 9;
    /// Longest code (operator-named rooms included), in letters and digits.
    pub const MAX_CHARS: usize = 24;

    /// Normalizes and validates a code typed or pasted by a person. An invite link
    /// (`https://host/#K7Q-X2M-HDP`) is accepted too: only the part after `#` counts.
    pub fn parse(raw: &str) -> Result<Self, RoomCodeError> {
        let raw = raw.rsplit_once('#').map_or(raw, |(_, fragment)| fragment);
        let mut code = String::with_capacity(raw.len());
        for c in raw.chars() {
            match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' => code.push(c.to_ascii_uppercase()),
                '-' | '_' | '.' | ' ' | '\t' => {}
                other => return Err(RoomCodeError::BadChar(other)),
            }
            if code.len() > Self::MAX_CHARS {
                return Err(RoomCodeError::TooLong);
            }
        }
        if code.is_empty() {
            return Err(RoomCodeError::Empty);
        }
        Ok(Self(code))
    }

    /// Draws a fresh code from `random_byte`, which must return uniformly random bytes
    /// (the relay passes the OS RNG). Rejection sampling keeps every symbol equally likely.
    pub fn generate(mut random_byte: impl FnMut() -> u8) -> Self {
        const N: u8 = RoomCode::ALPHABET.len() as u8;
        // The largest multiple of N that fits in a byte: bytes at or above it are redrawn.
        const LIMIT: u8 = (256 / N as u16 * N as u16) as u8;
        let mut code = String::with_capacity(Self::GENERATED_LEN);
        while code.len() < Self::GENERATED_LEN {
            let byte = random_byte();
            if byte < LIMIT {
                code.push(char::from(Self::ALPHABET[usize::from(byte % N)]));
            }
        }
        Self(code)
    }

    /// The canonical form: upper case, no separators. Equal rooms have equal canonical forms.
    pub fn canonical(&self) -> &str {
        &self.0
    }

    /// Whether this code looks generated (so it is shown in groups of three).
    fn is_generated_shape(&self) -> bool {
        self.0.len() == Self::GENERATED_LEN && self.0.bytes().all(|b| Self::ALPHABET.contains(&b))
    }
}

impl TryFrom<String> for RoomCode {
    type Error = RoomCodeError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<RoomCode> for String {
    fn from(code: RoomCode) -> Self {
        code.to_string()
    }
}

/// Shows generated codes as `K7Q-X2M-HDP`, other codes in canonical form.
impl fmt::Display for RoomCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_generated_shape() {
            let s = &self.0;
            write!(f, "{}-{}-{}", &s[..3], &s[3..6], &s[6..])
        } else {
            f.write_str(&self.0)
        }
    }
}

impl fmt::Debug for RoomCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoomCode({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn case_and_separators_do_not_matter() {
        let a = RoomCode::parse("k7q-x2m-hdp");
        assert_eq!(a, RoomCode::parse("K7Q X2M HDP"));
        assert_eq!(a, RoomCode::parse("K7QX2MHDP"));
        assert_eq!(a.map(|c| c.to_string()), Ok("K7Q-X2M-HDP".to_owned()));
    }

    #[test]
    fn invite_links_yield_their_fragment() {
        assert_eq!(
            RoomCode::parse("https://chat.example/#k7q-x2m-hdp"),
            RoomCode::parse("K7QX2MHDP")
        );
    }

    #[test]
    fn named_rooms_display_in_canonical_form() {
        assert_eq!(
            RoomCode::parse("lobby").map(|c| c.to_string()),
            Ok("LOBBY".to_owned())
        );
    }

    #[test]
    fn only_ascii_case_and_separators_are_folded() {
        assert_eq!(
            RoomCode::parse("k7q_x2m.hdp\t"),
            RoomCode::parse("K7QX2MHDP")
        );
        assert_ne!(RoomCode::parse("K7QX2MHD0"), RoomCode::parse("K7QX2MHDO"));
        assert_ne!(RoomCode::parse("AB1"), RoomCode::parse("ABL"));
        assert_ne!(RoomCode::parse("AB1"), RoomCode::parse("ABI"));
        for look_alike in ['К', 'О', 'Ｋ', '\u{2013}', '\u{a0}'] {
            let code = format!("K7Q{look_alike}X2M");
            assert_eq!(
                RoomCode::parse(&code),
                Err(RoomCodeError::BadChar(look_alike))
            );
        }
        let message = RoomCodeError::BadChar('/').to_string();
        for separator in ["dashes", "dots", "underscores", "spaces"] {
            assert!(message.contains(separator), "{message}");
        }
    }

    #[test]
    fn bad_codes_are_refused_with_a_reason() {
        assert_eq!(RoomCode::parse(" - "), Err(RoomCodeError::Empty));
        assert_eq!(RoomCode::parse("abc/def"), Err(RoomCodeError::BadChar('/')));
        assert_eq!(
            RoomCode::parse(&"A".repeat(25)),
            Err(RoomCodeError::TooLong)
        );
    }

    #[test]
    fn generated_codes_avoid_look_alikes_and_use_every_symbol() {
        let mut counter = 0u8;
        let code = RoomCode::generate(|| {
            counter = counter.wrapping_add(37);
            counter
        });
        assert_eq!(code.canonical().len(), RoomCode::GENERATED_LEN);
        assert!(!code.canonical().contains(['0', 'O', '1', 'I', 'L']));
        // Bytes 0..=247 map onto all 31 symbols; 248.. are redrawn.
        let mut next = 0u16;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..40 {
            let code = RoomCode::generate(|| {
                next = (next + 1) % 256;
                next as u8
            });
            seen.extend(code.canonical().bytes());
        }
        assert_eq!(seen.len(), RoomCode::ALPHABET.len());
    }

    proptest! {
        #[test]
        fn generated_codes_round_trip_through_their_display_form(bytes in proptest::collection::vec(0u8..248, 9)) {
            let mut it = bytes.into_iter().cycle();
            let code = RoomCode::generate(|| it.next().unwrap_or(0));
            prop_assert_eq!(RoomCode::parse(&code.to_string()), Ok(code.clone()));
            prop_assert_eq!(RoomCode::parse(&code.to_string().to_lowercase()), Ok(code));
        }

        #[test]
        fn parse_never_panics_and_accepts_only_canonical_symbols(raw in any::<String>()) {
            if let Ok(code) = RoomCode::parse(&raw) {
                prop_assert!(!code.canonical().is_empty());
                prop_assert!(code.canonical().len() <= RoomCode::MAX_CHARS);
                prop_assert!(code.canonical().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            }
        }
    }
}
