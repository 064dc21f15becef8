//! The composer's keyboard rules, driven through a test harness.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;

struct Box_ {
    composer: Composer,
    view: ComposerView,
    actions: Vec<ComposerAction>,
}

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn harness() -> Harness<'static, Box_> {
    let members = vec![name("ann"), name("Bobby")];
    let state = Box_ {
        composer: Composer::default(),
        view: ComposerView::default(),
        actions: vec![],
    };
    // CJK glyphs come from system fonts at run time, not from the bundled ones: allow tofu.
    // Tall enough for the emoji picker, whose emoji show as `:shortcodes:` here (the
    // harness has no emoji font), in more rows.
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([600.0, 480.0])
        .allow_missing_glyphs()
        .build_ui_state(
            move |ui, s: &mut Box_| {
                let me = name("ann");
                for a in composer_ui(ui, &s.composer, &members, &me, None, true, &mut s.view) {
                    // What the model does with an edit: take the text.
                    if let ComposerAction::Edit(text) = &a {
                        s.composer.draft.clone_from(text);
                    }
                    s.actions.push(a);
                }
            },
            state,
        )
}

fn type_into(h: &mut Harness<'static, Box_>, text: &str) {
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run();
    h.get_by_role(Role::MultilineTextInput).type_text(text);
    h.run();
}

#[test]
fn enter_sends_and_shift_enter_adds_a_line() {
    let mut h = harness();
    type_into(&mut h, "hello");
    h.key_press_modifiers(Modifiers::SHIFT, Key::Enter);
    h.run();
    assert_eq!(h.state().composer.draft, "hello\n");
    assert!(!h.state().actions.contains(&ComposerAction::Send));
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().actions.contains(&ComposerAction::Send));
    assert_eq!(
        h.state().composer.draft,
        "hello\n",
        "the view asks; the model takes the draft"
    );
}

/// A press of Enter with no modifiers.
fn plain_enter() -> Event {
    Event::Key {
        key: Key::Enter,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::NONE,
    }
}

#[test]
fn several_enters_in_one_frame_send_several_messages() {
    let members = vec![name("ann")];
    let mut h = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([600.0, 200.0])
        .allow_missing_glyphs()
        .build_ui_state(
            move |ui, sent: &mut (Composer, ComposerView, Vec<String>)| {
                let (composer, view, sent) = (&mut sent.0, &mut sent.1, &mut sent.2);
                let me = name("ann");
                for action in composer_ui(ui, composer, &members, &me, None, true, view) {
                    match action {
                        ComposerAction::Edit(text) => composer.draft = text,
                        // What the model does on Send: take the draft.
                        ComposerAction::Send => sent.push(std::mem::take(&mut composer.draft)),
                        _ => {}
                    }
                }
            },
            (Composer::default(), ComposerView::default(), Vec::new()),
        );
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run();
    // Everything below arrives in a single frame (`Harness::event` would give each its own).
    h.input_mut().events.extend([
        Event::Text("one".into()),
        plain_enter(),
        Event::Text("two".into()),
        plain_enter(),
    ]);
    h.run();
    assert_eq!(h.state().2, ["one", "two"]);
    assert_eq!(h.state().0.draft, "");
}

#[test]
fn enter_never_sends_while_an_ime_composition_is_open() {
    let mut h = harness();
    type_into(&mut h, "x");
    h.event(Event::Ime(ImeEvent::Preedit {
        text: "にほ".into(),
        active_range_chars: None,
    }));
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert!(!h.state().actions.contains(&ComposerAction::Send));
    h.event(Event::Ime(ImeEvent::Commit("日本".into())));
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().actions.contains(&ComposerAction::Send));
}

#[test]
fn the_view_reports_edits_and_never_changes_the_draft_itself() {
    let members = vec![name("ann")];
    let mut h = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([600.0, 200.0])
        .allow_missing_glyphs()
        .build_ui_state(
            move |ui, s: &mut (Composer, ComposerView, Vec<ComposerAction>)| {
                let me = name("ann");
                let actions = composer_ui(ui, &s.0, &members, &me, None, true, &mut s.1);
                s.2.extend(actions);
            },
            (Composer::default(), ComposerView::default(), Vec::new()),
        );
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run();
    h.get_by_role(Role::MultilineTextInput).type_text("hey");
    h.run();
    assert_eq!(h.state().0.draft, "", "the model's draft is untouched");
    assert!(h.state().2.contains(&ComposerAction::Edit("hey".into())));
}

