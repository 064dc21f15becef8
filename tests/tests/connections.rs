//! Connection-level limits: per-IP and total connections, the Origin allow-list and the
//! failed-join brake (spec §1, §2).

use std::time::Duration;

use confab_protocol::{ErrorCode, ErrorMessage, ServerMessage};
use confab_server::Config;
use confab_tests::client::refused_status;
use confab_tests::{QUIET, TestClient, TestRelay, code, eventually, test_config, within};

#[tokio::test]
async fn connections_beyond_the_per_ip_limit_are_refused_with_http_429() {
    let relay = TestRelay::start(Config {
        max_connections_per_ip: 2,
        ..test_config()
    })
    .await;
    let (ann, _) = relay.creator("ann").await;
    let _idle = relay.client().await;
    assert_eq!(
        refused_status(TestClient::try_connect(&relay.url()).await),
        429
    );

    // A closed connection frees its place.
    ann.close().await;
    let mut again = eventually(
        "a per-IP place to free up",
        Duration::from_millis(50),
        || async { TestClient::try_connect(&relay.url()).await.ok() },
    )
    .await;
    again.create("bob").await;
}

// On the paused clock, the quiet window below ends only once the relay and the waiting
// client have nothing left to do: had the relay accepted the third connection, its
// handshake would have finished before the window did, however loaded the machine.
#[tokio::test(start_paused = true)]
async fn at_max_connections_a_new_connection_waits_until_one_leaves() {
    let relay = TestRelay::start(Config {
        max_connections: 2,
        ..test_config()
    })
    .await;
    let (ann, _) = relay.creator("ann").await;
    let _bob = relay.client().await;

    let url = relay.url();
    let waiting = tokio::spawn(async move { TestClient::try_connect(&url).await });
    tokio::time::sleep(QUIET).await;
    assert!(
        !waiting.is_finished(),
        "the third connection completed while at the limit"
    );

    ann.close().await;
    let mut cat = within("the waiting connection", waiting)
        .await
        .expect("the connecting task did not panic")
        .expect("the waiting connection completes once a place is free");
    cat.create("cat").await;
}

#[tokio::test]
async fn a_handshake_from_a_forbidden_origin_is_refused_with_http_403() {
    let config = Config {
        allowed_origins: vec!["https://chat.example".to_owned()],
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let evil =
        TestClient::connect_with_headers(&relay.url(), &[("Origin", "https://evil.example")]).await;
    assert_eq!(refused_status(evil), 403);

    let mut good =
        TestClient::connect_with_headers(&relay.url(), &[("Origin", "https://chat.example")])
            .await
            .expect("an allowed origin connects");
    good.create("ann").await;
}

#[tokio::test]
async fn any_origin_is_accepted_when_the_allow_list_is_empty() {
    let relay = TestRelay::start_default().await;
    let mut client =
        TestClient::connect_with_headers(&relay.url(), &[("Origin", "https://anywhere.example")])
            .await
            .expect("no allow-list, no refusal");
    client.create("ann").await;
}

/// Sends failing joins until the relay refuses with `too_many_failed_joins`; returns how
/// many ordinary `room_not_found` answers came first.
async fn fail_joins_until_refused(client: &mut TestClient, max: u32) -> u32 {
    let unknown = code("ZZZZZZZZZ");
    for attempt in 0..=max + 1 {
        client.send_join("ann", &unknown).await;
        match client.recv_error().await.code {
            ErrorCode::RoomNotFound => {}
            ErrorCode::TooManyFailedJoins => return attempt,
            other => panic!("unexpected error {other:?}"),
        }
    }
    panic!("no too_many_failed_joins after {} failed joins", max + 2);
}

#[tokio::test]
async fn failed_joins_beyond_the_limit_are_refused_even_with_a_right_code_then_closed() {
    let config = Config {
        max_failed_joins: 3,
        failed_join_window: Duration::from_secs(60),
        permanent_rooms: vec!["lobby".to_owned()],
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let mut guesser = relay.client().await;
    let allowed = fail_joins_until_refused(&mut guesser, 3).await;
    assert!(allowed >= 3, "refused after only {allowed} failed joins");
    guesser.expect_close(1008).await;

    // The address, not the connection, is blocked: a right code from a new one is refused.
    let mut again = relay.client().await;
    again.send_join("ann", &code("lobby")).await;
    assert_eq!(again.recv_error().await.code, ErrorCode::TooManyFailedJoins);
    again.expect_close(1008).await;
}

#[tokio::test]
async fn failed_joins_are_forgiven_once_the_window_has_passed() {
    let window = Duration::from_millis(300);
    let config = Config {
        max_failed_joins: 2,
        failed_join_window: window,
        permanent_rooms: vec!["lobby".to_owned()],
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let mut guesser = relay.client().await;
    fail_joins_until_refused(&mut guesser, 2).await;
    guesser.expect_close(1008).await;

    // One try per two windows, so even counted refusals cannot keep the block alive.
    eventually("the failed-join window to pass", window * 2, || async {
        let mut client = relay.client().await;
        client.send_join("ann", &code("lobby")).await;
        match client.recv().await {
            ServerMessage::Welcome(_) => Some(()),
            ServerMessage::Error(ErrorMessage {
                code: ErrorCode::TooManyFailedJoins,
                ..
            }) => None,
            other => panic!("unexpected answer: {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn taken_names_do_not_count_as_failed_joins() {
    // Failed joins guard room codes against guessing; a person retrying names is not guessing.
    let config = Config {
        max_failed_joins: 2,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (room, _ann) = relay.room_with(&["ann"]).await;
    let mut client = relay.client().await;
    for _ in 0..4 {
        client.send_join("ANN", &room).await;
        assert_eq!(client.recv_error().await.code, ErrorCode::NameTaken);
    }
    client.send_join("bob", &room).await;
    assert_eq!(
        client.recv_welcome("welcome as bob").await.you.as_str(),
        "bob"
    );
}
