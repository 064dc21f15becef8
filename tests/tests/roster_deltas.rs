//! Compact presence (`hello` with `roster_deltas`, issue 13): `joined`/`left` with a
//! count instead of the whole roster, and `presence` batches (`presence_batches`), beside
//! clients that still get the roster; `roster` answers with the whole of it, in order with
//! the room's other frames. In memory and in cluster mode.

use confab_protocol::{ClientMessage, PresenceChange, RoomCode, ServerMessage, Username, features};
use confab_server::Config;
use confab_tests::redis::RedisServer;
use confab_tests::wire::roster;
use confab_tests::{TestClient, TestRelay, name, test_config};

/// A client on `relay` that asks for compact presence, then joins (or creates) as `who`.
async fn compact_member(
    relay: &TestRelay,
    who: &str,
    room: Option<&RoomCode>,
) -> (TestClient, RoomCode) {
    let features = vec![features::ROSTER_DELTAS.into(), "from_the_future".into()];
    member_with(relay, who, room, features).await.0
}

/// A client on `relay` that asks for presence batches, joined to `room` as `who`; with
/// the roster its welcome showed.
async fn batched_member(
    relay: &TestRelay,
    who: &str,
    room: &RoomCode,
) -> (TestClient, Vec<String>) {
    let features = vec![
        features::ROSTER_DELTAS.into(),
        features::PRESENCE_BATCHES.into(),
    ];
    let ((client, _), members) = member_with(relay, who, Some(room), features).await;
    (client, members)
}

/// A client on `relay` that says `hello` with `features`, then joins (or creates) as `who`.
async fn member_with(
    relay: &TestRelay,
    who: &str,
    room: Option<&RoomCode>,
    features: Vec<String>,
) -> ((TestClient, RoomCode), Vec<String>) {
    let mut client = relay.client().await;
    client.send(&ClientMessage::Hello { features }).await;
    let welcome = match room {
        Some(room) => client.join(who, room).await,
        None => client.create(who).await,
    };
    ((client, welcome.room), owned(&welcome.members))
}

/// The names of `members`, as strings.
fn owned(members: &[Username]) -> Vec<String> {
    members.iter().map(ToString::to_string).collect()
}

/// Applies the `presence` batches `client` receives to `members` until the roster has
/// `count` members and `name`'s last change is `last`; returns how many batches it took.
async fn follow_batches(
    client: &mut TestClient,
    members: &mut Vec<String>,
    count: usize,
    last: &PresenceChange,
) -> usize {
    let mut frames = 0;
    loop {
        let ServerMessage::Presence {
            changes,
            count: after,
        } = client.recv().await
        else {
            continue;
        };
        frames += 1;
        for change in &changes {
            let who = change.name().to_string();
            members.retain(|m| *m != who);
            if matches!(change, PresenceChange::Joined(_)) {
                members.push(who);
            }
        }
        assert_eq!(members.len(), after, "the count agrees with the changes");
        if after == count && changes.last() == Some(last) {
            return frames;
        }
    }
}

