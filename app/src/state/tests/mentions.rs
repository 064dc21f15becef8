//! When a message counts as unread and rings: mentions on purpose only, missed ones too.

use super::*;

/// `joined` as ann with the window in the background, then a drop and a new connection
/// that is about to resume.
fn away_and_reconnecting(now: Now) -> Model {
    let mut m = joined(now);
    m.set_focused(false);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    m
}

#[test]
fn messages_replayed_on_resume_count_as_unread_and_a_mention_rings() {
    let now = Now::current();
    let mut m = away_and_reconnecting(now);
    let history = vec![
        chat(3, "bob", "plain", None),
        chat(4, "ann", "mine", None),
        chat(5, "cy", "@ann are you there?", None),
    ];
    let effects = m.on_message(welcome(history, "tok"), now);
    assert_eq!(alert_kinds(&effects), vec![AlertKind::Missed]);
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(m.unread, 2, "others' messages, not your own");
}

#[test]
fn replayed_messages_without_a_mention_count_but_do_not_ring() {
    let now = Now::current();
    let mut m = away_and_reconnecting(now);
    let effects = m.on_message(welcome(vec![chat(3, "bob", "plain", None)], "tok"), now);
    assert_eq!(effects, vec![]);
    assert_eq!(m.unread, 1);
}

#[test]
fn a_focused_window_counts_nothing_on_resume() {
    let now = Now::current();
    let mut m = away_and_reconnecting(now);
    m.set_focused(true);
    let history = vec![chat(3, "bob", "@ann hi", None)];
    assert_eq!(m.on_message(welcome(history, "tok"), now), vec![]);
    assert_eq!(m.unread, 0);
}

#[test]
fn a_plain_word_equal_to_your_name_does_not_ring() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_focused(false);
    assert_eq!(
        m.on_message(chat(3, "bob", "ann is here", None), now),
        vec![]
    );
    assert_eq!(
        alert_kinds(&m.on_message(chat(4, "bob", "Ann: look", None), now)),
        vec![AlertKind::Mention],
        "the name starting a line, then a colon, addresses you"
    );
    assert_eq!(
        alert_kinds(&m.on_message(chat(5, "bob", "thanks @ANN", None), now)),
        vec![AlertKind::Mention]
    );
    assert_eq!(m.unread, 3);
}
