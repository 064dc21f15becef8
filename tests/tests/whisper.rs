//! Whispers: private messages to one member, echoed to the sender (spec §3).

use confab_protocol::{ErrorCode, ServerMessage};
use confab_server::Config;
use confab_tests::{TestRelay, test_config};

#[tokio::test]
async fn a_whisper_reaches_only_its_recipient_and_is_echoed_to_the_sender() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob", "cat"]).await;
    members[0].whisper("bob", 9, "just between us").await;

    let ServerMessage::Whisper(received) = members[1].recv().await else {
        panic!("bob expected a whisper");
    };
    assert_eq!(
        (received.from.as_str(), received.to.as_str()),
        ("ann", "bob")
    );
    assert_eq!(
        (received.text.as_str(), received.client_id),
        ("just between us", None)
    );

    let ServerMessage::Whisper(echo) = members[0].recv().await else {
        panic!("ann expected her whisper's echo");
    };
    assert_eq!((echo.from.as_str(), echo.to.as_str()), ("ann", "bob"));
    assert_eq!(
        (echo.text.as_str(), echo.client_id),
        ("just between us", Some(9))
    );

    // cat saw nothing: her next message is the marker.
    members[1].chat(1, "marker").await;
    assert_eq!(members[2].recv_chat().await.text, "marker");
}

#[tokio::test]
async fn whisper_recipients_are_matched_like_names_ignoring_case() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "Bob"]).await;
    members[0].whisper("BOB", 1, "hey").await;
    let ServerMessage::Whisper(received) = members[1].recv().await else {
        panic!("Bob expected a whisper");
    };
    assert_eq!(received.text, "hey");
}

#[tokio::test]
async fn a_whisper_to_someone_not_in_the_room_is_refused_with_no_such_member() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    let (_elsewhere, _) = relay.creator("zed").await;
    for (id, to) in [(3, "nobody"), (4, "zed")] {
        members[0].whisper(to, id, "hello?").await;
        let error = members[0].recv_error().await;
        assert_eq!(
            (error.code, error.client_id),
            (ErrorCode::NoSuchMember, Some(id)),
            "to {to}"
        );
    }
    members[0].chat(5, "marker").await;
    assert_eq!(
        members[1].recv_chat().await.text,
        "marker",
        "bob saw nothing before"
    );
}

#[tokio::test]
async fn whisper_texts_follow_the_chat_text_rules() {
    let relay = TestRelay::start(Config {
        max_text_chars: 4,
        ..test_config()
    })
    .await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].whisper("bob", 1, " \n ").await;
    let error = members[0].recv_error().await;
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::EmptyMessage, Some(1))
    );
    members[0].whisper("bob", 2, "toolong").await;
    let error = members[0].recv_error().await;
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::MessageTooLong, Some(2))
    );
    members[0].chat(3, "mark").await;
    assert_eq!(
        members[1].recv_chat().await.text,
        "mark",
        "no refused whisper reached bob"
    );
}

#[tokio::test]
async fn whispers_have_no_seq_and_are_not_kept_in_history() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].chat(1, "public one").await;
    members[0].whisper("bob", 2, "private").await;
    members[0].chat(3, "public two").await;
    let seen = members[0]
        .collect_until(|m| matches!(m, ServerMessage::Chat(chat) if chat.client_id == Some(3)))
        .await;
    let seqs: Vec<u64> = seen
        .iter()
        .filter_map(|m| match m {
            ServerMessage::Chat(chat) => Some(chat.seq),
            _ => None,
        })
        .collect();
    assert_eq!(seqs, [1, 2], "the whisper took no sequence number");

    let (_cat, welcome) = relay.member("cat", &room).await;
    let texts: Vec<&str> = welcome
        .history
        .iter()
        .map(|chat| chat.text.as_str())
        .collect();
    assert_eq!(texts, ["public one", "public two"]);
}
