//! Away and back, reconnecting members, ignoring, ownership, the lock and removal.

use super::*;

fn presence_lines(m: &Model) -> usize {
    let session = m.room.as_ref().expect("in a room");
    session
        .timeline
        .entries()
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Presence { .. }))
        .count()
}

#[test]
fn away_is_sent_once_confirmed_by_the_echo_and_sent_again_after_a_reconnect() {
    use confab_protocol::MemberStatus::{Away, Online};
    let now = Now::current();
    let mut m = joined(now);
    m.room.as_mut().expect("in a room").composer.draft = "/away".into();
    assert_eq!(
        m.send_draft(now),
        vec![Effect::Send(ClientMessage::Status { status: Away })]
    );
    assert_eq!(
        m.tick(now),
        vec![],
        "not repeated while the echo is on its way"
    );
    let echo = ServerMessage::Status {
        name: name("ann"),
        status: Away,
    };
    m.on_message(echo, now);
    assert_eq!(status_of(&m, "ann"), Away);
    assert_eq!(m.tick(later(now, presence::STATUS_RETRY * 2)), vec![]);
    // A new connection starts online on the relay: away goes again after the welcome.
    m.on_closed("reset", now);
    m.on_message(welcome(vec![], "tok"), now);
    let resent = m.tick(later(now, presence::STATUS_RETRY * 3));
    assert_eq!(
        resent,
        vec![Effect::Send(ClientMessage::Status { status: Away })]
    );
    assert_eq!(m.my_status.wanted(), Away);
    m.choose_status(Online, now);
    assert_eq!(m.my_status.wanted(), Online);
}

#[test]
fn idling_turns_into_away_and_the_next_input_brings_you_back() {
    use confab_protocol::MemberStatus::{Away, Online};
    let now = Now::current();
    let mut m = joined(now);
    m.activity(now);
    assert_eq!(m.tick(later(now, presence::AWAY_AFTER / 2)), vec![]);
    assert_eq!(
        m.next_wakeup(now),
        Some(now.at + presence::AWAY_AFTER),
        "the app wakes for it: no polling"
    );
    let idle = later(now, presence::AWAY_AFTER);
    assert_eq!(
        m.tick(idle),
        vec![Effect::Send(ClientMessage::Status { status: Away })]
    );
    m.on_message(
        ServerMessage::Status {
            name: name("ann"),
            status: Away,
        },
        idle,
    );
    let back = later(idle, Duration::from_secs(1));
    m.activity(back);
    assert_eq!(
        m.tick(back),
        vec![Effect::Send(ClientMessage::Status { status: Online })]
    );
}

#[test]
fn a_dropped_member_shows_as_reconnecting_without_notices_until_the_grace_ends() {
    use confab_protocol::MemberStatus::{Online, Reconnecting};
    let now = Now::current();
    let mut m = joined(now); // bob, ann
    let before = presence_lines(&m);
    let dropped = ServerMessage::Left {
        name: name("bob"),
        count: 1,
        reconnecting: true,
    };
    m.on_message(dropped, now);
    assert_eq!(status_of(&m, "bob"), Reconnecting);
    assert_eq!(presence_lines(&m), before, "no 'left' line for a drop");
    let roster = m.room.as_ref().expect("in a room").roster();
    assert_eq!(roster.last().map(|e| e.status), Some(Reconnecting));
    m.on_message(
        ServerMessage::Joined {
            name: name("bob"),
            count: 2,
        },
        now,
    );
    assert_eq!(status_of(&m, "bob"), Online);
    assert_eq!(presence_lines(&m), before, "no 'joined' line for a return");
    // Dropped again and never back: the status ends with the grace period.
    let dropped = ServerMessage::Left {
        name: name("bob"),
        count: 1,
        reconnecting: true,
    };
    m.on_message(dropped, now);
    m.tick(now);
    let grace = Duration::from_millis(limits().room_grace_ms);
    m.tick(later(now, grace + Duration::from_millis(1)));
    assert_eq!(status_of(&m, "bob"), Online, "no longer listed at all");
    let roster = m.room.as_ref().expect("in a room").roster();
    assert_eq!(roster.len(), 1);
}

#[test]
fn an_ignored_member_is_hidden_until_unignored() {
    let now = Now::current();
    let mut m = joined(now);
    let session = m.room.as_mut().expect("in a room");
    session.composer.draft = "/ignore BOB".into();
    assert_eq!(m.send_draft(now), vec![], "ignoring sends nothing");
    m.on_message(chat(3, "bob", "spam", None), now);
    m.on_message(
        ServerMessage::Typing {
            name: name("bob"),
            active: true,
        },
        now,
    );
    let session = m.room.as_ref().expect("in a room");
    assert!(session.typing.active(now.at).is_empty());
    assert_eq!(seqs(&m), [1, 2]);
    assert!(session.roster().iter().any(|e| e.ignored));
    m.set_ignored(&name("bob"), false, now);
    m.on_message(chat(4, "bob", "hello again", None), now);
    assert_eq!(seqs(&m), [1, 2, 4]);
}

#[test]
fn ownership_and_the_lock_are_followed_and_a_removal_ends_the_room_for_you() {
    let now = Now::current();
    let mut m = joined(now);
    let state = confab_protocol::RoomState {
        owner: Some(name("ann")),
        locked: true,
    };
    m.on_message(ServerMessage::RoomState(state), now);
    let session = m.room.as_ref().expect("in a room");
    assert!(session.i_own_the_room() && session.room_state.locked);
    assert_eq!(
        m.remove_member(name("bob")),
        vec![Effect::Send(ClientMessage::Remove { name: name("bob") })]
    );
    // Removed: the relay closes; the resume is refused with `removed`, and that is final.
    m.on_closed("the server closed the connection", now);
    m.tick(later(now, Backoff::MAX));
    m.on_opened();
    let refusal = ServerMessage::Error(ErrorMessage {
        code: ErrorCode::Removed,
        message: "you were removed from this room; try again later".into(),
        client_id: None,
        retry_after_ms: None,
    });
    m.on_message(refusal, now);
    let ConnectionState::Ended { reason } = &m.status else {
        panic!("expected the room to end, got {:?}", m.status);
    };
    assert!(reason.contains("removed you"), "{reason}");
}
