//! Chat: relaying to the whole room, sequence numbers, text rules and the backlog (spec §3).

use std::time::{SystemTime, UNIX_EPOCH};

use confab_protocol::{ErrorCode, ErrorMessage, ServerMessage};
use confab_server::Config;
use confab_tests::{TestRelay, WelcomeExt, test_config};

fn now_ms() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    u64::try_from(since_epoch.as_millis()).expect("milliseconds fit in u64")
}

#[tokio::test]
async fn a_chat_reaches_everyone_and_only_the_sender_gets_its_client_id() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob", "cat"]).await;
    let before = now_ms();
    members[0].chat(42, "hello room").await;

    let echo = members[0].recv_chat().await;
    assert_eq!(echo.client_id, Some(42));
    assert_eq!(
        (echo.seq, echo.from.as_str(), echo.text.as_str()),
        (1, "ann", "hello room")
    );
    // ts is milliseconds since the epoch, stamped by the relay (a minute of slack for
    // clock granularity; this is a unit check, not a latency check).
    let minute = 60_000;
    assert!(
        echo.ts + minute >= before && echo.ts <= now_ms() + minute,
        "ts {}",
        echo.ts
    );

    for index in [1, 2] {
        let copy = members[index].recv_chat().await;
        assert_eq!(
            copy.client_id, None,
            "only the sender's copy carries client_id"
        );
        assert_eq!((copy.seq, copy.from.as_str(), copy.ts), (1, "ann", echo.ts));
        assert_eq!(copy.text, "hello room");
    }
}

#[tokio::test]
async fn chat_text_is_relayed_exactly_as_sent() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    let texts = [
        "  padded  ",
        "line one\nline two\n",
        "émoji 🚀 and 中文",
        "\"quotes\" & <tags>",
    ];
    for (id, text) in (1..).zip(texts) {
        members[0].chat(id, text).await;
        assert_eq!(members[1].recv_chat().await.text, text);
    }
}

#[tokio::test]
async fn sequence_numbers_are_consecutive_from_one_across_senders() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob", "cat"]).await;
    for round in 0..3u64 {
        members[0].chat(round * 2, "from ann").await;
        // Waiting for ann's own copy fixes the order of the two senders' messages.
        members[0].recv_chat().await;
        members[1].chat(round * 2 + 1, "from bob").await;
        members[1].recv_chat().await; // ann's
        members[1].recv_chat().await; // his own
        members[0].recv_chat().await; // bob's
    }
    let seen: Vec<(u64, String)> = {
        let mut seen = Vec::new();
        for _ in 0..6 {
            let chat = members[2].recv_chat().await;
            seen.push((chat.seq, chat.from.to_string()));
        }
        seen
    };
    let expected: Vec<(u64, String)> = (1..=6)
        .map(|seq| (seq, if seq % 2 == 1 { "ann" } else { "bob" }.to_owned()))
        .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn empty_and_white_space_only_texts_are_refused_with_empty_message() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    for (id, text) in [
        (1, ""),
        (2, "   "),
        (3, " \t\n \r\n"),
        (4, "\u{3000}\u{2003}"),
    ] {
        members[0].chat(id, text).await;
        let error = members[0].recv_error().await;
        assert_eq!(error.code, ErrorCode::EmptyMessage, "{text:?}");
        assert_eq!(error.client_id, Some(id));
        assert!(!error.message.is_empty());
    }
    // Nothing was relayed: bob's next chat is the marker, and it is the room's first.
    members[0].chat(5, "marker").await;
    let chat = members[1].recv_chat().await;
    assert_eq!((chat.seq, chat.text.as_str()), (1, "marker"));
}

#[tokio::test]
async fn texts_over_max_text_chars_are_refused_counting_characters_not_bytes() {
    let relay = TestRelay::start(Config {
        max_text_chars: 5,
        ..test_config()
    })
    .await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;

    members[0].chat(1, "ééééé").await; // 5 characters, 10 bytes
    assert_eq!(members[0].recv_chat().await.text, "ééééé");
    assert_eq!(members[1].recv_chat().await.seq, 1);

    members[0].chat(2, "abcdef").await;
    let error = members[0].recv_error().await;
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::MessageTooLong, Some(2))
    );

    members[0].chat(3, "ok").await;
    let chat = members[1].recv_chat().await;
    assert_eq!(
        (chat.seq, chat.text.as_str()),
        (2, "ok"),
        "the long text was not relayed"
    );
}

#[tokio::test]
async fn newcomers_get_the_recent_backlog_oldest_first_without_client_ids() {
    let relay = TestRelay::start(Config {
        history_len: 3,
        ..test_config()
    })
    .await;
    let (mut ann, created) = relay.creator("ann").await;
    for id in 1..=5 {
        ann.chat(id, &format!("message {id}")).await;
        ann.recv_chat().await;
    }
    let (_bob, welcome) = relay.member("bob", &created.room).await;
    assert_eq!(welcome.history_seqs(), [3, 4, 5]);
    let texts: Vec<&str> = welcome
        .history
        .iter()
        .map(|chat| chat.text.as_str())
        .collect();
    assert_eq!(texts, ["message 3", "message 4", "message 5"]);
    assert!(welcome.history.iter().all(|chat| chat.client_id.is_none()));
    assert!(
        welcome
            .history
            .iter()
            .all(|chat| chat.from.as_str() == "ann")
    );
}

#[tokio::test]
async fn the_sender_gets_its_copy_in_order_with_the_others_messages() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    for id in 1..=10 {
        members[0].chat(id, &format!("n{id}")).await;
    }
    for id in 1..=10 {
        let echo = members[0].recv_chat().await;
        assert_eq!((echo.seq, echo.client_id), (id, Some(id)));
        let copy = members[1].recv_chat().await;
        assert_eq!((copy.seq, copy.text), (id, format!("n{id}")));
    }
    // Typing and errors in between do not use up sequence numbers.
    members[0].typing(true).await;
    members[0].chat(11, "").await;
    assert!(matches!(
        members[0].recv().await,
        ServerMessage::Error(ErrorMessage { .. })
    ));
    members[0].chat(12, "after").await;
    assert_eq!(members[0].recv_chat().await.seq, 11);
}
