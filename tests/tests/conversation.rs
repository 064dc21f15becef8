//! Replies, edits, deletions and reactions, against both room stores: who may change a
//! kept message, what everyone is told, the limits, and that a member who joins (or
//! resumes) later is given each message as it is now.

use confab_protocol::{
    ChatMessage, ClientMessage, ErrorCode, MAX_REACTION_KINDS, MAX_REACTIONS_PER_MEMBER,
    ServerMessage,
};
use confab_tests::{TestClient, name, on_both_stores};

fn edit(seq: u64, text: &str) -> ClientMessage {
    ClientMessage::Edit {
        client_id: 50 + seq,
        seq,
        text: text.to_owned(),
    }
}

fn react(seq: u64, emoji: &str, on: bool) -> ClientMessage {
    ClientMessage::React {
        seq,
        emoji: emoji.to_owned(),
        on,
    }
}

/// Reads until a frame `wanted` accepts; returns it.
async fn next(client: &mut TestClient, wanted: impl Fn(&ServerMessage) -> bool) -> ServerMessage {
    client.recv_until(wanted).await
}

/// The next `error` frame, past whatever else the room says meanwhile.
async fn refused(client: &mut TestClient) -> confab_protocol::ErrorMessage {
    match client
        .recv_until(|m| matches!(m, ServerMessage::Error(_)))
        .await
    {
        ServerMessage::Error(error) => error,
        _ => unreachable!(),
    }
}

fn is_chat(seq: u64) -> impl Fn(&ServerMessage) -> bool {
    move |m| matches!(m, ServerMessage::Chat(c) if c.seq == seq)
}

fn by_seq(history: &[ChatMessage], seq: u64) -> &ChatMessage {
    history
        .iter()
        .find(|m| m.seq == seq)
        .unwrap_or_else(|| panic!("no seq {seq} in {history:?}"))
}

on_both_stores! {
    async fn replies_edits_deletions_and_reactions_reach_everyone_and_later_joiners_see_them(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
        members[0].chat(1, "helo").await;
        members[1].send(&ClientMessage::Chat { client_id: 2, text: "hi".into(), reply_to: Some(1) }).await;
        for member in &mut members {
            let ServerMessage::Chat(reply) = next(member, is_chat(2)).await else { unreachable!() };
            assert_eq!(reply.reply_to, Some(1));
        }

        members[0].send(&edit(1, "hello")).await;
        members[1].send(&react(1, "👍", true)).await;
        members[1].send(&ClientMessage::Delete { client_id: 9, seq: 2 }).await;
        for (i, member) in members.iter_mut().enumerate() {
            let edited = next(member, |m| matches!(m, ServerMessage::Edited { .. })).await;
            let own = (i == 0).then_some(51);
            assert_eq!(edited, ServerMessage::Edited { seq: 1, text: "hello".into(), client_id: own });
            let reaction = next(member, |m| matches!(m, ServerMessage::Reaction { .. })).await;
            assert_eq!(reaction, ServerMessage::Reaction { seq: 1, emoji: "👍".into(), name: name("bob"), on: true });
            let deleted = next(member, |m| matches!(m, ServerMessage::Deleted { .. })).await;
            let own = (i == 1).then_some(9);
            assert_eq!(deleted, ServerMessage::Deleted { seq: 2, by: name("bob"), client_id: own });
        }

        // Someone who comes later is given each message as it is now, not its history.
        let (_, welcome) = relay.member("cy", &room).await;
        let first = by_seq(&welcome.history, 1);
        assert_eq!((first.text.as_str(), first.changes.edited), ("hello", true));
        assert_eq!(first.changes.reactions.len(), 1);
        assert_eq!(first.changes.reactions[0].names, [name("bob")]);
        let second = by_seq(&welcome.history, 2);
        assert!(second.changes.deleted && second.text.is_empty(), "{second:?}");
        assert_eq!(second.reply_to, Some(1));
        // Taking the reaction back leaves no trace of it.
        members[1].send(&react(1, "👍", false)).await;
        next(&mut members[0], |m| matches!(m, ServerMessage::Reaction { on: false, .. })).await;
        let (_, welcome) = relay.member("dee", &room).await;
        assert!(by_seq(&welcome.history, 1).changes.reactions.is_empty());
    }
}

