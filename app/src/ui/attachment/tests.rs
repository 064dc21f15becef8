//! Attachments in a message list: thumbnails, placeholders, cards, hostile pictures.

use confab_protocol::Attachment;
use egui::{Color32, ColorImage};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;
use crate::state::Purpose;

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

/// What the chat screen gives the attachment views, and what they asked for.
#[derive(Default)]
struct Scene {
    pictures: Pictures,
    downloads: Attachments,
    actions: Vec<AttachmentAction>,
    /// The picture opened larger, as the chat screen keeps it.
    open: Option<Box<Attachment>>,
}

impl Scene {
    /// `id` decoded into `image`, as the app stores it.
    fn show(&mut self, ctx: &egui::Context, id: &str, image: ColorImage) {
        self.pictures.decoding(id, b"encoded");
        self.pictures.decoded(ctx, id, Ok(image));
    }
}

/// The chat screen's handling of the list's actions, for a picture and its viewer.
fn scene(attachment: Attachment, size: [f32; 2]) -> Harness<'static, Scene> {
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size(size)
        .build_ui_state(
            move |ui, s: &mut Scene| {
                let mut media = Media::new(&mut s.pictures, Some(&s.downloads));
                attachment_ui(ui, &attachment, &mut media);
                if let Some(about) = &s.open
                    && !viewer_ui(ui.ctx(), about, &mut media)
                {
                    s.open = None;
                }
                for action in media.actions {
                    match action {
                        AttachmentAction::Open(about) => s.open = Some(about),
                        // What the app does when nothing is kept: the model fetches it.
                        AttachmentAction::Fetch(a) => {
                            let _ =
                                (s.downloads).fetch(&a.id, &a.name, a.size, Purpose::Show, true);
                            s.actions.push(AttachmentAction::Fetch(a));
                        }
                        other => s.actions.push(other),
                    }
                }
            },
            Scene::default(),
        )
}

fn harness(attachment: Attachment) -> Harness<'static, Scene> {
    scene(attachment, [600.0, 400.0])
}

#[test]
fn a_thumbnail_keeps_its_aspect_ratio_and_is_never_scaled_up() {
    assert_eq!(fit_size(800.0, 400.0, THUMBNAIL), Vec2::new(320.0, 160.0));
    assert_eq!(fit_size(600.0, 960.0, THUMBNAIL), Vec2::new(150.0, 240.0));
    assert_eq!(fit_size(40.0, 30.0, THUMBNAIL), Vec2::new(40.0, 30.0));
    let mut h = harness(picture("p1", 800, 400));
    let image = ColorImage::filled([800, 400], Color32::LIGHT_BLUE);
    let ctx = h.ctx.clone();
    assert!(!has_picture(&ctx, "p1"));
    h.state_mut().show(&ctx, "p1", image);
    assert!(has_picture(&ctx, "p1"), "the texture is in egui");
    h.run_steps(2);
    let rect = h.get_by_label("Picture cat.png").rect();
    assert!((rect.width() - 320.0).abs() < 1.0 && (rect.height() - 160.0).abs() < 1.0);
    h.get_by_label("Picture cat.png").click();
    h.run_steps(2);
    assert_eq!(h.state().open.as_ref().map(|a| a.id.as_str()), Some("p1"));
}

#[test]
fn a_picture_being_fetched_holds_its_place_at_the_right_aspect_and_is_fetched_once() {
    let mut h = harness(picture("p2", 1000, 500));
    h.run_steps(3);
    let rect = h.get_by_label("Loading cat.png").rect();
    assert!((rect.width() - 320.0).abs() < 1.0 && (rect.height() - 160.0).abs() < 1.0);
    let fetches = (h.state().actions.iter())
        .filter(|a| matches!(a, AttachmentAction::Fetch(_)))
        .count();
    assert_eq!(
        fetches, 1,
        "asked once, then read as coming down from the model"
    );
}

