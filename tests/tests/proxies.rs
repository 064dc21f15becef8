//! Trusted proxies (`--trusted-proxy`): a load balancer the operator trusts names the
//! client (PROXY protocol v1/v2 header, or `X-Forwarded-For`/`Forwarded`), and every
//! per-address rule then sees that client; what any other peer claims is ignored.
//!
//! The relay's peer is always a loopback address here: 127.0.0.1 plays the balancer and
//! 127.0.0.2 a client that connects directly and lies about who it is.

use std::net::Ipv4Addr;

use confab_protocol::{ClientMessage, ErrorCode, close_code};
use confab_server::Config;
use confab_server::config::parse_net;
use confab_tests::client::refused_status;
use confab_tests::raw::RawClient;
use confab_tests::{TestClient, TestRelay, code, name, test_config};

const BALANCER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
const DIRECT: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// A relay that trusts 127.0.0.1 as its balancer, with `config`'s other settings.
async fn relay_behind_balancer(config: Config) -> TestRelay {
    TestRelay::start(Config {
        trusted_proxies: vec![parse_net("127.0.0.1").expect("an address")],
        ..config
    })
    .await
}

/// A PROXY protocol version 1 header naming `client` (TCP over IPv4).
fn proxy_v1(client: &str) -> Vec<u8> {
    format!("PROXY TCP4 {client} 127.0.0.1 50000 9001\r\n").into_bytes()
}

/// A PROXY protocol version 2 header naming `client` (TCP over IPv4), built byte by byte as
/// the specification lays it out: signature, version and command, family, length,
/// addresses and ports.
fn proxy_v2(client: Ipv4Addr) -> Vec<u8> {
    let mut header = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    header.extend_from_slice(&[0x21, 0x11, 0, 12]);
    header.extend_from_slice(&client.octets());
    header.extend_from_slice(&[127, 0, 0, 1]);
    header.extend_from_slice(&50000u16.to_be_bytes());
    header.extend_from_slice(&9001u16.to_be_bytes());
    header
}

#[tokio::test]
async fn a_proxy_protocol_header_from_the_balancer_names_the_client_in_both_versions() {
    let relay = relay_behind_balancer(Config {
        max_connections_per_ip: 1,
        ..test_config()
    })
    .await;
    let url = relay.url();
    let via = |prelude: Vec<u8>| {
        let url = url.clone();
        async move { TestClient::connect_via(&url, BALANCER, &prelude, &[]).await }
    };
    // Two clients through one balancer: each has its own place under the limit of one.
    let mut ann = via(proxy_v1("203.0.113.7")).await.expect("ann is let in");
    let mut bob = via(proxy_v2(Ipv4Addr::new(203, 0, 113, 8)))
        .await
        .expect("bob is let in");
    // The same client again, in either version, is over its limit.
    assert_eq!(refused_status(via(proxy_v1("203.0.113.8")).await), 429);
    assert_eq!(
        refused_status(via(proxy_v2(Ipv4Addr::new(203, 0, 113, 7))).await),
        429
    );
    // The connections work as any other.
    let welcome = ann.create("ann").await;
    bob.join("bob", &welcome.room).await;
}

#[tokio::test]
async fn the_balancers_forwarded_headers_name_the_client_for_removal_bans() {
    let relay = relay_behind_balancer(test_config()).await;
    let url = relay.url();
    let from = |header: &'static str, value: &'static str| {
        let url = url.clone();
        async move {
            TestClient::connect_via(&url, BALANCER, &[], &[(header, value)])
                .await
                .expect("the balancer's connection is let in")
        }
    };
    let mut ann = from("X-Forwarded-For", "203.0.113.1").await;
    let room = ann.create("ann").await.room;
    let mut bob = from("X-Forwarded-For", "203.0.113.2").await;
    bob.join("bob", &room).await;
    ann.send(&ClientMessage::Remove { name: name("bob") }).await;
    bob.expect_close(close_code::REMOVED).await;

    // Everyone else behind the balancer still gets in; bob's address does not, under any name.
    let mut cy = from("Forwarded", "for=203.0.113.3").await;
    cy.join("cy", &room).await;
    let mut bob_again = from("X-Forwarded-For", "198.51.100.9, 203.0.113.2").await;
    bob_again.send_join("robert", &room).await;
    assert_eq!(bob_again.recv_error().await.code, ErrorCode::Removed);
}

#[tokio::test]
async fn failed_joins_count_against_the_client_not_the_balancer() {
    let relay = relay_behind_balancer(Config {
        max_failed_joins: 2,
        permanent_rooms: vec!["lobby".to_owned()],
        ..test_config()
    })
    .await;
    let guess = code("ZZZZZZZZZ");
    let mut guesser =
        TestClient::connect_via(&relay.url(), BALANCER, &proxy_v1("203.0.113.66"), &[])
            .await
            .expect("let in");
    let refused = loop {
        guesser.send_join("eve", &guess).await;
        match guesser.recv_error().await.code {
            ErrorCode::RoomNotFound => {}
            other => break other,
        }
    };
    assert_eq!(refused, ErrorCode::TooManyFailedJoins);

    let mut someone_else =
        TestClient::connect_via(&relay.url(), BALANCER, &proxy_v1("203.0.113.67"), &[])
            .await
            .expect("let in");
    someone_else.join("ann", &code("lobby")).await;
}

#[tokio::test]
async fn a_peer_the_relay_does_not_trust_cannot_name_another_client() {
    let relay = relay_behind_balancer(Config {
        max_connections_per_ip: 1,
        ..test_config()
    })
    .await;
    let url = relay.url();
    let _first = TestClient::connect_via(&url, DIRECT, &[], &[("X-Forwarded-For", "203.0.113.1")])
        .await
        .expect("let in");
    // Whoever it claims to be, it is still 127.0.0.2, which has its one connection.
    for (header, value) in [
        ("X-Forwarded-For", "203.0.113.2"),
        ("Forwarded", "for=203.0.113.3"),
    ] {
        let claim = TestClient::connect_via(&url, DIRECT, &[], &[(header, value)]).await;
        assert_eq!(refused_status(claim), 429, "{header}: {value}");
    }
    // A PROXY header from it is not read as one: it is not HTTP, and is refused as such.
    drop(_first);
    let mut raw = RawClient::tcp_from(relay.addr, DIRECT).await;
    raw.write(&proxy_v1("203.0.113.4")).await;
    raw.write(b"GET / HTTP/1.1\r\nHost: relay\r\n\r\n").await;
    assert!(raw.read_http_head().await.starts_with("HTTP/1.1 400"));
}

#[tokio::test]
async fn a_malformed_proxy_header_from_the_balancer_closes_the_connection_unanswered() {
    let relay = relay_behind_balancer(test_config()).await;
    let mut raw = RawClient::tcp(relay.addr).await;
    raw.write(b"PROXY TCP4 not-an-address 127.0.0.1 1 2\r\nGET / HTTP/1.1\r\n\r\n")
        .await;
    assert_eq!(
        raw.read_http_head().await,
        "",
        "no answer, the connection closed"
    );
    // The balancer's other connections are unaffected.
    let mut ann = TestClient::connect_via(&relay.url(), BALANCER, &proxy_v1("203.0.113.1"), &[])
        .await
        .expect("let in");
    ann.create("ann").await;
}
