//! Scripted conversations with the model: relay messages and socket events in, state and
//! effects out.

use confab_protocol::{
    ChatMessage, ErrorCode, ErrorMessage, Limits, Millis, RoomCode, ServerMessage, WelcomeMessage,
};
use web_time::Duration;

use super::*;
use composer::Composer;

mod alerts;
mod commands;
mod conversation;
mod join_errors;
mod mentions;
mod resume;
mod roster;
mod skewed_clock;

/// What the app sends first on every connection: the features it understands.
fn hello() -> Effect {
    Effect::Send(ClientMessage::Hello {
        features: vec![
            confab_protocol::features::ROSTER_DELTAS.into(),
            confab_protocol::features::PRESENCE_BATCHES.into(),
        ],
    })
}

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
        attachments: Default::default(),
    }
}

fn chat(seq: u64, from: &str, text: &str, client_id: Option<u64>) -> ServerMessage {
    ServerMessage::Chat(ChatMessage {
        reply_to: None,
        changes: Default::default(),
        seq,
        from: name(from),
        text: text.into(),
        ts: seq,
        client_id,
        attachment: None,
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
    ServerMessage::Welcome(Box::new(WelcomeMessage {
        room: room(),
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history,
        resume_token: token.into(),
        limits: limits(),
        page_url: None,
        statuses: vec![],
        room_state: Default::default(),
        verify_key: None,
    }))
}

/// A model that has joined the room as "ann" with messages 1 and 2 in its history.
fn joined(now: Now) -> Model {
    let mut m = Model::new(1, Now::current());
    m.start("ws://relay", name("ann"), Intent::Join(room()));
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

/// The notifications among `effects`, by kind (the other effects left out).
fn alert_kinds(effects: &[Effect]) -> Vec<AlertKind> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Alert(alert) => Some(alert.kind),
            _ => None,
        })
        .collect()
}

fn seqs(m: &Model) -> Vec<u64> {
    let session = m.room.as_ref().expect("in a room");
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

#[test]
fn a_drop_reconnects_after_backoff_and_resumes_with_token_and_last_seq() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(m.on_closed("reset", now), vec![Effect::Disconnect]);
    assert!(matches!(m.status, ConnectionState::Waiting { .. }));
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
    assert_eq!(m.on_opened(), vec![hello(), Effect::Send(resume)]);
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
    assert_eq!(m.status, ConnectionState::Online);
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
    let session = m.room.as_ref().expect("in a room");
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

    let session = m.room.as_ref().expect("still in the room");
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
    assert_eq!(m.status, ConnectionState::Online);
    // The next resume uses the new token and the new numbering.
    m.on_closed("reset", now);
    m.reconnect_now(now);
    let resume = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: Some("new-token".into()),
        last_seq: Some(2),
    };
    assert_eq!(m.on_opened(), vec![hello(), Effect::Send(resume)]);
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
    let session = m.room.as_ref().expect("in a room");
    assert!(session.typing.active(now.at).is_empty());
    assert_eq!(seqs(&m), vec![1, 2, 3]);
}

/// A joined model whose relay restarted: the resume was refused with `room_not_found`.
fn room_gone(now: Now) -> Model {
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    let effects = m.on_message(ServerMessage::error(ErrorCode::RoomNotFound, "gone"), now);
    assert_eq!(effects, vec![Effect::Disconnect]);
    m
}

#[test]
fn a_resume_into_a_vanished_room_ends_it_but_keeps_the_transcript() {
    let now = Now::current();
    let mut m = room_gone(now);
    let ConnectionState::Ended { reason } = &m.status else {
        panic!("ended, not {:?}", m.status);
    };
    assert!(
        reason.starts_with("K7Q-X2M-HDP no longer exists"),
        "{reason}"
    );
    assert_eq!(seqs(&m), vec![1, 2], "the transcript stays readable");
    assert_eq!(m.join_error, None, "nothing for the join screen to blame");
    let later = Now {
        at: now.at + Backoff::MAX * 2,
        wall_ms: now.wall_ms,
    };
    assert_eq!(m.tick(later), vec![], "an ended room does not reconnect");
}

