//! The whole app in a test harness, over a scripted socket: what a person does on screen,
//! what goes over the wire, and what the relay says back.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ewebsock::WsEvent;
use serde_json::json;

use super::*;
use crate::net::script::Script;

const WELCOME: &str = r#"{"type":"welcome","room":"K7Q-X2M-HDP","you":"ann","members":["bob","ann"],
  "history":[{"seq":1,"from":"bob","text":"hi there","ts":1700000000000}],"resume_token":"tok",
  "limits":{"max_text_chars":4000,"max_frame_bytes":65536,"messages_per_second":5,"burst":20,"typing_ttl_ms":6000}}"#;

fn harness(script: &Script) -> Harness<'static, ConfabApp> {
    let connector = script.connector();
    Harness::builder()
        .with_size([900.0, 640.0])
        // No `allow_missing_glyphs`: the harness has no system fonts, so a control drawn
        // with a glyph the app does not bundle (an emoji icon) fails the test.
        .build_eframe(move |cc| ConfabApp::with_net(cc, Net::new(connector)))
}

/// Runs a few frames. Not `run()`: the join screen's spinner repaints forever by design.
fn settle(h: &mut Harness<'static, ConfabApp>) {
    h.run_steps(4);
}

fn join_as_ann(h: &mut Harness<'static, ConfabApp>, script: &Script) {
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    h.get_by_label("Room code or invite link").focus();
    h.get_by_label("Room code or invite link")
        .type_text("k7q-x2m-hdp");
    settle(h);
    h.get_by_label("Join").click();
    settle(h);
    script.push(WsEvent::Opened);
    settle(h);
    script.push_text(WELCOME);
    settle(h);
}

#[test]
fn joining_sends_join_and_opens_the_chat_screen() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    assert_eq!(
        *script.connects.borrow(),
        vec!["ws://127.0.0.1:9001".to_owned()]
    );
    assert_eq!(
        script.sent_json(),
        vec![
            json!({"type": "hello", "features": ["roster_deltas", "presence_batches"]}),
            json!({"type": "join", "name": "ann", "room": "K7Q-X2M-HDP"})
        ]
    );
    assert_eq!(*h.state().model().status(), ConnectionState::Online);
    assert!(h.query_by_label("hi there").is_some());
    assert!(h.query_by_label("Connected").is_some());
}

#[test]
fn a_name_taken_refusal_stays_on_the_join_screen_in_words() {
    let script = Script::default();
    let mut h = harness(&script);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    settle(&mut h);
    // An open room: these tests are about what open rooms do.
    h.get_by_label("Private (end-to-end encrypted)").click();
    h.get_by_label("Create room").click();
    settle(&mut h);
    script.push(WsEvent::Opened);
    script.push_text(r#"{"type":"error","code":"name_taken","message":"taken"}"#);
    settle(&mut h);
    assert_eq!(
        script.sent_json(),
        vec![
            json!({"type": "hello", "features": ["roster_deltas", "presence_batches"]}),
            json!({"type": "create", "name": "ann"})
        ]
    );
    assert!(h.query_by_label_contains("already has that name").is_some());
}

#[test]
fn enter_in_the_composer_sends_a_chat_with_a_client_id() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    let composer = egui::accesskit::Role::MultilineTextInput;
    h.get_by_role(composer).focus();
    settle(&mut h);
    h.get_by_role(composer).type_text("hello");
    settle(&mut h);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    let sent = script.sent_json();
    assert!(sent.contains(&json!({"type": "typing", "active": true})));
    assert!(sent.contains(&json!({"type": "chat", "client_id": 1, "text": "hello"})));
}

#[test]
fn a_dropped_connection_shows_offline_and_later_resumes() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    script.push(WsEvent::Error("reset".into()));
    settle(&mut h);
    assert_eq!(
        h.query_all_by_label_contains("Reconnecting in").count(),
        2,
        "the words on screen, and the status node that says them"
    );
    h.get_by_label("Retry now").click();
    settle(&mut h);
    script.push(WsEvent::Opened);
    settle(&mut h);
    let resume = json!({"type": "join", "name": "ann", "room": "K7Q-X2M-HDP", "resume_token": "tok", "last_seq": 1});
    assert_eq!(script.sent_json().last(), Some(&resume));
    assert_eq!(script.connects.borrow().len(), 2);
}

#[test]
fn the_composer_has_the_focus_after_joining_and_after_sending() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    let composer = egui::accesskit::Role::MultilineTextInput;
    assert!(h.get_by_role(composer).is_focused(), "after joining");
    h.get_by_role(composer).type_text("hello");
    settle(&mut h);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert!(h.get_by_role(composer).is_focused(), "after sending");
}

