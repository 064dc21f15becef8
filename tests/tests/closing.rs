//! The WebSocket closing handshake and protocol-level faults (RFC 6455): a client's Close
//! is echoed before TCP ends, a normal close is a `leave`, any other keeps the resume
//! window, and framing faults get 1002 or 1007 instead of a silent drop.

use confab_protocol::{ErrorCode, close_code};
use confab_tests::raw::RawClient;
use confab_tests::{Event, TestRelay, name};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Sends a Close with `code` and returns what the relay answered with.
async fn close_with(client: &mut confab_tests::TestClient, code: u16) -> Event {
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: "bye".into(),
    };
    client
        .try_send_frame(Message::Close(Some(frame)))
        .await
        .expect("sending a close frame");
    loop {
        match client.next_event().await {
            Event::Message(_) => {}
            end => return end,
        }
    }
}

#[tokio::test]
async fn a_normal_close_is_echoed_and_frees_the_name_at_once() {
    for code in [close_code::NORMAL, close_code::GOING_AWAY] {
        let relay = TestRelay::start_default().await;
        let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
        let mut ann = members.remove(0);
        assert_eq!(close_with(&mut ann, code).await, Event::Close(Some(code)));
        members[0].recv_member_left("ann").await;

        let mut again = relay.client().await;
        let welcome = again.join("ann", &room).await;
        assert!(welcome.members.contains(&name("ann")));
    }
}

#[tokio::test]
async fn another_close_code_is_echoed_and_keeps_the_name_for_resume() {
    let relay = TestRelay::start_default().await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let mut ann = members.remove(0);
    assert_eq!(close_with(&mut ann, 4321).await, Event::Close(Some(4321)));
    members[0].recv_member_left("ann").await;

    let mut impostor = relay.client().await;
    impostor.send_join("ann", &room).await;
    assert_eq!(impostor.recv_error().await.code, ErrorCode::NameTaken);
}

#[tokio::test]
async fn a_close_with_a_reserved_code_is_answered_with_1002() {
    let relay = TestRelay::start_default().await;
    let mut raw = RawClient::upgraded(relay.addr).await;
    // 1005 must never be sent on the wire (RFC 6455 section 7.4.1).
    raw.send_frame(0x88, &1005u16.to_be_bytes()).await;
    let close = raw.read_close().await.expect("a close frame");
    assert_eq!(close.close_code(), Some(close_code::PROTOCOL_ERROR));
}

#[tokio::test]
async fn invalid_utf8_in_a_text_frame_is_closed_with_1007() {
    let relay = TestRelay::start_default().await;
    let mut raw = RawClient::upgraded(relay.addr).await;
    raw.send_frame(0x81, b"{\"type\":\"leave\xff\"}").await;
    let close = raw.read_close().await.expect("a close frame");
    assert_eq!(close.close_code(), Some(close_code::INVALID_DATA));
}

#[tokio::test]
async fn framing_violations_are_closed_with_1002() {
    let relay = TestRelay::start_default().await;
    let cases: [(&str, u8, &[u8]); 4] = [
        ("a reserved bit", 0x81 | 0x40, b"{}"),
        ("an unknown opcode", 0x83, b"{}"),
        ("a fragmented ping", 0x09, b""),
        ("a one-byte close payload", 0x88, b"x"),
    ];
    for (what, first_byte, payload) in cases {
        let mut raw = RawClient::upgraded(relay.addr).await;
        raw.send_frame(first_byte, payload).await;
        let close = raw.read_close().await;
        assert_eq!(
            close.and_then(|c| c.close_code()),
            Some(close_code::PROTOCOL_ERROR),
            "{what}"
        );
    }
}
