//! Bad input: frames the relay cannot use get typed errors, repeat offenders are closed,
//! and nobody else in the room notices (spec §2, §4).

use confab_protocol::{ErrorCode, ServerMessage};
use confab_server::Config;
use confab_tests::{TestClient, TestRelay, code, test_config};

/// One frame of every bad kind, with the error it must get.
#[derive(Clone, Copy, Debug)]
enum Bad {
    Text(&'static str, ErrorCode),
    Binary,
}

const BAD_FRAMES: [Bad; 9] = [
    Bad::Text("this is not json", ErrorCode::Malformed),
    Bad::Text("[1, 2, 3]", ErrorCode::Malformed),
    Bad::Text("{}", ErrorCode::Malformed),
    Bad::Text(r#"{"type":"shout","text":"hi"}"#, ErrorCode::Malformed),
    Bad::Text(
        r#"{"type":"chat","client_id":"seven","text":"x"}"#,
        ErrorCode::Malformed,
    ),
    Bad::Text(r#"{"type":"chat","text":"no id"}"#, ErrorCode::Malformed),
    Bad::Text(r#"{"type":"typing","active":"yes"}"#, ErrorCode::Malformed),
    Bad::Text(
        r#"{"type":"chat","client_id":1,"text":"x""#,
        ErrorCode::Malformed,
    ),
    Bad::Binary,
];

async fn send_bad(client: &mut TestClient, bad: Bad) -> ErrorCode {
    match bad {
        Bad::Text(text, expected) => {
            client.send_text(text).await;
            expected
        }
        Bad::Binary => {
            client
                .send_binary(br#"{"type":"typing","active":true}"#.to_vec())
                .await;
            ErrorCode::BinaryFrame
        }
    }
}

fn tolerant() -> Config {
    Config {
        max_bad_frames: 100,
        ..test_config()
    }
}

#[tokio::test]
async fn every_kind_of_bad_frame_gets_its_typed_error_and_the_connection_stays_open() {
    let relay = TestRelay::start(tolerant()).await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    for bad in BAD_FRAMES {
        let expected = send_bad(&mut members[0], bad).await;
        let error = members[0].recv_error().await;
        assert_eq!(error.code, expected, "{bad:?}");
        assert!(!error.message.is_empty(), "{bad:?}");
    }
    members[0].chat(1, "still fine").await;
    assert_eq!(members[0].recv_chat().await.text, "still fine");
}

#[tokio::test]
async fn other_members_notice_nothing_of_a_members_bad_frames() {
    let relay = TestRelay::start(tolerant()).await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    for bad in BAD_FRAMES {
        send_bad(&mut members[0], bad).await;
        members[0].recv_error().await;
    }
    members[0].chat(1, "marker").await;
    let first = members[1].recv_chat().await;
    assert_eq!(
        (first.seq, first.text.as_str()),
        (1, "marker"),
        "bob saw nothing before"
    );
}

#[tokio::test]
async fn messages_before_joining_get_not_joined() {
    let relay = TestRelay::start(tolerant()).await;
    let mut client = relay.client().await;
    for early in [
        r#"{"type":"chat","client_id":1,"text":"hi"}"#,
        r#"{"type":"typing","active":true}"#,
        r#"{"type":"whisper","to":"bob","client_id":2,"text":"psst"}"#,
        r#"{"type":"leave"}"#,
    ] {
        client.send_text(early).await;
        assert_eq!(
            client.recv_error().await.code,
            ErrorCode::NotJoined,
            "{early}"
        );
    }
    client.create("ann").await;
}

#[tokio::test]
async fn create_or_join_while_in_a_room_gets_already_joined() {
    let relay = TestRelay::start(tolerant()).await;
    let (room, mut members) = relay.room_with(&["ann"]).await;
    members[0].send_create("ann").await;
    assert_eq!(members[0].recv_error().await.code, ErrorCode::AlreadyJoined);
    members[0].send_join("ann2", &room).await;
    assert_eq!(members[0].recv_error().await.code, ErrorCode::AlreadyJoined);
    members[0].chat(1, "still in").await;
    assert_eq!(members[0].recv_chat().await.text, "still in");
}

#[tokio::test]
async fn repeated_bad_frames_close_the_connection_with_1008() {
    let relay = TestRelay::start(Config {
        max_bad_frames: 3,
        ..test_config()
    })
    .await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    for bad in &BAD_FRAMES[..3] {
        send_bad(&mut members[0], *bad).await;
        members[0].recv_error().await;
    }
    send_bad(&mut members[0], Bad::Binary).await;
    members[0].expect_close(1008).await;

    // bob only learns that ann left.
    let seen = members[1]
        .collect_until(
            |m| matches!(m, ServerMessage::MemberLeft { name, .. } if name.as_str() == "ann"),
        )
        .await;
    assert_eq!(seen.len(), 1, "bob saw more than ann leaving: {seen:?}");
}

#[tokio::test]
async fn repeated_messages_before_joining_close_the_connection_with_1008() {
    let relay = TestRelay::start(Config {
        max_bad_frames: 2,
        ..test_config()
    })
    .await;
    let mut client = relay.client().await;
    for _ in 0..2 {
        client.send_text(r#"{"type":"typing","active":true}"#).await;
        assert_eq!(client.recv_error().await.code, ErrorCode::NotJoined);
    }
    client.send_text(r#"{"type":"typing","active":true}"#).await;
    client.expect_close(1008).await;
}

#[tokio::test]
async fn a_failed_join_is_not_a_bad_frame() {
    // Refused joins have their own brake (max_failed_joins); they must not add up to a
    // bad-frame close.
    let relay = TestRelay::start(Config {
        max_bad_frames: 1,
        ..test_config()
    })
    .await;
    let mut client = relay.client().await;
    for _ in 0..3 {
        client.send_join("ann", &code("ZZZZZZZZZ")).await;
        assert_eq!(client.recv_error().await.code, ErrorCode::RoomNotFound);
    }
    client.create("ann").await;
}
