//! The chat screen, drawn from a scripted session and driven like a person would.

use confab_protocol::{ChatMessage, Limits, RoomCode, ServerMessage, Username, WelcomeMessage};
use egui::{Event, Modifiers, MouseWheelUnit, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use web_time::Instant;

use super::*;

mod access;
mod conversation;
mod empty_room;
mod invite;
mod people_sheet;
mod problem;

struct Screen {
    room: Room,
    view: ChatView,
    status: ConnectionState,
    actions: Vec<ChatAction>,
    /// Where this app hosts the relay, if it does.
    hosting: Option<String>,
    /// Whether alerts for mentions and whispers are on.
    alerts_on: bool,
    /// The app's decoded pictures.
    pictures: crate::pictures::Pictures,
}

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn chat(seq: u64, from: &str, text: &str) -> ChatMessage {
    ChatMessage {
        reply_to: None,
        changes: Default::default(),
        seq,
        from: name(from),
        text: text.into(),
        ts: 1_700_000_000_000 + seq * 1000,
        client_id: None,
        attachment: None,
    }
}

fn session(history: Vec<ChatMessage>) -> Room {
    let limits = Limits {
        max_text_chars: 100,
        ..Limits::example()
    };
    let room = RoomCode::parse("K7QX2MHDP").expect("valid code");
    Room::new(WelcomeMessage {
        room,
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history,
        resume_token: "tok".into(),
        limits,
        page_url: None,
        statuses: vec![],
        room_state: Default::default(),
        verify_key: None,
    })
}

/// The invite link the app would give the chat screen for this room.
const INVITE_LINK: &str = "confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2Frelay%3A9001";

fn harness(history: Vec<ChatMessage>, status: ConnectionState) -> Harness<'static, Screen> {
    build(history, status, false)
}

/// [`harness`] for a test that shows a script no bundled font has (Hebrew): boxes allowed.
fn harness_allowing_boxes(
    history: Vec<ChatMessage>,
    status: ConnectionState,
) -> Harness<'static, Screen> {
    build(history, status, true)
}

fn build(
    history: Vec<ChatMessage>,
    status: ConnectionState,
    boxes: bool,
) -> Harness<'static, Screen> {
    let screen = Screen {
        room: session(history),
        view: ChatView::default(),
        status,
        actions: vec![],
        hosting: None,
        alerts_on: false,
        pictures: Default::default(),
    };
    let builder = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([900.0, 600.0]);
    // Otherwise no `allow_missing_glyphs`: the harness has no system fonts, so a control
    // drawn with a glyph the app does not bundle (an emoji icon) fails the test.
    let builder = if boxes {
        builder.allow_missing_glyphs()
    } else {
        builder
    };
    builder.with_max_steps(24).build_ui_state(
        |ui, s: &mut Screen| {
            let cx = ChatContext {
                status: &s.status,
                invite_link: INVITE_LINK,
                hosting: s.hosting.as_deref(),
                alerts_on: s.alerts_on,
                notifications_blocked: false,
                now: Instant::now(),
                my_status: confab_protocol::MemberStatus::Online,
                attachments: None,
            };
            let actions = chat_ui(ui, &s.room, &mut s.view, cx, &mut s.pictures);
            for action in actions {
                // What the model does with an edit; the rest is recorded for the test.
                match action {
                    ChatAction::Edit(text) => s.room.composer.draft = text,
                    other => s.actions.push(other),
                }
            }
        },
        screen,
    )
}

#[test]
fn the_top_bar_shows_the_room_the_head_count_and_the_connection() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.run();
    assert!(h.query_by_label("K7Q-X2M-HDP").is_some());
    assert!(h.query_by_label("Show people, 2 here").is_some());
    assert!(h.query_by_label("Connected").is_some());
}

