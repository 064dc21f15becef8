//! The invite's QR code, opened from the top bar at desktop and phone widths.

use super::*;
use crate::ui::invite_qr::QR_LABEL;

#[test]
fn the_qr_code_button_shows_the_invite_as_a_code_and_close_hides_it() {
    for width in [900.0, 360.0] {
        // A room with a message: an empty one shows the code in its welcome.
        let mut h = harness(vec![chat(1, "bob", "hello")], ConnectionState::Online);
        h.set_size(vec2(width, 700.0));
        h.run();
        assert!(h.query_by_label(QR_LABEL).is_none(), "hidden until asked");
        h.get_by_label("Show invite QR code").click();
        h.run();
        assert!(h.query_by_label(QR_LABEL).is_some(), "at width {width}");
        assert!(
            h.query_by_label(INVITE_LINK).is_some(),
            "the link in words beside it"
        );
        h.get_by_label("Close").click();
        h.run();
        assert!(
            h.query_by_label(QR_LABEL).is_none(),
            "closed at width {width}"
        );
        assert!(h.state().actions.is_empty(), "{:?}", h.state().actions);
    }
}
