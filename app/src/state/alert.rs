//! [`Alert`]: what a mention or a whisper that arrived while you were elsewhere says in a
//! system notification. The model decides *whether* something is worth one (a mention of
//! you or a whisper to you, in the background) and *what it may say*; the app only shows it
//! (its notifier). No egui, no platform code.
//!
//! What it may say: a notification is read on lock screens and by whoever stands beside the
//! screen, so message text appears only for a mention in an open room. A whisper is private
//! by definition, and a locked room is a private one: those say who and where, never what
//! ("Open Confab to read it").

use confab_protocol::RoomCode;

use super::room::Room;
use super::timeline::EntryKind;

/// The longest body a notification gets, in characters; longer text ends in "…". Desktop
/// and phone notifications show two or three lines at most.
pub const MAX_BODY_CHARS: usize = 140;

/// The body of a notification that must not show the message.
pub const PRIVATE_BODY: &str = "Open Confab to read it.";

/// Why a notification is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// Someone mentioned you (`@you`, or `you:` starting a line).
    Mention,
    /// Someone whispered to you.
    Whisper,
    /// A resume brought back messages that mention you.
    Missed,
}

/// One system notification, as the model wants it shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Why.
    pub kind: AlertKind,
    /// The room it happened in: notifications of one room replace each other (their tag).
    pub room: RoomCode,
    /// The headline: who and where ("ann mentioned you in K7Q-X2M-HDP").
    pub title: String,
    /// The message, shortened, or [`PRIVATE_BODY`] where the text must not show.
    pub body: String,
}

impl Alert {
    /// The notification for the newest entry of `session`'s timeline, if it is a mention of
    /// you or a whisper to you from someone else.
    pub fn for_newest(session: &Room) -> Option<Self> {
        let entry = session.timeline.entries().back()?;
        let private_room = session.room_state.locked;
        let room = session.room.clone();
        match &entry.kind {
            EntryKind::Chat {
                from,
                text,
                mentions_me: true,
                mine: false,
                ..
            } => Some(Self {
                kind: AlertKind::Mention,
                title: format!("{from} mentioned you in {room}"),
                body: if private_room {
                    PRIVATE_BODY.to_owned()
                } else {
                    shorten(text)
                },
                room,
            }),
            EntryKind::Whisper {
                from, mine: false, ..
            } => Some(Self {
                kind: AlertKind::Whisper,
                title: format!("{from} whispered to you in {room}"),
                body: PRIVATE_BODY.to_owned(),
                room,
            }),
            _ => None,
        }
    }

    /// The notification for mentions a resume brought back: several may have come at once,
    /// so it names none of them.
    pub fn missed(session: &Room) -> Self {
        let room = session.room.clone();
        Self {
            kind: AlertKind::Missed,
            title: format!("You were mentioned in {room} while away"),
            body: PRIVATE_BODY.to_owned(),
            room,
        }
    }
}

/// `text` on one line, at most [`MAX_BODY_CHARS`] characters, ending in "…" when cut.
fn shorten(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX_BODY_CHARS {
        return flat;
    }
    let mut cut: String = flat.chars().take(MAX_BODY_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_the_limit_with_an_ellipsis_and_lines_are_joined() {
        assert_eq!(shorten("a\n  b\tc"), "a b c");
        let long = "x".repeat(500);
        let cut = shorten(&long);
        assert_eq!(cut.chars().count(), MAX_BODY_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "é".repeat(MAX_BODY_CHARS);
        assert_eq!(shorten(&exact), exact, "a text at the limit is kept whole");
    }
}
