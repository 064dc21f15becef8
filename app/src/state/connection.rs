//! Where the connection is at ([`ConnectionState`]) and what the connection chip says for each: the
//! one place a connection state becomes words, so the same state never shows two
//! different labels.
//!
//! A dropped connection goes Waiting → Connecting → Joining → Waiting… while it retries;
//! to the person all of that is one thing, "reconnecting", so every step of it says so.
//! "Offline" is kept for no connection wanted at all. No egui: the view picks colours from
//! [`Tone`].

use web_time::Instant;

/// Where the connection is at. Always shown on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// No connection, none wanted (join screen).
    Offline,
    /// The socket is opening.
    Connecting,
    /// `create`/`join` sent, waiting for `welcome`.
    Joining,
    /// In the room.
    Online,
    /// The connection dropped; the next attempt starts at `retry_at`.
    Waiting {
        /// When the next attempt starts.
        retry_at: Instant,
        /// Why the last one ended, for people.
        reason: String,
    },
    /// The room is over for this session: it no longer exists (the relay restarted), or a
    /// resume was refused for good. The transcript stays readable; nothing reconnects until
    /// the person creates a new room ([`super::Model::new_room`]) or leaves.
    Ended {
        /// What happened, in words that name the room and never blame the person.
        reason: String,
    },
}

/// How a connection state should look beside its words; the view chooses the colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// In the room and connected.
    Good,
    /// A connection attempt is under way.
    Trying,
    /// The connection is lost and the next attempt is scheduled.
    Lost,
    /// Nothing is happening or will happen by itself (offline, room closed).
    Idle,
}

/// The words and tone for a connection state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLabel {
    /// What the chip says.
    pub text: String,
    /// How it looks.
    pub tone: Tone,
}

impl ConnectionState {
    /// The chip's label for this state at `now` (the countdown to the next attempt).
    pub fn label(&self, now: Instant) -> ConnectionLabel {
        let (text, tone) = match self {
            ConnectionState::Online => ("Connected".to_owned(), Tone::Good),
            ConnectionState::Connecting | ConnectionState::Joining => {
                ("Reconnecting…".to_owned(), Tone::Trying)
            }
            ConnectionState::Waiting { retry_at, .. } => {
                let secs = retry_at.saturating_duration_since(now).as_secs_f32().ceil();
                (format!("Reconnecting in {secs:.0} s"), Tone::Lost)
            }
            ConnectionState::Offline => ("Offline".to_owned(), Tone::Idle),
            ConnectionState::Ended { .. } => ("Room closed".to_owned(), Tone::Idle),
        };
        ConnectionLabel { text, tone }
    }
}

#[cfg(test)]
mod tests {
    use web_time::Duration;

    use super::*;

    #[test]
    fn every_step_of_a_reconnect_says_reconnecting_and_only_no_connection_says_offline() {
        let now = Instant::now();
        let waiting = ConnectionState::Waiting {
            retry_at: now + Duration::from_millis(4_200),
            reason: "reset".into(),
        };
        let ended = ConnectionState::Ended {
            reason: "gone".into(),
        };
        let said = |s: &ConnectionState| s.label(now);
        assert_eq!(said(&ConnectionState::Online).text, "Connected");
        assert_eq!(said(&ConnectionState::Connecting).text, "Reconnecting…");
        assert_eq!(said(&ConnectionState::Joining).text, "Reconnecting…");
        assert_eq!(said(&waiting).text, "Reconnecting in 5 s");
        assert_eq!(said(&ConnectionState::Offline).text, "Offline");
        assert_eq!(said(&ended).text, "Room closed");
        for retrying in [
            ConnectionState::Connecting,
            ConnectionState::Joining,
            waiting,
        ] {
            assert!(!said(&retrying).text.contains("Offline"), "{retrying:?}");
        }
    }

    #[test]
    fn each_state_has_its_tone() {
        let now = Instant::now();
        let waiting = ConnectionState::Waiting {
            retry_at: now,
            reason: String::new(),
        };
        assert_eq!(ConnectionState::Online.label(now).tone, Tone::Good);
        assert_eq!(ConnectionState::Joining.label(now).tone, Tone::Trying);
        assert_eq!(waiting.label(now).tone, Tone::Lost);
        assert_eq!(ConnectionState::Offline.label(now).tone, Tone::Idle);
    }
}
