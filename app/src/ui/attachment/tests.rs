//! Attachments in a message list: thumbnails, placeholders, cards, hostile pictures.

use confab_protocol::Attachment;
use egui::{Color32, ColorImage};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;

fn picture(id: &str, width: u32, height: u32) -> Attachment {
    Attachment {
        id: id.into(),
        name: "cat.png".into(),
        mime: "image/png".into(),
        sniffed_mime: Some("image/png".into()),
        size: 48_213,
        width: Some(width),
        height: Some(height),
    }
}

fn harness(attachment: Attachment) -> Harness<'static, Vec<AttachmentAction>> {
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([600.0, 400.0])
        .build_ui_state(
            move |ui, actions: &mut Vec<AttachmentAction>| {
                attachment_ui(ui, &attachment);
                actions.extend(take_actions(ui.ctx()));
            },
            Vec::new(),
        )
}

#[test]
fn a_thumbnail_keeps_its_aspect_ratio_and_is_never_scaled_up() {
    assert_eq!(fit_size(800.0, 400.0, THUMBNAIL), Vec2::new(320.0, 160.0));
    assert_eq!(fit_size(600.0, 960.0, THUMBNAIL), Vec2::new(150.0, 240.0));
    assert_eq!(fit_size(40.0, 30.0, THUMBNAIL), Vec2::new(40.0, 30.0));
    let mut h = harness(picture("p1", 800, 400));
    let image = ColorImage::filled([800, 400], Color32::LIGHT_BLUE);
    store_picture(&h.ctx, "p1", image);
    h.run_steps(2);
    let rect = h.get_by_label("Picture cat.png").rect();
    assert!((rect.width() - 320.0).abs() < 1.0 && (rect.height() - 160.0).abs() < 1.0);
    h.get_by_label("Picture cat.png").click();
    h.run_steps(2);
    assert!(h.state().contains(&AttachmentAction::Open("p1".into())));
}

#[test]
fn a_picture_being_fetched_holds_its_place_at_the_right_aspect_and_is_fetched_once() {
    let mut h = harness(picture("p2", 1000, 500));
    h.run_steps(3);
    let rect = h.get_by_label("Loading cat.png").rect();
    assert!((rect.width() - 320.0).abs() < 1.0 && (rect.height() - 160.0).abs() < 1.0);
    let fetches = h
        .state()
        .iter()
        .filter(|a| matches!(a, AttachmentAction::Fetch(_)));
    assert_eq!(fetches.count(), 1);
}

#[test]
fn a_picture_claiming_a_hundred_thousand_pixels_a_side_is_a_file_card() {
    let mut h = harness(picture("p3", 100_000, 100_000));
    h.run_steps(2);
    assert!(h.query_by_label("Loading cat.png").is_none());
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert!(matches!(h.state().as_slice(), [AttachmentAction::Save(_)]));
}

#[test]
fn a_truncated_picture_becomes_a_file_card_without_panicking() {
    let mut h = harness(picture("p4", 40, 30));
    h.run_steps(2);
    let png = decode::encode_png(&ColorImage::filled([40, 30], Color32::RED)).expect("png");
    assert!(decode::decode(&png[..png.len() / 2]).is_err());
    mark_card(&h.ctx, "p4");
    h.run_steps(2);
    assert!(h.query_by_label("Save").is_some());
    assert!(h.query_by_label("Loading cat.png").is_none());
}

#[test]
fn another_file_is_a_card_with_its_name_and_size() {
    let mut file = picture("f1", 0, 0);
    file.name = "notes.pdf".into();
    file.sniffed_mime = Some("application/pdf".into());
    file.width = None;
    file.height = None;
    let mut h = harness(file);
    h.run_steps(2);
    assert!(h.query_by_label("notes.pdf").is_some());
    assert!(h.query_by_label("47.1 KiB").is_some());
    assert!(h.state().is_empty(), "nothing is fetched until Save");
}

#[test]
fn an_opened_picture_shows_larger_until_escape() {
    let mut h = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([800.0, 600.0])
        .build_ui_state(
            |ui, open: &mut bool| {
                if *open {
                    *open = viewer_ui(ui.ctx(), "v1");
                }
            },
            false,
        );
    store_picture(&h.ctx, "v1", ColorImage::filled([400, 200], Color32::GREEN));
    // Opened once the picture is there (the harness draws a frame as it is built).
    *h.state_mut() = true;
    h.run_steps(3);
    assert!(*h.state(), "open");
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(!*h.state(), "closed by Esc");
}

/// The chat screen's handling of the list's actions, for a picture and its viewer.
#[derive(Default)]
struct Viewing {
    open: Option<String>,
    actions: Vec<AttachmentAction>,
}

fn viewing(attachment: Attachment, size: [f32; 2]) -> Harness<'static, Viewing> {
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size(size)
        .build_ui_state(
            move |ui, v: &mut Viewing| {
                attachment_ui(ui, &attachment);
                for action in take_actions(ui.ctx()) {
                    match action {
                        AttachmentAction::Open(id) => v.open = Some(id),
                        other => v.actions.push(other),
                    }
                }
                if let Some(id) = &v.open
                    && !viewer_ui(ui.ctx(), id)
                {
                    v.open = None;
                }
            },
            Viewing::default(),
        )
}

#[test]
fn an_opened_picture_can_be_saved_from_the_viewer_and_closed() {
    let mut h = viewing(picture("s1", 800, 400), [900.0, 700.0]);
    store_picture(&h.ctx, "s1", ColorImage::filled([800, 400], Color32::GOLD));
    h.run_steps(2);
    assert!(
        h.query_by_label("Save").is_none(),
        "a thumbnail has no Save of its own"
    );
    h.get_by_label("Picture cat.png").click();
    h.run_steps(3);
    assert_eq!(h.state().open.as_deref(), Some("s1"));
    assert!(
        h.query_by_label("47.1 KiB").is_some(),
        "the viewer says the size"
    );
    h.get_by_label("Save").click();
    h.run_steps(3);
    let saves: Vec<_> = (h.state().actions.iter())
        .filter(|a| matches!(a, AttachmentAction::Save(_)))
        .collect();
    assert!(
        matches!(saves.as_slice(), [AttachmentAction::Save(a)] if a.id == "s1"),
        "{saves:?}"
    );
    assert!(h.state().open.is_some(), "saving keeps the picture open");
    h.get_by_label("Close").click();
    h.run_steps(3);
    assert!(h.state().open.is_none(), "closed by Close");
}

#[test]
fn on_a_phone_the_opened_picture_and_its_save_fit_on_screen() {
    let mut h = viewing(picture("s2", 1200, 1600), [360.0, 740.0]);
    store_picture(
        &h.ctx,
        "s2",
        ColorImage::filled([1200, 1600], Color32::GOLD),
    );
    h.run_steps(2);
    h.get_by_label("Picture cat.png").click();
    h.run_steps(3);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, Vec2::new(360.0, 740.0));
    for label in ["Save", "Close"] {
        let rect = h.get_by_label(label).rect();
        assert!(screen.contains_rect(rect), "{label} at {rect:?}");
    }
}
