//! `/metrics`: a known sequence of joins, chats and refusals moves every counter by exactly
//! that much, read over real HTTP from the relay's metrics listener.

use confab_protocol::{ErrorCode, RoomCode};
use confab_server::Config;
use confab_tests::metrics::{http, scrape};
use confab_tests::raw::RawClient;
use confab_tests::{QUIET, TestRelay, eventually, test_config};

#[tokio::test]
async fn counters_move_by_exactly_what_happened() {
    let relay = TestRelay::start_with_metrics(test_config()).await;
    let metrics = relay.metrics_addr.expect("a metrics listener");
    let before = scrape(metrics).await;
    // 17 plain samples (3 of them attachments), one per handshake refusal reason (9), and
    // the Redis chat histogram.
    let series = before
        .keys()
        .filter(|name| !name.starts_with("confab_redis_chat_seconds"))
        .count();
    assert_eq!(series, 26, "{before:?}");

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

    // Every connection gives its count back when it ends, however it ends.
    drop((members, guesser));
    let open_before = before["confab_connections_open"];
    eventually("the connections to be counted closed", QUIET, || async {
        let now = scrape(metrics).await;
        (now["confab_connections_open"] == open_before).then_some(())
    })
    .await;
}

#[tokio::test]
async fn refused_handshakes_are_counted_by_reason_and_bytes_both_ways() {
    let relay = TestRelay::start_with_metrics(Config {
        allowed_origins: vec!["https://chat.example".into()],
        ..test_config()
    })
    .await;
    let metrics = relay.metrics_addr.expect("a metrics listener");
    let before = scrape(metrics).await;
    let upgrade = |extra: &str| {
        format!(
            "GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
        )
    };
    for request in [
        upgrade("Sec-WebSocket-Version: 8\r\n"),
        upgrade("Sec-WebSocket-Version: 13\r\nOrigin: https://evil.example\r\n"),
        upgrade("Sec-WebSocket-Version: 13\r\nOrigin: https://evil.example\r\n"),
        upgrade(
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\nOrigin: https://chat.example\r\n",
        ),
    ] {
        let mut raw = RawClient::tcp(relay.addr).await;
        raw.write(request.as_bytes()).await;
        assert!(!raw.read_http_head().await.starts_with("HTTP/1.1 101"));
    }
    let after = scrape(metrics).await;
    let refused = |reason: &str| {
        let name = format!("confab_handshakes_refused_total{{reason=\"{reason}\"}}");
        after[&name] - before[&name]
    };
    assert_eq!(refused("upgrade_required"), 1);
    assert_eq!(refused("origin"), 2);
    assert_eq!(refused("bad_request"), 1);
    assert_eq!(refused("per_ip_limit"), 0);

    // Bytes are added when a connection closes (or per 4 KiB): these four have.
    let moved = eventually("the refused connections' bytes", QUIET, || async {
        let now = scrape(metrics).await;
        let bytes_in = now["confab_bytes_in_total"] - before["confab_bytes_in_total"];
        let bytes_out = now["confab_bytes_out_total"] - before["confab_bytes_out_total"];
        (bytes_in > 0 && bytes_out > 0).then_some((bytes_in, bytes_out))
    })
    .await;
    let sent: usize = 4 * upgrade("").len();
    assert!(moved.0 >= i64::try_from(sent).unwrap_or(0), "{moved:?}");
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
