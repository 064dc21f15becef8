//! `/metrics`: a known sequence of joins, chats and refusals moves every counter by exactly
//! that much, read over real HTTP from the relay's metrics listener.

use confab_protocol::{ErrorCode, RoomCode};
use confab_tests::metrics::{http, scrape};
use confab_tests::{TestRelay, test_config};

#[tokio::test]
async fn counters_move_by_exactly_what_happened() {
    let relay = TestRelay::start_with_metrics(test_config()).await;
    let metrics = relay.metrics_addr.expect("a metrics listener");
    let before = scrape(metrics).await;
    let series = before
        .keys()
        .filter(|name| !name.starts_with("confab_redis_chat_seconds"))
        .count();
    assert_eq!(series, 12, "{before:?}");

    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].chat(1, "one").await;
    members[0].chat(2, "two").await;
    for member in &mut members {
        member.recv_chat().await;
        member.recv_chat().await;
    }
    let mut guesser = relay.client().await;
    guesser
        .send_join("eve", &RoomCode::parse("ZZZ-ZZZ-ZZZ").expect("valid code"))
        .await;
    assert_eq!(guesser.recv_error().await.code, ErrorCode::RoomNotFound);
    guesser.send_binary(vec![1, 2, 3]).await;
    assert_eq!(guesser.recv_error().await.code, ErrorCode::BinaryFrame);

    let after = scrape(metrics).await;
    let moved = |name: &str| after[name] - before[name];
    assert_eq!(moved("confab_connections_open"), 3);
    assert_eq!(moved("confab_rooms"), 1);
    assert_eq!(moved("confab_members"), 2);
    assert_eq!(moved("confab_chats_relayed_total"), 2);
    // Two welcomes, ann's notice of bob, and each chat to both members.
    assert_eq!(moved("confab_deliveries_total"), 7);
    assert_eq!(moved("confab_failed_joins_total"), 1);
    assert_eq!(moved("confab_bad_frames_total"), 1);
    assert_eq!(moved("confab_rate_limited_total"), 0);
    assert_eq!(moved("confab_outbox_evictions_total"), 0);

    members.pop().expect("bob").leave().await;
    members[0].recv_member_left("bob").await;
    let left = scrape(metrics).await;
    assert_eq!(left["confab_members"] - before["confab_members"], 1);
}

#[tokio::test]
async fn the_metrics_listener_answers_other_paths_with_404() {
    let relay = TestRelay::start_with_metrics(test_config()).await;
    let metrics = relay.metrics_addr.expect("a metrics listener");
    let (status, _) = http(metrics, "GET /secret HTTP/1.1").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    let (status, _) = http(metrics, "POST /metrics HTTP/1.1").await;
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
}
