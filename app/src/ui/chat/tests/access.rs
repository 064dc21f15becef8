//! What a screen reader (and a test) finds on the chat screen: every control and status
//! in words, by role and name, never a private-use glyph.

use egui::accesskit::Role;
use egui_kittest::kittest::NodeT as _;

use super::*;
use crate::ui::composer::MESSAGE_BOX;
use crate::ui::icons::has_glyph;

/// Every name and text on screen that holds an icon glyph.
fn glyphs(h: &Harness<'static, Screen>) -> Vec<String> {
    h.query_all_by(|node| {
        node.label().is_some_and(|l| has_glyph(&l)) || node.value().is_some_and(|v| has_glyph(&v))
    })
    .map(|node| {
        format!(
            "{:?} {:?} {:?} in {:?}",
            node.accesskit_node().role(),
            node.accesskit_node().label(),
            node.accesskit_node().value(),
            node.accesskit_node()
                .parent()
                .map(|p| (p.role(), p.label(), p.value())),
        )
    })
    .collect()
}

/// Every button without a name in words.
fn unnamed_buttons(h: &Harness<'static, Screen>) -> Vec<String> {
    h.query_all_by_role(Role::Button)
        .filter(|b| {
            b.accesskit_node()
                .label()
                .is_none_or(|l| l.trim().is_empty())
        })
        .map(|b| format!("{:?}", b.rect()))
        .collect()
}

#[test]
fn at_every_width_each_control_and_line_has_a_name_in_words_and_none_is_a_glyph() {
    for width in [1280.0, 360.0] {
        let mut h = harness(vec![chat(1, "bob", "hello there")], ConnectionState::Online);
        h.state_mut().hosting = Some("ws://10.0.0.5:9001".into());
        h.state_mut().view.members_open = true;
        let now = Instant::now();
        (h.state_mut().room.typing).apply(
            name("bob"),
            true,
            now,
            web_time::Duration::from_secs(60),
        );
        h.set_size(vec2(width, 700.0));
        h.run();
        assert_eq!(glyphs(&h), Vec::<String>::new(), "at {width} px");
        assert_eq!(unnamed_buttons(&h), Vec::<String>::new(), "at {width} px");
    }
}

#[test]
fn whispers_and_missed_message_markers_read_as_words_without_their_icons() {
    let mut h = harness(vec![chat(1, "bob", "hello there")], ConnectionState::Online);
    let session = &mut h.state_mut().room;
    session.timeline.push_gap(1, 5, 1_700_000_002_000);
    session.timeline.push_discontinuity(1_700_000_003_000);
    session.apply(
        ServerMessage::Whisper(confab_protocol::WhisperMessage {
            from: name("bob"),
            to: name("ann"),
            text: "psst".into(),
            ts: 1_700_000_004_000,
            client_id: None,
        }),
        Instant::now(),
        1_700_000_004_000,
    );
    h.run();
    assert_eq!(glyphs(&h), Vec::<String>::new());
    assert!(h.query_by_label("bob whispered to you").is_some());
    assert!(
        h.query_by_label_contains("Some messages were missed while you were away (3 not shown).")
            .is_some()
    );
}

#[test]
fn the_message_box_is_found_by_its_name() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.run();
    let field = h.get_by_role_and_label(Role::MultilineTextInput, MESSAGE_BOX);
    field.focus();
    field.type_text("hi");
    h.run();
    assert_eq!(h.state().room.composer.draft, "hi");
}

#[test]
fn the_connection_status_is_a_status_node_that_says_what_it_is() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.run();
    let status = h.get_by_role(Role::Status);
    assert_eq!(
        status.accesskit_node().label().as_deref(),
        Some("Connection: Connected")
    );
    assert_eq!(
        status.accesskit_node().live(),
        egui::accesskit::Live::Polite
    );
    h.state_mut().status = ConnectionState::Waiting {
        retry_at: Instant::now() + web_time::Duration::from_secs(30),
        reason: "reset".into(),
    };
    h.run();
    let said = h.get_by_role(Role::Status).accesskit_node().label();
    assert!(
        said.as_deref()
            .is_some_and(|s| s.starts_with("Connection: Reconnecting")),
        "{said:?}"
    );
}
