//! What a resume does with messages sent just before the connection dropped.

use super::*;

/// `joined` as ann, who sends `texts` (still awaiting their echo) before the connection
/// drops and a new one opens for the resume.
fn dropped_while_sending(texts: &[&str], now: Now) -> Model {
    let mut m = joined(now);
    for text in texts {
        m.room.as_mut().expect("in a room").composer.draft = (*text).into();
        assert!(!m.send_draft(now).is_empty(), "{text:?} is sent");
    }
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    m
}

fn composer(m: &Model) -> &Composer {
    &m.room.as_ref().expect("in a room").composer
}

fn mine(m: &Model) -> Vec<String> {
    let session = m.room.as_ref().expect("in a room");
    (session.timeline.entries().iter())
        .filter_map(|e| match &e.kind {
            EntryKind::Chat {
                mine: true, text, ..
            } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_message_the_replayed_history_shows_is_not_offered_again_after_a_resume() {
    let now = Now::current();
    let mut m = dropped_while_sending(&["hello", "are you there?"], now);
    // The relay had both; today's relays replay history without `client_id`.
    let history = vec![
        chat(3, "ann", "hello", None),
        chat(4, "bob", "hi", None),
        chat(5, "ann", "are you there?", None),
    ];
    m.on_message(welcome(history, "tok"), now);
    assert_eq!(composer(&m).pending().count(), 0);
    assert_eq!(composer(&m).draft, "", "nothing goes back to the draft");
    assert_eq!(composer(&m).error, None);
    assert_eq!(mine(&m), ["hello", "are you there?"], "each shown once");
}

#[test]
fn a_replayed_message_with_a_client_id_is_matched_by_it() {
    let now = Now::current();
    let mut m = dropped_while_sending(&["same", "same"], now);
    m.on_message(welcome(vec![chat(3, "ann", "same", Some(2))], "tok"), now);
    assert_eq!(composer(&m).pending().count(), 0);
    assert_eq!(
        composer(&m).draft,
        "same",
        "message 1 never reached the relay"
    );
}

#[test]
fn only_messages_the_relay_does_not_have_go_back_to_the_draft() {
    let now = Now::current();
    let mut m = dropped_while_sending(&["first", "lost"], now);
    m.on_message(welcome(vec![chat(3, "ann", "first", None)], "tok"), now);
    assert_eq!(composer(&m).pending().count(), 0);
    assert_eq!(composer(&m).draft, "lost");
    assert!(
        (composer(&m).error.as_deref()).is_some_and(|e| e.contains("connection dropped")),
        "{:?}",
        composer(&m).error
    );
}

#[test]
fn a_message_from_someone_else_with_the_same_words_confirms_nothing() {
    let now = Now::current();
    let mut m = dropped_while_sending(&["ok"], now);
    m.on_message(welcome(vec![chat(3, "bob", "ok", None)], "tok"), now);
    assert_eq!(composer(&m).draft, "ok", "ann's own ok never arrived");
}

#[test]
fn while_reconnecting_the_message_waits_instead_of_filling_the_draft() {
    let now = Now::current();
    let m = dropped_while_sending(&["hello"], now);
    assert_eq!(composer(&m).draft, "");
    assert_eq!(composer(&m).pending().count(), 1);
}

#[test]
fn a_room_that_ended_during_the_drop_gives_the_words_back() {
    let now = Now::current();
    let mut m = dropped_while_sending(&["hello"], now);
    m.on_message(
        ServerMessage::error(ErrorCode::RoomNotFound, "no such room"),
        now,
    );
    assert!(matches!(m.status, ConnectionState::Ended { .. }));
    assert_eq!(composer(&m).draft, "hello");
}