#[test]
fn a_phone_sized_window_keeps_every_top_bar_button_inside_it() {
    let mut h = harness(vec![chat(1, "bob", "hello there")], ConnectionState::Online);
    h.set_size(vec2(360.0, 600.0));
    h.run();
    assert!(
        !h.state().view.members_open,
        "the people panel starts closed"
    );
    for label in [
        "More",
        "Copy invite link",
        "Show people, 2 here",
        "Connected",
    ] {
        let rect = h.get_by_label(label).rect();
        assert!(
            rect.right() <= 360.0 && rect.top() >= 0.0,
            "{label:?} is on screen, at {rect:?}"
        );
    }
    // On a phone, Leave is in the More menu (not the top-right corner), and asks first.
    assert!(h.query_by_label("Leave").is_none());
    h.get_by_label("More").click();
    h.run();
    h.get_by_label("Leave room").click();
    h.run();
    assert!(h.state().actions.is_empty(), "not before it is confirmed");
    h.get_by_label("Leave the room").click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::Leave]);
}

#[test]
fn copy_invite_and_leave_become_actions() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.run();
    h.get_by_label("Copy invite link").click();
    h.run();
    h.get_by_label("Leave").click();
    h.run();
    assert_eq!(
        h.state().actions,
        vec![ChatAction::CopyInvite],
        "Leave asks first"
    );
    h.get_by_label("Leave the room").click();
    h.run();
    assert_eq!(
        h.state().actions,
        vec![ChatAction::CopyInvite, ChatAction::Leave]
    );
}

#[test]
fn messages_show_their_sender_and_text() {
    let mut h = harness(
        vec![chat(1, "bob", "hello there"), chat(2, "ann", "hi bob")],
        ConnectionState::Online,
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
        ConnectionState::Online,
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
        ConnectionState::Online,
    );
    let now = Instant::now();
    h.state_mut().room.apply(
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
        ConnectionState::Waiting {
            retry_at,
            reason: "reset".into(),
        },
    );
    h.run();
    assert_eq!(
        h.query_all_by_label_contains("Reconnecting in").count(),
        2,
        "the words on screen, and the status node that says them"
    );
    h.get_by_label("Retry now").click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::ReconnectNow]);
}

#[test]
fn new_messages_while_scrolled_up_show_a_pill_that_jumps_down() {
    let history = burst(80, "message");
    let mut h = harness(history, ConnectionState::Online);
    h.run();
    assert!(
        h.query_by_label("message 80").is_some(),
        "starts at the bottom"
    );
    scroll_up(&mut h);
    assert!(h.query_by_label("message 80").is_none(), "scrolled up");
    let now = Instant::now();
    h.state_mut()
        .room
        .apply(ServerMessage::Chat(chat(81, "bob", "message 81")), now, 0);
    h.run();
    assert!(
        h.query_by_label("message 81").is_none(),
        "did not follow while scrolled up"
    );
    h.get_by_label("1 new message").click();
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
    let mut h = harness(history, ConnectionState::Online);
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
    let mut h = harness(history, ConnectionState::Online);
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
    let mut h = harness(burst(60, "line"), ConnectionState::Online);
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
    // The pinned name covers no line of text: it sits in a band above the scrolled rows
    // (which start where the scroll bar starts), not over them.
    let pinned = h
        .query_all_by_label("bob")
        .map(|n| n.rect())
        .min_by(|a, b| a.left().total_cmp(&b.left()))
        .expect("the pinned header");
    let bar = h
        .query_all_by_role(egui::accesskit::Role::ScrollBar)
        .map(|n| n.rect())
        .find(|r| r.left() < 850.0 && r.height() > 200.0)
        .expect("the message list's scroll bar");
    assert!(
        pinned.bottom() <= bar.top() + 0.5,
        "pinned {pinned:?} reaches into the rows below {bar:?}"
    );
}

#[test]
fn another_sender_or_a_long_pause_starts_a_new_group() {
    let mut late = chat(3, "bob", "after lunch");
    late.ts += 10 * 60 * 1000;
    let history = vec![chat(1, "bob", "hi"), chat(2, "cy", "yo"), late];
    let mut h = harness(history, ConnectionState::Online);
    h.run();
    assert_eq!(h.query_all_by_label("bob").count(), 3, "panel + two groups");
    assert_eq!(h.query_all_by_label("cy").count(), 1);
}

