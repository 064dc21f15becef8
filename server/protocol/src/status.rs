//! A member's status as others see it: online, away or reconnecting.

use serde::{Deserialize, Serialize};

/// Whether a member is there. JSON: `"online"`, `"away"` or `"reconnecting"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Connected and (as far as their client knows) paying attention.
    #[default]
    Online,
    /// Connected but away: set by the person, or by their client after some minutes
    /// without focus or input.
    Away,
    /// The connection dropped; the name is reserved for a resume within the grace period.
    /// Only the relay reports this; a client cannot set it.
    Reconnecting,
}

impl MemberStatus {
    /// The word a roster shows next to the dot (never colour alone).
    pub fn label(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Reconnecting => "reconnecting",
        }
    }

    /// Whether a client may ask for this status (`reconnecting` is the relay's to say).
    pub fn settable(self) -> bool {
        self != Self::Reconnecting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_lowercase_words() {
        for status in [
            MemberStatus::Online,
            MemberStatus::Away,
            MemberStatus::Reconnecting,
        ] {
            let json = serde_json::to_string(&status).expect("encodes");
            assert_eq!(json, format!("\"{}\"", status.label()));
            let back: MemberStatus = serde_json::from_str(&json).expect("decodes");
            assert_eq!(back, status);
        }
        assert!(!MemberStatus::Reconnecting.settable());
        assert!(MemberStatus::Away.settable());
    }
}
