//! Attaching files to the whole app over a scripted socket: drag-and-drop, and 📎 where no
//! file dialog can open (a notice and the path field).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ewebsock::WsEvent;

use super::*;
use crate::net::script::Script;

const WELCOME: &str = r#"{"type":"welcome","room":"K7Q-X2M-HDP","you":"ann","members":["bob","ann"],
  "history":[],"resume_token":"tok",
  "limits":{"max_text_chars":4000,"max_frame_bytes":65536,"messages_per_second":5,"burst":20,"typing_ttl_ms":6000,
  "attachments":{"max_file_bytes":1000,"max_room_bytes":10000,"max_relay_bytes":100000,"max_chunk_bytes":4096,"max_uploads_in_flight":1,"upload_timeout_ms":30000}}}"#;

/// A dropped file as a browser or window system would hand it over.
#[derive(Debug)]
struct Dropped(PathBuf, Vec<u8>);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Ok(self.1.clone())
    }
}

/// Steps the app until `done` holds: files are read on threads of their own, so the frame
/// that sees one is not known in advance. Bounded, so a broken read fails the test.
fn until(h: &mut Harness<'static, ConfabApp>, done: impl Fn(&ConfabApp) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done(h.state()) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out: {:?}",
            (h.state().model().room()).map(|s| s.timeline.entries().back().cloned())
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
}

#[test]
fn a_file_dropped_on_the_window_is_queued_for_upload() {
    let script = Script::default();
    let connector = script.connector();
    let mut h = Harness::builder()
        .with_size([900.0, 640.0])
        .build_eframe(move |cc| ConfabApp::with_net(cc, Net::new(connector)));
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    h.run_steps(2);
    // An open room: these tests are about what open rooms do.
    h.get_by_label("Private (end-to-end encrypted)").click();
    h.get_by_label("Create room").click();
    h.run_steps(2);
    script.push(WsEvent::Opened);
    script.push_text(WELCOME);
    h.run_steps(3);
    let file = Dropped(PathBuf::from("/home/ann/notes.txt"), b"hello".to_vec());
    h.input_mut().dropped_files.push(Arc::new(file));
    until(&mut h, |app| {
        app.model().attachments().uploads().count() == 1
    });
    let sent = script.sent_json();
    let start = serde_json::json!({"type": "upload_start", "client_id": 1,
        "file_name": "notes.txt", "mime": "text/plain", "size": 5});
    assert!(sent.contains(&start), "{sent:?}");
    assert_eq!(h.state().model().attachments().uploads().count(), 1);
}

#[test]
fn where_no_file_dialog_can_open_the_clip_says_why_and_opens_the_path_field() {
    let script = Script::default();
    let connector = script.connector();
    let mut h = Harness::builder()
        .with_size([900.0, 640.0])
        .build_eframe(move |cc| ConfabApp::with_net(cc, Net::new(connector)));
    let why = crate::platform::dialog::unavailable_with(false, false).expect("no dialog");
    h.state_mut().without_file_dialogs(&why);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    h.run_steps(2);
    // An open room: these tests are about what open rooms do.
    h.get_by_label("Private (end-to-end encrypted)").click();
    h.get_by_label("Create room").click();
    h.run_steps(2);
    script.push(WsEvent::Opened);
    script.push_text(WELCOME);
    h.run_steps(3);
    assert!(h.query_by_label("File to attach:").is_none());
    h.get_by_label("Attach a file").click();
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("No file chooser can open")
            .is_some()
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("plan.txt");
    std::fs::write(&path, "step one").expect("writes");
    h.get_by_label("File to attach:").focus();
    h.get_by_label("File to attach:")
        .type_text(&path.to_string_lossy());
    h.run_steps(2);
    h.get_by_label("Attach").click();
    until(&mut h, |app| {
        app.model().attachments().uploads().count() == 1
    });
    let start = serde_json::json!({"type": "upload_start", "client_id": 1,
        "file_name": "plan.txt", "mime": "text/plain", "size": 8});
    assert!(
        script.sent_json().contains(&start),
        "{:?}",
        script.sent_json()
    );
    assert!(
        h.query_by_label("File to attach:").is_none(),
        "closed once attached"
    );
}

#[test]
fn typing_attach_opens_what_the_attach_button_opens() {
    let script = Script::default();
    let connector = script.connector();
    let mut h = Harness::builder()
        .with_size([900.0, 640.0])
        .build_eframe(move |cc| ConfabApp::with_net(cc, Net::new(connector)));
    let why = crate::platform::dialog::unavailable_with(false, false).expect("no dialog");
    h.state_mut().without_file_dialogs(&why);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    h.run_steps(2);
    // An open room: these tests are about what open rooms do.
    h.get_by_label("Private (end-to-end encrypted)").click();
    h.get_by_label("Create room").click();
    h.run_steps(2);
    script.push(WsEvent::Opened);
    script.push_text(WELCOME);
    h.run_steps(3);
    let composer = egui::accesskit::Role::MultilineTextInput;
    h.get_by_role(composer).focus();
    h.run_steps(2);
    h.get_by_role(composer).type_text("/attach");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert!(h.query_by_label_contains("cannot send or save").is_none());
    assert!(
        h.query_by_label_contains("No file chooser can open")
            .is_some()
    );
    assert!(h.query_by_label("File to attach:").is_some());
}

#[test]
fn a_huge_file_typed_in_the_path_field_is_refused_by_its_size_without_being_read() {
    let script = Script::default();
    let connector = script.connector();
    let mut h = Harness::builder()
        .with_size([900.0, 640.0])
        .build_eframe(move |cc| ConfabApp::with_net(cc, Net::new(connector)));
    let why = crate::platform::dialog::unavailable_with(false, false).expect("no dialog");
    h.state_mut().without_file_dialogs(&why);
    h.get_by_label("Your name").focus();
    h.get_by_label("Your name").type_text("ann");
    h.run_steps(2);
    // An open room: these tests are about what open rooms do.
    h.get_by_label("Private (end-to-end encrypted)").click();
    h.get_by_label("Create room").click();
    h.run_steps(2);
    script.push(WsEvent::Opened);
    script.push_text(WELCOME);
    h.run_steps(3);
    h.get_by_label("Attach a file").click();
    h.run_steps(3);
    // 64 GiB, sparse: reading it whole would freeze the window for minutes, then fail.
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("disk.img");
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(64 << 30))
        .expect("a sparse file");
    h.get_by_label("File to attach:").focus();
    h.get_by_label("File to attach:")
        .type_text(&path.to_string_lossy());
    h.run_steps(2);
    h.get_by_label("Attach").click();
    let said = "Not sent: disk.img is 64 GiB, and this server takes files up to 1000 B. Send a smaller copy (phones and photo apps can share a picture at a smaller size).";
    until(&mut h, |app| {
        let session = app.model().room().expect("in the room");
        (session.timeline.entries().iter())
            .any(|e| matches!(&e.kind, crate::state::EntryKind::Problem { text, smaller: false } if text == said))
    });
    assert!(h.query_by_label_contains(said).is_some());
    assert_eq!(h.state().model().attachments().uploads().count(), 0);
}
