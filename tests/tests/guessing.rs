//! The relay-wide ceiling on failed joins: many addresses together cannot guess room codes
//! faster than `max_failed_joins_relay` per window.

use confab_protocol::{ErrorCode, RoomCode};
use confab_server::Config;
use confab_tests::{TestRelay, test_config};

#[tokio::test]
async fn past_the_relay_ceiling_every_join_by_code_waits_but_creating_still_works() {
    let config = Config {
        max_failed_joins_relay: 3,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_ann, welcome) = relay.creator("ann").await;

    let mut guesser = relay.client().await;
    for guess in ["ZZZ-ZZZ-ZZ2", "ZZZ-ZZZ-ZZ3", "ZZZ-ZZZ-ZZ4"] {
        let code = RoomCode::parse(guess).expect("valid code");
        guesser.send_join("eve", &code).await;
        assert_eq!(guesser.recv_error().await.code, ErrorCode::RoomNotFound);
    }

    // The ceiling is reached: even the right code is refused, so a guess tells nothing.
    let mut bob = relay.client().await;
    bob.send_join("bob", &welcome.room).await;
    let refusal = bob.recv_error().await;
    assert_eq!(refusal.code, ErrorCode::TooManyFailedJoins);
    let wait = refusal.retry_after_ms.expect("a retry_after_ms");
    assert!(wait > 0 && wait <= 60_000, "{wait}");

    // Creating a room asks no code and still works, on the same connection.
    let created = bob.create("bob").await;
    assert_ne!(created.room, welcome.room);
}
