//! Status (online, away, reconnecting) and room safety (owner, lock, remove), against the
//! in-memory relay. `cluster.rs` runs the same ideas across two relays sharing Redis.

use confab_protocol::{
    ClientMessage, ErrorCode, MemberStatus, NamedStatus, RoomState, ServerMessage, close_code,
};
use confab_tests::{TestRelay, name, test_config};

fn is_status(msg: &ServerMessage, who: &str, wanted: MemberStatus) -> bool {
    matches!(msg, ServerMessage::Status { name, status } if name.as_str() == who && *status == wanted)
}

fn is_state(msg: &ServerMessage) -> bool {
    matches!(msg, ServerMessage::RoomState(_))
}

#[tokio::test]
async fn a_status_reaches_everyone_and_welcome_lists_it() {
    let relay = TestRelay::start(test_config()).await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[1]
        .send(&ClientMessage::Status {
            status: MemberStatus::Away,
        })
        .await;
    for member in &mut members {
        member
            .recv_until(|m| is_status(m, "bob", MemberStatus::Away))
            .await;
    }
    let (_cy, welcome) = relay.member("cy", &room).await;
    assert_eq!(
        welcome.statuses,
        [NamedStatus {
            name: name("bob"),
            status: MemberStatus::Away
        }]
    );
    members[1]
        .send(&ClientMessage::Status {
            status: MemberStatus::Online,
        })
        .await;
    members[0]
        .recv_until(|m| is_status(m, "bob", MemberStatus::Online))
        .await;
}

#[tokio::test]
async fn a_client_cannot_claim_to_be_reconnecting() {
    let relay = TestRelay::start(test_config()).await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    members[0]
        .send(&ClientMessage::Status {
            status: MemberStatus::Reconnecting,
        })
        .await;
    assert_eq!(members[0].recv_error().await.code, ErrorCode::Malformed);
}

