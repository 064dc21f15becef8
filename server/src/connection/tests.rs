//! A connection's rules, driven frame by frame against an in-memory relay: no socket, the
//! outcome of each frame is what the handler would carry out.

use std::sync::Arc;

use confab_protocol::{ClientMessage, ErrorCode, RoomCode, ServerMessage, Username, close_code};
use futures_util::FutureExt;

use super::*;
use crate::Config;
use crate::outbox::Inbox;
use crate::rooms::memory::Registry;

type Relay = Arc<Shared<Registry>>;

fn relay_with(change: impl FnOnce(&mut Config)) -> Relay {
    let mut config = Config::default();
    change(&mut config);
    Arc::new(Shared::new(config))
}

fn relay() -> Relay {
    relay_with(|_| {})
}

fn connect(relay: &Relay, conn: ConnId) -> Connection<Registry> {
    Connection::new(Arc::clone(relay), [127, 0, 0, 1].into(), conn)
}

/// The outcome of `message` (memory mode never waits).
fn send(connection: &mut Connection<Registry>, message: &ClientMessage) -> Outcome {
    send_text(connection, &message.to_json())
}

fn send_text(connection: &mut Connection<Registry>, text: &str) -> Outcome {
    connection
        .on_text(text)
        .now_or_never()
        .expect("memory mode answers at once")
}

/// The error a reply carries; panics on any other outcome.
fn error_of(outcome: Outcome) -> (ErrorCode, Option<ClientId>) {
    match outcome {
        Outcome::Reply(ServerMessage::Error(error)) => (error.code, error.client_id),
        other => panic!("expected an error reply, got {other:?}"),
    }
}

/// Creates a room as `who`; its code and the inbox.
fn created(connection: &mut Connection<Registry>, who: &str) -> (RoomCode, Inbox) {
    let create = ClientMessage::Create {
        name: Username::parse(who).expect("valid name"),
    };
    let Outcome::Entered(mut inbox) = send(connection, &create) else {
        panic!("the create was refused");
    };
    let frame = inbox.try_next().expect("a welcome");
    let Ok(ServerMessage::Welcome(welcome)) = ServerMessage::from_json(frame.as_str()) else {
        panic!("the first frame is the welcome");
    };
    (welcome.room, inbox)
}

fn join(connection: &mut Connection<Registry>, who: &str, room: &RoomCode) -> Outcome {
    send(
        connection,
        &ClientMessage::Join {
            name: Username::parse(who).expect("valid name"),
            room: room.clone(),
            resume_token: None,
            last_seq: None,
        },
    )
}

fn chat(text: &str) -> ClientMessage {
    ClientMessage::Chat {
        client_id: 7,
        text: text.into(),
        reply_to: None,
    }
}

#[test]
fn a_request_before_joining_is_a_bad_frame_and_too_many_close_the_connection() {
    let relay = relay_with(|config| config.max_bad_frames = 2);
    let mut connection = connect(&relay, 1);
    for _ in 0..2 {
        assert_eq!(
            error_of(send(&mut connection, &chat("hi"))).0,
            ErrorCode::NotJoined
        );
    }
    match send(&mut connection, &chat("hi")) {
        Outcome::Close { code, .. } => assert_eq!(code, close_code::POLICY),
        other => panic!("the third bad frame closes, got {other:?}"),
    }
}

#[test]
fn text_that_is_not_json_is_malformed_and_a_binary_frame_is_refused() {
    let relay = relay();
    let mut connection = connect(&relay, 1);
    assert_eq!(
        error_of(send_text(&mut connection, "{not json")).0,
        ErrorCode::Malformed
    );
    assert_eq!(error_of(connection.on_binary()).0, ErrorCode::BinaryFrame);
}

#[test]
fn an_empty_or_overlong_chat_is_refused_naming_its_client_id_so_the_draft_is_kept() {
    let relay = relay_with(|config| config.max_text_chars = 5);
    let mut connection = connect(&relay, 1);
    let (_, _inbox) = created(&mut connection, "ann");
    for text in ["", "   ", "toolong"] {
        let (code, client_id) = error_of(send(&mut connection, &chat(text)));
        assert_ne!(code, ErrorCode::NotJoined, "{text:?}");
        assert_eq!(client_id, Some(7), "{text:?} names the refused message");
    }
    assert!(matches!(
        send(&mut connection, &chat("hello")),
        Outcome::Nothing
    ));
}

#[test]
fn a_joined_connection_cannot_join_again() {
    let relay = relay();
    let mut connection = connect(&relay, 1);
    let (room, _inbox) = created(&mut connection, "ann");
    assert_eq!(
        error_of(join(&mut connection, "bob", &room)).0,
        ErrorCode::AlreadyJoined
    );
}

#[test]
fn a_normal_close_frees_the_name_at_once_and_a_drop_keeps_it_for_a_resume() {
    let relay = relay();
    let mut ann = connect(&relay, 1);
    let (room, _ann_inbox) = created(&mut ann, "ann");

    let mut bob = connect(&relay, 2);
    assert!(matches!(join(&mut bob, "bob", &room), Outcome::Entered(_)));
    bob.on_peer_close(Some(close_code::NORMAL));
    let mut bob_again = connect(&relay, 3);
    assert!(
        matches!(join(&mut bob_again, "bob", &room), Outcome::Entered(_)),
        "a normal close frees the name"
    );

    let mut cy = connect(&relay, 4);
    assert!(matches!(join(&mut cy, "cy", &room), Outcome::Entered(_)));
    drop(cy);
    let mut cy_again = connect(&relay, 5);
    assert_eq!(
        error_of(join(&mut cy_again, "cy", &room)).0,
        ErrorCode::NameTaken,
        "a dropped connection's name waits for its resume"
    );
}

#[test]
fn leave_closes_normally_and_a_hint_flood_is_dropped_then_closed() {
    let relay = relay();
    let mut connection = connect(&relay, 1);
    let (_, _inbox) = created(&mut connection, "ann");
    let typing = ClientMessage::Typing { active: true };
    let mut outcomes = Vec::new();
    for _ in 0..(TYPING_HINTS_BURST + TYPING_MAX_STRIKES + 2) {
        outcomes.push(send(&mut connection, &typing));
        if matches!(outcomes.last(), Some(Outcome::Close { .. })) {
            break;
        }
    }
    let burst = usize::try_from(TYPING_HINTS_BURST).expect("small");
    assert!(
        outcomes[..burst]
            .iter()
            .all(|o| matches!(o, Outcome::Nothing))
    );
    match outcomes.last() {
        Some(Outcome::Close { code, .. }) => assert_eq!(*code, close_code::POLICY),
        other => panic!("a sustained flood closes, got {other:?}"),
    }

    let mut other = connect(&relay, 2);
    let (_, _other_inbox) = created(&mut other, "bob");
    match send(&mut other, &ClientMessage::Leave) {
        Outcome::Close { code, .. } => assert_eq!(code, close_code::NORMAL),
        unexpected => panic!("leave closes normally, got {unexpected:?}"),
    }
}
