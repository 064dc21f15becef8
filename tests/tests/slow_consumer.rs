//! Slow consumers: a member that stops reading is evicted instead of slowing the room
//! (spec §5).

use confab_protocol::ServerMessage;
use confab_server::Config;
use confab_tests::wire::roster;
use confab_tests::{TestClient, TestRelay, WelcomeExt, test_config};

/// Characters per chat: big messages fill the stalled socket's buffers in few rounds.
const TEXT_CHARS: usize = 16_000;
/// Upper bound on rounds before the stalled member must be gone (~16 MB of chat, far more
/// than any loopback socket buffers).
const MAX_ROUNDS: u64 = 1_000;

#[tokio::test]
async fn a_member_that_stops_reading_is_evicted_and_the_room_keeps_flowing() {
    let config = Config {
        outbox_frames: 4,
        max_text_chars: TEXT_CHARS,
        max_frame_bytes: 64 * 1024,
        history_len: 4,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    // A tiny receive buffer, so the relay's writes back up after a few frames.
    let mut stalled = TestClient::connect_with_small_buffer(&relay.url(), 4096).await;
    stalled.join("sam", &room).await;
    for member in &mut members {
        member.recv_member_joined("sam").await;
    }

    // ann talks; every round, ann and bob read everything, sam reads nothing.
    let text = "z".repeat(TEXT_CHARS);
    let mut evicted = false;
    for id in 1..=MAX_ROUNDS {
        members[0].chat(id, &text).await;
        for member in &mut members {
            let seen = member
                .collect_until(
                    |m| matches!(m, ServerMessage::Chat(chat) if chat.from.as_str() == "ann"),
                )
                .await;
            for msg in &seen {
                if let ServerMessage::MemberLeft {
                    name, members: now, ..
                } = msg
                {
                    assert_eq!(name.as_str(), "sam");
                    assert_eq!(roster(now), ["ann", "bob"]);
                    evicted = true;
                }
            }
        }
        if evicted {
            break;
        }
    }
    assert!(
        evicted,
        "sam was still in the room after {MAX_ROUNDS} rounds"
    );

    // The room goes on at full speed: every further message arrives (each read is bounded).
    for id in 0..5 {
        members[1].chat(10_000 + id, "after the eviction").await;
        for member in &mut members {
            let chat = member
                .recv_until(|m| matches!(m, ServerMessage::Chat(_)))
                .await;
            let ServerMessage::Chat(chat) = chat else {
                unreachable!()
            };
            assert_eq!(chat.text, "after the eviction");
        }
    }

    // The stalled socket, once read, ends with close 4000 (or was simply dropped).
    let token = stalled.welcome_token();
    stalled.expect_close_or_drop(4000).await;

    // Eviction is not a leave: sam can resume under his name on a new connection.
    let mut sam = relay.client().await;
    let welcome = sam.resume("sam", &room, &token, None).await;
    assert_eq!(welcome.member_names(), ["ann", "bob", "sam"]);
}
