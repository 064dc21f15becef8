//! The private room's views, found by role and label as a screen reader would.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;

/// With the app's fonts: the views draw its bundled icons.
fn harness<State>() -> egui_kittest::HarnessBuilder<State> {
    Harness::builder()
        .with_context_setup(crate::ui::fonts::install)
        .with_size([480.0, 400.0])
}

#[test]
fn the_lock_badge_says_what_it_opens_and_reports_a_click() {
    let mut h = harness().build_ui_state(
        |ui, clicked: &mut bool| {
            if private_badge_ui(ui, false, false) {
                *clicked = true;
            }
        },
        false,
    );
    h.get_by_label("Private room: show the safety code").click();
    h.run();
    assert!(*h.state(), "the click reaches the caller");
}

#[test]
fn the_safety_code_window_shows_the_code_and_how_to_compare_it() {
    let code = "12345 67890 13579 24680 11223 44556";
    let mut h = harness().build_ui_state(
        |ui, open: &mut bool| {
            if *open {
                safety_window_ui(ui, code, open);
            }
        },
        true,
    );
    h.run();
    assert!(h.query_by_label(code).is_some(), "the code is shown");
    assert!(h.query_by_label_contains("Read it aloud").is_some());
    h.get_by_label("Close").click();
    h.run();
    assert!(!*h.state(), "Close closes it");
}

#[test]
fn a_message_that_did_not_open_says_so_in_words() {
    let mut h = harness().build_ui(unreadable_ui);
    h.run();
    assert!(
        h.query_by_label_contains("Could not decrypt this message")
            .is_some()
    );
}
