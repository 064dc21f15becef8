//! Timeouts: the handshake, the join, and the keepalive that finds dead peers
//! (spec §1, §2, §6).
//!
//! The tests whose outcome is a timer firing, or not firing, run on tokio's paused clock
//! (`start_paused`): the runtime jumps to the next timer only when every task waits and
//! no socket has anything to read, so the relay's handshake, join and keepalive deadlines
//! fire in their order, and a pong on the loopback always arrives before the next one,
//! however loaded the machine.

use std::time::Duration;

use confab_server::Config;
use confab_tests::wire::roster;
use confab_tests::{TestRelay, WelcomeExt, test_config, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Waits until the relay ends a raw TCP connection (EOF or reset), draining anything it
/// says first (nothing is expected before a finished handshake).
async fn until_dropped(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    within("the relay to drop the connection", async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_never_sends_the_upgrade_request_is_dropped() {
    let config = Config {
        handshake_timeout: Duration::from_millis(200),
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let silent = within("TCP connect", TcpStream::connect(relay.addr))
        .await
        .expect("connect");
    until_dropped(silent).await;

    let mut halfway = within("TCP connect", TcpStream::connect(relay.addr))
        .await
        .expect("connect");
    let partial = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\n",
        relay.addr
    );
    within(
        "writing half a request",
        halfway.write_all(partial.as_bytes()),
    )
    .await
    .expect("write");
    until_dropped(halfway).await;
}

#[tokio::test]
async fn a_stalled_handshake_does_not_hold_up_other_connections() {
    // The silent connection outlives this test: only the handler's own timer may end it.
    let relay = TestRelay::start_default().await;
    let _silent = within("TCP connect", TcpStream::connect(relay.addr))
        .await
        .expect("connect");
    let (_ann, welcome) = relay.creator("ann").await;
    assert_eq!(welcome.member_names(), ["ann"]);
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_does_not_join_in_time_is_closed_with_4001() {
    let config = Config {
        join_timeout: Duration::from_millis(200),
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let mut idle = relay.client().await;
    idle.expect_close(4001).await;
    // Joining in time is not affected.
    let (_ann, _) = relay.creator("ann").await;
}

/// Pings every 100 ms; silent for 300 ms means dead.
fn fast_keepalive() -> Config {
    Config {
        ping_interval: Duration::from_millis(100),
        pong_timeout: Duration::from_millis(200),
        ..test_config()
    }
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_stops_answering_pings_is_dropped_and_others_get_member_left() {
    let relay = TestRelay::start(fast_keepalive()).await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    // bob is never read again, so his client never answers a ping; ann keeps reading.
    let _bob_frozen = members.pop().expect("two members");
    let members_now = members[0].recv_member_left("bob").await;
    assert_eq!(roster(&members_now), ["ann"]);
}

#[tokio::test(start_paused = true)]
async fn a_client_that_answers_pings_stays_connected_while_idle() {
    let relay = TestRelay::start(fast_keepalive()).await;
    let (mut ann, _) = relay.creator("ann").await;
    // Reading answers pings; a (paused-clock) second is ten keepalive periods, more than
    // three times the 300 ms of silence that would drop her.
    if let Some(event) = ann.next_event_within(Duration::from_secs(1)).await {
        panic!("an idle, responsive client got {event:?}");
    }
    assert!(
        ann.pings_seen() >= 9,
        "the relay pinged an idle connection {} times in ten periods",
        ann.pings_seen()
    );
    ann.chat(1, "still here").await;
    assert_eq!(ann.recv_chat().await.text, "still here");
}
