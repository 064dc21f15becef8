//! Names: validation, normalization and uniqueness within a room (spec §2, §7).

use confab_protocol::{ErrorCode, RoomCode};
use confab_server::Config;
use confab_tests::{TestClient, TestRelay, WelcomeExt, test_config};

/// Sends a hand-written `join`, so names the client-side parser would refuse reach the relay.
async fn join_raw(client: &mut TestClient, name_json: &str, room: &RoomCode) {
    client
        .send_text(format!(
            r#"{{"type":"join","name":{name_json},"room":"{room}"}}"#
        ))
        .await;
}

#[tokio::test]
async fn names_are_taken_ignoring_case_and_look_alike_letters() {
    let relay = TestRelay::start_default().await;
    let (_alice, created) = relay.creator("alice").await;
    let mut other = relay.client().await;
    // Upper case, Cyrillic "а" (U+0430) and a full-width "ａ" that NFKC folds to "a".
    for taken in ["ALICE", "Alice", "\u{0430}lice", "\u{FF41}lice", " alice "] {
        other.send_join(taken, &created.room).await;
        assert_eq!(
            other.recv_error().await.code,
            ErrorCode::NameTaken,
            "{taken:?}"
        );
    }
    // The refused connection stays open and can pick another name.
    let welcome = other.join("alicia", &created.room).await;
    assert_eq!(welcome.member_names(), ["alice", "alicia"]);
}

#[tokio::test]
async fn invalid_names_are_refused_and_the_connection_stays_open() {
    let relay = TestRelay::start_default().await;
    let (_ann, created) = relay.creator("ann").await;
    let mut client = relay.client().await;
    let too_long = format!(
        "\"{}\"",
        "n".repeat(confab_protocol::Username::MAX_CHARS + 1)
    );
    for bad in [
        r#""""#,
        r#""   ""#,
        r#""a\u200Bb""#,
        r#""bi\u202Edi""#,
        r#""bell\u0007""#,
        &too_long,
    ] {
        join_raw(&mut client, bad, &created.room).await;
        assert_eq!(
            client.recv_error().await.code,
            ErrorCode::InvalidName,
            "{bad}"
        );
    }
    client
        .send_text(r#"{"type":"create","name":"a\u200Bb"}"#)
        .await;
    assert_eq!(
        client.recv_error().await.code,
        ErrorCode::InvalidName,
        "create"
    );
    let welcome = client.join("bob", &created.room).await;
    assert_eq!(welcome.you.as_str(), "bob");
}

#[tokio::test]
async fn refused_names_and_codes_do_not_count_as_bad_frames() {
    // Spec §2: a failed create/join (invalid_name, invalid_room_code, ...) gets its error
    // "and the connection stays open to try again"; bad frames (§4) are malformed JSON,
    // unknown types, wrong field types, binary frames and messages before joining.
    let config = Config {
        max_bad_frames: 1,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let mut client = relay.client().await;
    for _ in 0..3 {
        client
            .send_text(r#"{"type":"create","name":"a\u200Bb"}"#)
            .await;
        assert_eq!(client.recv_error().await.code, ErrorCode::InvalidName);
        client
            .send_text(r#"{"type":"join","name":"ann","room":"no/pe"}"#)
            .await;
        assert_eq!(client.recv_error().await.code, ErrorCode::InvalidRoomCode);
    }
    client.create("ann").await;
}

#[tokio::test]
async fn a_name_of_exactly_the_maximum_length_is_accepted() {
    let relay = TestRelay::start_default().await;
    let longest = "é".repeat(confab_protocol::Username::MAX_CHARS);
    let (_client, welcome) = relay.creator(&longest).await;
    assert_eq!(welcome.you.as_str(), longest);
}

#[tokio::test]
async fn names_are_normalized_and_trimmed_by_the_relay() {
    let relay = TestRelay::start_default().await;
    let mut client = relay.client().await;
    // Raw JSON: the relay, not this test's encoder, does the normalizing.
    client
        .send_text(r#"{"type":"create","name":"  ｊｏｅ  "}"#)
        .await;
    let welcome = client.recv_welcome("welcome for ｊｏｅ").await;
    assert_eq!(welcome.you.as_str(), "joe");
    assert_eq!(welcome.member_names(), ["joe"]);
}

#[tokio::test]
async fn invalid_room_codes_are_refused_with_invalid_room_code() {
    let relay = TestRelay::start_default().await;
    let mut client = relay.client().await;
    let too_long = "A".repeat(RoomCode::MAX_CHARS + 1);
    for bad in ["", " - ", "abc/def", "ÄBC", too_long.as_str()] {
        client
            .send_text(format!(r#"{{"type":"join","name":"ann","room":"{bad}"}}"#))
            .await;
        assert_eq!(
            client.recv_error().await.code,
            ErrorCode::InvalidRoomCode,
            "{bad:?}"
        );
    }
    client.create("ann").await;
}
