//! Resume: reclaiming a name and catching up after a dropped connection (spec §7, §8).

use confab_protocol::{ErrorCode, ServerMessage};
use confab_server::Config;
use confab_tests::{TestClient, TestRelay, WelcomeExt, WelcomeMessage, test_config};

/// `members[sender]` sends `count` chats; every client in `members` reads each of them.
async fn chat_rounds(members: &mut [TestClient], sender: usize, first_id: u64, count: u64) {
    for id in first_id..first_id + count {
        members[sender].chat(id, &format!("message {id}")).await;
        for member in members.iter_mut() {
            member.recv_chat().await;
        }
    }
}

/// How often `who` (compared ignoring ASCII case) appears in the welcome's roster.
fn count_of(welcome: &WelcomeMessage, who: &str) -> usize {
    welcome
        .members
        .iter()
        .filter(|m| m.as_str().eq_ignore_ascii_case(who))
        .count()
}

/// Drops `members[0]` without `leave` and waits until every other member saw it go.
async fn drop_first(members: &mut Vec<TestClient>, who: &str) {
    members.remove(0).drop_connection();
    for other in members.iter_mut() {
        other.recv_member_left(who).await;
    }
}

#[tokio::test]
async fn a_resumed_client_gets_exactly_the_missed_messages_once_in_order() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob", "cat"]).await;
    chat_rounds(&mut members, 1, 1, 2).await; // seq 1, 2: ann saw them
    let token = members[0].welcome_token();
    drop_first(&mut members, "ann").await;
    // Now [bob, cat]: they talk in turns while ann is away (seq 3..=6).
    for round in 0..2 {
        chat_rounds(&mut members, 0, 10 + round, 1).await;
        chat_rounds(&mut members, 1, 20 + round, 1).await;
    }

    let mut ann = relay.client().await;
    let welcome = ann.resume("ann", &room, &token, Some(2)).await;
    assert_eq!(welcome.you.as_str(), "ann");
    assert_eq!(welcome.history_seqs(), [3, 4, 5, 6]);
    let senders: Vec<&str> = welcome
        .history
        .iter()
        .map(|chat| chat.from.as_str())
        .collect();
    assert_eq!(
        senders,
        ["bob", "cat", "bob", "cat"],
        "per-sender order kept"
    );
    assert_eq!(count_of(&welcome, "ann"), 1, "{:?}", welcome.members);
    for other in &mut members {
        other.recv_member_joined("ann").await;
    }

    // No replay after the welcome: the next chat ann sees is the next new one.
    members[0].chat(30, "welcome back").await;
    let next = ann
        .recv_until(|m| matches!(m, ServerMessage::Chat(_)))
        .await;
    let ServerMessage::Chat(chat) = next else {
        unreachable!()
    };
    assert_eq!((chat.seq, chat.text.as_str()), (7, "welcome back"));
}

#[tokio::test]
async fn a_resume_from_before_the_kept_history_gets_a_gap_notice() {
    let relay = TestRelay::start(Config {
        history_len: 2,
        ..test_config()
    })
    .await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    chat_rounds(&mut members, 1, 1, 1).await; // seq 1
    let token = members[0].welcome_token();
    drop_first(&mut members, "ann").await;
    chat_rounds(&mut members, 0, 2, 4).await; // seq 2..=5; the room keeps 4 and 5

    let mut ann = relay.client().await;
    let welcome = ann.resume("ann", &room, &token, Some(1)).await;
    assert_eq!(welcome.history_seqs(), [4, 5]);
    assert_eq!(
        ann.recv().await,
        ServerMessage::Gap {
            after: 1,
            resumed_from: 4
        }
    );
}

#[tokio::test]
async fn a_resume_within_the_kept_history_gets_no_gap_notice() {
    let relay = TestRelay::start(Config {
        history_len: 2,
        ..test_config()
    })
    .await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    chat_rounds(&mut members, 1, 1, 3).await; // seq 1..=3
    let token = members[0].welcome_token();
    drop_first(&mut members, "ann").await;
    chat_rounds(&mut members, 0, 4, 2).await; // seq 4, 5: exactly what the room keeps

    let mut ann = relay.client().await;
    let welcome = ann.resume("ann", &room, &token, Some(3)).await;
    assert_eq!(welcome.history_seqs(), [4, 5]);
    members[0].chat(9, "marker").await;
    assert_eq!(
        ann.recv_chat().await.seq,
        6,
        "no gap notice came before the marker"
    );
}

