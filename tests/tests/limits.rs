//! Per-message and per-room limits: rate limiting, frame size, room size, room count, and
//! the limits announced in `welcome` (spec §3, §4, §9).

use std::time::Duration;

use confab_protocol::{AttachmentLimits, ClientMessage, ErrorCode, Limits, ServerMessage};
use confab_server::Config;
use confab_tests::{ErrorMessage, TestRelay, WelcomeExt, chat_from, code, error_of, test_config};

/// One token per second and a bucket of four, one of which the join takes: the fourth
/// quick message after joining is limited.
fn rate_limited_config() -> Config {
    Config {
        messages_per_second: 1,
        burst: 4,
        max_rate_strikes: 100,
        ..test_config()
    }
}

#[tokio::test]
async fn welcome_announces_the_configured_limits() {
    let config = Config {
        max_text_chars: 123,
        max_frame_bytes: 4567,
        messages_per_second: 7,
        burst: 9,
        typing_ttl: Duration::from_millis(1500),
        ping_interval: Duration::from_secs(11),
        pong_timeout: Duration::from_secs(12),
        join_timeout: Duration::from_secs(13),
        room_grace: Duration::from_secs(14),
        history_len: 15,
        max_file_bytes: 16,
        max_room_attachment_bytes: 17,
        max_relay_attachment_bytes: 18,
        max_chunk_bytes: 19,
        max_uploads_in_flight: 1,
        upload_timeout: Duration::from_secs(20),
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_ann, welcome) = relay.creator("ann").await;
    let expected = Limits {
        max_text_chars: 123,
        max_frame_bytes: 4567,
        messages_per_second: 7,
        burst: 9,
        typing_ttl_ms: 1500,
        ping_interval_ms: 11_000,
        pong_timeout_ms: 12_000,
        join_timeout_ms: 13_000,
        room_grace_ms: 14_000,
        history_len: 15,
        attachments: AttachmentLimits {
            max_file_bytes: 16,
            max_room_bytes: 17,
            max_relay_bytes: 18,
            max_chunk_bytes: 19,
            max_uploads_in_flight: 1,
            upload_timeout_ms: 20_000,
        },
    };
    assert_eq!(welcome.limits, expected);
}

#[tokio::test]
async fn messages_beyond_the_burst_are_rate_limited_and_not_relayed_while_others_flow() {
    let relay = TestRelay::start(rate_limited_config()).await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    for id in 1..=4 {
        members[0].chat(id, &format!("flood {id}")).await;
    }
    let mut echoes = Vec::new();
    let mut errors = Vec::new();
    while echoes.len() + errors.len() < 4 {
        match members[0].recv().await {
            ServerMessage::Chat(chat) => echoes.push(chat.client_id),
            msg @ ServerMessage::Error(ErrorMessage { .. }) => errors.push(error_of(msg)),
            ServerMessage::Typing { active: false, .. } => {}
            other => panic!("unexpected message: {other:?}"),
        }
    }
    assert_eq!(echoes, [Some(1), Some(2), Some(3)]);
    let error = errors.pop().flatten().expect("one error frame");
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::RateLimited, Some(4))
    );
    assert!(error.retry_after_ms.is_some_and(|ms| ms > 0), "{error:?}");

    // bob's own bucket is full: his message goes through, and ann still gets it.
    members[1].chat(10, "not me").await;
    let seen = members[1]
        .collect_until(|m| matches!(m, ServerMessage::Chat(chat) if chat.client_id == Some(10)))
        .await;
    let from_ann: Vec<&str> = chat_from("ann", &seen)
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        from_ann,
        ["flood 1", "flood 2", "flood 3"],
        "the limited message was dropped"
    );
    assert_eq!(members[0].recv_chat().await.text, "not me");
}

#[tokio::test]
async fn whispers_take_from_the_chat_bucket_but_typing_hints_do_not() {
    let relay = TestRelay::start(rate_limited_config()).await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].typing(true).await;
    members[0].typing(false).await;
    for id in 1..=4 {
        members[0].whisper("bob", id, "quick").await;
    }
    let error = members[0]
        .recv_until(|m| matches!(m, ServerMessage::Error(ErrorMessage { .. })))
        .await;
    let error = error_of(error).expect("an error frame");
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::RateLimited, Some(4))
    );
}