#[test]
fn tab_completes_a_member_name_at_the_end_of_the_draft() {
    let mut h = harness();
    type_into(&mut h, "hi bo");
    h.key_press(Key::Tab);
    h.run();
    assert_eq!(h.state().composer.draft, "hi Bobby ");
    assert!(
        h.get_by_role(Role::MultilineTextInput).is_focused(),
        "Tab kept focus in the composer"
    );
}

#[test]
fn ime_tracking_follows_preedit_and_commit() {
    let preedit = |t: &str| {
        Event::Ime(ImeEvent::Preedit {
            text: t.into(),
            active_range_chars: None,
        })
    };
    assert_eq!(track_ime(false, &[preedit("に")]), (true, true));
    assert_eq!(track_ime(true, &[]), (true, false));
    assert_eq!(
        track_ime(true, &[Event::Ime(ImeEvent::Commit("日".into()))]),
        (false, true)
    );
    assert_eq!(track_ime(true, &[preedit("")]), (false, true));
}

#[test]
fn a_shortcode_offers_emoji_and_enter_puts_the_first_in() {
    let mut h = harness();
    type_into(&mut h, "party :tad");
    assert!(
        h.query_by_label_contains(":tada:").is_some(),
        "the popup offers 🎉 :tada:"
    );
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().composer.draft, "party 🎉 ");
    assert!(
        !h.state().actions.contains(&ComposerAction::Send),
        "Enter picked, not sent"
    );
}

#[test]
fn a_whole_shortcode_typed_out_becomes_its_emoji() {
    let mut h = harness();
    type_into(&mut h, "ship it :rocket:");
    assert_eq!(h.state().composer.draft, "ship it 🚀");
}

#[test]
fn the_emoji_button_opens_a_picker_that_puts_an_emoji_at_the_cursor() {
    let mut h = harness();
    type_into(&mut h, "nice ");
    h.get_by_label("Insert emoji").click();
    h.run();
    assert!(h.state().view.picker.open);
    assert!(
        h.get_by_label("Search emoji").is_focused(),
        "type to search at once"
    );
    h.get_by_label("thumbs up").click();
    h.run();
    assert_eq!(h.state().composer.draft, "nice 👍");
    assert!(!h.state().view.picker.open, "picking closes it");
}

#[test]
fn the_picker_searches_by_name_and_enter_picks_the_first() {
    let mut h = harness();
    h.get_by_label("Insert emoji").click();
    h.run();
    h.get_by_label("Search emoji").type_text("rocket");
    h.run();
    assert!(h.query_by_label("rocket").is_some());
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().composer.draft, "🚀");
    h.get_by_label("Insert emoji").click();
    h.run();
    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state().view.picker.open, "Escape closes it");
}

#[test]
fn the_composer_hint_fits_one_line_from_a_phone_to_a_desktop() {
    let mut h = Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .build_ui(|ui| {
            let font = egui::TextStyle::Body.resolve(ui.style());
            for width in [120.0, 180.0, 240.0, 320.0, 700.0] {
                let hint = hint_for(ui, width);
                let galley = ui
                    .painter()
                    .layout_no_wrap(hint.into(), font.clone(), Color32::GRAY);
                assert!(galley.size().x < width - 8.0, "{hint:?} in {width}");
            }
            assert_eq!(hint_for(ui, 700.0), HINTS[0], "the whole hint on a desktop");
            // A 360 px phone's box is about 180 points wide: the middle hint wrapped there.
            assert_eq!(hint_for(ui, 180.0), "Message");
        });
    h.run();
}

#[test]
fn the_picker_has_a_tab_per_category_and_a_skin_tone_for_hands() {
    let mut h = harness();
    h.get_by_label("Insert emoji").click();
    h.run();
    h.get_by_label("Animals and nature").click();
    h.run();
    assert!(h.query_by_label("dog face").is_some(), "the animals' page");
    h.get_by_label("People and body").click();
    h.run();
    assert!(h.query_by_label("waving hand").is_some());
    h.get_by_label("Medium skin tone").click();
    h.run();
    assert!(h.query_by_label("waving hand").is_none());
    h.get_by_label("waving hand: medium skin tone").click();
    h.run();
    assert_eq!(h.state().composer.draft, "👋🏽");
}

#[test]
fn the_search_field_stays_put_as_results_come_and_go() {
    let mut h = harness();
    h.get_by_label("Insert emoji").click();
    h.run();
    let at = h.get_by_label("Search emoji").rect();
    for query in ["r", "ro", "rocket", "zzzz"] {
        h.get_by_label("Search emoji").focus();
        h.get_by_label("Search emoji")
            .type_text(&query[query.len() - 1..]);
        h.run();
        assert_eq!(h.get_by_label("Search emoji").rect(), at, "after {query:?}");
    }
}
