//! Private rooms in the model: scripted relay frames in, sealed frames and shown text out.
//! The "relay" here is the test: it echoes what the model sealed, as a real one would.

use confab_protocol::private::{Post, RoomKey};
use confab_protocol::{ChatMessage, Limits, RoomCode, WelcomeMessage, WhisperMessage};

use super::*;
use crate::state::{EntryKind, MessageAction};

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn room() -> RoomCode {
    RoomCode::parse("K7QX2MHDP").expect("valid code")
}

fn key(byte: u8) -> RoomKey {
    RoomKey::from_bytes([byte; 32])
}

fn welcome(key: Option<&RoomKey>, history: Vec<ChatMessage>) -> ServerMessage {
    ServerMessage::Welcome(Box::new(WelcomeMessage {
        room: room(),
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history,
        resume_token: "tok".into(),
        limits: Limits {
            max_text_chars: 400,
            ..Limits::example()
        },
        page_url: None,
        statuses: vec![],
        room_state: Default::default(),
        verify_key: key.map(RoomKey::verify_key),
    }))
}

/// A chat from `from` as the relay keeps and sends it: sealed by `from` with `key`.
fn sealed_chat(key: &RoomKey, seq: u64, from: &str, text: &str) -> ChatMessage {
    let from = name(from);
    let room = room();
    ChatMessage {
        seq,
        text: key
            .seal(&Post::chat(&room, &from, None), text)
            .expect("sealed"),
        from,
        ts: seq,
        client_id: None,
        attachment: None,
        reply_to: None,
        changes: Default::default(),
    }
}

/// What the model asked to send, each passed through [`Model::seal_outgoing`] as the app
/// does: what really goes to the relay.
fn sent(m: &mut Model, effects: Vec<Effect>) -> Vec<ClientMessage> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(msg) => m.seal_outgoing(msg),
            _ => None,
        })
        .collect()
}

/// Ann in the private room keyed `key`, joined from its invite link.
fn in_private_room(key: &RoomKey, history: Vec<ChatMessage>) -> Model {
    let mut m = Model::new(1, Now::current());
    m.start_private("ws://relay", name("ann"), Intent::Join(room()), key.clone());
    m.on_opened();
    m.on_message(welcome(Some(key), history), Now::current());
    assert_eq!(m.status, ConnectionState::Online);
    m
}