#[test]
fn a_new_room_after_the_old_one_vanished_carries_the_transcript_and_copies_its_invite() {
    let now = Now::current();
    let mut m = room_gone(now);
    m.room.as_mut().expect("kept").composer.draft = "unsent".into();
    assert_eq!(
        m.new_room(),
        vec![Effect::Disconnect, Effect::Connect("ws://relay".into())]
    );
    assert_eq!(
        m.on_opened(),
        vec![
            hello(),
            Effect::Send(ClientMessage::Create { name: name("ann") })
        ]
    );
    let fresh = RoomCode::parse("ABCDEFGHJ").expect("valid code");
    let ServerMessage::Welcome(mut w) = welcome(vec![chat(1, "ann", "new", None)], "tok2") else {
        unreachable!()
    };
    w.room = fresh.clone();
    let effects = m.on_message(ServerMessage::Welcome(w), now);
    assert_eq!(effects, vec![Effect::CopyInvite(fresh.clone())]);
    assert_eq!(m.status, ConnectionState::Online);
    let session = m.room.as_ref().expect("in the new room");
    assert_eq!(session.room, fresh);
    assert_eq!(session.composer.draft, "unsent");
    assert_eq!(
        seqs(&m),
        vec![1, 2, 1],
        "old messages above, the new room's below"
    );
    assert!(session.timeline.entries().iter().any(|e| matches!(
        &e.kind,
        EntryKind::NewRoom { from, to } if *from == room() && *to == fresh
    )));
    // A later drop resumes the new room, not the old one.
    m.on_closed("reset", now);
    m.reconnect_now(now);
    let sent = m.on_opened();
    assert!(
        matches!(&sent[..], [first, Effect::Send(ClientMessage::Join { room, resume_token: Some(t), .. })] if *first == hello() && *room == fresh && t == "tok2"),
        "{sent:?}"
    );
}

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

fn whispers(m: &Model) -> Vec<String> {
    let session = m.room.as_ref().expect("in a room");
    let text = |e: &Entry| match &e.kind {
        EntryKind::Whisper { text, .. } => Some(text.clone()),
        _ => None,
    };
    session.timeline.entries().iter().filter_map(text).collect()
}

#[test]
fn whispers_exchanged_stay_visible_after_reconnects_known_or_not() {
    let now = Now::current();
    let mut m = joined(now);
    let whisper = |from: &str, to: &str, text: &str| {
        ServerMessage::Whisper(confab_protocol::WhisperMessage {
            from: name(from),
            to: name(to),
            text: text.into(),
            ts: 5,
            client_id: None,
        })
    };
    m.on_message(whisper("bob", "ann", "psst"), now);
    m.on_message(whisper("ann", "bob", "yes?"), now);
    // A drop the relay resumes, then one it does not know (it restarted).
    for token in ["tok", "fresh"] {
        m.on_closed("reset", now);
        m.reconnect_now(now);
        m.on_opened();
        m.on_message(welcome(vec![chat(1, "bob", "a", None)], token), now);
        assert_eq!(m.status, ConnectionState::Online);
        assert_eq!(whispers(&m), vec!["psst", "yes?"], "after token {token}");
    }
}

#[test]
fn several_relays_are_tried_in_turn_until_one_answers() {
    let now = Now::current();
    let mut m = Model::new(1, Now::current());
    let effects = m.start("ws://a, ws://b ws://c", name("ann"), Intent::Create);
    assert_eq!(
        effects,
        vec![Effect::Disconnect, Effect::Connect("ws://a".into())]
    );
    assert_eq!(
        m.on_closed("refused", now),
        vec![Effect::Disconnect, Effect::Connect("ws://b".into())]
    );
    assert_eq!(m.status, ConnectionState::Connecting);
    assert_eq!(m.join_error, None, "not yet: ws://c is left");
    assert_eq!(
        m.on_closed("refused", now),
        vec![Effect::Disconnect, Effect::Connect("ws://c".into())]
    );
    assert_eq!(m.relay(), Some("ws://c"));
    m.on_closed("refused", now);
    assert_eq!(m.status, ConnectionState::Offline);
    let error = m.join_error.as_deref().unwrap_or_default();
    assert!(error.contains("ws://a, ws://b, ws://c"), "{error}");
}

#[test]
fn reconnects_rotate_through_the_relays_with_backoff_and_resume_at_the_one_that_answers() {
    let now = Now::current();
    let mut m = Model::new(1, Now::current());
    m.start("ws://a,ws://b", name("ann"), Intent::Join(room()));
    m.on_opened();
    m.on_message(welcome(vec![chat(1, "bob", "a", None)], "tok"), now);
    assert_eq!(m.relay(), Some("ws://a"));
    let mut connects = Vec::new();
    let mut at = now;
    for _ in 0..3 {
        m.on_closed("reset", at);
        assert_eq!(m.tick(at), vec![], "each attempt waits for the backoff");
        at = Now {
            at: at.at + Backoff::MAX,
            wall_ms: at.wall_ms,
        };
        connects.extend(m.tick(at));
    }
    let urls = ["ws://b", "ws://a", "ws://b"].map(|u| Effect::Connect(u.into()));
    assert_eq!(connects, urls);
    let resume = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: Some("tok".into()),
        last_seq: Some(1),
    };
    assert_eq!(
        m.on_opened(),
        vec![hello(), Effect::Send(resume)],
        "at ws://b"
    );
    m.on_message(welcome(vec![], "tok"), at);
    assert_eq!(
        m.relay(),
        Some("ws://b"),
        "invites now name the relay that answered"
    );
}

