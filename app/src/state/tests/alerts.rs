//! What raises a system notification, and what it may say: mentions and whispers in the
//! background only, no message text where the room or the message is private.

use confab_protocol::{RoomState, WhisperMessage};

use super::*;
use crate::state::alert::PRIVATE_BODY;

fn whisper(from: &str, to: &str, text: &str) -> ServerMessage {
    ServerMessage::Whisper(WhisperMessage {
        from: name(from),
        to: name(to),
        text: text.into(),
        ts: 9,
        client_id: None,
    })
}

fn the_alert(effects: &[Effect]) -> &Alert {
    let mut alerts = effects.iter().filter_map(|e| match e {
        Effect::Alert(alert) => Some(alert),
        _ => None,
    });
    let alert = alerts.next().expect("a notification");
    assert!(alerts.next().is_none(), "one notification: {effects:?}");
    alert
}

#[test]
fn a_mention_in_the_background_notifies_with_who_where_and_the_text() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_focused(false);
    let effects = m.on_message(chat(3, "bob", "@ann lunch\nat noon?", None), now);
    let alert = the_alert(&effects);
    assert_eq!(alert.kind, AlertKind::Mention);
    assert_eq!(alert.room, room());
    assert_eq!(alert.title, "bob mentioned you in K7Q-X2M-HDP");
    assert_eq!(alert.body, "@ann lunch at noon?");
}

#[test]
fn a_whisper_in_the_background_notifies_without_its_text() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_focused(false);
    let effects = m.on_message(whisper("bob", "ann", "the door code is 4711"), now);
    let alert = the_alert(&effects);
    assert_eq!(alert.kind, AlertKind::Whisper);
    assert_eq!(alert.title, "bob whispered to you in K7Q-X2M-HDP");
    assert_eq!(alert.body, PRIVATE_BODY);
    assert!(!alert.body.contains("4711"));
}

#[test]
fn a_mention_in_a_locked_room_notifies_without_its_text() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_message(
        ServerMessage::RoomState(RoomState {
            owner: Some(name("bob")),
            locked: true,
        }),
        now,
    );
    m.set_focused(false);
    let effects = m.on_message(chat(3, "bob", "@ann the plan is secret", None), now);
    let alert = the_alert(&effects);
    assert_eq!(alert.kind, AlertKind::Mention);
    assert_eq!(alert.body, PRIVATE_BODY);
}

#[test]
fn nothing_notifies_while_the_window_has_focus() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(
        alert_kinds(&m.on_message(chat(3, "bob", "@ann hi", None), now)),
        vec![]
    );
    assert_eq!(
        alert_kinds(&m.on_message(whisper("bob", "ann", "psst"), now)),
        vec![]
    );
}

#[test]
fn plain_messages_and_my_own_whispers_do_not_notify() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_focused(false);
    assert_eq!(
        alert_kinds(&m.on_message(chat(3, "bob", "hello all", None), now)),
        vec![]
    );
    // My whisper's echo, seen in another window of mine while this one is in the background.
    assert_eq!(
        alert_kinds(&m.on_message(whisper("ann", "bob", "see you"), now)),
        vec![]
    );
    // "@ann" written by me is not a mention of me.
    assert_eq!(
        alert_kinds(&m.on_message(chat(4, "ann", "I am @ann", None), now)),
        vec![]
    );
}

#[test]
fn an_ignored_members_mention_and_whisper_do_not_notify() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_ignored(&name("bob"), true, now);
    m.set_focused(false);
    assert_eq!(
        alert_kinds(&m.on_message(chat(3, "bob", "@ann hey", None), now)),
        vec![]
    );
    assert_eq!(
        alert_kinds(&m.on_message(whisper("bob", "ann", "hey"), now)),
        vec![]
    );
}

#[test]
fn mentions_a_resume_brings_back_notify_once_without_text() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_focused(false);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    let history = vec![
        chat(3, "cy", "@ann one", None),
        chat(4, "cy", "@ann two", None),
    ];
    let effects = m.on_message(welcome(history, "tok"), now);
    let alert = the_alert(&effects);
    assert_eq!(alert.kind, AlertKind::Missed);
    assert_eq!(alert.body, PRIVATE_BODY);
    assert!(alert.title.contains("K7Q-X2M-HDP"), "{}", alert.title);
}
