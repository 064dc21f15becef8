//! The people list of a big room: sorted once per change, never once per read.

use super::*;

fn names(m: &Model) -> Vec<String> {
    let session = m.room.as_ref().expect("in a room");
    (session.roster().iter())
        .map(|e| e.name.as_str().to_owned())
        .collect()
}

#[test]
fn a_thousand_member_roster_is_sorted_once_per_change_not_once_per_frame() {
    let now = Now::current();
    let mut m = joined(now);
    let members: Vec<Username> = (0..1000)
        .rev()
        .map(|i| name(&format!("User{i:04}")))
        .chain([name("ann")])
        .collect();
    m.on_message(ServerMessage::Roster { members }, now);
    let session = m.room.as_ref().expect("in a room");
    let built = session.roster_builds();
    for _ in 0..100 {
        // What a frame reads.
        assert_eq!(session.roster().len(), 1001);
    }
    assert_eq!(session.roster_builds(), built, "reading never sorts");
    let listed = names(&m);
    assert_eq!(listed[..3], ["ann", "User0000", "User0001"]);
    // Messages do not touch the roster; a status does, once.
    m.on_message(chat(3, "User0005", "hi", None), now);
    assert_eq!(m.room.as_ref().map(Room::roster_builds), Some(built));
    m.on_message(
        ServerMessage::Status {
            name: name("user0005"),
            status: MemberStatus::Away,
        },
        now,
    );
    let session = m.room.as_ref().expect("in a room");
    assert_eq!(session.roster_builds(), built + 1);
    let away = &session.roster()[6];
    assert_eq!(
        (away.name.as_str(), away.status),
        ("User0005", MemberStatus::Away)
    );
}

#[test]
fn ignoring_and_a_reconnect_grace_ending_update_the_roster() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_ignored(&name("bob"), true, now);
    let session = m.room.as_ref().expect("in a room");
    assert!(
        session
            .roster()
            .iter()
            .any(|e| e.name == name("bob") && e.ignored)
    );
    m.on_message(
        ServerMessage::Left {
            name: name("bob"),
            count: 1,
            reconnecting: true,
        },
        now,
    );
    assert_eq!(
        names(&m),
        ["ann", "bob"],
        "bob is still listed, reconnecting"
    );
    m.tick(now);
    let grace = Duration::from_millis(limits().room_grace_ms + 1);
    m.tick(Now {
        at: now.at + grace,
        wall_ms: now.wall_ms,
    });
    assert_eq!(names(&m), ["ann"], "the grace period ended");
}
