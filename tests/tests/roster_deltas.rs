//! Compact presence (`hello` with `roster_deltas`, issue 13): `joined`/`left` with a
//! count instead of the whole roster, beside clients that still get the roster; `roster`
//! answers with the whole of it, in order with the room's other frames. In memory and in
//! cluster mode.

use confab_protocol::{ClientMessage, RoomCode, ServerMessage, features};
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
    let mut client = relay.client().await;
    client
        .send(&ClientMessage::Hello {
            features: vec![features::ROSTER_DELTAS.into(), "from_the_future".into()],
        })
        .await;
    let welcome = match room {
        Some(room) => client.join(who, room).await,
        None => client.create(who).await,
    };
    (client, welcome.room)
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
    let (cat, _) = compact_member(second, "cat", Some(&room)).await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::Joined {
            name: name("cat"),
            count: 3
        }
    );
    assert_eq!(
        roster(&bob.recv_member_joined("cat").await),
        ["ann", "bob", "cat"]
    );
    cat.close().await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::Left {
            name: name("cat"),
            count: 2,
            reconnecting: true,
        }
    );
    assert_eq!(roster(&bob.recv_member_left("cat").await), ["ann", "bob"]);
    ann.send(&ClientMessage::Roster).await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::Roster {
            members: vec![name("ann"), name("bob")]
        }
    );
}

#[tokio::test]
async fn compact_and_full_roster_clients_share_a_room() {
    let relay = TestRelay::start_default().await;
    mixed_room(&relay, &relay).await;
}

#[tokio::test]
async fn compact_and_full_roster_clients_share_a_room_across_relays() {
    let redis = RedisServer::start().await;
    let config = || Config {
        redis: Some(redis.url()),
        ..test_config()
    };
    let a = TestRelay::start(config()).await;
    let b = TestRelay::start(config()).await;
    mixed_room(&a, &b).await;
}
