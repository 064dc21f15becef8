//! The HTTP side of the handshake: every bad upgrade gets an HTTP answer with a status and
//! a short text body, and the `confab.v1` subprotocol is echoed while others are refused.

use confab_tests::raw::RawClient;
use confab_tests::{TestClient, TestRelay};
use tokio::io::AsyncReadExt;

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// Sends `request` as is and returns the whole answer up to the relay's close.
async fn answer_to(relay: &TestRelay, request: &[u8]) -> String {
    let mut raw = RawClient::tcp(relay.addr).await;
    raw.write(request).await;
    let head = raw.read_http_head().await;
    if head.starts_with("HTTP/1.1 101") {
        return head;
    }
    let mut body = Vec::new();
    let _ = confab_tests::within("the refusal's body", raw.tcp.read_to_end(&mut body)).await;
    head + &String::from_utf8_lossy(&body)
}

fn upgrade_with(extra: &str) -> String {
    format!(
        "GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{extra}\r\n"
    )
}

fn status_of(answer: &str) -> &str {
    answer.split(' ').nth(1).unwrap_or("")
}

#[tokio::test]
async fn a_plain_get_is_told_to_upgrade_with_426() {
    let relay = TestRelay::start_default().await;
    let answer = answer_to(&relay, b"GET / HTTP/1.1\r\nHost: relay\r\n\r\n").await;
    assert_eq!(status_of(&answer), "426", "{answer}");
    // Header names are case-insensitive; hyper writes them in lower case.
    let lower = answer.to_ascii_lowercase();
    assert!(lower.contains("sec-websocket-version: 13"), "{answer}");
    assert!(lower.contains("upgrade: websocket"), "{answer}");
    assert!(answer.contains("WebSocket relay"), "{answer}");
}

#[tokio::test]
async fn a_post_gets_405_and_garbage_gets_400_with_a_reason() {
    let relay = TestRelay::start_default().await;
    let post = answer_to(
        &relay,
        b"POST / HTTP/1.1\r\nHost: relay\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert_eq!(status_of(&post), "405", "{post}");
    assert!(
        post.to_ascii_lowercase().contains("allow: get, head"),
        "{post}"
    );
    let post_upgrade = answer_to(
        &relay,
        upgrade_with(&format!(
            "Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n"
        ))
        .replacen("GET", "POST", 1)
        .as_bytes(),
    )
    .await;
    assert_eq!(status_of(&post_upgrade), "400", "{post_upgrade}");
    assert!(post_upgrade.contains("GET upgrade"), "{post_upgrade}");
    let garbage = answer_to(&relay, b"\x16\x03\x01 hello\r\n\r\n").await;
    assert_eq!(status_of(&garbage), "400", "{garbage}");
}

#[tokio::test]
async fn a_missing_key_gets_400() {
    let relay = TestRelay::start_default().await;
    let answer = answer_to(
        &relay,
        upgrade_with("Sec-WebSocket-Version: 13\r\n").as_bytes(),
    )
    .await;
    assert_eq!(status_of(&answer), "400", "{answer}");
    assert!(answer.contains("Sec-WebSocket-Key"), "{answer}");
}

#[tokio::test]
async fn an_unsupported_version_gets_426_naming_version_13() {
    let relay = TestRelay::start_default().await;
    let request = upgrade_with(&format!(
        "Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 8\r\n"
    ));
    let answer = answer_to(&relay, request.as_bytes()).await;
    assert_eq!(status_of(&answer), "426", "{answer}");
    assert!(answer.contains("Sec-WebSocket-Version: 13"), "{answer}");
}

#[tokio::test]
async fn an_oversized_request_head_gets_431() {
    let relay = TestRelay::start_default().await;
    let padding = format!("X-Padding: {}\r\n", "a".repeat(9000));
    let answer = answer_to(&relay, upgrade_with(&padding).as_bytes()).await;
    assert_eq!(status_of(&answer), "431", "{answer}");
}

#[tokio::test]
async fn the_confab_subprotocol_is_echoed_and_others_are_refused() {
    let relay = TestRelay::start_default().await;
    let base = format!("Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n");
    let with =
        |protocols: &str| upgrade_with(&format!("{base}Sec-WebSocket-Protocol: {protocols}\r\n"));

    let echoed = answer_to(&relay, with("chat, confab.v1").as_bytes()).await;
    assert_eq!(status_of(&echoed), "101", "{echoed}");
    assert!(
        echoed.contains("Sec-WebSocket-Protocol: confab.v1\r\n"),
        "{echoed}"
    );

    let refused = answer_to(&relay, with("chat").as_bytes()).await;
    assert_eq!(status_of(&refused), "400", "{refused}");
    assert!(refused.contains("confab.v1"), "{refused}");

    let plain = answer_to(&relay, upgrade_with(&base).as_bytes()).await;
    assert_eq!(status_of(&plain), "101", "{plain}");
    assert!(!plain.contains("Sec-WebSocket-Protocol"), "{plain}");
}

#[tokio::test]
async fn a_client_asking_for_confab_v1_gets_a_working_connection() {
    let relay = TestRelay::start_default().await;
    let mut client =
        TestClient::connect_with_headers(&relay.url(), &[("Sec-WebSocket-Protocol", "confab.v1")])
            .await
            .expect("tungstenite accepts the echoed subprotocol");
    let welcome = client.create("ann").await;
    assert_eq!(welcome.you.as_str(), "ann");
}