#[test]
fn compact_presence_changes_edit_the_roster_and_a_wrong_count_asks_for_the_whole_one() {
    let now = Now::current();
    let mut m = joined(now); // bob, ann
    let roster = |m: &Model| -> Vec<String> {
        let session = m.room.as_ref().expect("in a room");
        session.members.iter().map(|n| n.to_string()).collect()
    };
    let joined = ServerMessage::Joined {
        name: name("cy"),
        count: 3,
    };
    assert_eq!(m.on_message(joined, now), vec![], "the count agrees");
    assert_eq!(roster(&m), ["bob", "ann", "cy"]);
    let left = ServerMessage::Left {
        name: name("BOB"),
        count: 2,
        reconnecting: false,
    };
    assert_eq!(m.on_message(left, now), vec![]);
    assert_eq!(
        roster(&m),
        ["ann", "cy"],
        "the same person, by the name rule"
    );
    // Someone the app never heard of left: its roster is off by one, so it asks.
    let stray = ServerMessage::Left {
        name: name("dee"),
        count: 1,
        reconnecting: false,
    };
    assert_eq!(
        m.on_message(stray, now),
        vec![Effect::Send(ClientMessage::Roster)]
    );
    let whole = ServerMessage::Roster {
        members: vec![name("cy")],
    };
    assert_eq!(m.on_message(whole, now), vec![]);
    assert_eq!(roster(&m), ["cy"]);
}

#[test]
fn a_presence_batch_applies_its_changes_in_order_and_checks_the_count_once() {
    use confab_protocol::PresenceChange::{Joined, Left, Reconnecting};
    let now = Now::current();
    let mut m = joined(now); // bob, ann
    let roster = |m: &Model| -> Vec<String> {
        let session = m.room.as_ref().expect("in a room");
        session.members.iter().map(|n| n.to_string()).collect()
    };
    let batch = ServerMessage::Presence {
        changes: vec![
            Joined(name("cy")),
            Joined(name("dee")),
            Left(name("cy")),
            Reconnecting(name("bob")),
            Joined(name("eve")),
        ],
        count: 3,
    };
    assert_eq!(m.on_message(batch, now), vec![], "the count agrees");
    assert_eq!(roster(&m), ["ann", "dee", "eve"]);
    assert_eq!(
        status_of(&m, "bob"),
        confab_protocol::MemberStatus::Reconnecting
    );
    let off = ServerMessage::Presence {
        changes: vec![Joined(name("fay"))],
        count: 5,
    };
    assert_eq!(
        m.on_message(off, now),
        vec![Effect::Send(ClientMessage::Roster)],
        "a count that disagrees asks for the whole roster"
    );
}

fn later(now: Now, by: Duration) -> Now {
    Now {
        at: now.at + by,
        wall_ms: now.wall_ms + by.as_millis() as u64,
    }
}

fn status_of(m: &Model, who: &str) -> confab_protocol::MemberStatus {
    m.room.as_ref().expect("in a room").status_of(&name(who))
}

fn presence_lines(m: &Model) -> usize {
    let session = m.room.as_ref().expect("in a room");
    session
        .timeline
        .entries()
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Presence { .. }))
        .count()
}

#[test]
fn away_is_sent_once_confirmed_by_the_echo_and_sent_again_after_a_reconnect() {
    use confab_protocol::MemberStatus::{Away, Online};
    let now = Now::current();
    let mut m = joined(now);
    m.room.as_mut().expect("in a room").composer.draft = "/away".into();
    assert_eq!(
        m.send_draft(now),
        vec![Effect::Send(ClientMessage::Status { status: Away })]
    );
    assert_eq!(
        m.tick(now),
        vec![],
        "not repeated while the echo is on its way"
    );
    let echo = ServerMessage::Status {
        name: name("ann"),
        status: Away,
    };
    m.on_message(echo, now);
    assert_eq!(status_of(&m, "ann"), Away);
    assert_eq!(m.tick(later(now, presence::STATUS_RETRY * 2)), vec![]);
    // A new connection starts online on the relay: away goes again after the welcome.
    m.on_closed("reset", now);
    m.on_message(welcome(vec![], "tok"), now);
    let resent = m.tick(later(now, presence::STATUS_RETRY * 3));
    assert_eq!(
        resent,
        vec![Effect::Send(ClientMessage::Status { status: Away })]
    );
    assert_eq!(m.my_status.wanted(), Away);
    m.choose_status(Online, now);
    assert_eq!(m.my_status.wanted(), Online);
}

