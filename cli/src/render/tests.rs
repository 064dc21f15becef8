//! The transcript format, pinned line by line.

use super::*;
use chrono::Utc;
use confab_protocol::Limits;

/// 2023-11-14 22:13:20 UTC.
const TS: Millis = 1_700_000_000_000;

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn lines(msg: &ServerMessage) -> Vec<String> {
    frame_lines(msg, Some(&name("ann")), TS + 5_000, &Utc)
}

fn chat(from: &str, text: &str) -> ChatMessage {
    ChatMessage {
        reply_to: None,
        changes: Default::default(),
        seq: 1,
        from: name(from),
        text: text.into(),
        ts: TS,
        client_id: None,
        attachment: None,
    }
}

#[test]
fn chat_shows_time_sender_and_text() {
    assert_eq!(
        lines(&ServerMessage::Chat(chat("ann", "hello"))),
        ["22:13:20 #1 <ann> hello"]
    );
}

#[test]
fn an_action_shows_as_the_sender_doing_it() {
    assert_eq!(
        lines(&ServerMessage::Chat(chat("ann", "/me waves"))),
        ["22:13:20 #1 * ann waves"]
    );
}

#[test]
fn presence_shows_the_name_and_head_count() {
    let members = vec![name("ann"), name("bob"), name("cy")];
    let joined = ServerMessage::MemberJoined {
        name: name("bob"),
        members,
    };
    assert_eq!(lines(&joined), ["22:13:25 * bob joined (3 here)"]);
    let left = ServerMessage::MemberLeft {
        name: name("cy"),
        members: vec![name("ann")],
        reconnecting: false,
    };
    assert_eq!(lines(&left), ["22:13:25 * cy left (1 here)"]);
    let dropped = ServerMessage::MemberLeft {
        name: name("cy"),
        members: vec![name("ann")],
        reconnecting: true,
    };
    assert!(lines(&dropped)[0].contains("cy lost their connection"));
    let batch = ServerMessage::Presence {
        changes: vec![
            PresenceChange::Joined(name("dee")),
            PresenceChange::Reconnecting(name("cy")),
        ],
        count: 2,
    };
    let batch = lines(&batch);
    assert_eq!(batch[0], "22:13:25 * dee joined");
    assert!(batch[1].contains("cy lost their connection"), "{batch:?}");
    assert!(batch[1].ends_with("(2 here)"), "{batch:?}");
}

#[test]
fn whispers_say_who_from_or_who_to() {
    let w = |from: &str, to: &str| {
        ServerMessage::Whisper(WhisperMessage {
            from: name(from),
            to: name(to),
            text: "hi".into(),
            ts: TS,
            client_id: None,
        })
    };
    assert_eq!(lines(&w("bob", "ann")), ["22:13:20 [whisper from bob] hi"]);
    assert_eq!(lines(&w("ann", "bob")), ["22:13:20 [whisper to bob] hi"]);
}

#[test]
fn errors_show_code_message_and_retry_hint() {
    let taken = ServerMessage::error(ErrorCode::NameTaken, "someone here is called ann");
    assert_eq!(lines(&taken), ["! name_taken: someone here is called ann"]);
    let slow = ServerMessage::Error(ErrorMessage {
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
        client_id: Some(4),
        retry_after_ms: Some(200),
    });
    assert_eq!(
        lines(&slow),
        ["! rate_limited: slow down (retry in 200 ms)"]
    );
}

#[test]
fn welcome_prints_history_then_the_room_code_and_roster() {
    let welcome = ServerMessage::Welcome(Box::new(WelcomeMessage {
        room: RoomCode::parse("k7qx2mhdp").expect("valid code"),
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history: vec![chat("bob", "earlier")],
        resume_token: "tok".into(),
        limits: Limits::example(),
        page_url: None,
        statuses: vec![],
        room_state: Default::default(),
        verify_key: None,
    }));
    let out = lines(&welcome);
    assert_eq!(out[0], "22:13:20 #1 <bob> earlier");
    assert!(out.contains(&"    room code: K7Q-X2M-HDP".to_owned()));
    assert_eq!(
        out.last().map(String::as_str),
        Some("22:13:25 * here (2): bob, ann (you)")
    );
}

#[test]
fn typing_hints_print_nothing() {
    assert!(
        lines(&ServerMessage::Typing {
            name: name("bob"),
            active: true
        })
        .is_empty()
    );
}

#[test]
fn gaps_name_the_missing_range() {
    let gap = ServerMessage::Gap {
        after: 3,
        resumed_from: 40,
    };
    assert_eq!(
        lines(&gap),
        ["22:13:25 * messages #4 to #39 are no longer kept by the relay"]
    );
}

#[test]
fn control_characters_cannot_reach_the_terminal() {
    assert_eq!(clean("red\u{1b}[31m!\u{7}"), "red\u{FFFD}[31m!\u{FFFD}");
    assert_eq!(clean("two\nlines"), format!("two\n{INDENT}lines"));
}

#[test]
fn close_codes_have_meanings() {
    assert_eq!(close_meaning(4001), "no create/join in time");
    assert_eq!(close_meaning(3999), "unexpected close code");
}

#[test]
fn code_blocks_lose_their_fences_and_are_set_off_while_marks_stay_as_typed() {
    let text = "*see*:\n```rust\nlet x = 1;\n```\n> done";
    assert_eq!(
        lines(&ServerMessage::Chat(chat("ann", text))),
        [format!(
            "22:13:20 #1 <ann> *see*:\n{INDENT}  │ let x = 1;\n{INDENT}> done"
        )]
    );
}

#[test]
fn replies_edits_deletions_and_reactions_read_plainly() {
    let mut kept = chat("ann", "fixed");
    kept.reply_to = Some(1);
    kept.changes.edited = true;
    kept.changes.reactions = vec![confab_protocol::Reaction {
        emoji: "👍".into(),
        names: vec![name("bob"), name("cy")],
    }];
    assert_eq!(
        lines(&ServerMessage::Chat(kept.clone())),
        ["22:13:20 #1 <ann> ↪#1 fixed (edited)  [👍 2]"]
    );
    confab_protocol::Changes::delete(&mut kept);
    assert_eq!(
        lines(&ServerMessage::Chat(kept)),
        ["22:13:20 #1 <ann> [message deleted]"]
    );
    let reaction = ServerMessage::Reaction {
        seq: 4,
        emoji: "🎉".into(),
        name: name("bob"),
        on: true,
    };
    assert_eq!(lines(&reaction), ["22:13:25 * bob reacted 🎉 on #4"]);
}

#[test]
fn messages_changed_while_away_are_shown_again_as_they_are_now() {
    let mut edited = chat("ann", "hello");
    edited.changes.edited = true;
    let mut deleted = chat("bob", "");
    deleted.seq = 2;
    confab_protocol::Changes::delete(&mut deleted);
    let changed = ServerMessage::Changed {
        messages: vec![edited, deleted],
    };
    assert_eq!(
        lines(&changed),
        [
            "22:13:25 * changed while you were away:",
            "22:13:20 #1 <ann> hello (edited)",
            "22:13:20 #2 <bob> [message deleted]",
        ]
    );
}
