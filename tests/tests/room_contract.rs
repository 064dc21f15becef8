//! The room contract, once, against both room stores: every behaviour here runs as two
//! tests (`<behaviour>::memory` and `<behaviour>::redis`), a relay keeping its rooms in
//! memory and a relay keeping them in a real `redis-server`. A rule that one store keeps
//! and the other breaks fails by name. The per-concept files (`rooms.rs`, `whisper.rs`,
//! `safety.rs`, `cluster.rs`, ...) go deeper into one store or one edge; what a client may
//! rely on in either mode is written here.

use std::net::Ipv4Addr;
use std::time::Duration;

use confab_protocol::{
    ClientMessage, ErrorCode, MemberStatus, RoomCode, RoomState, ServerMessage, close_code,
};
use confab_tests::wire::roster;
use confab_tests::{TestRelay, name, on_both_stores};

/// Removals a room keeps out at once (the memory store's `MAX_REMOVALS`, the Redis
/// store's `MAX_REMOVALS` in its Lua); the oldest is forgotten first.
const KEPT_REMOVALS: usize = 64;

fn is_status(msg: &ServerMessage, who: &str, wanted: MemberStatus) -> bool {
    matches!(msg, ServerMessage::Status { name, status } if name.as_str() == who && *status == wanted)
}

fn state_of(msg: &ServerMessage) -> Option<RoomState> {
    match msg {
        ServerMessage::RoomState(state) => Some(state.clone()),
        _ => None,
    }
}

fn owned_by(who: &str, locked: bool) -> RoomState {
    RoomState {
        owner: Some(name(who)),
        locked,
    }
}

/// Joins `room` as `who` from the loopback address `from`: `None` if let in, else the
/// refusal's code.
async fn refusal(
    relay: &TestRelay,
    room: &RoomCode,
    who: &str,
    from: Ipv4Addr,
) -> Option<ErrorCode> {
    let mut client = relay.client_from(from).await;
    client.send_join(who, room).await;
    match client.recv().await {
        ServerMessage::Welcome(_) => None,
        ServerMessage::Error(error) => Some(error.code),
        other => panic!("expected a welcome or an error for {who:?} from {from}, got {other:?}"),
    }
}

on_both_stores! {
    async fn the_creator_owns_the_room_and_joiners_see_everyone_in_joining_order(store: Store) {
        let relay = store.relay().await;
        let (mut ann, welcome) = relay.creator("ann").await;
        assert_eq!(welcome.room_state, owned_by("ann", false));
        assert_eq!(roster(&welcome.members), ["ann"]);
        let (mut bob, welcome) = relay.member("bob", &welcome.room).await;
        assert_eq!(roster(&welcome.members), ["ann", "bob"]);
        assert_eq!(welcome.room_state, owned_by("ann", false));
        assert_eq!(roster(&ann.recv_member_joined("bob").await), ["ann", "bob"]);
        let (_cy, welcome) = relay.member("cy", &welcome.room).await;
        assert_eq!(roster(&welcome.members), ["ann", "bob", "cy"]);
        assert_eq!(roster(&bob.recv_member_joined("cy").await), ["ann", "bob", "cy"]);
    }
}

on_both_stores! {
    async fn chats_reach_everyone_once_in_one_order_and_newcomers_get_them_as_history(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
        for i in 0..3 {
            members[i % 2].chat(i as u64, &format!("line {i}")).await;
        }
        let mut orders = Vec::new();
        for member in &mut members {
            let mut seen = Vec::new();
            for _ in 0..3 {
                let chat = member.recv_chat().await;
                seen.push((chat.seq, chat.from.to_string(), chat.text));
            }
            orders.push(seen);
        }
        assert_eq!(orders[0], orders[1], "one order for everyone");
        let seqs: Vec<u64> = orders[0].iter().map(|(seq, ..)| *seq).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "consecutive: {seqs:?}");
        let (_cy, welcome) = relay.member("cy", &room).await;
        let history: Vec<_> = welcome
            .history
            .iter()
            .map(|c| (c.seq, c.from.to_string(), c.text.clone()))
            .collect();
        assert_eq!(history, orders[0]);
    }
}