/// Joins and leaves seen by a compact `ann` and a full-roster `bob` in one room on
/// `first` and `second` (the same relay, or two relays of a cluster).
async fn mixed_room(first: &TestRelay, second: &TestRelay) {
    let (mut ann, room) = compact_member(first, "ann", None).await;
    let (mut bob, welcome) = second.member("bob", &room).await;
    assert_eq!(
        roster(&welcome.members),
        ["ann", "bob"],
        "welcome keeps the roster"
    );
    assert_eq!(
        ann.recv().await,
        ServerMessage::Joined {
            name: name("bob"),
            count: 2
        }
    );
    let (mut dee, mut dee_sees) = batched_member(first, "dee", &room).await;
    assert_eq!(dee_sees, ["ann", "bob", "dee"]);
    assert_eq!(
        ann.recv().await,
        ServerMessage::Joined {
            name: name("dee"),
            count: 3
        }
    );
    assert_eq!(
        roster(&bob.recv_member_joined("dee").await),
        ["ann", "bob", "dee"]
    );
    let (cat, _) = compact_member(second, "cat", Some(&room)).await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::Joined {
            name: name("cat"),
            count: 4
        }
    );
    assert_eq!(
        roster(&bob.recv_member_joined("cat").await),
        ["ann", "bob", "dee", "cat"]
    );
    let cat_joined = PresenceChange::Joined(name("cat"));
    follow_batches(&mut dee, &mut dee_sees, 4, &cat_joined).await;
    assert_eq!(dee_sees, ["ann", "bob", "dee", "cat"]);
    cat.close().await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::Left {
            name: name("cat"),
            count: 3,
            reconnecting: true,
        }
    );
    assert_eq!(
        roster(&bob.recv_member_left("cat").await),
        ["ann", "bob", "dee"]
    );
    let cat_dropped = PresenceChange::Reconnecting(name("cat"));
    follow_batches(&mut dee, &mut dee_sees, 3, &cat_dropped).await;
    ann.send(&ClientMessage::Roster).await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::Roster {
            members: vec![name("ann"), name("bob"), name("dee")]
        }
    );
    dee.send(&ClientMessage::Roster).await;
    let ServerMessage::Roster { members } = dee.recv().await else {
        panic!("dee asked for the roster");
    };
    assert_eq!(
        roster(&members),
        dee_sees,
        "the batches built the same roster"
    );
}

/// Twenty people join at once: a batched member ends with the same roster the relay
/// answers `roster` with, and never hears of anyone twice.
async fn a_crowd_arrives(first: &TestRelay, second: &TestRelay) {
    let (_ann, room) = compact_member(first, "ann", None).await;
    let (mut bob, mut bob_sees) = batched_member(first, "bob", &room).await;
    let crowd = (0..20).map(|i| {
        let relay = if i % 2 == 0 { first } else { second };
        let room = room.clone();
        async move { relay.member(&format!("p{i}"), &room).await.0 }
    });
    let crowd = futures_util::future::join_all(crowd).await;
    // In cluster mode the joins reach bob's relay over the bus, some after every welcome:
    // follow the batches until all 22 are in, then ask for the roster as of that point.
    while bob_sees.len() < 22 {
        if let ServerMessage::Presence { changes, count } = bob.recv().await {
            for change in &changes {
                let who = change.name().to_string();
                assert!(
                    !bob_sees.contains(&who),
                    "{who} joined twice for bob: {changes:?}"
                );
                bob_sees.push(who);
            }
            assert_eq!(bob_sees.len(), count);
        }
    }
    bob.send(&ClientMessage::Roster).await;
    let members = loop {
        if let ServerMessage::Roster { members } = bob.recv().await {
            break owned(&members);
        }
    };
    assert_eq!(members, bob_sees);
    assert_eq!(bob_sees.len(), 22);
    drop(crowd);
}

#[tokio::test]
async fn a_batched_member_follows_a_crowd_joining_at_once() {
    let relay = TestRelay::start_default().await;
    a_crowd_arrives(&relay, &relay).await;
}

#[tokio::test]
async fn a_batched_member_follows_a_crowd_joining_at_once_across_relays() {
    let redis = RedisServer::start().await;
    let (a, b) = two_relays(&redis).await;
    a_crowd_arrives(&a, &b).await;
}

#[tokio::test]
async fn compact_and_full_roster_clients_share_a_room() {
    let relay = TestRelay::start_default().await;
    mixed_room(&relay, &relay).await;
}

#[tokio::test]
async fn compact_and_full_roster_clients_share_a_room_across_relays() {
    let redis = RedisServer::start().await;
    let (a, b) = two_relays(&redis).await;
    mixed_room(&a, &b).await;
}

/// Two relays of one cluster on `redis`.
async fn two_relays(redis: &RedisServer) -> (TestRelay, TestRelay) {
    let config = || Config {
        redis: Some(redis.url()),
        ..test_config()
    };
    (
        TestRelay::start(config()).await,
        TestRelay::start(config()).await,
    )
}
