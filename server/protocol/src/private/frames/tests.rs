use crate::private::{RoomKey, VerifyKey};
use crate::{Limits, RoomState};

use super::*;

/// What these tests call a text that did not open.
const UNREADABLE: &str = "\u{FFFF}could not decrypt";

fn name(text: &str) -> Username {
    Username::parse(text).expect("valid name")
}

fn welcome(you: &str, verify_key: Option<VerifyKey>) -> WelcomeMessage {
    WelcomeMessage {
        room: RoomCode::parse("K7QX2MHDP").expect("valid code"),
        you: name(you),
        members: vec![name("ann"), name("bob")],
        history: Vec::new(),
        resume_token: "t".into(),
        limits: Limits {
            max_text_chars: 400,
            ..Limits::example()
        },
        page_url: None,
        statuses: vec![],
        room_state: RoomState::default(),
        verify_key,
    }
}

fn key(byte: u8) -> RoomKey {
    RoomKey::from_bytes([byte; 32])
}

fn sealing(you: &str, key: &RoomKey) -> Sealing {
    Sealing::for_welcome(&welcome(you, Some(key.verify_key())), Some(key)).expect("our key")
}

/// The relay's copy of a sealed chat `request` from `from`.
fn relayed(request: ClientMessage, from: &str, seq: Seq) -> ServerMessage {
    let ClientMessage::Chat { text, reply_to, .. } = request else {
        panic!("a chat")
    };
    ServerMessage::Chat(ChatMessage {
        seq,
        from: name(from),
        text,
        ts: 0,
        client_id: None,
        attachment: None,
        reply_to,
        changes: Default::default(),
    })
}

fn text_of(msg: &ServerMessage) -> &str {
    match msg {
        ServerMessage::Chat(chat) => &chat.text,
        ServerMessage::Whisper(whisper) => &whisper.text,
        ServerMessage::Edited { text, .. } => text,
        _ => "",
    }
}

fn chat(text: &str) -> ClientMessage {
    ClientMessage::Chat {
        client_id: 1,
        text: text.into(),
        reply_to: None,
    }
}

#[test]
fn a_chat_sealed_by_one_member_opens_for_another() {
    let key = key(1);
    let sent = sealing("ann", &key)
        .seal(chat("meet at noon"), &[])
        .expect("sealed");
    assert!(!text_of(&relayed(sent.clone(), "ann", 1)).contains("noon"));
    let opened = sealing("bob", &key).open(relayed(sent, "ann", 1), UNREADABLE);
    assert_eq!(text_of(&opened), "meet at noon");
}

#[test]
fn a_message_that_does_not_open_is_shown_as_such_never_as_text() {
    let sent = sealing("ann", &key(1))
        .seal(chat("secret"), &[])
        .expect("sealed");
    // Another key: what a member of another room, or a forger, would see.
    let opened = sealing("bob", &key(2)).open(relayed(sent.clone(), "ann", 1), UNREADABLE);
    assert_eq!(text_of(&opened), UNREADABLE);
    // Relayed as someone else's: the signature binds the sender.
    let opened = sealing("bob", &key(1)).open(relayed(sent, "cy", 1), UNREADABLE);
    assert_eq!(text_of(&opened), UNREADABLE);
}

#[test]
fn an_edit_opens_as_an_edit_of_a_message_whose_author_was_seen() {
    let key = key(1);
    let ann = sealing("ann", &key);
    let mut bob = sealing("bob", &key);
    let first = ann.seal(chat("helo"), &[]).expect("sealed");
    bob.open(relayed(first, "ann", 4), UNREADABLE);
    let edit = ClientMessage::Edit {
        client_id: 2,
        seq: 4,
        text: "hello".into(),
    };
    let ClientMessage::Edit { text, .. } = ann.seal(edit, &[]).expect("sealed") else {
        panic!("an edit")
    };
    let edited = |seq| ServerMessage::Edited {
        seq,
        text: text.clone(),
        client_id: None,
    };
    assert_eq!(text_of(&bob.open(edited(4), UNREADABLE)), "hello");
    assert_eq!(text_of(&bob.open(edited(5), UNREADABLE)), UNREADABLE);
}

#[test]
fn a_whisper_is_signed_for_the_rosters_spelling_of_its_recipient() {
    let key = key(1);
    let members = [name("ann"), name("bob")];
    let request = ClientMessage::Whisper {
        to: name("BOB"),
        client_id: 3,
        text: "psst".into(),
    };
    let ClientMessage::Whisper { to, text, .. } = sealing("ann", &key)
        .seal(request, &members)
        .expect("sealed")
    else {
        panic!("a whisper")
    };
    assert_eq!(to, name("bob"));
    let whisper = ServerMessage::Whisper(crate::WhisperMessage {
        from: name("ann"),
        to,
        text,
        ts: 0,
        client_id: None,
    });
    assert_eq!(
        text_of(&sealing("bob", &key).open(whisper, UNREADABLE)),
        "psst"
    );
}

