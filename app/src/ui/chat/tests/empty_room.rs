//! The empty room: a welcome with the ways to invite people, not one grey line.

use super::*;
use crate::ui::chat::empty_room::{COPY_NAME, EMPTY_HEADING, QR_NAME};
use crate::ui::invite_qr::QR_LABEL;

#[test]
fn an_empty_room_offers_to_copy_the_invite_and_to_show_its_code_at_phone_width() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.set_size(vec2(360.0, 700.0));
    h.run();
    assert!(h.query_by_label(EMPTY_HEADING).is_some());
    h.get_by_label(COPY_NAME).click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::CopyInvite]);
    h.get_by_label(QR_NAME).click();
    h.run();
    assert!(
        h.query_by_label(QR_LABEL).is_some(),
        "the code's window opened"
    );
}

#[test]
fn a_tall_empty_room_shows_the_invite_code_itself() {
    let mut h = harness(vec![], ConnectionState::Online);
    h.set_size(vec2(1280.0, 800.0));
    h.run();
    assert!(
        h.query_by_label(QR_LABEL).is_some(),
        "inline, no click needed"
    );
    assert!(
        h.query_by_label(QR_NAME).is_none(),
        "no button for what is shown"
    );
}

#[test]
fn the_first_message_replaces_the_welcome() {
    let mut h = harness(vec![chat(1, "bob", "hello")], ConnectionState::Online);
    h.set_size(vec2(1280.0, 800.0));
    h.run();
    assert!(h.query_by_label(EMPTY_HEADING).is_none());
    assert!(h.query_by_label(COPY_NAME).is_none());
}