#[test]
fn a_room_gone_after_a_restart_keeps_the_transcript_and_one_click_makes_a_new_room() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    script.push(WsEvent::Error("reset".into()));
    settle(&mut h);
    h.get_by_label("Retry now").click();
    settle(&mut h);
    script.push(WsEvent::Opened);
    script.push_text(r#"{"type":"error","code":"room_not_found","message":"no such room"}"#);
    settle(&mut h);
    assert!(
        h.query_by_label_contains("K7Q-X2M-HDP no longer exists on the server")
            .is_some()
    );
    assert!(
        h.query_by_label("hi there").is_some(),
        "the transcript stays"
    );
    assert!(h.query_by_label_contains("Check it").is_none());
    assert!(
        h.query_by_label("Create room").is_none(),
        "not the join screen"
    );

    h.get_by_label("Create a new room and copy its invite")
        .click();
    settle(&mut h);
    script.push(WsEvent::Opened);
    settle(&mut h);
    assert_eq!(
        script.sent_json().last(),
        Some(&json!({"type": "create", "name": "ann"}))
    );
    script.push_text(
        &WELCOME
            .replace("K7Q-X2M-HDP", "ABC-DEF-GHJ")
            .replace(r#""tok""#, r#""tok2""#)
            .replace("hi there", "first in the new room"),
    );
    h.step();
    let copied = h.output().platform_output.commands.iter().any(|c| {
        matches!(c, egui::OutputCommand::CopyText(t) if t.starts_with("confab://join/ABC-DEF-GHJ?relay="))
    });
    assert!(
        copied,
        "the new room's invite is on the clipboard: {:?}",
        h.output().platform_output.commands
    );
    settle(&mut h);
    assert_eq!(*h.state().model().status(), ConnectionState::Online);
    assert!(
        h.query_by_label_contains("the new room ABC-DEF-GHJ")
            .is_some()
    );
    assert!(
        h.query_by_label("hi there").is_some(),
        "the old transcript is still there"
    );
}

#[test]
fn a_server_field_with_two_relays_tries_the_second_when_the_first_fails() {
    let script = Script::default();
    let mut h = harness(&script);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    // As if typed into the field under Advanced (it starts with the default address).
    h.state_mut().prefs_mut().form.server = "ws://one:9001, ws://two:9001".into();
    settle(&mut h);
    assert_eq!(*h.state().model().status(), ConnectionState::Offline);
    // An open room: these tests are about what open rooms do.
    h.get_by_label("Private (end-to-end encrypted)").click();
    h.get_by_label("Create room").click();
    settle(&mut h);
    script.push(WsEvent::Error("connection refused".into()));
    settle(&mut h);
    script.push(WsEvent::Opened);
    settle(&mut h);
    let connects = script.connects.borrow().clone();
    assert_eq!(connects.last().map(String::as_str), Some("ws://two:9001"));
    assert_eq!(connects.len(), 2, "{connects:?}");
    assert_eq!(
        script.sent_json().last(),
        Some(&json!({"type": "create", "name": "ann"}))
    );
}

/// What the app put on the clipboard in the last frame.
fn copied(h: &Harness<'static, ConfabApp>) -> Vec<String> {
    (h.output().platform_output.commands.iter())
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_invite_from_a_relay_without_a_page_is_a_confab_link_with_the_code_and_server_in_words() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    h.get_by_label("Copy invite link").click();
    h.step();
    assert_eq!(
        copied(&h),
        [
            "confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2F127.0.0.1%3A9001\n\
          Room code: K7Q-X2M-HDP\n\
          Server: ws://127.0.0.1:9001"
        ]
    );
}

#[test]
fn an_invite_from_a_relay_that_serves_a_page_is_the_page_link() {
    let script = Script::default();
    let mut h = harness(&script);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    h.get_by_label("Room code or invite link").focus();
    h.get_by_label("Room code or invite link")
        .type_text("k7q-x2m-hdp");
    settle(&mut h);
    h.get_by_label("Join").click();
    settle(&mut h);
    script.push(WsEvent::Opened);
    settle(&mut h);
    script.push_text(&WELCOME.replace(
        r#""resume_token""#,
        r#""page_url":"https://chat.example.org/","resume_token""#,
    ));
    settle(&mut h);
    h.get_by_label("Copy invite link").click();
    h.step();
    assert_eq!(copied(&h), ["https://chat.example.org/#K7Q-X2M-HDP"]);
}

#[test]
fn started_with_a_confab_link_the_join_screen_has_its_room_and_server() {
    let link = "confab://join/QZS-KB2-45H?relay=ws%3A%2F%2F10.0.0.5%3A9001";
    let invite = crate::launch::invite_argument([link.to_owned()]).expect("an invite");
    let script = Script::default();
    let connector = script.connector();
    let mut h = Harness::builder()
        .with_size([900.0, 640.0])
        .build_eframe(move |cc| ConfabApp::with_net(cc, Net::new(connector)).with_invite(invite));
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    settle(&mut h);
    h.get_by_label("Join").click();
    settle(&mut h);
    assert_eq!(
        *script.connects.borrow(),
        vec!["ws://10.0.0.5:9001".to_owned()]
    );
    script.push(WsEvent::Opened);
    settle(&mut h);
    assert_eq!(
        script.sent_json().last(),
        Some(&json!({"type": "join", "name": "ann", "room": "QZS-KB2-45H"}))
    );
}

#[test]
fn the_bell_turns_alerts_on_and_off_on_the_desktop_too() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    assert!(!h.state_mut().prefs_mut().alerts, "off until asked for");
    h.get_by_label("Turn alerts on").click();
    settle(&mut h);
    assert!(h.state_mut().prefs_mut().alerts);
    h.get_by_label("Turn alerts off").click();
    settle(&mut h);
    assert!(!h.state_mut().prefs_mut().alerts);
}

#[test]
fn the_qr_code_shows_the_same_invite_link_the_copy_button_copies() {
    let script = Script::default();
    let mut h = harness(&script);
    join_as_ann(&mut h, &script);
    h.get_by_label("Show invite QR code").click();
    settle(&mut h);
    assert!(h.query_by_label(crate::ui::invite_qr::QR_LABEL).is_some());
    let link = h.state().invite_link().expect("in a room");
    assert!(h.query_by_label(&link).is_some(), "{link} beside the code");
    h.get_by_label("Close").click();
    settle(&mut h);
    h.get_by_label("Copy invite link").click();
    h.step();
    assert!(
        copied(&h).iter().any(|c| c.starts_with(&link)),
        "{:?}",
        copied(&h)
    );
}
