//! `/metrics`: a known sequence of joins, chats and refusals moves every counter by exactly
//! that much, read over real HTTP from the relay's metrics listener.

use std::collections::HashMap;
use std::net::SocketAddr;

use confab_protocol::{ErrorCode, RoomCode};
use confab_tests::{TestRelay, test_config, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one HTTP/1.1 request and returns the status line and the whole response.
async fn http(addr: SocketAddr, request_line: &str) -> (String, String) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let request = format!("{request_line}\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        response
    };
    let response = within("an HTTP answer", exchange).await;
    let status = response.lines().next().unwrap_or_default().to_owned();
    (status, response)
}

/// Every `confab_*` sample on the page, by name.
async fn scrape(addr: SocketAddr) -> HashMap<String, i64> {
    let (status, response) = http(addr, "GET /metrics HTTP/1.1").await;
    assert_eq!(status, "HTTP/1.1 200 OK", "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{response}"
    );
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    body.lines()
        .filter(|line| line.starts_with("confab_"))
        .filter_map(|line| {
            let (name, value) = line.split_once(' ')?;
            Some((name.to_owned(), value.trim().parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn counters_move_by_exactly_what_happened() {
    let relay = TestRelay::start_with_metrics(test_config()).await;
    let metrics = relay.metrics_addr.expect("a metrics listener");
    let before = scrape(metrics).await;
    assert_eq!(before.len(), 9, "{before:?}");

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