#[tokio::test]
async fn a_message_is_accepted_again_after_retry_after_ms() {
    let relay = TestRelay::start(rate_limited_config()).await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    for id in 1..=4 {
        members[0].chat(id, "quick").await;
    }
    let error = members[0]
        .recv_until(|m| matches!(m, ServerMessage::Error(ErrorMessage { .. })))
        .await;
    let retry_after = error_of(error)
        .and_then(|e| e.retry_after_ms)
        .expect("rate_limited carries retry_after_ms");
    tokio::time::sleep(Duration::from_millis(retry_after + 50)).await;
    members[0].chat(5, "patient").await;
    let chat = members[0].recv_chat().await;
    assert_eq!((chat.client_id, chat.seq), (Some(5), 4));
}

#[tokio::test]
async fn sustained_flooding_closes_the_connection_with_1008() {
    let config = Config {
        messages_per_second: 1,
        burst: 2,
        max_rate_strikes: 3,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    for id in 1..=30 {
        let flood = ClientMessage::Chat {
            reply_to: None,
            client_id: id,
            text: "flood".to_owned(),
        };
        if members[0].try_send(&flood).await.is_err() {
            break;
        }
    }
    let seen = members[0].expect_close(1008).await;
    let strikes = seen
        .iter()
        .filter(|m| {
            matches!(
                m,
                ServerMessage::Error(ErrorMessage {
                    code: ErrorCode::RateLimited,
                    ..
                })
            )
        })
        .count();
    assert!(
        (1..=3).contains(&strikes),
        "{strikes} rate_limited errors before the close"
    );
    members[1].recv_member_left("ann").await;
}

#[tokio::test]
async fn occasional_refusals_spread_over_time_do_not_close_the_connection() {
    let config = Config {
        messages_per_second: 2,
        burst: 1,
        max_rate_strikes: 3,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    // The join took the only token: wait for the next one.
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Three refusals in all, each followed by a pause: the strike score decays between
    // them (1 point a second) and never reaches 3.
    for round in 0..3u64 {
        members[0].chat(round * 2, "accepted").await;
        members[0].chat(round * 2 + 1, "too quick").await;
        assert_eq!(members[0].recv_chat().await.client_id, Some(round * 2));
        let error = members[0].recv_error().await;
        assert_eq!(error.code, ErrorCode::RateLimited);
        let wait = error.retry_after_ms.expect("retry_after_ms");
        tokio::time::sleep(Duration::from_millis(wait + 50)).await;
    }
    members[0].chat(100, "still connected").await;
    assert_eq!(members[0].recv_chat().await.client_id, Some(100));
}

#[tokio::test]
async fn a_frame_larger_than_max_frame_bytes_closes_with_1009() {
    let config = Config {
        max_frame_bytes: 1024,
        max_text_chars: 10_000,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].chat(1, &"x".repeat(900)).await; // fits, JSON included
    assert_eq!(members[1].recv_chat().await.text.len(), 900);

    members[0].chat(2, &"x".repeat(2000)).await;
    members[0].expect_close(1009).await;
    let members_now = members[1].recv_member_left("ann").await;
    assert!(members_now.iter().all(|m| m.as_str() != "ann"));
}

#[tokio::test]
async fn joining_a_full_room_is_refused_with_room_full() {
    let relay = TestRelay::start(Config {
        max_room_members: 2,
        ..test_config()
    })
    .await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let mut cat = relay.client().await;
    cat.send_join("cat", &room).await;
    assert_eq!(cat.recv_error().await.code, ErrorCode::RoomFull);

    // A free place can be taken again, and cat's connection stayed open to take it.
    members[1].leave().await;
    members[0].recv_member_left("bob").await;
    let welcome = cat.join("cat", &room).await;
    assert_eq!(welcome.member_names(), ["ann", "cat"]);
}

#[tokio::test]
async fn creating_beyond_max_rooms_is_refused_with_too_many_rooms() {
    // The permanent lobby counts: with max_rooms 2 there is space for one more room.
    let config = Config {
        max_rooms: 2,
        permanent_rooms: vec!["lobby".to_owned()],
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_ann, _) = relay.creator("ann").await;
    let mut bob = relay.client().await;
    bob.send_create("bob").await;
    assert_eq!(bob.recv_error().await.code, ErrorCode::TooManyRooms);
    // Existing rooms still take members, on the same connection.
    let welcome = bob.join("bob", &code("lobby")).await;
    assert_eq!(welcome.member_names(), ["bob"]);
}
