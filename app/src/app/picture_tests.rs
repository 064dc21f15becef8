//! Attached pictures in the whole app over a scripted socket: every placeholder ends as a
//! picture, a card or Retry, after leaving and joining again too.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ewebsock::WsEvent;
use serde_json::json;

use super::*;
use crate::net::script::Script;

/// A room whose history holds one picture from bob.
const WELCOME: &str = r#"{"type":"welcome","room":"K7Q-X2M-HDP","you":"ann","members":["bob","ann"],
  "history":[{"seq":1,"from":"bob","text":"cat.png","ts":1700000000000,
    "attachment":{"id":"abababababababababababababababab","name":"cat.png","mime":"image/png",
      "sniffed_mime":"image/png","size":48213,"width":40,"height":30}}],
  "resume_token":"tok",
  "limits":{"max_text_chars":4000,"max_frame_bytes":65536,"messages_per_second":5,"burst":20,"typing_ttl_ms":6000,
  "attachments":{"max_file_bytes":100000,"max_room_bytes":1000000,"max_relay_bytes":1000000,"max_chunk_bytes":4096,"max_uploads_in_flight":1,"upload_timeout_ms":30000}}}"#;

fn fetches(script: &Script) -> usize {
    let fetch = json!({"type": "fetch_attachment", "id": "ab".repeat(16), "offset": 0});
    script.sent_json().iter().filter(|m| **m == fetch).count()
}

fn join(h: &mut Harness<'static, ConfabApp>, script: &Script) {
    h.get_by_label("Join").click();
    h.run_steps(3);
    script.push(WsEvent::Opened);
    script.push_text(WELCOME);
    h.run_steps(4);
}

#[test]
fn a_picture_loading_when_you_leave_is_asked_for_again_when_you_come_back() {
    let script = Script::default();
    let connector = script.connector();
    let mut h = Harness::builder()
        .with_size([900.0, 640.0])
        .build_eframe(move |cc| ConfabApp::with_net(cc, Net::new(connector)));
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    h.get_by_label("Room code or invite link").focus();
    h.get_by_label("Room code or invite link")
        .type_text("k7q-x2m-hdp");
    h.run_steps(2);
    join(&mut h, &script);
    assert!(h.query_by_label("Loading cat.png").is_some());
    assert_eq!(fetches(&script), 1, "asked for once");
    // Leave before it came down, and join again: the same picture is in the history.
    h.get_by_label("Leave").click();
    h.run_steps(2);
    h.get_by_label("Leave the room").click();
    h.run_steps(3);
    join(&mut h, &script);
    assert!(h.query_by_label("Loading cat.png").is_some());
    assert_eq!(
        fetches(&script),
        2,
        "asked for again, not left loading for ever"
    );
    // The relay no longer has it: a card that says so, with Retry.
    script.push_text(r#"{"type":"error","code":"attachment_not_found","message":"gone"}"#);
    h.run_steps(3);
    assert!(h.query_by_label("Loading cat.png").is_none());
    h.get_by_label("Retry").click();
    h.run_steps(3);
    assert_eq!(fetches(&script), 3);
}
