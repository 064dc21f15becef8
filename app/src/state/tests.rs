//! Scripted conversations with the model: relay messages and socket events in, state and
//! effects out.

use confab_protocol::{
    ChatMessage, ErrorCode, ErrorMessage, Limits, ServerMessage, WelcomeMessage,
};
use web_time::Duration;

use super::*;

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn room() -> RoomCode {
    RoomCode::parse("K7QX2MHDP").expect("valid code")
}

fn limits() -> Limits {
    Limits {
        max_text_chars: 100,
        max_frame_bytes: 65536,
        messages_per_second: 5,
        burst: 20,
        typing_ttl_ms: 6000,
        ping_interval_ms: 20_000,
        pong_timeout_ms: 20_000,
        join_timeout_ms: 30_000,
        room_grace_ms: 30_000,
        history_len: 200,
    }
}

fn chat(seq: u64, from: &str, text: &str, client_id: Option<u64>) -> ServerMessage {
    ServerMessage::Chat(ChatMessage {
        seq,
        from: name(from),
        text: text.into(),
        ts: seq,
        client_id,
    })
}

fn welcome(history: Vec<ServerMessage>, token: &str) -> ServerMessage {
    let history = history
        .into_iter()
        .filter_map(|m| {
            if let ServerMessage::Chat(c) = m {
                Some(c)
            } else {
                None
            }
        })
        .collect();
    ServerMessage::Welcome(WelcomeMessage {
        room: room(),
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history,
        resume_token: token.into(),
        limits: limits(),
        page_url: None,
    })
}

/// A model that has joined the room as "ann" with messages 1 and 2 in its history.
fn joined(now: Now) -> Model {
    let mut m = Model::new(1);
    m.start("ws://relay".into(), name("ann"), Intent::Join(room()));
    m.on_opened();
    m.on_message(
        welcome(
            vec![chat(1, "bob", "a", None), chat(2, "bob", "b", None)],
            "tok",
        ),
        now,
    );
    m
}

fn seqs(m: &Model) -> Vec<u64> {
    let session = m.session.as_ref().expect("in a room");
    let seq = |e: &Entry| {
        if let EntryKind::Chat { seq, .. } = e.kind {
            Some(seq)
        } else {
            None
        }
    };
    session.timeline.entries().iter().filter_map(seq).collect()
}

#[test]
fn joining_sends_join_after_the_socket_opens_and_welcome_enters_the_room() {
    let mut m = Model::new(1);
    let effects = m.start("ws://relay".into(), name("ann"), Intent::Join(room()));
    assert_eq!(
        effects,
        vec![Effect::Disconnect, Effect::Connect("ws://relay".into())]
    );
    assert_eq!(m.status, Status::Connecting);
    let sent = m.on_opened();
    let expected = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: None,
        last_seq: None,
    };
    assert_eq!(sent, vec![Effect::Send(expected)]);
    m.on_message(
        welcome(vec![chat(1, "bob", "hi", None)], "tok"),
        Now::current(),
    );
    assert_eq!(m.status, Status::Online);
    assert_eq!(seqs(&m), vec![1]);
}

#[test]
fn a_refused_join_returns_to_the_join_screen_with_the_reason_in_words() {
    let mut m = Model::new(1);
    m.start("ws://relay".into(), name("ann"), Intent::Create);
    assert_eq!(
        m.on_opened(),
        vec![Effect::Send(ClientMessage::Create { name: name("ann") })]
    );
    let effects = m.on_message(
        ServerMessage::error(ErrorCode::NameTaken, "taken"),
        Now::current(),
    );
    assert_eq!(effects, vec![Effect::Disconnect]);
    assert_eq!(m.status, Status::Offline);
    assert!(
        m.join_error
            .as_deref()
            .is_some_and(|e| e.contains("already has that name"))
    );
}

#[test]
fn an_unreachable_server_is_reported_on_the_join_screen() {
    let mut m = Model::new(1);
    m.start("ws://nowhere".into(), name("ann"), Intent::Create);
    m.on_closed("connection refused", Now::current());
    assert_eq!(m.status, Status::Offline);
    assert!(
        m.join_error
            .as_deref()
            .is_some_and(|e| e.contains("ws://nowhere"))
    );
}

#[test]
fn a_drop_reconnects_after_backoff_and_resumes_with_token_and_last_seq() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(m.on_closed("reset", now), vec![Effect::Disconnect]);
    assert!(matches!(m.status, Status::Waiting { .. }));
    assert_eq!(m.tick(now), vec![], "nothing before the backoff delay");
    let later = Now {
        at: now.at + Backoff::MAX,
        wall_ms: now.wall_ms,
    };
    assert_eq!(m.tick(later), vec![Effect::Connect("ws://relay".into())]);
    let resume = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: Some("tok".into()),
        last_seq: Some(2),
    };
    assert_eq!(m.on_opened(), vec![Effect::Send(resume)]);
}

