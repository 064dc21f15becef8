//! The people list at phone width: a sheet over a dimmed chat.

use super::*;

#[test]
fn at_phone_width_the_people_list_opens_as_a_sheet_over_the_chat_without_squeezing_it() {
    let mut h = harness(vec![chat(1, "bob", "hello there")], ConnectionState::Online);
    h.set_size(vec2(380.0, 640.0));
    h.run();
    let composer = egui::accesskit::Role::MultilineTextInput;
    let before = h.get_by_role(composer).rect();
    h.get_by_label("Show people, 2 here").click();
    h.run();
    assert!(h.state().view.members_open);
    assert!(
        h.query_by_label("People (2)").is_some(),
        "a count in the header"
    );
    let after = h.get_by_role(composer).rect();
    assert_eq!(
        before, after,
        "the composer keeps its width under the sheet"
    );
    let sheet_you = h.get_by_label("ann (you)").rect();
    let bob = h.query_all_by_label("bob").map(|n| n.rect());
    let sheet_bob = bob
        .filter(|r| r.top() > sheet_you.top())
        .min_by(|a, b| a.top().total_cmp(&b.top()))
        .expect("bob in the sheet");
    assert!(
        sheet_you.width() > 0.0 && sheet_you.left() < 60.0,
        "full width: {sheet_you:?}"
    );
    assert!(sheet_you.top() < sheet_bob.top(), "you first, then bob");
    h.get_by_label("Close the people list").click();
    h.run();
    assert!(!h.state().view.members_open, "the close button closes it");
}

#[test]
fn clicking_a_name_in_the_phone_sheet_mentions_them_and_closes_it() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.set_size(vec2(380.0, 640.0));
    h.run();
    h.get_by_label("Show people, 2 here").click();
    h.run();
    h.get_by_label("bob").click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::Mention(name("bob"))]);
    assert!(!h.state().view.members_open);
}

#[test]
fn the_phone_people_sheet_dims_the_chat_under_it_enough_to_read_as_behind() {
    use crate::ui::members::BACKDROP_ALPHA;
    let mut h = harness(vec![chat(1, "bob", "hello there")], ConnectionState::Online);
    h.set_size(vec2(360.0, 640.0));
    h.run();
    let composer = h
        .get_by_role(egui::accesskit::Role::MultilineTextInput)
        .rect();
    h.get_by_label("Show people, 2 here").click();
    h.run();
    let backdrop = h
        .output()
        .shapes
        .iter()
        .find_map(|clipped| match &clipped.shape {
            egui::Shape::Rect(r) if r.fill == egui::Color32::from_black_alpha(BACKDROP_ALPHA) => {
                Some(r.rect.intersect(clipped.clip_rect))
            }
            _ => None,
        });
    let backdrop = backdrop.expect("a dimmed backdrop is painted");
    assert!(
        backdrop.contains_rect(composer),
        "{backdrop:?} covers {composer:?}"
    );
    // What the dimming does to message text on the panel, in both themes: well under the
    // 4.5:1 it reads at undimmed, so the chat reads as behind the sheet.
    for visuals in [
        crate::ui::palette::dark_visuals(),
        crate::ui::palette::light_visuals(),
    ] {
        let over = |c: egui::Color32| {
            let keep = 1.0 - f32::from(BACKDROP_ALPHA) / 255.0;
            let dim = |v: u8| (f32::from(v) * keep).round() as u8;
            egui::Color32::from_rgb(dim(c.r()), dim(c.g()), dim(c.b()))
        };
        let text = visuals.widgets.noninteractive.fg_stroke.color;
        let panel = visuals.panel_fill;
        let dimmed = crate::ui::palette::contrast(over(text), over(panel));
        let plain = crate::ui::palette::contrast(text, panel);
        assert!(dimmed < 3.0 && plain > 7.0, "{plain} -> {dimmed}");
    }
}
