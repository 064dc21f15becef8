//! Lifecycle: serving on any path, and a graceful shutdown that closes everyone with 1001
//! and then returns from `run` (spec: entry point, §10).

use confab_tests::{TestClient, TestRelay};

#[tokio::test]
async fn websocket_connections_are_accepted_on_any_path() {
    let relay = TestRelay::start_default().await;
    for path in ["", "/", "/ws", "/some/deep/path?x=1"] {
        let url = format!("ws://{}{path}", relay.addr);
        let mut client = TestClient::connect(&url).await;
        client.create(&format!("user{}", path.len())).await;
    }
}

#[tokio::test]
async fn shutdown_closes_every_connection_with_1001_and_run_returns() {
    let mut relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    let (other_room, _) = relay.creator("cat").await;
    let mut not_joined = relay.client().await;
    members.push(other_room);

    relay.begin_shutdown();
    for member in &mut members {
        member.expect_close(1001).await;
    }
    not_joined.expect_close(1001).await;
    relay
        .stopped()
        .await
        .expect("run() returns Ok after a graceful shutdown");
}

#[tokio::test]
async fn after_shutdown_the_relay_accepts_no_connections() {
    let relay = TestRelay::start_default().await;
    let url = relay.url();
    relay.stop().await.expect("run() returns Ok");
    assert!(TestClient::try_connect(&url).await.is_err());
}

#[tokio::test]
async fn shutdown_with_no_connections_returns_promptly() {
    let relay = TestRelay::start_default().await;
    assert!(!relay.has_stopped());
    relay.stop().await.expect("run() returns Ok");
}