#[tokio::test]
async fn a_resume_without_last_seq_gets_the_normal_backlog() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    chat_rounds(&mut members, 1, 1, 3).await;
    let token = members[0].welcome_token();
    drop_first(&mut members, "ann").await;

    let mut ann = relay.client().await;
    let welcome = ann.resume("ann", &room, &token, None).await;
    assert_eq!(welcome.history_seqs(), [1, 2, 3]);
}

#[tokio::test]
async fn a_dropped_members_name_stays_reserved_for_its_resume_token() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let token = members[0].welcome_token();
    drop_first(&mut members, "ann").await;

    let mut impostor = relay.client().await;
    for name in ["ann", "ANN", "\u{0430}nn"] {
        impostor.send_join(name, &room).await;
        assert_eq!(
            impostor.recv_error().await.code,
            ErrorCode::NameTaken,
            "{name:?}"
        );
    }
    // The owner of the token gets the name back, spelled in any case.
    let mut ann = relay.client().await;
    let welcome = ann.resume("Ann", &room, &token, None).await;
    assert_eq!(count_of(&welcome, "ann"), 1, "{:?}", welcome.members);
    assert_eq!(welcome.members.len(), 2);
}

#[tokio::test]
async fn resuming_while_the_old_connection_is_open_replaces_it_with_4002() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let token = members[0].welcome_token();

    let mut new_ann = relay.client().await;
    let welcome = new_ann.resume("ann", &room, &token, None).await;
    assert_eq!(welcome.you.as_str(), "ann");
    assert_eq!(count_of(&welcome, "ann"), 1, "{:?}", welcome.members);
    members[0].expect_close(4002).await;

    members[1].chat(1, "still there?").await;
    assert_eq!(new_ann.recv_chat().await.text, "still there?");
}

#[tokio::test]
async fn leave_forgets_the_resume_token_and_frees_the_name() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let token = members[0].welcome_token();
    members[0].leave().await;
    members[0].expect_close(1000).await;

    let (_new_ann, welcome) = relay.member("ann", &room).await;
    assert_eq!(welcome.member_names(), ["bob", "ann"]);

    // The old token no longer reclaims the name from its new holder.
    let mut old_ann = relay.client().await;
    old_ann
        .send(&confab_protocol::ClientMessage::Join {
            name: confab_tests::name("ann"),
            room: room.clone(),
            resume_token: Some(token),
            last_seq: None,
        })
        .await;
    assert_eq!(old_ann.recv_error().await.code, ErrorCode::NameTaken);
}

#[tokio::test]
async fn a_token_presented_with_another_name_is_ignored() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let token = members[0].welcome_token();
    drop_first(&mut members, "ann").await;

    let mut zed = relay.client().await;
    let welcome = zed.resume("zed", &room, &token, None).await;
    assert_eq!(welcome.you.as_str(), "zed");
    assert_eq!(count_of(&welcome, "ann"), 0, "{:?}", welcome.members);
    // ... and ann's name is still reserved for her.
    let mut other = relay.client().await;
    other.send_join("ann", &room).await;
    assert_eq!(other.recv_error().await.code, ErrorCode::NameTaken);
}

#[tokio::test]
async fn an_unknown_resume_token_is_treated_as_a_fresh_join() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann"]).await;
    chat_rounds(&mut members, 0, 1, 2).await;
    let mut eve = relay.client().await;
    let welcome = eve.resume("eve", &room, "not-a-real-token", None).await;
    assert_eq!(welcome.you.as_str(), "eve");
    assert_eq!(welcome.member_names(), ["ann", "eve"]);
    assert_eq!(welcome.history_seqs(), [1, 2]);
    assert_ne!(welcome.resume_token, "not-a-real-token");
}

#[tokio::test]
async fn a_token_from_another_room_is_ignored() {
    let relay = TestRelay::start_default().await;
    let (_, first) = relay.room_with(&["ann"]).await;
    let token = first[0].welcome_token();
    let (other_room, mut second) = relay.room_with(&["bob"]).await;
    chat_rounds(&mut second, 0, 1, 2).await;

    // As a resume, last_seq 2 would mean "nothing missed"; as the fresh join it must be
    // treated as, the newcomer gets the whole backlog.
    let mut ann = relay.client().await;
    let welcome = ann.resume("ann", &other_room, &token, Some(2)).await;
    assert_eq!(welcome.member_names(), ["bob", "ann"]);
    assert_eq!(welcome.history_seqs(), [1, 2]);
}
