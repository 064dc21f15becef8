//! Rooms: creating, finding by code, permanent rooms, isolation and expiry (spec §9).

use std::time::Duration;

use confab_protocol::{ErrorCode, ErrorMessage, RoomCode, ServerMessage};
use confab_server::Config;
use confab_tests::metrics::scrape;
use confab_tests::{TestRelay, WelcomeExt, code, eventually, test_config, within};

#[tokio::test]
async fn create_returns_a_nine_character_code_from_the_alphabet_and_joins_the_creator() {
    let relay = TestRelay::start_default().await;
    let (_ann, welcome) = relay.creator("ann").await;

    let canonical = welcome.room.canonical();
    assert_eq!(canonical.len(), RoomCode::GENERATED_LEN, "{canonical}");
    assert!(
        canonical.bytes().all(|b| RoomCode::ALPHABET.contains(&b)),
        "{canonical} has a symbol outside the alphabet"
    );
    assert_eq!(welcome.you.as_str(), "ann");
    assert_eq!(welcome.member_names(), ["ann"]);
    assert!(welcome.history.is_empty());
    assert!(!welcome.resume_token.is_empty());
}

#[tokio::test]
async fn every_created_room_gets_a_different_code() {
    let relay = TestRelay::start_default().await;
    let mut codes = std::collections::BTreeSet::new();
    for i in 0..5 {
        let (_client, welcome) = relay.creator(&format!("user{i}")).await;
        assert!(
            codes.insert(welcome.room.clone()),
            "{} was handed out twice",
            welcome.room
        );
    }
}

#[tokio::test]
async fn joining_by_code_ignores_case_and_separators() {
    let relay = TestRelay::start_default().await;
    let (_ann, created) = relay.creator("ann").await;
    let canonical = created.room.canonical().to_owned();
    let lower = canonical.to_ascii_lowercase();
    // Sent as raw JSON so the relay, not our client-side parser, does the normalizing.
    let variants = [
        lower.clone(),
        format!("{}-{}-{}", &lower[..3], &lower[3..6], &lower[6..]),
        format!("{} {}_{}", &canonical[..3], &lower[3..6], &canonical[6..]),
        format!("{}.{}", &lower[..4], &canonical[4..]),
    ];
    for (i, typed) in variants.iter().enumerate() {
        let mut client = relay.client().await;
        client
            .send_text(format!(
                r#"{{"type":"join","name":"guest{i}","room":"{typed}"}}"#
            ))
            .await;
        let welcome = client
            .recv_welcome(&format!("welcome after joining {typed:?}"))
            .await;
        assert_eq!(welcome.room, created.room, "joined {typed:?}");
    }
}

#[tokio::test]
async fn joining_an_unknown_code_is_room_not_found_and_never_creates_the_room() {
    let relay = TestRelay::start_default().await;
    let unknown = code("ZZZ-ZZZ-ZZZ");
    let mut first = relay.client().await;
    for _ in 0..2 {
        first.send_join("ann", &unknown).await;
        assert_eq!(first.recv_error().await.code, ErrorCode::RoomNotFound);
    }
    let mut second = relay.client().await;
    second.send_join("bob", &unknown).await;
    assert_eq!(second.recv_error().await.code, ErrorCode::RoomNotFound);

    // The connection stays open for another try.
    let welcome = first.create("ann").await;
    assert_ne!(welcome.room, unknown);
}

