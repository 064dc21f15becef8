//! The chat screen, drawn from a scripted session and driven like a person would.

use confab_protocol::{ChatMessage, Limits, RoomCode, ServerMessage, Username, WelcomeMessage};
use egui::{Event, Modifiers, MouseWheelUnit, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use web_time::Instant;

use super::*;

struct Screen {
    session: Session,
    view: ChatView,
    status: Status,
    actions: Vec<ChatAction>,
}

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn chat(seq: u64, from: &str, text: &str) -> ChatMessage {
    ChatMessage {
        seq,
        from: name(from),
        text: text.into(),
        ts: 1_700_000_000_000 + seq * 1000,
        client_id: None,
    }
}

fn session(history: Vec<ChatMessage>) -> Session {
    let limits = Limits {
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
    };
    let room = RoomCode::parse("K7QX2MHDP").expect("valid code");
    Session::new(WelcomeMessage {
        room,
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history,
        resume_token: "tok".into(),
        limits,
        page_url: None,
    })
}

fn harness(history: Vec<ChatMessage>, status: Status) -> Harness<'static, Screen> {
    let screen = Screen {
        session: session(history),
        view: ChatView::default(),
        status,
        actions: vec![],
    };
    Harness::builder()
        .with_size([900.0, 600.0])
        // Emoji and icons come from system fonts (native) or the browser (web) at run time,
        // never from the bundled fonts, so a headless harness has no glyph for them.
        .allow_missing_glyphs()
        .with_max_steps(24)
        .build_ui_state(
            |ui, s: &mut Screen| {
                let cx = ChatContext {
                    status: &s.status,
                    server: "ws://relay:9001",
                    sound_on: false,
                    now: Instant::now(),
                };
                let actions = chat_ui(ui, &mut s.session, &mut s.view, cx);
                s.actions.extend(actions);
            },
            screen,
        )
}

#[test]
fn the_top_bar_shows_the_room_the_head_count_and_the_connection() {
    let mut h = harness(vec![], Status::Online);
    h.run();
    assert!(h.query_by_label("K7Q-X2M-HDP").is_some());
    assert!(h.query_by_label("👥 2 online").is_some());
    assert!(h.query_by_label("Connected").is_some());
}

#[test]
fn a_phone_sized_window_keeps_every_top_bar_button_inside_it() {
    let mut h = harness(vec![chat(1, "bob", "hello there")], Status::Online);
    h.set_size(vec2(360.0, 600.0));
    h.run();
    assert!(
        !h.state().view.members_open,
        "the people panel starts closed"
    );
    for label in ["Leave", "📋", "👥 2", "Connected"] {
        let rect = h.get_by_label(label).rect();
        assert!(
            rect.right() <= 360.0 && rect.top() >= 0.0,
            "{label:?} is on screen, at {rect:?}"
        );
    }
    h.get_by_label("Leave").click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::Leave]);
}

#[test]
fn copy_invite_and_leave_become_actions() {
    let mut h = harness(vec![], Status::Online);
    h.run();
    h.get_by_label("📋 Copy invite").click();
    h.run();
    h.get_by_label("Leave").click();
    h.run();
    assert_eq!(
        h.state().actions,
        vec![
            ChatAction::CopyInvite("ws://relay:9001/#K7Q-X2M-HDP".into()),
            ChatAction::Leave
        ]
    );
}

#[test]
fn messages_show_their_sender_and_text() {
    let mut h = harness(
        vec![chat(1, "bob", "hello there"), chat(2, "ann", "hi bob")],
        Status::Online,
    );
    h.run();
    assert!(
        h.query_all_by_label("bob").count() >= 2,
        "in the people panel and on the bubble"
    );
    assert!(h.query_by_label("hello there").is_some());
    assert!(h.query_by_label("hi bob").is_some());
}

#[test]
fn a_link_opens_only_after_confirming() {
    let mut h = harness(
        vec![chat(1, "bob", "see https://example.com/x")],
        Status::Online,
    );
    h.run();
    h.get_by_label("https://example.com/x").click();
    h.run();
    assert!(h.state().actions.is_empty());
    assert!(h.query_by_label("Open this link?").is_some());
    h.get_by_label("Open link").click();
    h.run();
    assert_eq!(
        h.state().actions,
        vec![ChatAction::OpenLink("https://example.com/x".into())]
    );
}

#[test]
fn a_gap_after_a_reconnect_says_messages_were_missed() {
    let mut h = harness(
        vec![chat(1, "bob", "a"), chat(9, "bob", "b")],
        Status::Online,
    );
    let now = Instant::now();
    h.state_mut().session.apply(
        ServerMessage::Gap {
            after: 1,
            resumed_from: 9,
        },
        now,
        0,
    );
    h.run();
    assert!(
        h.query_by_label_contains("Some messages were missed")
            .is_some()
    );
}

#[test]
fn a_dropped_connection_shows_the_countdown_and_retry_now() {
    let retry_at = Instant::now() + web_time::Duration::from_secs(5);
    let mut h = harness(
        vec![],
        Status::Waiting {
            retry_at,
            reason: "reset".into(),
        },
    );
    h.run();
    assert!(h.query_by_label_contains("Offline, retrying in").is_some());
    h.get_by_label("Retry now").click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::ReconnectNow]);
}