#[tokio::test]
async fn status_changes_have_their_own_rate_limit_and_chat_is_untouched() {
    // The chat limit is wide open in test_config; the status limit is its own.
    let relay = TestRelay::start(test_config()).await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    let ann = &mut members[0];
    let burst = confab_server::STATUS_CHANGES_BURST;
    for i in 0..=burst {
        let status = if i % 2 == 0 {
            MemberStatus::Away
        } else {
            MemberStatus::Online
        };
        ann.send(&ClientMessage::Status { status }).await;
    }
    let mut echoes = 0;
    let refusal = loop {
        match ann.recv().await {
            ServerMessage::Status { .. } => echoes += 1,
            ServerMessage::Error(err) => break err,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(
        echoes, burst,
        "the burst goes through, the next one does not"
    );
    assert_eq!(refusal.code, ErrorCode::RateLimited);
    assert!(refusal.retry_after_ms.is_some_and(|ms| ms > 0));
    // A chat right after is relayed: the status budget is not the chat budget.
    ann.chat(1, "still here").await;
    assert_eq!(ann.recv_chat().await.text, "still here");
}

#[tokio::test]
async fn a_dropped_member_is_announced_as_reconnecting_and_comes_back_quietly() {
    let relay = TestRelay::start(test_config()).await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let bob = members.pop().expect("two members");
    let token = bob.welcome_token();
    bob.drop_connection();
    let ann = &mut members[0];
    let left = ann
        .recv_until(|m| matches!(m, ServerMessage::MemberLeft { .. }))
        .await;
    assert!(
        matches!(
            left,
            ServerMessage::MemberLeft {
                reconnecting: true,
                ..
            }
        ),
        "{left:?}"
    );
    // A newcomer during the grace period sees bob as reconnecting.
    let (_cy, welcome) = relay.member("cy", &room).await;
    assert!(welcome.statuses.contains(&NamedStatus {
        name: name("bob"),
        status: MemberStatus::Reconnecting
    }));
    let mut bob = relay.client().await;
    bob.resume("bob", &room, &token, None).await;
    ann.recv_member_joined("bob").await;
}

#[tokio::test]
async fn the_creator_owns_the_room_and_keeps_it_across_a_reconnect() {
    let relay = TestRelay::start(test_config()).await;
    let (mut ann, created) = relay.creator("ann").await;
    assert_eq!(created.room_state.owner, Some(name("ann")));
    let (_bob, welcome) = relay.member("bob", &created.room).await;
    assert_eq!(
        welcome.room_state,
        RoomState {
            owner: Some(name("ann")),
            locked: false
        }
    );
    ann.recv_member_joined("bob").await;
    let token = ann.welcome_token();
    ann.drop_connection();
    let mut ann = relay.client().await;
    let back = ann.resume("ann", &created.room, &token, None).await;
    assert_eq!(back.room_state.owner, Some(name("ann")));
    ann.send(&ClientMessage::Lock { locked: true }).await;
    let state = ann.recv_until(is_state).await;
    assert_eq!(
        state,
        ServerMessage::RoomState(RoomState {
            owner: Some(name("ann")),
            locked: true
        })
    );
}

#[tokio::test]
async fn a_locked_room_refuses_newcomers_but_lets_members_resume() {
    let relay = TestRelay::start(test_config()).await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[0].send(&ClientMessage::Lock { locked: true }).await;
    members[1].recv_until(is_state).await;
    let mut cy = relay.client().await;
    cy.send_join("cy", &room).await;
    assert_eq!(cy.recv_error().await.code, ErrorCode::RoomLocked);
    // bob drops and comes back: a member resumes into a locked room.
    let bob = members.pop().expect("two members");
    let token = bob.welcome_token();
    bob.drop_connection();
    members[0].recv_member_left("bob").await;
    let mut bob = relay.client().await;
    let back = bob.resume("bob", &room, &token, None).await;
    assert!(back.room_state.locked);
    // Unlocked, newcomers are welcome again.
    members[0]
        .send(&ClientMessage::Lock { locked: false })
        .await;
    bob.recv_until(is_state).await;
    let (_cy, welcome) = relay.member("cy", &room).await;
    assert!(!welcome.room_state.locked);
}

#[tokio::test]
async fn only_the_owner_may_lock_or_remove() {
    let relay = TestRelay::start(test_config()).await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    members[1].send(&ClientMessage::Lock { locked: true }).await;
    assert_eq!(members[1].recv_error().await.code, ErrorCode::NotOwner);
    members[1]
        .send(&ClientMessage::Remove { name: name("ann") })
        .await;
    assert_eq!(members[1].recv_error().await.code, ErrorCode::NotOwner);
    // Nothing changed: ann is still here and the room is open.
    members[1].chat(1, "marker").await;
    assert_eq!(members[0].recv_chat().await.text, "marker");
}

#[tokio::test]
async fn a_removed_member_is_closed_with_4003_and_kept_out() {
    let relay = TestRelay::start(test_config()).await;
    let (room, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
    let token = members[1].welcome_token();
    members[0]
        .send(&ClientMessage::Remove { name: name("BOB") })
        .await;
    members[1].expect_close(close_code::REMOVED).await;
    let roster = members[2].recv_member_left("bob").await;
    assert_eq!(roster, [name("ann"), name("cy")]);
    // Neither the name (even with its resume token) nor the address gets back in.
    let mut bob = relay.client().await;
    bob.send(&ClientMessage::Join {
        name: name("bob"),
        room: room.clone(),
        resume_token: Some(token),
        last_seq: None,
    })
    .await;
    assert_eq!(bob.recv_error().await.code, ErrorCode::Removed);
    let mut eve = relay.client().await;
    eve.send_join("eve", &room).await;
    assert_eq!(
        eve.recv_error().await.code,
        ErrorCode::Removed,
        "the same address under another name"
    );
    // The others carry on.
    members[0].recv_member_left("bob").await;
    members[2].chat(1, "carry on").await;
    assert_eq!(members[0].recv_chat().await.text, "carry on");
    members[0]
        .send(&ClientMessage::Remove { name: name("ann") })
        .await;
    assert_eq!(members[0].recv_error().await.code, ErrorCode::NoSuchMember);
}

#[tokio::test]
async fn ownership_passes_to_the_longest_present_member_when_the_owner_leaves() {
    let relay = TestRelay::start(test_config()).await;
    let (_, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
    members[0].leave().await;
    for member in &mut members[1..] {
        let state = member.recv_until(is_state).await;
        assert_eq!(
            state,
            ServerMessage::RoomState(RoomState {
                owner: Some(name("bob")),
                locked: false
            })
        );
    }
    members[1].send(&ClientMessage::Lock { locked: true }).await;
    members[2].recv_until(is_state).await;
}
