use super::*;
use crate::outbox::{Delivery, Inbox, outbox};
use crate::rooms::cluster::bus::{Envelope, Event, Origin};

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn code() -> RoomCode {
    RoomCode::parse("TEST").expect("valid code")
}

fn left(ev: u64, who: &str) -> Envelope {
    Envelope {
        ev,
        event: Event::Left {
            name: name(who),
            count: 0,
            reconnecting: false,
        },
    }
}

fn rooms_with(capacity: usize, members: &[(ConnId, &str)]) -> (LocalRooms, Vec<Inbox>) {
    let rooms = LocalRooms::new("me".into(), Arc::default());
    let (room, _) = rooms.get_or_make(&code());
    let mut inboxes = Vec::new();
    for &(conn, who) in members {
        let (tx, rx) = outbox(capacity);
        lock(&room).add_pending(conn, name(who), tx, PresenceForm::Full, capacity);
        inboxes.push(rx);
    }
    (rooms, inboxes)
}

fn texts(inbox: &mut Inbox) -> Vec<String> {
    std::iter::from_fn(|| inbox.try_next())
        .map(|frame| frame.to_string())
        .collect()
}

#[test]
fn a_pending_member_gets_its_welcome_first_then_only_the_events_after_its_join() {
    let (rooms, mut inboxes) = rooms_with(8, &[(1, "ann")]);
    // Events 4 (before ann's join, numbered 5), her own join and 6, 7 (after) arrive
    // before the reply.
    for ev in [4, 5, 6, 7] {
        let event = if ev == 5 {
            own_join(5, "ann", 1, &["ann"])
        } else {
            left(ev, &format!("x{ev}"))
        };
        assert!(rooms.deliver(&code(), &event).evicted.is_empty());
    }
    assert!(
        texts(&mut inboxes[0]).is_empty(),
        "nothing before the welcome"
    );
    let room = rooms.get(&code()).expect("room");
    let welcome = Utf8Bytes::from_static("WELCOME");
    assert!(lock(&room).go_live(1, (5, &[]), 0, "token", &[welcome]));
    assert!(rooms.deliver(&code(), &left(8, "x8")).evicted.is_empty());
    let seen = texts(&mut inboxes[0]);
    assert_eq!(seen[0], "WELCOME");
    let names: Vec<bool> = ["x4", "x6", "x7", "x8"]
        .iter()
        .map(|who| seen.iter().any(|f| f.contains(who)))
        .collect();
    assert_eq!(names, [false, true, true, true], "{seen:?}");
    assert!(
        seen[1].contains("x6") && seen[2].contains("x7"),
        "in order: {seen:?}"
    );
}

#[tokio::test]
async fn a_full_pending_buffer_evicts_only_that_member() {
    let (rooms, mut inboxes) = rooms_with(2, &[(1, "slow"), (2, "live")]);
    let room = rooms.get(&code()).expect("room");
    assert!(lock(&room).go_live(2, (0, &[]), 0, "t", &[]));
    let mut evicted = Vec::new();
    // Frames (not presence changes, which a member still joining holds as one entry).
    for ev in 1..=3 {
        let away = Envelope {
            ev,
            event: Event::Status {
                name: name("x"),
                status: confab_protocol::MemberStatus::Away,
            },
        };
        evicted.extend(rooms.deliver(&code(), &away).evicted);
        // The live member reads as it goes, so only the pending one falls behind.
        let _ = texts(&mut inboxes[1]);
    }
    assert_eq!(
        evicted,
        [Evicted {
            code: code(),
            key: "slow".into(),
            conn: 1
        }]
    );
    assert_eq!(
        inboxes[0].next().await,
        Delivery::Kicked(Kick::SlowConsumer)
    );
    assert_eq!(lock(&room).members.len(), 1);
}

/// Event `ev`: `who` joined on `relay`'s connection `conn`; `roster` is the room after it.
fn join_event(ev: u64, who: &str, (relay, conn): (&str, ConnId), roster: &[&str]) -> Envelope {
    Envelope {
        ev,
        event: Event::Joined {
            name: name(who),
            count: roster.len(),
            origin: Origin {
                relay: relay.into(),
                conn: conn.to_string(),
            },
        },
    }
}

/// Event `ev`: `who` joined on another relay.
fn joined(ev: u64, who: &str, roster: &[&str]) -> Envelope {
    join_event(ev, who, ("elsewhere", 1), roster)
}

/// Event `ev`: `who` joined on this relay's connection `conn`.
fn own_join(ev: u64, who: &str, conn: ConnId, roster: &[&str]) -> Envelope {
    join_event(ev, who, ("me", conn), roster)
}

