//! Joining: the socket opening, a refused join and an unreachable server.

use super::*;

#[test]
fn joining_sends_join_after_the_socket_opens_and_welcome_enters_the_room() {
    let mut m = Model::new(1, Now::current());
    let effects = m.start("ws://relay", name("ann"), Intent::Join(room()));
    assert_eq!(
        effects,
        vec![Effect::Disconnect, Effect::Connect("ws://relay".into())]
    );
    assert_eq!(m.status, ConnectionState::Connecting);
    let sent = m.on_opened();
    let expected = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: None,
        last_seq: None,
    };
    assert_eq!(sent, vec![hello(), Effect::Send(expected)]);
    m.on_message(
        welcome(vec![chat(1, "bob", "hi", None)], "tok"),
        Now::current(),
    );
    assert_eq!(m.status, ConnectionState::Online);
    assert_eq!(seqs(&m), vec![1]);
}

#[test]
fn a_refused_join_returns_to_the_join_screen_with_the_reason_in_words() {
    let mut m = Model::new(1, Now::current());
    m.start("ws://relay", name("ann"), Intent::Create);
    assert_eq!(
        m.on_opened(),
        vec![
            hello(),
            Effect::Send(ClientMessage::Create { name: name("ann") })
        ]
    );
    let effects = m.on_message(
        ServerMessage::error(ErrorCode::NameTaken, "taken"),
        Now::current(),
    );
    assert_eq!(effects, vec![Effect::Disconnect]);
    assert_eq!(m.status, ConnectionState::Offline);
    assert!(
        m.join_error
            .as_deref()
            .is_some_and(|e| e.contains("already has that name"))
    );
}

#[test]
fn an_unreachable_server_is_reported_on_the_join_screen() {
    let mut m = Model::new(1, Now::current());
    m.start("ws://nowhere", name("ann"), Intent::Create);
    m.on_closed("connection refused", Now::current());
    assert_eq!(m.status, ConnectionState::Offline);
    assert!(
        m.join_error
            .as_deref()
            .is_some_and(|e| e.contains("ws://nowhere"))
    );
}