#[test]
fn the_people_list_puts_you_first_then_the_others_by_name() {
    // The welcome lists bob before ann (you).
    let mut h = harness(vec![], ConnectionState::Online);
    h.run();
    let you = h.get_by_label("ann (you)").rect();
    let bob = h.get_by_label("bob").rect();
    assert!(you.top() < bob.top(), "you {you:?} above bob {bob:?}");
}

#[test]
fn your_own_message_scrolls_to_the_bottom_even_when_scrolled_up() {
    let history = burst(80, "message");
    let mut h = harness(history, ConnectionState::Online);
    h.run();
    scroll_up(&mut h);
    assert!(h.query_by_label("message 80").is_none(), "scrolled up");
    h.state_mut().room.apply(
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
    let mut h = harness(vec![], ConnectionState::Online);
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
    let mut h = harness_allowing_boxes(history, ConnectionState::Online);
    h.run();
    let latin = h.get_by_label("hello").rect();
    // One label per word, right to left: "עולם" (the second word) on the left.
    let hebrew = h.get_by_label("שלום").rect();
    let second = h.get_by_label("עולם").rect();
    assert!(
        second.right() < hebrew.left(),
        "a space between {second:?} and {hebrew:?}"
    );
    assert!(latin.left() < 60.0, "{latin:?}");
    assert!(
        hebrew.left() > latin.right(),
        "{hebrew:?} right of {latin:?}"
    );
    assert!(
        hebrew.right() < 600.0,
        "near its sender, not at the far edge of the message area: {hebrew:?}"
    );
}

#[test]
fn while_offline_the_roster_and_count_read_as_last_seen_and_typing_is_hidden() {
    let mut h = harness(vec![], ConnectionState::Online);
    let now = Instant::now();
    h.state_mut()
        .room
        .typing
        .apply(name("bob"), true, now, web_time::Duration::from_secs(60));
    h.run();
    assert!(h.query_by_label_contains("bob is typing…").is_some());
    assert!(h.query_by_label("People (2)").is_some());
    h.state_mut().status = ConnectionState::Waiting {
        retry_at: now + web_time::Duration::from_secs(5),
        reason: "reset".into(),
    };
    h.run();
    assert!(h.query_by_label_contains("bob is typing…").is_none());
    assert!(h.query_by_label("Last seen here (2)").is_some());
    assert!(h.query_by_label("Show people, 2 last seen").is_some());
    assert!(h.query_by_label("Show people, 2 here").is_none());
}

#[test]
fn a_host_sees_where_others_join_and_leave_asks_before_stopping_the_room() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.state_mut().hosting = Some("ws://192.168.1.20:9001".into());
    h.run();
    assert!(h.query_by_label("ws://192.168.1.20:9001").is_some());
    assert!(
        h.query_by_label(INVITE_LINK).is_some(),
        "the link others join with"
    );
    h.get_by_label("Leave").click();
    h.run();
    assert!(h.state().actions.is_empty(), "not yet: the room would stop");
    assert!(h.query_by_label("Stop the room for everyone?").is_some());
    h.get_by_label("Stay").click();
    h.run();
    assert!(h.state().actions.is_empty());
    assert!(h.query_by_label("Stop the room for everyone?").is_none());
    h.get_by_label("Leave").click();
    h.run();
    h.get_by_label("Leave and stop the room").click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::Leave]);
}

#[test]
fn an_action_reads_as_the_sender_doing_it() {
    let mut h = harness(vec![chat(1, "bob", "/me waves")], ConnectionState::Online);
    h.run();
    // Under the header that already names bob, the action does not name him again.
    assert!(h.query_by_label("waves").is_some());
    assert!(h.query_by_label("bob waves").is_none());
    assert!(h.query_by_label("/me waves").is_none());
}

