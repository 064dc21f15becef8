//! Compact presence changes and batches editing the roster.

use super::*;

#[test]
fn compact_presence_changes_edit_the_roster_and_a_wrong_count_asks_for_the_whole_one() {
    let now = Now::current();
    let mut m = joined(now); // bob, ann
    let roster = |m: &Model| -> Vec<String> {
        let session = m.room.as_ref().expect("in a room");
        session.members.iter().map(|n| n.to_string()).collect()
    };
    let joined = ServerMessage::Joined {
        name: name("cy"),
        count: 3,
    };
    assert_eq!(m.on_message(joined, now), vec![], "the count agrees");
    assert_eq!(roster(&m), ["bob", "ann", "cy"]);
    let left = ServerMessage::Left {
        name: name("BOB"),
        count: 2,
        reconnecting: false,
    };
    assert_eq!(m.on_message(left, now), vec![]);
    assert_eq!(
        roster(&m),
        ["ann", "cy"],
        "the same person, by the name rule"
    );
    // Someone the app never heard of left: its roster is off by one, so it asks.
    let stray = ServerMessage::Left {
        name: name("dee"),
        count: 1,
        reconnecting: false,
    };
    assert_eq!(
        m.on_message(stray, now),
        vec![Effect::Send(ClientMessage::Roster)]
    );
    let whole = ServerMessage::Roster {
        members: vec![name("cy")],
    };
    assert_eq!(m.on_message(whole, now), vec![]);
    assert_eq!(roster(&m), ["cy"]);
}

#[test]
fn a_presence_batch_applies_its_changes_in_order_and_checks_the_count_once() {
    use confab_protocol::PresenceChange::{Joined, Left, Reconnecting};
    let now = Now::current();
    let mut m = joined(now); // bob, ann
    let roster = |m: &Model| -> Vec<String> {
        let session = m.room.as_ref().expect("in a room");
        session.members.iter().map(|n| n.to_string()).collect()
    };
    let batch = ServerMessage::Presence {
        changes: vec![
            Joined(name("cy")),
            Joined(name("dee")),
            Left(name("cy")),
            Reconnecting(name("bob")),
            Joined(name("eve")),
        ],
        count: 3,
    };
    assert_eq!(m.on_message(batch, now), vec![], "the count agrees");
    assert_eq!(roster(&m), ["ann", "dee", "eve"]);
    assert_eq!(
        status_of(&m, "bob"),
        confab_protocol::MemberStatus::Reconnecting
    );
    let off = ServerMessage::Presence {
        changes: vec![Joined(name("fay"))],
        count: 5,
    };
    assert_eq!(
        m.on_message(off, now),
        vec![Effect::Send(ClientMessage::Roster)],
        "a count that disagrees asks for the whole roster"
    );
}
