//! What the whole-system tests share: a real `confab` app in an `egui_kittest` harness on
//! real sockets, the runtime for the relay, and the bounded waits and form filling that
//! drive an app the way a person would. Included with `mod app_harness;` by `app_e2e.rs`,
//! `app_attach_e2e.rs` and `app_conversation_e2e.rs` (a test file cannot import another's).

// Each test file uses only some of these.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use confab::ConfabApp;
use confab::state::{ConnectionState, EntryKind, Model};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tokio::runtime::Runtime;

/// Longest wait for anything an app should do by itself. Generous for a loaded 2-core
/// machine (and for a reconnect backoff after a restart); passing runs never get near it.
pub const WAIT: Duration = Duration::from_secs(20);

/// The app at the size of a small desktop window, on real sockets.
pub fn app() -> Harness<'static, ConfabApp> {
    Harness::builder()
        .with_size([900.0, 640.0])
        // No `allow_missing_glyphs`: the harness has no system fonts, so a control drawn
        // with a glyph the app does not bundle (an emoji icon) fails the test.
        .build_eframe(|cc| ConfabApp::new(cc))
}

/// A runtime for the relay and the test's own WebSocket clients. Two workers: the relay
/// keeps serving while the test thread is busy stepping harnesses.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Steps `app` until `done` holds for its model, for at most [`WAIT`].
pub fn wait_for(app: &mut Harness<'_, ConfabApp>, what: &str, done: impl Fn(&Model) -> bool) {
    let start = Instant::now();
    loop {
        app.step();
        if done(app.state().model()) {
            // One more frame, so the screen shows what the model now holds.
            app.run_steps(2);
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "timed out after {WAIT:?} waiting for {what}; the app is {:?}",
            app.state().model().status()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Replaces the text of the field labelled `label` with `text`, like a person selecting
/// all and typing over it.
pub fn type_into(app: &mut Harness<'_, ConfabApp>, label: &str, text: &str) {
    app.get_by_label(label).focus();
    app.run_steps(2);
    app.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    app.get_by_label(label).type_text(text);
    app.run_steps(2);
    assert_eq!(
        app.get_by_label(label).value().as_deref(),
        Some(text),
        "the {label:?} field holds what was typed"
    );
}

/// Fills in the join screen and clicks "Join" (with `room`: a code or invite link) or
/// "Create room" (without: an open room, "Private" unticked).
pub fn enter_room(app: &mut Harness<'_, ConfabApp>, server: &str, name: &str, room: Option<&str>) {
    type_into(app, "Your name", name);
    // The server address is behind the join screen's "Advanced" disclosure.
    if app.query_by_label("Server address").is_none() {
        app.get_by_label_contains("Advanced").click();
        app.run_steps(2);
    }
    type_into(app, "Server address", server);
    let button = match room {
        Some(room) => {
            type_into(app, "Room code or invite link", room);
            "Join"
        }
        None => {
            // An open room: its code alone lets the tests' plain clients in.
            app.get_by_label("Private (end-to-end encrypted)").click();
            app.run_steps(2);
            "Create room"
        }
    };
    app.get_by_label(button).click();
    wait_for(app, &format!("{name} to be in the room"), |m| {
        *m.status() == ConnectionState::Online
    });
}

pub fn room_code(app: &Harness<'_, ConfabApp>) -> String {
    let session = app.state().model().room();
    session.expect("in a room").room.to_string()
}

/// Types `text` into the composer and presses Enter.
pub fn say(app: &mut Harness<'_, ConfabApp>, text: &str) {
    let composer = egui::accesskit::Role::MultilineTextInput;
    app.get_by_role(composer).focus();
    app.run_steps(2);
    app.get_by_role(composer).type_text(text);
    app.run_steps(2);
    app.key_press(egui::Key::Enter);
    app.run_steps(2);
}

/// How many people the app's roster holds.
pub fn member_count(m: &Model) -> usize {
    m.room().map_or(0, |s| s.members.len())
}

/// Whether the timeline has a chat message with exactly this text (after the last
/// "messages may have been missed" marker, if `after_marker`).
pub fn shows_chat(m: &Model, wanted: &str, after_marker: bool) -> bool {
    let Some(session) = m.room() else {
        return false;
    };
    let entries = session.timeline.entries();
    let start = entries
        .iter()
        .rposition(|e| e.kind == EntryKind::Discontinuity)
        .filter(|_| after_marker)
        .map_or(0, |i| i + 1);
    entries
        .iter()
        .skip(start)
        .any(|e| matches!(&e.kind, EntryKind::Chat { text, .. } if text == wanted))
}
