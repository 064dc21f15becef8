//! The join screen, driven like a person would: find fields by label, type, click.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use super::*;

/// What a test harness holds: the form, the status to draw with, and the last action.
struct Screen {
    form: JoinForm,
    status: ConnectionState,
    error: Option<String>,
    action: Option<JoinAction>,
}

fn harness(error: Option<&str>) -> Harness<'static, Screen> {
    let screen = Screen {
        form: JoinForm::default(),
        status: ConnectionState::Offline,
        error: error.map(Into::into),
        action: None,
    };
    Harness::builder().with_size([480.0, 640.0]).build_ui_state(
        |ui, s: &mut Screen| {
            if let Some(a) = join_ui(ui, &mut s.form, &s.status, s.error.as_deref(), Some("")) {
                s.action = Some(a);
            }
        },
        screen,
    )
}

fn is_disabled(h: &Harness<'_, Screen>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn create_is_disabled_until_the_name_is_valid() {
    let mut h = harness(None);
    h.run();
    assert!(is_disabled(&h, "Create room"));
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("Ann");
    h.run();
    assert!(!is_disabled(&h, "Create room"));
    assert!(is_disabled(&h, "Join"), "no room code yet");
}

#[test]
fn a_too_long_name_shows_the_protocol_rule() {
    let mut h = harness(None);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text(&"x".repeat(30));
    h.run();
    assert!(h.query_by_label_contains("at most 24 characters").is_some());
}

#[test]
fn clicking_create_asks_to_create_on_the_given_server() {
    let mut h = harness(None);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("Ann");
    h.run();
    h.get_by_label("Create room").click();
    h.run();
    let expected = JoinAction::Create {
        name: Username::parse("Ann").expect("valid"),
        server: "ws://127.0.0.1:9001".into(),
        private: true,
    };
    assert_eq!(h.state().action, Some(expected));
}

#[test]
fn a_guest_sees_no_server_or_hosting_until_advanced_is_opened() {
    let mut h = harness(None);
    h.run();
    assert!(h.query_by_label("Server address").is_none());
    assert!(h.query_by_label("Host a room on this computer").is_none());
    h.get_by_label_contains("Advanced").click();
    h.run();
    assert!(h.state().form.advanced, "remembered with the form");
    assert!(h.query_by_label("Server address").is_some());
    assert!(h.query_by_label("Host a room on this computer").is_some());
    h.get_by_label_contains("Advanced").click();
    h.run();
    assert!(h.query_by_label("Server address").is_none());
}

/// Fills in a name, pastes `link` into the room field, and returns the harness.
fn paste_invite(link: &str) -> Harness<'static, Screen> {
    let mut h = harness(None);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("Ann");
    h.get_by_label("Room code or invite link").focus();
    h.get_by_label("Room code or invite link").type_text(link);
    h.run();
    h
}

#[test]
fn pasting_an_invite_link_fills_in_the_server_and_the_room() {
    let mut h = paste_invite("ws://10.0.0.5:9001/#k7q-x2m-hdp");
    assert_eq!(h.state().form.server, "ws://10.0.0.5:9001");
    assert_eq!(h.state().form.room, "K7Q-X2M-HDP");
    h.get_by_label("Join").click();
    h.run();
    assert!(
        matches!(&h.state().action, Some(JoinAction::Join { room, .. }) if room.to_string() == "K7Q-X2M-HDP")
    );
}

#[test]
fn pasting_an_https_page_link_joins_the_wss_relay_on_the_same_host() {
    let mut h = paste_invite("https://chat.example/#k7q-x2m-hdp");
    assert_eq!(h.state().form.server, "wss://chat.example");
    assert_eq!(h.state().form.room, "K7Q-X2M-HDP");
    h.get_by_label("Join").click();
    h.run();
    assert!(
        matches!(&h.state().action, Some(JoinAction::Join { server, .. }) if server == "wss://chat.example"),
        "{:?}",
        h.state().action
    );
}

#[test]
fn pasting_a_confab_link_fills_in_the_server_and_the_room() {
    let h = paste_invite("confab://join/QZS-KB2-45H?relay=ws%3A%2F%2F10.0.0.5%3A9001");
    assert_eq!(h.state().form.server, "ws://10.0.0.5:9001");
    assert_eq!(h.state().form.room, "QZS-KB2-45H");
}

#[test]
fn a_link_that_is_not_an_invite_explains_itself_and_keeps_the_server() {
    let h = paste_invite("ftp://files.example/#K7Q");
    assert_eq!(h.state().form.server, "ws://127.0.0.1:9001");
    assert!(
        h.query_by_label_contains("links are not Confab invites")
            .is_some()
    );
    assert!(is_disabled(&h, "Join"));
}

#[test]
fn a_bad_room_code_explains_itself() {
    let mut h = harness(None);
    h.get_by_label("Room code or invite link").focus();
    h.get_by_label("Room code or invite link")
        .type_text("abc/def");
    h.run();
    assert!(
        h.query_by_label_contains("only letters, digits and dashes")
            .is_some()
    );
}

#[test]
fn the_servers_refusal_is_shown_in_words() {
    let mut h = harness(Some("That room is full. Try again later."));
    h.run();
    assert!(
        h.query_by_label("That room is full. Try again later.")
            .is_some()
    );
}

#[test]
fn a_bare_code_keeps_the_server_and_the_text_as_typed() {
    let h = paste_invite(" k7q-x2m-hdp");
    assert_eq!(h.state().form.server, "ws://127.0.0.1:9001");
    assert_eq!(h.state().form.room, " k7q-x2m-hdp");
}

#[test]
fn the_name_field_has_the_focus_at_first_start() {
    let mut h = harness(None);
    h.run();
    assert!(h.get_by_label("Your name").is_focused());
}

#[test]
fn enter_in_the_name_field_creates_a_room_when_no_code_is_given() {
    let mut h = harness(None);
    h.run();
    h.get_by_label("Your name").type_text("Ann");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(
        matches!(&h.state().action, Some(JoinAction::Create { name, .. }) if name.as_str() == "Ann"),
        "{:?}",
        h.state().action
    );
}

#[test]
fn enter_in_the_room_field_joins_that_room() {
    let mut h = harness(None);
    h.run();
    h.get_by_label("Your name").type_text("Ann");
    h.get_by_label("Room code or invite link").focus();
    h.get_by_label("Room code or invite link")
        .type_text("K7Q-X2M-HDP");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(
        matches!(&h.state().action, Some(JoinAction::Join { room, .. }) if room.to_string() == "K7Q-X2M-HDP"),
        "{:?}",
        h.state().action
    );
}