fn owned_room_with_away_bob() -> Room {
    let mut s = session(vec![]);
    s.apply(
        ServerMessage::RoomState(confab_protocol::RoomState {
            owner: Some(name("ann")),
            locked: false,
        }),
        Instant::now(),
        0,
    );
    s.apply(
        ServerMessage::Status {
            name: name("bob"),
            status: confab_protocol::MemberStatus::Away,
        },
        Instant::now(),
        0,
    );
    s
}

#[test]
fn the_people_list_says_who_is_away_and_who_owns_the_room_in_words() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.state_mut().room = owned_room_with_away_bob();
    h.run();
    h.get_by_label("away");
    h.get_by_label("owner");
    h.get_by_label("Lock room").click();
    h.run();
    assert_eq!(h.state().actions, [ChatAction::Lock(true)]);
    h.get_by_label("Set away").click();
    h.run();
    assert_eq!(
        h.state().actions.last(),
        Some(&ChatAction::SetStatus(confab_protocol::MemberStatus::Away))
    );
}

#[test]
fn removing_a_member_asks_first_and_ignoring_does_not() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.state_mut().room = owned_room_with_away_bob();
    h.run();
    h.get_by_label("Member actions for bob").click();
    h.run();
    h.get_by_label("Remove from room").click();
    h.run();
    assert!(h.state().actions.is_empty(), "nothing before confirming");
    h.get_by_label("Remove").click();
    h.run();
    assert_eq!(h.state().actions, [ChatAction::Remove(name("bob"))]);
    h.get_by_label("Member actions for bob").click();
    h.run();
    h.get_by_label("Ignore").click();
    h.run();
    assert_eq!(
        h.state().actions.last(),
        Some(&ChatAction::Ignore(name("bob"), true))
    );
}

#[test]
fn a_guest_gets_no_owner_controls() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.run();
    assert!(h.query_by_label("Lock room").is_none());
    h.get_by_label("Member actions for bob").click();
    h.run();
    assert!(h.query_by_label("Remove from room").is_none());
    h.get_by_label("Ignore");
}

#[test]
fn every_icon_only_control_is_named_by_what_it_does() {
    for width in [900.0, 360.0] {
        let mut h = harness(vec![chat(1, "bob", "hello")], ConnectionState::Online);
        h.set_size(vec2(width, 600.0));
        h.run();
        for label in [
            "Copy invite link",
            "Show people, 2 here",
            "Show invite QR code",
            "Turn alerts on",
            "Attach a file",
            "Insert emoji",
        ]
        .into_iter()
        // A phone keeps the theme and Leave in its More menu.
        .chain(if width < 640.0 {
            vec!["More"]
        } else {
            vec!["Theme", "Leave"]
        }) {
            assert!(
                h.query_by_label(label).is_some(),
                "{label:?} at width {width}"
            );
        }
        if !h.state().view.members_open {
            h.get_by_label("Show people, 2 here").click();
            h.run();
        }
        assert!(
            h.query_by_label("Member actions for bob").is_some(),
            "at width {width}"
        );
    }
}

#[test]
fn the_bell_says_whether_alerts_are_on_and_flips_them() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.state_mut().alerts_on = true;
    h.run();
    assert!(h.query_by_label("Turn alerts on").is_none());
    h.get_by_label("Turn alerts off").click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::ToggleAlerts]);
}

#[test]
fn the_theme_is_chosen_in_a_small_menu_of_three() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.run();
    assert!(h.query_by_label("Light").is_none(), "closed until asked");
    h.get_by_label("Theme").click();
    h.run();
    assert!(h.query_by_label("Follow the system").is_some());
    assert!(h.query_by_label("Dark").is_some());
    h.get_by_label("Light").click();
    h.run();
    assert_eq!(
        h.ctx.theme(),
        egui::Theme::Light,
        "the light theme is in use"
    );
    assert!(
        h.query_by_label("Follow the system").is_none(),
        "the menu closed"
    );
}