/// The texts shown in the room, oldest first.
fn shown(m: &Model) -> Vec<String> {
    let session = m.room.as_ref().expect("in a room");
    (session.timeline.entries().iter())
        .filter_map(|e| match &e.kind {
            EntryKind::Chat { text, .. } | EntryKind::Whisper { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn creating_a_private_room_registers_its_verify_key_and_shows_its_safety_code() {
    let key = key(1);
    let mut m = Model::new(1, Now::current());
    m.start_private("ws://relay", name("ann"), Intent::Create, key.clone());
    let opened = m.on_opened();
    let create = ClientMessage::CreatePrivate {
        name: name("ann"),
        verify_key: key.verify_key(),
    };
    assert_eq!(opened.last(), Some(&Effect::Send(create)));
    m.on_message(welcome(Some(&key), vec![]), Now::current());
    let session = m.room.as_ref().expect("in the room");
    assert_eq!(session.safety_code, Some(key.safety_code()));
    assert_eq!(m.room_key(), Some(&key));
}

#[test]
fn an_open_room_is_created_and_shown_as_before() {
    let mut m = Model::new(1, Now::current());
    m.start("ws://relay", name("ann"), Intent::Create);
    let opened = m.on_opened();
    let create = ClientMessage::Create { name: name("ann") };
    assert_eq!(opened.last(), Some(&Effect::Send(create)));
    m.on_message(welcome(None, vec![]), Now::current());
    assert_eq!(m.room.as_ref().expect("in").safety_code, None);
    m.edit_draft("hello".into(), Now::current());
    let draft = m.send_draft(Now::current());
    let out = sent(&mut m, draft);
    assert!(matches!(&out[..], [ClientMessage::Chat { text, .. }] if text == "hello"));
}

#[test]
fn history_and_live_messages_open_and_what_is_sent_is_sealed() {
    let key = key(1);
    let mut m = in_private_room(&key, vec![sealed_chat(&key, 1, "bob", "kept for you")]);
    m.on_message(
        ServerMessage::Chat(sealed_chat(&key, 2, "bob", "live")),
        Now::current(),
    );
    m.edit_draft("/me waves".into(), Now::current());
    let draft = m.send_draft(Now::current());
    let out = sent(&mut m, draft);
    let [
        ClientMessage::Chat {
            text, client_id, ..
        },
    ] = &out[..]
    else {
        panic!("one chat sent: {out:?}")
    };
    assert!(!text.contains("waves"), "the relay sees only ciphertext");
    // The relay's echo of it opens to what was written.
    let echo = ChatMessage {
        seq: 3,
        from: name("ann"),
        text: text.clone(),
        ts: 3,
        client_id: Some(*client_id),
        attachment: None,
        reply_to: None,
        changes: Default::default(),
    };
    m.on_message(ServerMessage::Chat(echo), Now::current());
    assert_eq!(shown(&m), ["kept for you", "live", "/me waves"]);
}

#[test]
fn whispers_are_sealed_for_their_recipient_and_open_on_arrival() {
    let key = key(1);
    let mut m = in_private_room(&key, vec![]);
    m.edit_draft("/w BOB psst".into(), Now::current());
    let draft = m.send_draft(Now::current());
    let out = sent(&mut m, draft);
    let [ClientMessage::Whisper { to, text, .. }] = &out[..] else {
        panic!("one whisper sent: {out:?}")
    };
    let room = room();
    let ann = name("ann");
    let post = Post::whisper(&room, &ann, to);
    assert_eq!(key.open(&post, text).as_deref(), Ok("psst"));
    let from_bob = WhisperMessage {
        from: name("bob"),
        to: name("ann"),
        text: key
            .seal(&Post::whisper(&room, &name("bob"), &name("ann")), "hi ann")
            .expect("sealed"),
        ts: 1,
        client_id: None,
    };
    m.on_message(ServerMessage::Whisper(from_bob), Now::current());
    assert_eq!(shown(&m), ["hi ann"]);
}

#[test]
fn a_message_that_does_not_open_is_marked_as_such_never_shown_as_text() {
    let key = key(1);
    let forged = sealed_chat(&RoomKey::from_bytes([2; 32]), 1, "bob", "from another key");
    let mut m = in_private_room(&key, vec![forged]);
    let mut plain = sealed_chat(&key, 2, "bob", "x");
    plain.text = "plaintext the relay slipped in".into();
    m.on_message(ServerMessage::Chat(plain), Now::current());
    let texts = shown(&m);
    assert_eq!(texts.len(), 2, "none dropped");
    assert!(texts.iter().all(|t| unreadable(t)), "{texts:?}");
}

#[test]
fn editing_your_message_in_a_private_room_is_sealed_and_signed_as_an_edit() {
    let key = key(1);
    let mut m = in_private_room(&key, vec![sealed_chat(&key, 4, "ann", "helo")]);
    m.message_action(MessageAction::Edit(4), Now::current());
    m.edit_draft("hello".into(), Now::current());
    let draft = m.send_draft(Now::current());
    let out = sent(&mut m, draft);
    let [ClientMessage::Edit { seq: 4, text, .. }] = &out[..] else {
        panic!("one edit sent: {out:?}")
    };
    let room = room();
    let ann = name("ann");
    let post = Post::edit(&room, &ann, 4);
    assert_eq!(key.open(&post, text).as_deref(), Ok("hello"));
    let edited = ServerMessage::Edited {
        seq: 4,
        text: text.clone(),
        client_id: None,
    };
    m.on_message(edited, Now::current());
    assert_eq!(shown(&m), ["hello"]);
}

#[test]
fn knowing_only_the_code_of_a_private_room_neither_reads_nor_posts() {
    let key = key(1);
    let mut m = Model::new(1, Now::current());
    m.start("ws://relay", name("ann"), Intent::Join(room()));
    m.on_opened();
    let history = vec![sealed_chat(&key, 1, "bob", "secret")];
    let effects = m.on_message(welcome(Some(&key), history), Now::current());
    assert_eq!(effects, [Effect::Disconnect], "nothing is sent");
    assert!(m.room.is_none(), "nothing is shown");
    assert_eq!(m.status, ConnectionState::Offline);
    assert_eq!(
        m.join_error.as_deref(),
        Some("This room is private: open it with its invite link.")
    );
}

#[test]
fn holding_a_key_a_relay_that_calls_the_room_open_gets_nothing() {
    let mut m = Model::new(1, Now::current());
    m.start_private("ws://relay", name("ann"), Intent::Join(room()), key(1));
    m.on_opened();
    let effects = m.on_message(welcome(None, vec![]), Now::current());
    assert_eq!(effects, [Effect::Disconnect], "nothing is sent");
    assert!(m.room.is_none());
    let error = m.join_error.as_deref().unwrap_or_default();
    assert!(error.contains("the relay says the room is open"), "{error}");
}

#[test]
fn a_reaction_goes_out_sealed_and_files_are_refused_with_the_reason() {
    let key = key(1);
    let mut m = in_private_room(&key, vec![sealed_chat(&key, 1, "bob", "hi")]);
    let react = m.message_action(
        MessageAction::React {
            seq: 1,
            emoji: "👍".into(),
        },
        Now::current(),
    );
    let sent = sent(&mut m, react);
    assert!(
        matches!(&sent[..], [ClientMessage::React { seq: 1, emoji, on: true }] if !emoji.contains('👍')),
        "one reaction, its emoji sealed: {sent:?}"
    );
    let error = |m: &Model| m.room.as_ref().and_then(|s| s.composer.error.clone());
    m.edit_draft("/attach /tmp/x.png".into(), Now::current());
    assert_eq!(m.send_draft(Now::current()), []);
    assert_eq!(error(&m).as_deref(), Some(NO_FILES));
    assert_eq!(m.attachments_allowed(), Err(NO_FILES));
}