#[test]
fn new_messages_while_scrolled_up_show_a_pill_that_jumps_down() {
    let history = burst(80, "message");
    let mut h = harness(history, Status::Online);
    h.run();
    assert!(
        h.query_by_label("message 80").is_some(),
        "starts at the bottom"
    );
    scroll_up(&mut h);
    assert!(h.query_by_label("message 80").is_none(), "scrolled up");
    let now = Instant::now();
    h.state_mut()
        .session
        .apply(ServerMessage::Chat(chat(81, "bob", "message 81")), now, 0);
    h.run();
    assert!(
        h.query_by_label("message 81").is_none(),
        "did not follow while scrolled up"
    );
    h.get_by_label("⬇ 1 new message").click();
    h.run();
    assert!(h.query_by_label("message 81").is_some());
}

/// Scrolls the message list a long way up with the mouse wheel.
fn scroll_up(h: &mut Harness<'static, Screen>) {
    h.hover_at(egui::pos2(300.0, 300.0));
    h.event(Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: vec2(0.0, 3000.0),
        modifiers: Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    h.run();
}

/// `n` one-line messages from bob, `"<prefix> 1"` to `"<prefix> n"`.
fn burst(n: u64, prefix: &str) -> Vec<ChatMessage> {
    (1..=n)
        .map(|i| chat(i, "bob", &format!("{prefix} {i}")))
        .collect()
}

/// How many of `n` one-line messages from one sender are on screen at the bottom.
fn visible_of_a_burst(n: u64) -> usize {
    let history = burst(n, "line");
    let mut h = harness(history, Status::Online);
    h.run();
    (1..=n)
        .filter(|i| h.query_by_label(&format!("line {i}")).is_some())
        .count()
}

#[test]
fn a_burst_from_one_sender_is_dense() {
    // One bubble of about 52 px per message before grouping: 10 of them in this window.
    // Grouped, the same window must show at least twice as many.
    let visible = visible_of_a_burst(60);
    eprintln!("one-line messages visible: {visible}");
    assert!(visible >= 20, "only {visible} one-line messages visible");
}

#[test]
fn a_burst_from_one_sender_shows_the_name_once() {
    let history = burst(3, "line");
    let mut h = harness(history, Status::Online);
    h.run();
    assert_eq!(
        h.query_all_by_label("bob").count(),
        2,
        "once in the people panel, once over the group"
    );
    assert!(h.query_by_label("line 3").is_some());
}

#[test]
fn a_group_that_started_above_the_view_keeps_its_sender_pinned_on_top() {
    let mut h = harness(burst(60, "line"), Status::Online);
    h.run();
    assert!(
        h.query_by_label("line 1").is_none(),
        "the head scrolled away"
    );
    assert_eq!(
        h.query_all_by_label("bob").count(),
        2,
        "the people panel and the pinned header"
    );
}

#[test]
fn another_sender_or_a_long_pause_starts_a_new_group() {
    let mut late = chat(3, "bob", "after lunch");
    late.ts += 10 * 60 * 1000;
    let history = vec![chat(1, "bob", "hi"), chat(2, "cy", "yo"), late];
    let mut h = harness(history, Status::Online);
    h.run();
    assert_eq!(h.query_all_by_label("bob").count(), 3, "panel + two groups");
    assert_eq!(h.query_all_by_label("cy").count(), 1);
}

#[test]
fn the_people_list_puts_you_first_then_the_others_by_name() {
    // The welcome lists bob before ann (you).
    let mut h = harness(vec![], Status::Online);
    h.run();
    let you = h.get_by_label("ann (you)").rect();
    let bob = h.get_by_label("bob").rect();
    assert!(you.top() < bob.top(), "you {you:?} above bob {bob:?}");
}

#[test]
fn your_own_message_scrolls_to_the_bottom_even_when_scrolled_up() {
    let history = burst(80, "message");
    let mut h = harness(history, Status::Online);
    h.run();
    scroll_up(&mut h);
    assert!(h.query_by_label("message 80").is_none(), "scrolled up");
    h.state_mut().session.apply(
        ServerMessage::Chat(chat(81, "ann", "my own words")),
        Instant::now(),
        0,
    );
    h.run();
    assert!(h.query_by_label("my own words").is_some(), "jumped down");
    assert!(
        h.query_by_label_contains("new message").is_none(),
        "no pill"
    );
}

#[test]
fn a_live_character_count_appears_near_the_limit_before_enter() {
    // The room allows 100 characters (see `session`).
    let mut h = harness(vec![], Status::Online);
    h.run();
    let composer = egui::accesskit::Role::MultilineTextInput;
    h.get_by_role(composer).type_text(&"x".repeat(70));
    h.run();
    assert!(
        h.query_by_label_contains("/ 100").is_none(),
        "far from the limit"
    );
    h.get_by_role(composer).type_text(&"x".repeat(15));
    h.run();
    assert!(h.query_by_label("85 / 100").is_some());
    h.get_by_role(composer).type_text(&"x".repeat(20));
    h.run();
    assert!(h.query_by_label("105 / 100 too long to send").is_some());
}

#[test]
fn a_right_to_left_message_is_aligned_right_and_a_latin_one_left() {
    let history = vec![chat(1, "bob", "hello"), chat(2, "cy", "שלום עולם")];
    let mut h = harness(history, Status::Online);
    h.run();
    let latin = h.get_by_label("hello").rect();
    // Drawn with a no-break space (see `row::rtl_text`).
    let hebrew = h.get_by_label("שלום\u{a0}עולם").rect();
    assert!(latin.left() < 60.0, "{latin:?}");
    assert!(
        hebrew.left() > latin.right(),
        "{hebrew:?} right of {latin:?}"
    );
    assert!(
        hebrew.right() > 600.0,
        "at the right of the message area: {hebrew:?}"
    );
}
