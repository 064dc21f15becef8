//! What you send and read: pending messages, unread counts, typing hints, leaving and
//! mentions from the people list.

use super::*;

#[test]
fn a_refused_message_keeps_its_text_as_the_draft() {
    let now = Now::current();
    let mut m = joined(now);
    let session = m.room.as_mut().expect("in a room");
    session.composer.draft = "hello".into();
    let effects = m.send_draft(now);
    assert_eq!(
        effects,
        vec![Effect::Send(ClientMessage::Chat {
            reply_to: None,
            client_id: 1,
            text: "hello".into()
        })]
    );
    let refusal = ServerMessage::Error(ErrorMessage {
        code: ErrorCode::RateLimited,
        message: "slow".into(),
        client_id: Some(1),
        retry_after_ms: Some(200),
    });
    m.on_message(refusal, now);
    let composer = &m.room.as_ref().expect("in a room").composer;
    assert_eq!(composer.draft, "hello");
    assert!(
        composer
            .error
            .as_deref()
            .is_some_and(|e| e.contains("too fast"))
    );
}

#[test]
fn the_echo_of_my_message_clears_it_from_pending() {
    let now = Now::current();
    let mut m = joined(now);
    m.room.as_mut().expect("in a room").composer.draft = "yo".into();
    m.send_draft(now);
    assert_eq!(
        m.room
            .as_ref()
            .expect("in a room")
            .composer
            .pending()
            .count(),
        1
    );
    m.on_message(chat(3, "ann", "yo", Some(1)), now);
    assert_eq!(
        m.room
            .as_ref()
            .expect("in a room")
            .composer
            .pending()
            .count(),
        0
    );
}

#[test]
fn unfocused_windows_count_unread_messages_and_ring_on_mentions() {
    let now = Now::current();
    let mut m = joined(now);
    m.set_focused(false);
    assert_eq!(m.on_message(chat(3, "bob", "plain", None), now), vec![]);
    assert_eq!(
        alert_kinds(&m.on_message(chat(4, "bob", "@ann look", None), now)),
        vec![AlertKind::Mention]
    );
    assert_eq!(m.unread, 2);
    m.set_focused(true);
    assert_eq!(m.unread, 0);
}

#[test]
fn others_typing_hints_expire_after_the_relay_ttl() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_message(
        ServerMessage::Typing {
            name: name("bob"),
            active: true,
        },
        now,
    );
    let session = m.room.as_ref().expect("in a room");
    assert_eq!(session.typing.active(now.at), vec![&name("bob")]);
    assert!(
        session
            .typing
            .active(now.at + Duration::from_millis(6001))
            .is_empty()
    );
}

#[test]
fn leaving_sends_leave_and_returns_to_the_join_screen() {
    let mut m = joined(Now::current());
    assert_eq!(
        m.leave(),
        vec![Effect::Send(ClientMessage::Leave), Effect::Disconnect]
    );
    assert!(m.room.is_none());
    assert_eq!(m.status, ConnectionState::Offline);
}

#[test]
fn a_mention_from_the_people_list_goes_at_the_end_of_the_draft_and_counts_as_typing() {
    let now = Now::current();
    let mut m = joined(now);
    m.room.as_mut().expect("in a room").composer.draft = "hi".into();
    let effects = m.mention(&name("bob"), now);
    assert_eq!(
        effects,
        vec![Effect::Send(ClientMessage::Typing { active: true })]
    );
    let session = m.room.as_ref().expect("in a room");
    assert_eq!(session.composer.draft, "hi @bob ");
}
