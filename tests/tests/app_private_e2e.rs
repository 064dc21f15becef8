//! The whole system for private rooms: the real relay and real `confab` apps in
//! `egui_kittest` harnesses on real sockets. One app creates a private room (the join
//! form's default), another joins with the invite's key and both read each other; an app
//! with only the code is refused in words and shown nothing. Every wait is bounded.

use confab::ConfabApp;
use confab::state::{ConnectionState, EntryKind, Model};
use confab_protocol::Invite;
use confab_tests::{TestRelay, test_config};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

mod app_harness;
use app_harness::{app, enter_room, runtime, type_into, wait_for};

/// Types `text` into the composer and presses Enter.
fn say(app: &mut Harness<'_, ConfabApp>, text: &str) {
    let composer = egui::accesskit::Role::MultilineTextInput;
    app.get_by_role(composer).focus();
    app.run_steps(2);
    app.get_by_role(composer).type_text(text);
    app.run_steps(2);
    app.key_press(egui::Key::Enter);
    app.run_steps(2);
}

fn shows_chat(m: &Model, wanted: &str) -> bool {
    m.room().is_some_and(|s| {
        (s.timeline.entries().iter())
            .any(|e| matches!(&e.kind, EntryKind::Chat { text, .. } if text == wanted))
    })
}

/// Fills the join form up to the buttons: name and server.
fn fill_form(app: &mut Harness<'_, ConfabApp>, server: &str, name: &str) {
    type_into(app, "Your name", name);
    app.get_by_label_contains("Advanced").click();
    app.run_steps(2);
    type_into(app, "Server address", server);
}

#[test]
fn an_app_creates_a_private_room_another_reads_it_with_the_link_and_the_code_alone_is_refused() {
    let rt = runtime();
    let relay = rt.block_on(TestRelay::start(test_config()));
    let server = relay.url();

    // Ann creates a room: "Private (end-to-end encrypted)" is ticked by default.
    let mut ann = app();
    fill_form(&mut ann, &server, "ann");
    assert!(
        ann.query_by_label("Private (end-to-end encrypted)")
            .is_some()
    );
    assert!(
        ann.state_mut().prefs_mut().form.private,
        "private is the default"
    );
    ann.get_by_label("Create room").click();
    wait_for(&mut ann, "ann in her room", |m| {
        *m.status() == ConnectionState::Online
    });
    let safety = (ann.state().model().room())
        .and_then(|s| s.safety_code.clone())
        .expect("a private room has a safety code");
    assert!(
        ann.query_by_label("Private room: show the safety code")
            .is_some()
    );
    let link = ann.state().invite_link().expect("an invite");
    let invite = Invite::parse(&link).expect("the app's invite parses");
    let key = invite.key.expect("a private room's invite carries its key");

    // Bob joins with the link's code and key; both see the same safety code.
    let mut bob = app();
    enter_room(
        &mut bob,
        &server,
        "bob",
        Some(&format!("{}.{}", invite.code, key.encode())),
    );
    let bobs_safety = (bob.state().model().room()).and_then(|s| s.safety_code.clone());
    assert_eq!(bobs_safety, Some(safety));

    say(&mut ann, "meet at noon");
    wait_for(&mut bob, "ann's message opened at bob", |m| {
        shows_chat(m, "meet at noon")
    });
    say(&mut bob, "/me nods");
    wait_for(&mut ann, "bob's action opened at ann", |m| {
        shows_chat(m, "/me nods")
    });

    // Cy has only the code: refused in words, shown nothing, posting nothing.
    let mut cy = app();
    fill_form(&mut cy, &server, "cy");
    type_into(
        &mut cy,
        "Room code or invite link",
        &invite.code.to_string(),
    );
    cy.get_by_label("Join").click();
    wait_for(&mut cy, "cy to be refused", |m| m.join_error().is_some());
    let cy_model = cy.state().model();
    assert!(cy_model.room().is_none(), "cy is shown nothing of the room");
    assert_eq!(
        cy_model.join_error(),
        Some("This room is private: open it with its invite link.")
    );
    assert!(
        cy.query_by_label_contains("open it with its invite link")
            .is_some(),
        "the join screen says why"
    );
}