on_both_stores! {
    async fn only_the_author_edits_and_the_author_or_the_owner_deletes(store: Store) {
        let relay = store.relay().await;
        let (_, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
        members[1].chat(1, "bob's").await;
        members[2].chat(2, "cy's").await;
        next(&mut members[0], is_chat(2)).await;

        members[0].send(&edit(1, "not mine")).await;
        assert_eq!(refused(&mut members[0]).await.code, ErrorCode::NotAuthor);
        members[2].send(&ClientMessage::Delete { client_id: 3, seq: 1 }).await;
        let error = refused(&mut members[2]).await;
        assert_eq!((error.code, error.client_id), (ErrorCode::NotAuthor, Some(3)));
        // ann owns the room (she made it): she may take anyone's message back.
        members[0].send(&ClientMessage::Delete { client_id: 4, seq: 2 }).await;
        next(&mut members[2], |m| matches!(m, ServerMessage::Deleted { seq: 2, .. })).await;
        // Nothing can be done to a deleted message, or one that was never sent.
        for seq in [2, 99] {
            members[2].send(&edit(seq, "again")).await;
            assert_eq!(refused(&mut members[2]).await.code, ErrorCode::NoSuchMessage);
            members[1].send(&react(seq, "👍", true)).await;
            assert_eq!(refused(&mut members[1]).await.code, ErrorCode::NoSuchMessage);
        }
    }
}

on_both_stores! {
    async fn reactions_stop_at_their_limits_with_a_clear_error(store: Store) {
        let relay = store.relay().await;
        let (_, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
        members[0].chat(1, "react to me").await;
        for member in &mut members {
            next(member, is_chat(1)).await;
        }
        let emoji = |i: u32| char::from_u32(0x1F600 + i).expect("a smiley").to_string();
        // Each member's own limit.
        for i in 0..MAX_REACTIONS_PER_MEMBER as u32 {
            members[0].send(&react(1, &emoji(i), true)).await;
        }
        members[0].send(&react(1, &emoji(99), true)).await;
        assert_eq!(refused(&mut members[0]).await.code, ErrorCode::TooManyReactions);
        // The message's limit on different emoji.
        for i in MAX_REACTIONS_PER_MEMBER as u32..MAX_REACTION_KINDS as u32 {
            members[1].send(&react(1, &emoji(i), true)).await;
        }
        // (cy waits until bob's are all in: their connections race otherwise.)
        let last = emoji(MAX_REACTION_KINDS as u32 - 1);
        next(&mut members[2], |m| matches!(m, ServerMessage::Reaction { emoji, .. } if *emoji == last)).await;
        members[2].send(&react(1, &emoji(98), true)).await;
        assert_eq!(refused(&mut members[2]).await.code, ErrorCode::TooManyReactions);
        // One already there is still fine, and so is taking one back.
        members[2].send(&react(1, &emoji(0), true)).await;
        next(&mut members[2], |m| matches!(m, ServerMessage::Reaction { name, .. } if name.as_str() == "cy")).await;
        // Not an emoji at all.
        members[2].send(&react(1, "two words", true)).await;
        assert_eq!(refused(&mut members[2]).await.code, ErrorCode::TooManyReactions);
    }
}

/// The messages of a `changed` frame, by seq.
fn changed_seqs(frame: &ServerMessage) -> Vec<u64> {
    match frame {
        ServerMessage::Changed { messages } => messages.iter().map(|m| m.seq).collect(),
        other => panic!("expected `changed`, got {other:?}"),
    }
}

on_both_stores! {
    async fn a_resume_is_given_the_current_form_of_seen_messages_that_changed_while_away(store: Store) {
        let relay = store.relay().await;
        let (room, mut members) = relay.room_with(&["ann", "cy", "bob"]).await;
        members[0].chat(1, "old news").await;
        next(&mut members[2], is_chat(1)).await;
        // Changed while bob is here and before he sees message 2: he has it already.
        members[1].send(&react(1, "🎉", true)).await;
        next(&mut members[2], |m| matches!(m, ServerMessage::Reaction { .. })).await;
        for (i, text) in [(2, "helo"), (3, "oops"), (4, "like me")] {
            members[0].chat(i, text).await;
            next(&mut members[2], is_chat(i)).await;
        }
        let token = members[2].welcome_token();
        members.remove(2).drop_connection();
        for member in &mut members {
            member.recv_member_left("bob").await;
        }

        // While bob is away: an edit, a delete, a reaction added, one added and taken
        // back, and a new message.
        members[0].send(&edit(2, "hello")).await;
        members[0].send(&ClientMessage::Delete { client_id: 7, seq: 3 }).await;
        members[1].send(&react(4, "👍", true)).await;
        members[1].send(&react(1, "🎉", false)).await;
        members[1].send(&react(1, "🎉", true)).await;
        // Each member's frames are handled in order: once ann hears cy's last reaction,
        // every change above is stamped before chat 5 exists (a change stamped at 5 would be
        // sent again to a member back from 5, which the end of this test says it is not).
        next(&mut members[0], |m| {
            matches!(m, ServerMessage::Reaction { seq: 1, on: true, .. })
        })
        .await;
        members[0].chat(5, "new").await;
        next(&mut members[1], is_chat(5)).await;

        let mut bob = relay.client().await;
        let welcome = bob.resume("bob", &room, &token, Some(4)).await;
        assert_eq!(welcome.history.iter().map(|m| m.seq).collect::<Vec<_>>(), [5]);
        let changed = bob.recv().await;
        assert_eq!(changed_seqs(&changed), [1, 2, 3, 4], "{changed:?}");
        let ServerMessage::Changed { messages } = changed else { unreachable!() };
        assert_eq!(messages[0].changes.reactions[0].names, [name("cy")]);
        assert_eq!((messages[1].text.as_str(), messages[1].changes.edited), ("hello", true));
        assert!(messages[2].changes.deleted && messages[2].text.is_empty(), "{:?}", messages[2]);
        assert_eq!(messages[3].changes.reactions[0].emoji, "👍");
        assert_eq!(messages[3].text, "like me");

        // Back again having seen 5, with nothing changed since: no `changed`.
        let token = bob.welcome_token();
        bob.drop_connection();
        members[0].recv_member_left("bob").await;
        let mut bob = relay.client().await;
        bob.resume("bob", &room, &token, Some(5)).await;
        members[0].chat(6, "still here").await;
        let seen = bob.collect_until(is_chat(6)).await;
        assert!(!seen.iter().any(|m| matches!(m, ServerMessage::Changed { .. })), "{seen:?}");
    }
}

on_both_stores! {
    async fn private_reactions_are_counted_by_sealed_emoji_the_relay_cannot_read(store: Store) {
        use confab_protocol::private::{Post, RoomKey};
        let relay = store.relay().await;
        let key = RoomKey::generate().expect("randomness");
        let mut ann = relay.client().await;
        ann.send(&ClientMessage::CreatePrivate { name: name("ann"), verify_key: key.verify_key() }).await;
        let room = ann.recv_welcome("the private room's welcome").await.room;
        let (mut bob, _) = relay.member("bob", &room).await;
        ann.recv_member_joined("bob").await;
        let (ann_name, bob_name) = (name("ann"), name("bob"));
        let text = key.seal(&Post::chat(&room, &ann_name, None), "lunch?").expect("randomness");
        ann.send(&ClientMessage::Chat { client_id: 1, text, reply_to: None }).await;
        next(&mut bob, is_chat(1)).await;
        let sealed = |key: &RoomKey, who, emoji| {
            let emoji = key.seal_reaction(&Post::react(&room, who, 1), emoji);
            ClientMessage::React { seq: 1, emoji, on: true }
        };

        // Signed for someone else, or with another key: refused, to its sender only.
        bob.send(&sealed(&key, &ann_name, "👍")).await;
        assert_eq!(refused(&mut bob).await.code, ErrorCode::BadSignature);
        let other = RoomKey::generate().expect("randomness");
        bob.send(&sealed(&other, &bob_name, "👍")).await;
        assert_eq!(refused(&mut bob).await.code, ErrorCode::BadSignature);

        ann.send(&sealed(&key, &ann_name, "👍")).await;
        ann.send(&sealed(&key, &ann_name, "🎉")).await;
        let mut heard = Vec::new();
        while heard.iter().filter(|m| matches!(m, ServerMessage::Reaction { .. })).count() < 2 {
            heard.push(bob.recv().await);
        }
        bob.send(&sealed(&key, &bob_name, "👍")).await;
        heard.extend(
            bob.collect_until(|m| matches!(m, ServerMessage::Reaction { name, .. } if name.as_str() == "bob"))
                .await,
        );
        let tokens: Vec<&str> = heard
            .iter()
            .filter_map(|m| match m {
                ServerMessage::Reaction { emoji, .. } => Some(emoji.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(tokens.len(), 3, "{heard:?}");
        assert_eq!(tokens[0], tokens[2], "one emoji, one token, whoever chose it");
        let opened: Vec<String> = tokens
            .iter()
            .map(|t| key.open_reaction(&room, t).expect("opens with the room key"))
            .collect();
        assert_eq!(opened, ["👍", "🎉", "👍"]);

        // Kept as tokens, grouped as any room's reactions are.
        let (_, late) = relay.member("cy", &room).await;
        let kept = &by_seq(&late.history, 1).changes.reactions;
        let shown: Vec<(String, Vec<&str>)> = kept
            .iter()
            .map(|r| {
                let emoji = key.open_reaction(&room, &r.emoji).expect("opens");
                (emoji, r.names.iter().map(|n| n.as_str()).collect())
            })
            .collect();
        assert_eq!(
            shown,
            [("👍".to_owned(), vec!["ann", "bob"]), ("🎉".to_owned(), vec!["ann"])]
        );
        if let confab_tests::stores::Store::Redis(redis) = &store {
            let changes = redis.cli(&["HGETALL", &format!("confab:{{{room}}}:changes")]);
            assert!(changes.contains(&kept[0].emoji), "the probe reads the reactions: {changes}");
            assert!(!changes.contains('👍') && !changes.contains('🎉'), "{changes}");
        }
    }
}
