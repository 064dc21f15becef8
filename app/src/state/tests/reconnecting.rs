//! A dropped connection: backoff, resume, gaps and the backlog a resume brings.

use super::*;

#[test]
fn a_drop_reconnects_after_backoff_and_resumes_with_token_and_last_seq() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(m.on_closed("reset", now), vec![Effect::Disconnect]);
    assert!(matches!(m.status, ConnectionState::Waiting { .. }));
    assert_eq!(m.tick(now), vec![], "nothing before the backoff delay");
    let later = Now {
        at: now.at + Backoff::MAX,
        wall_ms: now.wall_ms,
    };
    assert_eq!(m.tick(later), vec![Effect::Connect("ws://relay".into())]);
    let resume = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: Some("tok".into()),
        last_seq: Some(2),
    };
    assert_eq!(m.on_opened(), vec![hello(), Effect::Send(resume)]);
}

#[test]
fn a_resume_shows_exactly_the_missed_messages_once() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    // A relay that (wrongly) replays message 2 as well must not cause a duplicate.
    let history = vec![
        chat(2, "bob", "b", None),
        chat(3, "bob", "c", None),
        chat(4, "cy", "d", None),
    ];
    m.on_message(welcome(history, "tok2"), now);
    m.on_message(chat(4, "cy", "d", None), now);
    assert_eq!(seqs(&m), vec![1, 2, 3, 4]);
    assert_eq!(m.status, ConnectionState::Online);
}

#[test]
fn a_gap_after_resume_adds_a_missed_messages_marker() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    m.on_message(welcome(vec![chat(40, "bob", "late", None)], "tok2"), now);
    m.on_message(
        ServerMessage::Gap {
            after: 2,
            resumed_from: 40,
        },
        now,
    );
    let session = m.room.as_ref().expect("in a room");
    let gap_at = session
        .timeline
        .entries()
        .iter()
        .position(|e| matches!(e.kind, EntryKind::Gap { .. }));
    let msg_at = session
        .timeline
        .entries()
        .iter()
        .position(|e| matches!(e.kind, EntryKind::Chat { seq: 40, .. }));
    assert!(gap_at.is_some() && gap_at < msg_at);
}

#[test]
fn a_resume_the_relay_no_longer_knows_marks_missed_messages_and_shows_the_new_backlog() {
    let now = Now::current();
    let mut m = joined(now); // seq 1 and 2 from the relay before it restarted
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    // The restarted relay ignores the unknown token: a fresh join, numbering from 1 again.
    let backlog = vec![chat(1, "cy", "after the restart", None)];
    m.on_message(welcome(backlog, "new-token"), now);
    m.on_message(chat(2, "bob", "still here?", None), now);

    let session = m.room.as_ref().expect("still in the room");
    let kinds: Vec<&EntryKind> = session.timeline.entries().iter().map(|e| &e.kind).collect();
    let marker = kinds
        .iter()
        .position(|k| **k == EntryKind::Discontinuity)
        .expect("a 'messages may have been missed' marker");
    assert_eq!(seqs(&m), vec![1, 2, 1, 2], "nothing dropped as a duplicate");
    let texts: Vec<&str> = kinds[marker + 1..]
        .iter()
        .filter_map(|k| match k {
            EntryKind::Chat { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["after the restart", "still here?"]);
    assert_eq!(m.status, ConnectionState::Online);
    // The next resume uses the new token and the new numbering.
    m.on_closed("reset", now);
    m.reconnect_now(now);
    let resume = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: Some("new-token".into()),
        last_seq: Some(2),
    };
    assert_eq!(m.on_opened(), vec![hello(), Effect::Send(resume)]);
}

#[test]
fn an_expired_token_in_a_living_room_does_not_repeat_the_shown_backlog() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    // Same room, same numbering, but the token had expired: the backlog repeats 1 and 2.
    let backlog = vec![
        chat(1, "bob", "a", None),
        chat(2, "bob", "b", None),
        chat(3, "bob", "c", None),
    ];
    m.on_message(welcome(backlog, "new-token"), now);
    m.on_message(chat(3, "bob", "c", None), now);
    assert_eq!(seqs(&m), vec![1, 2, 3]);
}

#[test]
fn a_typing_stop_right_before_a_chat_clears_the_hint_and_the_chat_shows() {
    let now = Now::current();
    let mut m = joined(now);
    let typing = |active| ServerMessage::Typing {
        name: name("bob"),
        active,
    };
    m.on_message(typing(true), now);
    m.on_message(typing(false), now);
    m.on_message(chat(3, "bob", "done typing", None), now);
    let session = m.room.as_ref().expect("in a room");
    assert!(session.typing.active(now.at).is_empty());
    assert_eq!(seqs(&m), vec![1, 2, 3]);
}
