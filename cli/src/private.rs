//! Private rooms in the console: the words this client shows for them. The rules (what
//! is sealed before sending, what is opened on arrival, when a room cannot be used) are
//! the protocol crate's [`Sealing`], shared with the app; this module only says things.
//! No I/O.

use confab_protocol::Invite;
pub use confab_protocol::private::{Sealing, SealingError};

/// What is shown instead of a message that does not open.
pub const UNREADABLE: &str = "[could not decrypt: tampered or wrong key]";

/// The lines to tell the person on entering a private room: the safety code, and for a
/// room we created (`created`: the relay's address and `welcome.page_url`), the invite
/// link that carries its key. Nothing for an open room.
pub fn notices(sealing: &Sealing, created: Option<(&str, Option<&str>)>) -> Vec<String> {
    let (Sealing::Private(room), Some(key)) = (sealing, sealing.key()) else {
        return Vec::new();
    };
    let mut lines = vec![format!(
        "private room (end-to-end encrypted): safety code {} (compare it by voice)",
        key.safety_code()
    )];
    if let Some((relay, page)) = created {
        let invite = Invite {
            relay: Some(relay.to_owned()),
            code: room.room().clone(),
            key: Some(key.clone()),
        };
        lines.push(format!(
            "invite link (it holds the key: share it privately): {}",
            invite.link(page)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use confab_protocol::private::RoomKey;
    use confab_protocol::{Limits, RoomCode, RoomState, Username, WelcomeMessage};

    use super::*;

    fn welcome(key: &RoomKey) -> WelcomeMessage {
        WelcomeMessage {
            room: RoomCode::parse("K7QX2MHDP").expect("valid code"),
            you: Username::parse("ann").expect("valid name"),
            members: vec![],
            history: Vec::new(),
            resume_token: "t".into(),
            limits: Limits {
                max_text_chars: 400,
                ..Limits::example()
            },
            page_url: None,
            statuses: vec![],
            room_state: RoomState::default(),
            verify_key: Some(key.verify_key()),
        }
    }

    #[test]
    fn the_creator_is_shown_the_safety_code_and_a_link_that_carries_the_key() {
        let key = RoomKey::from_bytes([1; 32]);
        let sealing = Sealing::for_welcome(&welcome(&key), Some(&key)).expect("our key");
        let lines = notices(&sealing, Some(("ws://127.0.0.1:9001", None)));
        assert!(lines[0].contains(&key.safety_code()), "{lines:?}");
        let link = lines[1].rsplit(' ').next().unwrap_or_default();
        let invite = Invite::parse(link).expect("a link");
        assert_eq!(invite.key, Some(key));
        assert_eq!(invite.relay.as_deref(), Some("ws://127.0.0.1:9001"));
    }

    #[test]
    fn an_open_room_has_nothing_to_say() {
        assert!(notices(&Sealing::Open, Some(("ws://h", None))).is_empty());
    }
}
