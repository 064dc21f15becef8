//! What did not work, in the room: an error card, and the offer of a smaller copy.

use super::*;
use crate::ui::problem::SEND_SMALLER;

const SAID: &str = "Not sent: beach.jpg is 17.2 MiB, and this server takes files up to 4 MiB.";

#[test]
fn a_refused_picture_reads_as_an_error_and_its_button_asks_for_a_smaller_copy() {
    let mut h = harness(vec![], ConnectionState::Online);
    let offer = (h.state_mut().room.timeline).push_problem(SAID.into(), true, 1_700_000_000_000);
    h.run();
    assert!(
        h.query_by_label(SAID).is_some(),
        "the words, without the sign"
    );
    h.get_by_label(SEND_SMALLER).click();
    h.run();
    assert_eq!(h.state().actions, vec![ChatAction::SendSmaller(offer)]);
}

#[test]
fn a_problem_without_an_offer_has_no_button() {
    let mut h = harness(vec![], ConnectionState::Online);
    (h.state_mut().room.timeline).push_problem(SAID.into(), false, 1_700_000_000_000);
    h.run();
    assert!(h.query_by_label(SAID).is_some());
    assert!(h.query_by_label(SEND_SMALLER).is_none());
}
