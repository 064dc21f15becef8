//! Attachments across the whole system: the real relay and two real `confab` apps in
//! `egui_kittest` harnesses on real sockets. Ann drops a picture onto her window and
//! attaches a text file through the 📎 path field (file dialogs off, as where none can
//! open); Bob's app fetches the picture chunk by chunk, decodes it and shows it as a
//! thumbnail, and shows the text file as a card.
//! The helpers are shared with `app_e2e.rs` in `app_harness/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use confab::ConfabApp;
use confab::state::{EntryKind, Model};
use confab_tests::{TestRelay, test_config};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

mod app_harness;
use app_harness::{WAIT, app, enter_room, room_code, runtime, type_into};

/// Steps both apps (ann's upload moves on her acks) until `done` holds for bob's.
fn wait_both(
    ann: &mut Harness<'_, ConfabApp>,
    bob: &mut Harness<'_, ConfabApp>,
    what: &str,
    done: impl Fn(&Harness<'_, ConfabApp>) -> bool,
) {
    let start = Instant::now();
    while !done(bob) {
        ann.step();
        bob.step();
        assert!(
            start.elapsed() < WAIT,
            "timed out after {WAIT:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    bob.run_steps(2);
}

/// A file dropped on the window, as the window system hands it over.
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

/// The attachments of the timeline's chat entries.
fn attachments(m: &Model) -> Vec<confab_protocol::Attachment> {
    let Some(session) = m.room() else {
        return vec![];
    };
    session
        .timeline
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Chat {
                attachment: Some(a),
                ..
            } => Some((**a).clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_picture_dropped_in_one_app_is_decoded_in_the_other_and_a_file_is_a_card() {
    let rt = runtime();
    let relay = rt.block_on(TestRelay::start(test_config()));
    let server = relay.url();
    let mut ann = app();
    let mut bob = app();
    enter_room(&mut ann, &server, "ann", None);
    let room = room_code(&ann);
    enter_room(&mut bob, &server, "bob", Some(&room));

    // A 600 x 300 picture: bigger than one chunk, so the download takes several.
    let pixels = egui::ColorImage::new(
        [600, 300],
        (0..600 * 300)
            .map(|i| egui::Color32::from_rgb((i % 600) as u8, (i / 600) as u8, 160))
            .collect(),
    );
    let png = confab::ui::attachment::decode::encode_png(&pixels).expect("encodes");
    let dropped = Dropped(PathBuf::from("/home/ann/gradient.png"), png);
    ann.input_mut().dropped_files.push(Arc::new(dropped));
    wait_both(&mut ann, &mut bob, "the picture's message at bob", |h| {
        !attachments(h.state().model()).is_empty()
    });
    let picture = attachments(bob.state().model()).remove(0);
    assert_eq!(picture.sniffed_mime.as_deref(), Some("image/png"));
    assert_eq!((picture.width, picture.height), (Some(600), Some(300)));
    wait_both(&mut ann, &mut bob, "bob's thumbnail", |h| {
        confab::ui::attachment::has_picture(&h.ctx, &picture.id)
    });
    let thumbnail = bob.get_by_label("Picture gradient.png").rect();
    assert!((thumbnail.width() - 320.0).abs() < 1.0, "{thumbnail:?}");
    assert!((thumbnail.height() - 160.0).abs() < 1.0, "{thumbnail:?}");

    // A text file through the 📎 button's path field: as on a machine where no file dialog
    // can open (a dialog would wait for a person), which 📎 says in the room.
    ann.state_mut()
        .without_file_dialogs("No file dialog here: type the file's path below.");
    let dir = std::env::temp_dir().join(format!("confab-attach-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "the minutes").expect("writes");
    ann.get_by_label("Attach a file").click();
    ann.run_steps(2);
    assert!(
        ann.query_by_label_contains("No file dialog here: type the file's path below.")
            .is_some()
    );
    type_into(&mut ann, "File to attach:", &notes.to_string_lossy());
    ann.get_by_label("Attach").click();
    wait_both(&mut ann, &mut bob, "the file's message at bob", |h| {
        attachments(h.state().model()).len() == 2
    });
    assert!(bob.query_all_by_label("notes.txt").count() >= 1);
    assert!(bob.query_by_label("11 B").is_some());
    assert!(bob.query_by_label("Save").is_some());
    let _ = std::fs::remove_dir_all(&dir);
}