/// The `presence` frames among `frames`, as (names joined, count).
fn presence_frames(frames: &[String]) -> Vec<(Vec<String>, usize)> {
    frames
        .iter()
        .filter_map(|f| match ServerMessage::from_json(f) {
            Ok(ServerMessage::Presence { changes, count }) => Some((
                changes
                    .iter()
                    .map(|c| match c {
                        PresenceChange::Joined(n) => n.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect(),
                count,
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_joins_reaches_a_batched_member_in_two_frames_in_cluster_mode_too() {
    let rooms = LocalRooms::new("me".into(), Arc::default());
    let (room, _) = rooms.get_or_make(&code());
    let (tx, mut inbox) = outbox(64);
    lock(&room).add_pending(7, name("ann"), tx, PresenceForm::Batches, 64);
    assert!(lock(&room).go_live(7, (1, &[]), 0, "t", &[]));
    let mut roster = vec!["ann".to_owned()];
    let mut due = None;
    for i in 0..40u64 {
        roster.push(format!("m{i}"));
        let names: Vec<&str> = roster.iter().map(String::as_str).collect();
        let delivered = rooms.deliver(&code(), &joined(2 + i, &format!("m{i}"), &names));
        assert!(delivered.evicted.is_empty());
        due = due.or(delivered.batch_at);
    }
    let first = presence_frames(&texts(&mut inbox));
    assert_eq!(
        first,
        [(vec!["m0".to_owned()], 2)],
        "the first goes out at once"
    );
    let due = due.expect("a timer for the rest");
    tokio::time::sleep_until(due).await;
    assert!(rooms.send_batch(&code()).evicted.is_empty());
    let rest = presence_frames(&texts(&mut inbox));
    let expected: Vec<String> = (1..40).map(|i| format!("m{i}")).collect();
    assert_eq!(rest, [(expected, 41)], "the other 39 in one frame");
}

#[tokio::test(start_paused = true)]
async fn a_batched_member_still_joining_gets_only_the_changes_after_its_own_join() {
    let rooms = LocalRooms::new("me".into(), Arc::default());
    let (room, _) = rooms.get_or_make(&code());
    let (tx, mut live_inbox) = outbox(64);
    lock(&room).add_pending(1, name("ann"), tx, PresenceForm::Batches, 64);
    assert!(lock(&room).go_live(1, (1, &[]), 0, "t", &[]));
    let (tx, mut pending_inbox) = outbox(64);
    lock(&room).add_pending(2, name("bob"), tx, PresenceForm::Batches, 64);
    // Events 2 and 3 come before bob's join (event 4) is answered, 5 after it.
    for (ev, who) in [(2, "x2"), (3, "x3"), (4, "bob"), (5, "x5")] {
        let event = if who == "bob" {
            own_join(ev, who, 2, &["ann", who])
        } else {
            joined(ev, who, &["ann", who])
        };
        assert!(rooms.deliver(&code(), &event).evicted.is_empty());
    }
    tokio::time::advance(crate::presence::BATCH_INTERVAL).await;
    assert!(rooms.send_batch(&code()).evicted.is_empty());
    assert!(
        texts(&mut pending_inbox).is_empty(),
        "nothing before the welcome"
    );
    let welcome = Utf8Bytes::from_static("WELCOME");
    assert!(lock(&room).go_live(2, (4, &[]), 0, "t", &[welcome]));
    let seen = texts(&mut pending_inbox);
    assert_eq!(seen[0], "WELCOME");
    let after = presence_frames(&seen[1..]);
    assert_eq!(after, [(vec!["x5".to_owned()], 2)], "{seen:?}");
    let live: Vec<String> = presence_frames(&texts(&mut live_inbox))
        .into_iter()
        .flat_map(|(names, _)| names)
        .collect();
    assert_eq!(
        live,
        ["x2", "x3", "bob", "x5"],
        "the live member hears every change once"
    );
}

#[tokio::test(start_paused = true)]
async fn a_crowd_arriving_while_a_batched_member_joins_takes_one_place_in_its_queue() {
    let rooms = LocalRooms::new("me".into(), Arc::default());
    let (room, _) = rooms.get_or_make(&code());
    let (tx, mut inbox) = outbox(2);
    lock(&room).add_pending(1, name("ann"), tx, PresenceForm::Batches, 2);
    let mut roster = vec!["ann".to_owned()];
    // Forty batches go out while ann's join is answered, far more than her queue holds.
    for i in 0..40u64 {
        roster.push(format!("m{i}"));
        let names: Vec<&str> = roster.iter().map(String::as_str).collect();
        let delivered = rooms.deliver(&code(), &joined(1 + i, &format!("m{i}"), &names));
        assert!(delivered.evicted.is_empty(), "ann is not evicted");
        tokio::time::advance(crate::presence::BATCH_INTERVAL).await;
        assert!(rooms.send_batch(&code()).evicted.is_empty());
    }
    // Her join was event 20: her welcome shows m0 to m19.
    let welcome = Utf8Bytes::from_static("WELCOME");
    assert!(lock(&room).go_live(1, (20, &[]), 0, "t", &[welcome]));
    let seen = texts(&mut inbox);
    assert_eq!(seen[0], "WELCOME");
    let expected: Vec<String> = (20..40).map(|i| format!("m{i}")).collect();
    assert_eq!(presence_frames(&seen[1..]), [(expected, 41)]);
}

#[tokio::test]
async fn a_hole_in_a_rooms_event_numbers_sends_its_local_members_to_resume() {
    let (rooms, mut inboxes) = rooms_with(8, &[(1, "ann"), (2, "bob")]);
    let room = rooms.get(&code()).expect("room");
    assert!(lock(&room).go_live(1, (1, &[]), 3, "ann-token", &[]));
    assert!(lock(&room).go_live(2, (1, &[]), 3, "bob-token", &[]));
    for ev in [2, 3] {
        assert!(rooms.deliver(&code(), &left(ev, "x")).resync.is_empty());
    }
    // Event 4 never came: 5 shows the hole.
    let delivered = rooms.deliver(&code(), &left(5, "x5"));
    let tokens: Vec<&str> = delivered.resync.iter().map(|k| k.token.as_str()).collect();
    assert_eq!(tokens, ["ann-token", "bob-token"]);
    assert!(delivered.resync.iter().all(|k| k.last_seq == 3));
    for inbox in &mut inboxes {
        let _ = texts(inbox);
        assert_eq!(inbox.next().await, Delivery::Kicked(Kick::Resync));
    }
    assert!(lock(&room).members.is_empty());
}

/// The `member_joined` frames among `frames`, as (who, the roster it carries).
fn joins_heard(frames: &[String]) -> Vec<(String, Vec<String>)> {
    frames
        .iter()
        .filter_map(|f| match ServerMessage::from_json(f) {
            Ok(ServerMessage::MemberJoined { name, members }) => Some((
                name.to_string(),
                members.iter().map(ToString::to_string).collect(),
            )),
            _ => None,
        })
        .collect()
}

fn roster_of(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn whole_roster_members_hear_the_roster_the_relay_keeps_from_one_name_per_change() {
    let rooms = LocalRooms::new("me".into(), Arc::default());
    let (room, _) = rooms.get_or_make(&code());
    let (tx, mut ann) = outbox(16);
    lock(&room).add_pending(1, name("ann"), tx, PresenceForm::Full, 16);
    assert!(lock(&room).seed_roster(&[name("ann")], 1));
    assert!(lock(&room).go_live(1, (1, &[name("ann")]), 0, "t", &[]));
    // cy joins here (event 4) while bob (3, before it) and dee (5, after) join elsewhere.
    let (tx, mut cy) = outbox(16);
    lock(&room).add_pending(2, name("cy"), tx, PresenceForm::Full, 16);
    for event in [
        joined(3, "bob", &["ann", "bob"]),
        own_join(4, "cy", 2, &["ann", "bob", "cy"]),
        joined(5, "dee", &["ann", "bob", "cy", "dee"]),
    ] {
        assert!(rooms.deliver(&code(), &event).evicted.is_empty());
    }
    let at_join = [name("ann"), name("bob"), name("cy")];
    assert!(lock(&room).seed_roster(&at_join, 4));
    assert!(lock(&room).go_live(2, (4, &at_join), 0, "t", &[]));
    assert_eq!(
        joins_heard(&texts(&mut ann)),
        [
            ("bob".to_owned(), roster_of(&["ann", "bob"])),
            ("cy".to_owned(), roster_of(&["ann", "bob", "cy"])),
            ("dee".to_owned(), roster_of(&["ann", "bob", "cy", "dee"])),
        ]
    );
    // cy's welcome had ann, bob and cy; it hears dee join after it, with the whole roster.
    assert_eq!(
        joins_heard(&texts(&mut cy)),
        [("dee".to_owned(), roster_of(&["ann", "bob", "cy", "dee"]))]
    );
}
