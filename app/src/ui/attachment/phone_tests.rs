//! At a phone's width: the upload row and the path field keep their buttons on screen,
//! and an opened picture fills the screen, larger than its thumbnail.

use confab_protocol::{Attachment, AttachmentLimits, ClientId};
use egui::accesskit::Role;
use egui::{Color32, ColorImage, Rect, pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;

const LONG_NAME: &str = "beach-photo-with-a-rather-long-file-name-from-the-summer-holiday.jpg";

fn on_screen(rect: Rect, width: f32, height: f32) -> bool {
    Rect::from_min_max(pos2(0.0, 0.0), pos2(width, height)).contains_rect(rect)
}

/// Attachments with `name` being sent, as after the attach button.
fn sending(name: &str) -> Attachments {
    let mut attachments = Attachments::default();
    let limits = AttachmentLimits {
        max_file_bytes: 4 << 20,
        max_room_bytes: 64 << 20,
        max_relay_bytes: 256 << 20,
        max_chunk_bytes: 64 << 10,
        max_uploads_in_flight: 2,
        upload_timeout_ms: 60_000,
    };
    let _ = attachments.reconnected(limits);
    let queued = attachments.attach(1, name, "image/jpeg", vec![7; 200_000], true);
    assert!(queued.is_ok(), "{queued:?}");
    attachments
}

#[test]
fn at_phone_width_an_upload_with_a_long_name_keeps_its_progress_and_cancel_on_screen() {
    let mut h = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([360.0, 200.0])
        .build_ui_state(
            |ui, (attachments, cancelled): &mut (Attachments, Option<ClientId>)| {
                if let Some(id) = uploads_ui(ui, Some(attachments)) {
                    *cancelled = Some(id);
                }
            },
            (sending(LONG_NAME), None),
        );
    h.run_steps(2);
    let cancel = h.get_by_label("Cancel").rect();
    let bar = h.get_by_role(Role::ProgressIndicator).rect();
    assert!(on_screen(cancel, 360.0, 200.0), "Cancel at {cancel:?}");
    assert!(on_screen(bar, 360.0, 200.0), "the progress bar at {bar:?}");
    let name = h.get_by_label_contains("Sending beach-photo").rect();
    assert!(name.right() <= bar.left(), "the name gives way: {name:?}");
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(h.state().1, Some(1));
}

#[test]
fn at_400_px_the_path_field_keeps_attach_and_cancel_on_screen() {
    let mut h = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([400.0, 200.0])
        .build_ui_state(
            |ui, (path, chosen): &mut (Option<String>, Option<String>)| {
                if let Some(p) = attach_path_ui(ui, path) {
                    *chosen = Some(p);
                }
            },
            (Some(String::new()), None),
        );
    h.run_steps(2);
    for label in ["Attach", "Cancel", "File to attach:"] {
        let rect = h.get_by_label(label).rect();
        assert!(on_screen(rect, 400.0, 200.0), "{label} at {rect:?}");
    }
    h.get_by_label("File to attach:").focus();
    h.get_by_label("File to attach:").type_text("/tmp/cat.png");
    h.run_steps(2);
    h.get_by_label("Attach").click();
    h.run_steps(2);
    assert_eq!(h.state().1.as_deref(), Some("/tmp/cat.png"));
    assert_eq!(h.state().0, None, "closed once attached");
}

fn tall_picture() -> Attachment {
    Attachment {
        id: "p1".into(),
        name: LONG_NAME.into(),
        mime: "image/jpeg".into(),
        sniffed_mime: Some("image/jpeg".into()),
        size: 3_100_000,
        width: Some(1200),
        height: Some(1600),
    }
}

#[test]
fn at_phone_width_an_opened_picture_fills_the_screen_larger_than_its_thumbnail() {
    let mut h = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([360.0, 740.0])
        .build_ui_state(
            |ui, (pictures, open, saved): &mut (Pictures, bool, bool)| {
                let a = tall_picture();
                let mut media = Media::new(pictures, None);
                attachment_ui(ui, &a, &mut media);
                if *open && !viewer_ui(ui.ctx(), &a, &mut media) {
                    *open = false;
                }
                for action in media.actions {
                    match action {
                        AttachmentAction::Open(_) => *open = true,
                        AttachmentAction::Save(_) => *saved = true,
                        AttachmentAction::Fetch(_) => {}
                    }
                }
            },
            (Pictures::default(), false, false),
        );
    let ctx = h.ctx.clone();
    let pixels = ColorImage::filled([1200, 1600], Color32::GOLD);
    h.state_mut().0.decoding("p1", b"encoded");
    h.state_mut().0.decoded(&ctx, "p1", Ok(pixels));
    h.run_steps(2);
    let label = format!("Picture {LONG_NAME}");
    let thumbnail = h.get_by_label(&label).rect();
    h.get_by_label(&label).click();
    h.run_steps(3);
    assert!(h.state().1, "opened");
    let opened = h.get_by_label(&format!("Opened {LONG_NAME}")).rect();
    assert!(
        opened.width() > thumbnail.width() * 1.5,
        "{opened:?} against the thumbnail's {thumbnail:?}"
    );
    assert!(on_screen(opened, 360.0, 740.0), "{opened:?}");
    for label in ["Save", "Close"] {
        let rect = h.get_by_label(label).rect();
        assert!(on_screen(rect, 360.0, 740.0), "{label} at {rect:?}");
    }
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert!(h.state().2, "Save asked for");
    h.get_by_label("Close").click();
    h.run_steps(2);
    assert!(!h.state().1, "closed");
}

#[test]
fn the_viewer_never_scales_a_small_picture_up_and_keeps_room_for_its_bar() {
    let screen = Vec2::new(360.0, 740.0);
    assert_eq!(
        viewer::viewer_size(100.0, 50.0, screen),
        Vec2::new(100.0, 50.0)
    );
    let big = viewer::viewer_size(4000.0, 1000.0, screen);
    assert!((big.x - 344.0).abs() < 0.01, "{big:?}");
    let tall = viewer::viewer_size(1000.0, 8000.0, screen);
    assert!(tall.y <= 740.0 - 44.0 - 16.0 + 0.01, "{tall:?}");
}