#[test]
fn without_the_key_a_private_room_is_neither_read_nor_posted_to() {
    let private = welcome("cy", Some(key(1).verify_key()));
    assert_eq!(
        Sealing::for_welcome(&private, None).err(),
        Some(SealingError::NoKey)
    );
    assert_eq!(
        Sealing::for_welcome(&private, Some(&key(2))).err(),
        Some(SealingError::WrongKey)
    );
    assert_eq!(SealingError::NoKey.to_string(), NEEDS_LINK);
}

#[test]
fn holding_a_key_a_room_the_relay_calls_open_is_refused_rather_than_sent_plaintext() {
    assert_eq!(
        Sealing::for_welcome(&welcome("ann", None), Some(&key(1))).err(),
        Some(SealingError::NotPrivate)
    );
}

#[test]
fn an_open_room_sends_and_shows_texts_as_they_are() {
    let open = Sealing::for_welcome(&welcome("ann", None), None).expect("open");
    assert!(!open.is_private());
    assert_eq!(open.seal(chat("hi"), &[]), Ok(chat("hi")));
}

#[test]
fn files_and_overlong_texts_are_refused_before_sending() {
    let ann = sealing("ann", &key(1));
    let upload = ClientMessage::UploadStart {
        client_id: 1,
        file_name: "cat.png".into(),
        mime: "image/png".into(),
        size: 3,
    };
    assert!(ann.seal(upload, &[]).is_err());
    let most = crate::private::max_plaintext_bytes(400);
    assert!(ann.seal(chat(&"a".repeat(most)), &[]).is_ok());
    assert!(ann.seal(chat(&"a".repeat(most + 1)), &[]).is_err());
}

#[test]
fn a_readable_text_can_never_pass_for_one_that_did_not_open() {
    let key = key(1);
    let forged = format!("{NOT_TEXT_MARK}could not decrypt");
    let sent = sealing("ann", &key)
        .seal(chat(&forged), &[])
        .expect("sealed");
    let opened = sealing("bob", &key).open(relayed(sent, "ann", 1), UNREADABLE);
    assert_ne!(text_of(&opened), UNREADABLE);
    assert_eq!(text_of(&opened), "\u{FFFD}could not decrypt");
}

#[test]
fn a_message_changed_while_away_opens_in_its_current_form() {
    let key = key(1);
    let ann = sealing("ann", &key);
    let edit = ClientMessage::Edit {
        client_id: 2,
        seq: 4,
        text: "hello".into(),
    };
    let ClientMessage::Edit { text, .. } = ann.seal(edit, &[]).expect("sealed") else {
        panic!("an edit")
    };
    let ServerMessage::Chat(mut kept) = relayed(chat("unused"), "ann", 4) else {
        panic!("a chat")
    };
    kept.text = text;
    kept.changes.edited = true;
    let mut forged = kept.clone();
    forged.seq = 5;
    let changed = ServerMessage::Changed {
        messages: vec![kept, forged],
    };
    let ServerMessage::Changed { messages } = sealing("bob", &key).open(changed, UNREADABLE) else {
        panic!("still `changed`")
    };
    assert_eq!(messages[0].text, "hello");
    assert_eq!(messages[1].text, UNREADABLE, "signed for another seq");
}

#[test]
fn a_reaction_goes_sealed_and_opens_for_another_member_live_and_kept() {
    let key = key(1);
    let react = ClientMessage::React {
        seq: 4,
        emoji: "👍".into(),
        on: true,
    };
    let ClientMessage::React { emoji: sealed, .. } =
        sealing("ann", &key).seal(react, &[]).expect("sealed")
    else {
        panic!("a reaction")
    };
    assert!(!sealed.contains('👍'));
    // What the relay keeps and relays in its place.
    let room = RoomCode::parse("K7QX2MHDP").expect("valid code");
    let ann = name("ann");
    let post = Post::react(&room, &ann, 4);
    let token =
        crate::private::reaction::token_of(&key.verify_key(), &post, &sealed).expect("signed");
    let mut bob = sealing("bob", &key);
    let live = bob.open(
        ServerMessage::Reaction {
            seq: 4,
            emoji: token.clone(),
            name: ann.clone(),
            on: true,
        },
        UNREADABLE,
    );
    assert!(matches!(live, ServerMessage::Reaction { emoji, .. } if emoji == "👍"));
    let ServerMessage::Chat(mut kept) = relayed(chat("unused"), "cy", 4) else {
        panic!("a chat")
    };
    kept.changes.reactions = vec![crate::Reaction {
        emoji: token,
        names: vec![ann],
    }];
    let ServerMessage::Chat(kept) = bob.open(ServerMessage::Chat(kept), UNREADABLE) else {
        panic!("a chat")
    };
    assert_eq!(kept.changes.reactions[0].emoji, "👍");
    // Another room's key shows it as unreadable, never as a guess.
    let ServerMessage::Chat(other) = sealing("cy", &self::key(2)).open(
        ServerMessage::Chat(ChatMessage {
            text: kept.text.clone(),
            ..kept
        }),
        UNREADABLE,
    ) else {
        panic!("a chat")
    };
    assert_eq!(other.changes.reactions[0].emoji, UNREADABLE_EMOJI);
}
