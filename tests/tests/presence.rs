//! Presence: the roster on every join and leave, and typing hints (spec §3, §7).

use confab_protocol::ServerMessage;
use confab_tests::wire::roster;
use confab_tests::{TestRelay, WelcomeExt};

#[tokio::test]
async fn welcome_lists_everyone_in_join_order_including_the_joiner() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let (_cat, welcome) = relay.member("cat", &room).await;
    assert_eq!(welcome.member_names(), ["ann", "bob", "cat"]);
    for member in &mut members {
        let members_now = member.recv_member_joined("cat").await;
        assert_eq!(roster(&members_now), ["ann", "bob", "cat"]);
    }
}

#[tokio::test]
async fn each_join_sends_others_member_joined_with_the_current_roster() {
    let relay = TestRelay::start_default().await;
    let (mut ann, created) = relay.creator("ann").await;
    let (_bob, _) = relay.member("bob", &created.room).await;
    let (_cat, _) = relay.member("cat", &created.room).await;
    assert_eq!(
        ann.recv().await,
        ServerMessage::MemberJoined {
            name: confab_tests::name("bob"),
            members: vec![confab_tests::name("ann"), confab_tests::name("bob")],
        }
    );
    let members_now = ann.recv_member_joined("cat").await;
    assert_eq!(members_now.len(), 3, "the count follows every join");
}

#[tokio::test]
async fn the_joiner_gets_no_member_joined_for_itself() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].chat(1, "marker").await;
    // bob's first message after his welcome is ann's chat, not a notice about himself.
    let chat = members[1].recv_chat().await;
    assert_eq!(chat.text, "marker");
}

#[tokio::test]
async fn leave_sends_others_member_left_and_closes_with_1000() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob", "cat"]).await;
    members[1].leave().await;
    members[1].expect_close(1000).await;
    for index in [0, 2] {
        let members_now = members[index].recv_member_left("bob").await;
        assert_eq!(roster(&members_now), ["ann", "cat"]);
    }
}

#[tokio::test]
async fn a_dropped_connection_sends_others_member_left_right_away() {
    // The default keepalive (20 s + 20 s) is far longer than STEP: only noticing the
    // closed socket can pass this test.
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    let bob = members.pop().expect("two members");
    bob.drop_connection();
    let members_now = members[0].recv_member_left("bob").await;
    assert_eq!(roster(&members_now), ["ann"]);
}

#[tokio::test]
async fn closing_the_websocket_without_leave_sends_others_member_left() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    let bob = members.pop().expect("two members");
    bob.close().await;
    let members_now = members[0].recv_member_left("bob").await;
    assert_eq!(roster(&members_now), ["ann"]);
}

#[tokio::test]
async fn typing_is_relayed_to_the_other_members_only() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob", "cat"]).await;
    members[0].typing(true).await;
    for index in [1, 2] {
        assert_eq!(
            members[index].recv().await,
            ServerMessage::Typing {
                name: confab_tests::name("ann"),
                active: true
            }
        );
    }
    members[0].typing(false).await;
    assert_eq!(
        members[1].recv().await,
        ServerMessage::Typing {
            name: confab_tests::name("ann"),
            active: false
        }
    );

    // ann herself got nothing back about her own typing before bob's marker.
    members[1].chat(1, "marker").await;
    let seen = members[0]
        .collect_until(|m| matches!(m, ServerMessage::Chat(chat) if chat.text == "marker"))
        .await;
    assert!(
        !seen
            .iter()
            .any(|m| matches!(m, ServerMessage::Typing { name, .. } if name.as_str() == "ann")),
        "ann was told about her own typing: {seen:?}"
    );
}

#[tokio::test]
async fn sending_a_chat_ends_the_senders_typing_hint() {
    let relay = TestRelay::start_default().await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].typing(true).await;
    members[1].recv().await; // typing active: true
    members[0].chat(1, "done typing").await;

    // The relay tells bob ann stopped; whether before or after the chat may vary.
    let mut stopped = false;
    let mut chatted = false;
    while !(stopped && chatted) {
        match members[1].recv().await {
            ServerMessage::Typing {
                name,
                active: false,
            } if name.as_str() == "ann" => {
                stopped = true;
            }
            ServerMessage::Chat(chat) if chat.text == "done typing" => chatted = true,
            other => panic!("unexpected message: {other:?}"),
        }
    }
}