#[test]
fn a_picture_that_failed_to_load_says_so_and_retry_asks_again() {
    let mut h = harness(picture("p5", 40, 30));
    let _ = h.state_mut().downloads.on_not_found();
    h.run_steps(2);
    assert!(h.query_by_label("Loading cat.png").is_none());
    assert!(h.query_by_label_contains("could not be loaded").is_some());
    h.state_mut().actions.clear();
    h.get_by_label("Retry").click();
    h.run_steps(2);
    assert!(
        matches!(h.state().actions.as_slice(), [AttachmentAction::Fetch(a)] if a.id == "p5"),
        "{:?}",
        h.state().actions
    );
}

#[test]
fn a_picture_forgotten_by_every_owner_is_asked_for_again_instead_of_loading_for_ever() {
    // Leaving and joining again clears the app's pictures and the model's downloads: a
    // placeholder with nothing behind it asks again.
    let mut h = harness(picture("p6", 40, 30));
    h.step();
    assert!(h.query_by_label("Loading cat.png").is_some());
    h.state_mut().pictures.clear();
    h.state_mut().downloads = Attachments::default();
    h.state_mut().actions.clear();
    h.step();
    assert!(matches!(
        h.state().actions.as_slice(),
        [AttachmentAction::Fetch(a)] if a.id == "p6"
    ));
}

#[test]
fn a_picture_claiming_a_hundred_thousand_pixels_a_side_is_a_file_card() {
    let mut h = harness(picture("p3", 100_000, 100_000));
    h.run_steps(2);
    assert!(h.query_by_label("Loading cat.png").is_none());
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert!(matches!(
        h.state().actions.as_slice(),
        [AttachmentAction::Save(_)]
    ));
}

#[test]
fn a_truncated_picture_becomes_a_file_card_without_panicking() {
    let mut h = harness(picture("p4", 40, 30));
    h.run_steps(2);
    let png = decode::encode_png(&ColorImage::filled([40, 30], Color32::RED)).expect("png");
    assert!(decode::decode(&png[..png.len() / 2]).is_err());
    let ctx = h.ctx.clone();
    (h.state_mut().pictures).decoding("p4", &png[..png.len() / 2]);
    (h.state_mut().pictures).decoded(&ctx, "p4", Err("ends early".into()));
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
    assert!(
        h.state().actions.is_empty(),
        "nothing is fetched until Save"
    );
}

#[test]
fn an_opened_picture_shows_larger_until_escape() {
    let mut h = scene(picture("v1", 400, 200), [800.0, 600.0]);
    let ctx = h.ctx.clone();
    h.state_mut()
        .show(&ctx, "v1", ColorImage::filled([400, 200], Color32::GREEN));
    h.state_mut().open = Some(Box::new(picture("v1", 400, 200)));
    h.run_steps(3);
    assert!(h.state().open.is_some(), "open");
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(h.state().open.is_none(), "closed by Esc");
}

#[test]
fn an_opened_picture_can_be_saved_from_the_viewer_and_closed() {
    let mut h = scene(picture("s1", 800, 400), [900.0, 700.0]);
    let ctx = h.ctx.clone();
    h.state_mut()
        .show(&ctx, "s1", ColorImage::filled([800, 400], Color32::GOLD));
    h.run_steps(2);
    assert!(
        h.query_by_label("Save").is_none(),
        "a thumbnail has no Save of its own"
    );
    h.get_by_label("Picture cat.png").click();
    h.run_steps(3);
    assert_eq!(h.state().open.as_ref().map(|a| a.id.as_str()), Some("s1"));
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
    let mut h = scene(picture("s2", 1200, 1600), [360.0, 740.0]);
    let ctx = h.ctx.clone();
    h.state_mut()
        .show(&ctx, "s2", ColorImage::filled([1200, 1600], Color32::GOLD));
    h.run_steps(2);
    h.get_by_label("Picture cat.png").click();
    h.run_steps(3);
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, Vec2::new(360.0, 740.0));
    for label in ["Save", "Close"] {
        let rect = h.get_by_label(label).rect();
        assert!(screen.contains_rect(rect), "{label} at {rect:?}");
    }
}