#[test]
fn idling_turns_into_away_and_the_next_input_brings_you_back() {
    use confab_protocol::MemberStatus::{Away, Online};
    let now = Now::current();
    let mut m = joined(now);
    m.activity(now);
    assert_eq!(m.tick(later(now, presence::AWAY_AFTER / 2)), vec![]);
    assert_eq!(
        m.next_wakeup(now),
        Some(now.at + presence::AWAY_AFTER),
        "the app wakes for it: no polling"
    );
    let idle = later(now, presence::AWAY_AFTER);
    assert_eq!(
        m.tick(idle),
        vec![Effect::Send(ClientMessage::Status { status: Away })]
    );
    m.on_message(
        ServerMessage::Status {
            name: name("ann"),
            status: Away,
        },
        idle,
    );
    let back = later(idle, Duration::from_secs(1));
    m.activity(back);
    assert_eq!(
        m.tick(back),
        vec![Effect::Send(ClientMessage::Status { status: Online })]
    );
}

#[test]
fn a_dropped_member_shows_as_reconnecting_without_notices_until_the_grace_ends() {
    use confab_protocol::MemberStatus::{Online, Reconnecting};
    let now = Now::current();
    let mut m = joined(now); // bob, ann
    let before = presence_lines(&m);
    let dropped = ServerMessage::Left {
        name: name("bob"),
        count: 1,
        reconnecting: true,
    };
    m.on_message(dropped, now);
    assert_eq!(status_of(&m, "bob"), Reconnecting);
    assert_eq!(presence_lines(&m), before, "no 'left' line for a drop");
    let roster = m.room.as_ref().expect("in a room").roster();
    assert_eq!(roster.last().map(|e| e.status), Some(Reconnecting));
    m.on_message(
        ServerMessage::Joined {
            name: name("bob"),
            count: 2,
        },
        now,
    );
    assert_eq!(status_of(&m, "bob"), Online);
    assert_eq!(presence_lines(&m), before, "no 'joined' line for a return");
    // Dropped again and never back: the status ends with the grace period.
    let dropped = ServerMessage::Left {
        name: name("bob"),
        count: 1,
        reconnecting: true,
    };
    m.on_message(dropped, now);
    m.tick(now);
    let grace = Duration::from_millis(limits().room_grace_ms);
    m.tick(later(now, grace + Duration::from_millis(1)));
    assert_eq!(status_of(&m, "bob"), Online, "no longer listed at all");
    let roster = m.room.as_ref().expect("in a room").roster();
    assert_eq!(roster.len(), 1);
}

#[test]
fn an_ignored_member_is_hidden_until_unignored() {
    let now = Now::current();
    let mut m = joined(now);
    let session = m.room.as_mut().expect("in a room");
    session.composer.draft = "/ignore BOB".into();
    assert_eq!(m.send_draft(now), vec![], "ignoring sends nothing");
    m.on_message(chat(3, "bob", "spam", None), now);
    m.on_message(
        ServerMessage::Typing {
            name: name("bob"),
            active: true,
        },
        now,
    );
    let session = m.room.as_ref().expect("in a room");
    assert!(session.typing.active(now.at).is_empty());
    assert_eq!(seqs(&m), [1, 2]);
    assert!(session.roster().iter().any(|e| e.ignored));
    m.set_ignored(&name("bob"), false, now);
    m.on_message(chat(4, "bob", "hello again", None), now);
    assert_eq!(seqs(&m), [1, 2, 4]);
}

#[test]
fn ownership_and_the_lock_are_followed_and_a_removal_ends_the_room_for_you() {
    let now = Now::current();
    let mut m = joined(now);
    let state = confab_protocol::RoomState {
        owner: Some(name("ann")),
        locked: true,
    };
    m.on_message(ServerMessage::RoomState(state), now);
    let session = m.room.as_ref().expect("in a room");
    assert!(session.i_own_the_room() && session.room_state.locked);
    assert_eq!(
        m.remove_member(name("bob")),
        vec![Effect::Send(ClientMessage::Remove { name: name("bob") })]
    );
    // Removed: the relay closes; the resume is refused with `removed`, and that is final.
    m.on_closed("the server closed the connection", now);
    m.tick(later(now, Backoff::MAX));
    m.on_opened();
    let refusal = ServerMessage::Error(ErrorMessage {
        code: ErrorCode::Removed,
        message: "you were removed from this room; try again later".into(),
        client_id: None,
        retry_after_ms: None,
    });
    m.on_message(refusal, now);
    let ConnectionState::Ended { reason } = &m.status else {
        panic!("expected the room to end, got {:?}", m.status);
    };
    assert!(reason.contains("removed you"), "{reason}");
}