on_both_stores! {
    async fn a_name_in_use_or_one_that_looks_like_it_is_refused_and_so_is_an_unknown_room(store: Store) {
        let relay = store.relay().await;
        let (_ann, welcome) = relay.creator("ann").await;
        for taken in ["ann", "ANN", "аnn"] {
            let mut again = relay.client().await;
            again.send_join(taken, &welcome.room).await;
            assert_eq!(again.recv_error().await.code, ErrorCode::NameTaken, "{taken:?}");
        }
        let mut lost = relay.client().await;
        lost.send_join("bob", &confab_tests::code("ZZZ-ZZZ-ZZZ")).await;
        assert_eq!(lost.recv_error().await.code, ErrorCode::RoomNotFound);
    }
}

on_both_stores! {
    async fn a_whisper_reaches_only_its_recipient_and_comes_back_to_its_sender(store: Store) {
        let relay = store.relay().await;
        let (_, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
        members[0].whisper("bob", 7, "psst").await;
        let to_bob = members[1]
            .recv_until(|m| matches!(m, ServerMessage::Whisper(_)))
            .await;
        let echo = members[0]
            .recv_until(|m| matches!(m, ServerMessage::Whisper(_)))
            .await;
        for whisper in [to_bob, echo] {
            let ServerMessage::Whisper(w) = whisper else { unreachable!() };
            assert_eq!((w.from.as_str(), w.to.as_str(), w.text.as_str()), ("ann", "bob", "psst"));
        }
        // cy hears nothing of it: the next thing cy gets is the chat that follows.
        members[0].chat(8, "after").await;
        assert_eq!(members[2].recv_chat().await.text, "after");
        members[0].whisper("nobody", 9, "hello?").await;
        let refused = members[0]
            .recv_until(|m| matches!(m, ServerMessage::Error(_)))
            .await;
        let ServerMessage::Error(error) = refused else { unreachable!() };
        assert_eq!(error.code, ErrorCode::NoSuchMember);
        // A whisper to yourself is its echo alone.
        members[0].whisper("ann", 10, "note to self").await;
        members[0].chat(11, "then this").await;
        let seen = members[0]
            .collect_until(|m| matches!(m, ServerMessage::Chat(_)))
            .await;
        let whispers = seen.iter().filter(|m| matches!(m, ServerMessage::Whisper(_))).count();
        assert_eq!(whispers, 1, "{seen:?}");
    }
}

on_both_stores! {
    async fn typing_reaches_the_others_and_a_chat_from_the_typist_ends_it_first(store: Store) {
        let relay = store.relay().await;
        let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
        members[1].typing(true).await;
        members[0]
            .recv_until(|m| matches!(m, ServerMessage::Typing { name, active: true } if name.as_str() == "bob"))
            .await;
        members[1].chat(1, "done typing").await;
        let seen = members[0]
            .collect_until(|m| matches!(m, ServerMessage::Chat(_)))
            .await;
        assert!(
            matches!(seen.as_slice(), [ServerMessage::Typing { name, active: false }, ServerMessage::Chat(_)] if name.as_str() == "bob"),
            "typing stopped right before the chat: {seen:?}"
        );
        // The typist hears neither its own hint nor its end: only its chat.
        let ServerMessage::Chat(theirs) = &seen[1] else { unreachable!() };
        let ServerMessage::Chat(echo) = members[1].recv().await else {
            panic!("the typist's next message is its chat")
        };
        assert_eq!((echo.seq, echo.text.as_str()), (theirs.seq, "done typing"));
    }
}

on_both_stores! {
    async fn leaving_frees_the_name_at_once(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
        members[1].leave().await;
        let left = members[0]
            .recv_until(|m| matches!(m, ServerMessage::MemberLeft { .. }))
            .await;
        assert!(
            matches!(&left, ServerMessage::MemberLeft { name, reconnecting: false, .. } if name.as_str() == "bob"),
            "{left:?}"
        );
        let (_bob, welcome) = relay.member("bob", &room).await;
        assert_eq!(roster(&welcome.members), ["ann", "bob"]);
    }
}

on_both_stores! {
    async fn a_dropped_member_shows_as_reconnecting_and_resumes_with_what_it_missed(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
        let bob = members.pop().expect("bob");
        let token = bob.welcome_token();
        bob.drop_connection();
        members[0]
            .recv_until(|m| matches!(m, ServerMessage::MemberLeft { name, reconnecting: true, .. } if name.as_str() == "bob"))
            .await;
        members[0].chat(1, "while you were out").await;
        let said = members[0].recv_chat().await;
        let mut taken = relay.client().await;
        taken.send_join("bob", &room).await;
        assert_eq!(taken.recv_error().await.code, ErrorCode::NameTaken, "reserved for bob");
        let mut back = relay.client().await;
        let welcome = back.resume("bob", &room, &token, Some(said.seq - 1)).await;
        let missed: Vec<&str> = welcome.history.iter().map(|c| c.text.as_str()).collect();
        assert!(missed.contains(&"while you were out"), "{missed:?}");
        assert_eq!(roster(&welcome.members), ["ann", "bob"]);
    }
}

on_both_stores! {
    async fn a_status_reaches_everyone_and_welcome_lists_it(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
        members[1].send(&ClientMessage::Status { status: MemberStatus::Away }).await;
        for member in &mut members {
            member.recv_until(|m| is_status(m, "bob", MemberStatus::Away)).await;
        }
        let (_cy, welcome) = relay.member("cy", &room).await;
        let away: Vec<_> = welcome.statuses.iter().map(|s| (s.name.as_str(), s.status)).collect();
        assert_eq!(away, [("bob", MemberStatus::Away)]);
    }
}

on_both_stores! {
    async fn only_the_owner_locks_and_a_locked_room_refuses_newcomers_until_unlocked(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
        members[1].send(&ClientMessage::Lock { locked: true }).await;
        assert_eq!(members[1].recv_error().await.code, ErrorCode::NotOwner);
        members[0].send(&ClientMessage::Lock { locked: true }).await;
        for member in &mut members {
            let state = member.recv_until(|m| state_of(m).is_some()).await;
            assert_eq!(state_of(&state), Some(owned_by("ann", true)));
        }
        let mut late = relay.client().await;
        late.send_join("cy", &room).await;
        assert_eq!(late.recv_error().await.code, ErrorCode::RoomLocked);
        members[0].send(&ClientMessage::Lock { locked: false }).await;
        members[0].recv_until(|m| state_of(m).is_some()).await;
        relay.member("cy", &room).await;
    }
}

on_both_stores! {
    async fn the_owner_removes_a_member_who_is_closed_and_kept_out(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
        members[2].send(&ClientMessage::Remove { name: name("bob") }).await;
        assert_eq!(members[2].recv_error().await.code, ErrorCode::NotOwner);
        members[0].send(&ClientMessage::Remove { name: name("bob") }).await;
        members[1].expect_close(confab_protocol::close_code::REMOVED).await;
        members[2]
            .recv_until(|m| matches!(m, ServerMessage::MemberLeft { name, .. } if name.as_str() == "bob"))
            .await;
        let mut again = relay.client().await;
        again.send_join("bob", &room).await;
        assert_eq!(again.recv_error().await.code, ErrorCode::Removed);
    }
}

on_both_stores! {
    async fn when_the_owner_leaves_the_longest_present_member_owns_the_room(store: Store) {
        let relay = store.relay().await;
        let (_, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
        members.remove(0).leave().await;
        for member in &mut members {
            let state = member.recv_until(|m| state_of(m).is_some()).await;
            assert_eq!(state_of(&state), Some(owned_by("bob", false)));
        }
    }
}

on_both_stores! {
    async fn an_owner_who_drops_and_does_not_return_hands_the_room_on_after_the_grace(store: Store) {
        let relay = store
            .relay_with(|config| config.room_grace = Duration::from_millis(500))
            .await;
        let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
        members.remove(0).drop_connection();
        // Nothing else happens in the room: the hand-off must not wait for another event.
        let state = members[0].recv_until(|m| state_of(m).is_some()).await;
        assert_eq!(state_of(&state), Some(owned_by("bob", false)));
    }
}

on_both_stores! {
    async fn the_ban_list_forgets_the_oldest_removal_its_name_and_address_together(store: Store) {
        let relay = store.relay().await;
        let (mut ann, welcome) = relay.creator("ann").await;
        let room = welcome.room;
        // One more removal than the room keeps, each of its own name and address (ann
        // speaks from 127.0.0.1): the first is forgotten, whole, and only it.
        let removed: Vec<(String, Ipv4Addr)> = (1..=KEPT_REMOVALS + 1)
            .map(|i| {
                let host = u8::try_from(i).expect("fewer than 256 removals");
                (format!("gone{i}"), Ipv4Addr::new(127, 0, 2, host))
            })
            .collect();
        for (who, from) in &removed {
            let mut member = relay.client_from(*from).await;
            member.join(who, &room).await;
            ann.recv_member_joined(who).await;
            ann.send(&ClientMessage::Remove { name: name(who) }).await;
            member.expect_close(close_code::REMOVED).await;
            ann.recv_member_left(who).await;
        }
        let mut fresh_hosts = 1..;
        let mut fresh = || Ipv4Addr::new(127, 0, 3, fresh_hosts.next().expect("a fresh host"));
        let (oldest, oldest_ip) = &removed[0];
        let (second, second_ip) = &removed[1];
        let (newest, newest_ip) = &removed[KEPT_REMOVALS];
        for (who, from, what) in [
            (second.as_str(), fresh(), "the oldest name still kept"),
            ("stranger1", *second_ip, "the oldest address still kept"),
            (newest.as_str(), fresh(), "the newest name"),
            ("stranger2", *newest_ip, "the newest address"),
        ] {
            assert_eq!(refusal(&relay, &room, who, from).await, Some(ErrorCode::Removed), "{what}");
        }
        assert_eq!(refusal(&relay, &room, oldest, fresh()).await, None, "the forgotten name");
        assert_eq!(refusal(&relay, &room, "stranger3", *oldest_ip).await, None, "the forgotten address");
    }
}

on_both_stores! {
    async fn the_first_member_into_an_emptied_room_owns_it_from_its_welcome(store: Store) {
        let relay = store.relay().await;
        let (mut ann, welcome) = relay.creator("ann").await;
        let room = welcome.room;
        ann.leave().await;
        ann.expect_close(1000).await;
        // The room is empty but kept for its grace period; bob is the first back in.
        let (mut bob, welcome) = relay.member("bob", &room).await;
        assert_eq!(welcome.room_state, owned_by("bob", false));
        // Everyone is told too, bob included; nothing says otherwise first.
        let told = bob.recv_until(|m| state_of(m).is_some()).await;
        assert_eq!(state_of(&told), Some(owned_by("bob", false)));
    }
}

/// Private rooms (`docs/protocol.md`, "Private rooms"): what a key holder seals and signs,
/// made with the protocol crate's own code, as every client makes it.
mod private {
    use confab_protocol::private::{Post, RoomKey};
    use confab_protocol::{ClientMessage, RoomCode, Username, WelcomeMessage};
    use confab_tests::{TestClient, TestRelay, name};

    /// Creates a private room with `key` as `who`.
    pub async fn create(
        relay: &TestRelay,
        who: &str,
        key: &RoomKey,
    ) -> (TestClient, WelcomeMessage) {
        let mut client = relay.client().await;
        client
            .send(&ClientMessage::CreatePrivate {
                name: name(who),
                verify_key: key.verify_key(),
            })
            .await;
        let welcome = client.recv_welcome("the private room's welcome").await;
        (client, welcome)
    }

    /// A chat from `who` in `room`, sealed and signed with `key`.
    pub fn chat(
        key: &RoomKey,
        room: &RoomCode,
        who: &Username,
        id: u64,
        text: &str,
    ) -> ClientMessage {
        ClientMessage::Chat {
            client_id: id,
            text: key
                .seal(&Post::chat(room, who, None), text)
                .expect("randomness"),
            reply_to: None,
        }
    }

    /// A fresh room key.
    pub fn key() -> RoomKey {
        RoomKey::generate().expect("randomness")
    }
}

on_both_stores! {
    async fn a_private_room_refuses_unsigned_posts_and_posts_signed_with_another_key(store: Store) {
        use confab_protocol::private::Post;
        let relay = store.relay().await;
        let key = private::key();
        let (mut ann, welcome) = private::create(&relay, "ann", &key).await;
        assert_eq!(welcome.verify_key, Some(key.verify_key()), "the creator's welcome");
        let room = welcome.room.clone();
        let (mut eve, joined) = relay.member("eve", &room).await;
        assert_eq!(joined.verify_key, Some(key.verify_key()), "a joiner learns it is private");
        ann.recv_member_joined("eve").await;
        let eve_name = name("eve");

        eve.chat(1, "spam").await;
        let refused = eve.recv_error().await;
        assert_eq!((refused.code, refused.client_id), (ErrorCode::NotSigned, Some(1)));
        eve.send(&private::chat(&private::key(), &room, &eve_name, 2, "forged")).await;
        let refused = eve.recv_error().await;
        assert_eq!((refused.code, refused.client_id), (ErrorCode::BadSignature, Some(2)));
        // Signed with the room's key, but for another room: not replayable here.
        let elsewhere = confab_tests::code("ABC-DEF-GHJ");
        eve.send(&private::chat(&key, &elsewhere, &eve_name, 3, "moved")).await;
        assert_eq!(eve.recv_error().await.code, ErrorCode::BadSignature);
        eve.whisper("ann", 4, "psst").await;
        assert_eq!(eve.recv_error().await.code, ErrorCode::NotSigned);
        eve.send(&ClientMessage::React { seq: 1, emoji: "👍".into(), on: true }).await;
        assert_eq!(eve.recv_error().await.code, ErrorCode::NotSigned);

        // A key holder's signed post goes to everyone, as the sealed text it was.
        let sealed = private::chat(&key, &room, &name("ann"), 5, "meet at noon");
        ann.send(&sealed).await;
        let ClientMessage::Chat { text, .. } = sealed else { unreachable!("made as a chat") };
        for member in [&mut ann, &mut eve] {
            let chat = member.recv_chat().await;
            assert_eq!((chat.seq, &chat.text), (1, &text), "nothing was sequenced before it");
        }
        let ann_name = name("ann");
        let post = Post::chat(&room, &ann_name, None);
        assert_eq!(key.open(&post, &text).as_deref(), Ok("meet at noon"));
    }
}

on_both_stores! {
    async fn a_private_rooms_relay_keeps_only_ciphertext(store: Store) {
        use confab_protocol::private::Post;
        const MARKER: &str = "plaintext-marker-5c81";
        let relay = store.relay().await;
        let key = private::key();
        let (mut ann, welcome) = private::create(&relay, "ann", &key).await;
        let room = welcome.room.clone();
        let ann_name = name("ann");
        ann.send(&private::chat(&key, &room, &ann_name, 1, MARKER)).await;
        let sent = ann.recv_chat().await;
        let edit = key
            .seal(&Post::edit(&room, &ann_name, sent.seq), &format!("{MARKER} (edited)"))
            .expect("randomness");
        ann.send(&ClientMessage::Edit { client_id: 2, seq: sent.seq, text: edit.clone() }).await;
        assert!(matches!(ann.recv().await, ServerMessage::Edited { .. }));
        ann.send(&private::chat(&key, &room, &ann_name, 3, MARKER)).await;
        ann.recv_chat().await;

        let (_cy, joined) = relay.member("cy", &room).await;
        assert_eq!(joined.history.len(), 2);
        for kept in &joined.history {
            assert!(!kept.text.contains(MARKER), "history holds plaintext: {kept:?}");
        }
        let first = &joined.history[0];
        assert!(first.changes.edited);
        let opened = key.open(&Post::edit(&room, &ann_name, first.seq), &first.text);
        assert_eq!(opened, Ok(format!("{MARKER} (edited)")));
        if let confab_tests::stores::Store::Redis(redis) = &store {
            let everything = redis.dump_every_key();
            assert!(everything.contains(&edit), "the dump reads the room's keys");
            assert!(!everything.contains(MARKER), "Redis holds plaintext");
        }
    }
}

on_both_stores! {
    async fn open_rooms_stay_open_and_a_bad_verify_key_is_a_typed_error(store: Store) {
        let relay = store.relay().await;
        let (_ann, welcome) = relay.creator("ann").await;
        assert_eq!(welcome.verify_key, None);
        let (mut bob, _) = relay.member("bob", &welcome.room).await;
        bob.chat(1, "plain words").await;
        assert_eq!(bob.recv_chat().await.text, "plain words");

        let mut eve = relay.client().await;
        let short = &private::key().verify_key().encode()[1..];
        eve.send_text(format!(
            r#"{{"type":"create_private","name":"eve","verify_key":"{short}"}}"#
        ))
        .await;
        assert_eq!(eve.recv_error().await.code, ErrorCode::BadKey);
        // The connection is still good for a proper request.
        let key = private::key();
        eve.send(&ClientMessage::CreatePrivate {
            name: name("eve"),
            verify_key: key.verify_key(),
        })
        .await;
        let welcome = eve.recv_welcome("a private room").await;
        assert_eq!(welcome.verify_key, Some(key.verify_key()));
    }
}