#[test]
fn a_resume_shows_exactly_the_missed_messages_once() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    // A relay that (wrongly) replays message 2 as well must not cause a duplicate.
    let history = vec![
        chat(2, "bob", "b", None),
        chat(3, "bob", "c", None),
        chat(4, "cy", "d", None),
    ];
    m.on_message(welcome(history, "tok2"), now);
    m.on_message(chat(4, "cy", "d", None), now);
    assert_eq!(seqs(&m), vec![1, 2, 3, 4]);
    assert_eq!(m.status, Status::Online);
}

#[test]
fn a_gap_after_resume_adds_a_missed_messages_marker() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    m.on_message(welcome(vec![chat(40, "bob", "late", None)], "tok2"), now);
    m.on_message(
        ServerMessage::Gap {
            after: 2,
            resumed_from: 40,
        },
        now,
    );
    let session = m.session.as_ref().expect("in a room");
    let gap_at = session
        .timeline
        .entries()
        .iter()
        .position(|e| matches!(e.kind, EntryKind::Gap { .. }));
    let msg_at = session
        .timeline
        .entries()
        .iter()
        .position(|e| matches!(e.kind, EntryKind::Chat { seq: 40, .. }));
    assert!(gap_at.is_some() && gap_at < msg_at);
}

#[test]
fn a_resume_the_relay_no_longer_knows_marks_missed_messages_and_shows_the_new_backlog() {
    let now = Now::current();
    let mut m = joined(now); // seq 1 and 2 from the relay before it restarted
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    // The restarted relay ignores the unknown token: a fresh join, numbering from 1 again.
    let backlog = vec![chat(1, "cy", "after the restart", None)];
    m.on_message(welcome(backlog, "new-token"), now);
    m.on_message(chat(2, "bob", "still here?", None), now);

    let session = m.session.as_ref().expect("still in the room");
    let kinds: Vec<&EntryKind> = session.timeline.entries().iter().map(|e| &e.kind).collect();
    let marker = kinds
        .iter()
        .position(|k| **k == EntryKind::Discontinuity)
        .expect("a 'messages may have been missed' marker");
    assert_eq!(seqs(&m), vec![1, 2, 1, 2], "nothing dropped as a duplicate");
    let texts: Vec<&str> = kinds[marker + 1..]
        .iter()
        .filter_map(|k| match k {
            EntryKind::Chat { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["after the restart", "still here?"]);
    assert_eq!(m.status, Status::Online);
    // The next resume uses the new token and the new numbering.
    m.on_closed("reset", now);
    m.reconnect_now(now);
    let resume = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: Some("new-token".into()),
        last_seq: Some(2),
    };
    assert_eq!(m.on_opened(), vec![Effect::Send(resume)]);
}

#[test]
fn an_expired_token_in_a_living_room_does_not_repeat_the_shown_backlog() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    // Same room, same numbering, but the token had expired: the backlog repeats 1 and 2.
    let backlog = vec![
        chat(1, "bob", "a", None),
        chat(2, "bob", "b", None),
        chat(3, "bob", "c", None),
    ];
    m.on_message(welcome(backlog, "new-token"), now);
    m.on_message(chat(3, "bob", "c", None), now);
    assert_eq!(seqs(&m), vec![1, 2, 3]);
}

#[test]
fn a_typing_stop_right_before_a_chat_clears_the_hint_and_the_chat_shows() {
    let now = Now::current();
    let mut m = joined(now);
    let typing = |active| ServerMessage::Typing {
        name: name("bob"),
        active,
    };
    m.on_message(typing(true), now);
    m.on_message(typing(false), now);
    m.on_message(chat(3, "bob", "done typing", None), now);
    let session = m.session.as_ref().expect("in a room");
    assert!(session.typing.active(now.at).is_empty());
    assert_eq!(seqs(&m), vec![1, 2, 3]);
}

#[test]
fn a_resume_into_an_expired_room_ends_the_session() {
    let now = Now::current();
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    m.on_message(ServerMessage::error(ErrorCode::RoomNotFound, "gone"), now);
    assert!(m.session.is_none());
    assert_eq!(m.status, Status::Offline);
}

#[test]
fn a_refused_message_keeps_its_text_as_the_draft() {
    let now = Now::current();
    let mut m = joined(now);
    let session = m.session.as_mut().expect("in a room");
    session.composer.draft = "hello".into();
    let effects = m.send_draft();
    assert_eq!(
        effects,
        vec![Effect::Send(ClientMessage::Chat {
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
    let composer = &m.session.as_ref().expect("in a room").composer;
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
    m.session.as_mut().expect("in a room").composer.draft = "yo".into();
    m.send_draft();
    assert_eq!(
        m.session
            .as_ref()
            .expect("in a room")
            .composer
            .pending()
            .count(),
        1
    );
    m.on_message(chat(3, "ann", "yo", Some(1)), now);
    assert_eq!(
        m.session
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
        m.on_message(chat(4, "bob", "@ann look", None), now),
        vec![Effect::Alert]
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
    let session = m.session.as_ref().expect("in a room");
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
    assert!(m.session.is_none());
    assert_eq!(m.status, Status::Offline);
}