#[tokio::test]
async fn a_permanent_room_exists_from_the_start_under_its_canonical_code() {
    let config = Config {
        permanent_rooms: vec!["lobby".to_owned()],
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let mut ann = relay.client().await;
    ann.send_text(r#"{"type":"join","name":"ann","room":"Lobby"}"#)
        .await;
    let welcome = ann.recv_welcome("welcome to the lobby").await;
    assert_eq!(welcome.room, code("LOBBY"));
    assert_eq!(welcome.room.to_string(), "LOBBY");
    assert_eq!(welcome.member_names(), ["ann"]);
}

#[tokio::test]
async fn a_permanent_room_survives_being_empty_past_room_grace() {
    let config = Config {
        permanent_rooms: vec!["lobby".to_owned()],
        room_grace: Duration::from_millis(100),
        ..test_config()
    };
    let relay = TestRelay::start_with_metrics(config).await;
    let metrics = relay.metrics_addr.expect("a metrics listener");
    // An ordinary room that empties at the same time: once the janitor has expired it,
    // the permanent room has been empty past `room_grace` too.
    let (mut cy, _) = relay.creator("cy").await;
    let (mut ann, _) = relay.member("ann", &code("lobby")).await;
    ann.chat(1, "anyone here?").await;
    ann.recv_chat().await;
    for member in [&mut cy, &mut ann] {
        member.leave().await;
        member.expect_close(1000).await;
    }
    within("the ordinary room to expire", async {
        while scrape(metrics).await["confab_rooms"] > 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    let (_bob, welcome) = relay.member("bob", &code("lobby")).await;
    assert_eq!(welcome.member_names(), ["bob"]);
}

#[tokio::test]
async fn an_empty_room_survives_within_room_grace_with_its_history() {
    let relay = TestRelay::start_default().await; // room_grace: the default 30 s
    let (mut ann, created) = relay.creator("ann").await;
    ann.chat(1, "remember me").await;
    ann.recv_chat().await;
    ann.leave().await;
    ann.expect_close(1000).await;

    let (_bob, welcome) = relay.member("bob", &created.room).await;
    assert_eq!(welcome.member_names(), ["bob"]);
    assert_eq!(welcome.history.len(), 1);
    assert_eq!(welcome.history[0].text, "remember me");
}

#[tokio::test]
async fn an_empty_room_vanishes_after_room_grace() {
    let grace = Duration::from_millis(200);
    let relay = TestRelay::start(Config {
        room_grace: grace,
        ..test_config()
    })
    .await;
    let (mut ann, created) = relay.creator("ann").await;
    ann.leave().await;
    ann.expect_close(1000).await;

    // Each try that still finds the room joins it and so restarts the grace period: leave
    // again and wait longer than the grace before the next try.
    eventually("the empty room to expire", grace * 2, || async {
        let mut probe = relay.client().await;
        probe.send_join("probe", &created.room).await;
        match probe.recv().await {
            ServerMessage::Error(ErrorMessage {
                code: ErrorCode::RoomNotFound,
                ..
            }) => Some(()),
            ServerMessage::Welcome(_) => {
                probe.leave().await;
                probe.expect_close(1000).await;
                None
            }
            other => panic!("unexpected answer to a join: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn two_rooms_never_see_each_other() {
    let relay = TestRelay::start_default().await;
    let (room_one, mut one) = relay.room_with(&["ann", "bob"]).await;
    let (room_two, mut two) = relay.room_with(&["cat", "dan"]).await;
    assert_ne!(room_one, room_two);

    // Everything that can happen in room one ...
    one[0].typing(true).await;
    one[0].chat(1, "room one talking").await;
    one[0].whisper("bob", 2, "psst").await;
    let (mut eve, _) = relay.member("eve", &room_one).await;
    eve.leave().await;
    one[1].recv_member_left("eve").await;

    // ... is invisible in room two, whose sequence numbers start on their own: the first
    // thing either member of room two gets after all that is room two's own chat.
    two[1].chat(7, "room two talking").await;
    for member in &mut two {
        let chat = member.recv_chat().await;
        assert_eq!((chat.from.as_str(), chat.seq), ("dan", 1));
    }
    let (_, welcome) = relay.member("fay", &room_two).await;
    assert_eq!(welcome.member_names(), ["cat", "dan", "fay"]);
    assert_eq!(welcome.history.len(), 1);
}

#[tokio::test]
async fn a_name_used_in_one_room_is_free_in_another() {
    let relay = TestRelay::start_default().await;
    let (_ann, _) = relay.creator("ann").await;
    let (_other_ann, welcome) = relay.creator("ann").await;
    assert_eq!(welcome.you.as_str(), "ann");
}
