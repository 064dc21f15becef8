//! A room with no messages yet: rather than one grey line, a short welcome with the ways
//! to bring people in (copy the invite link, show it as a QR code), and on a window with
//! room for it, the code itself, so a phone beside the screen can join at once. Drawing
//! only: the link is the one the app writes.

use egui::{RichText, Ui};

use crate::ui::icons;
use crate::ui::invite_qr::{QR_SIDE, camera_hint, invite_qr_ui};

/// The empty room's heading (what tests and screen readers find it by).
pub const EMPTY_HEADING: &str = "No messages yet";

/// The copy button's accessible name (the top bar's says "Copy invite link").
pub const COPY_NAME: &str = "Invite people: copy the link";

/// The QR code button's accessible name, where the code is not shown inline.
pub const QR_NAME: &str = "Invite people: show the QR code";

/// Below this height the code stays behind its button (a phone, a short window).
const INLINE_QR_HEIGHT: f32 = 560.0;

/// What the person asked for in the empty room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyAction {
    /// Copy the invite link.
    CopyInvite,
    /// Show the invite as a QR code (in its window).
    ShowQr,
}

/// Draws the empty room for `invite_link`; `copied`: the link was just copied.
pub fn empty_room_ui(ui: &mut Ui, invite_link: &str, copied: bool) -> Option<EmptyAction> {
    let mut action = None;
    let inline_qr = ui.available_height() >= INLINE_QR_HEIGHT && ui.available_width() >= 420.0;
    let lead = if inline_qr {
        8.0
    } else {
        ui.available_height() / 4.0
    };
    ui.vertical_centered(|ui| {
        ui.add_space(lead);
        ui.heading(EMPTY_HEADING);
        ui.add_space(4.0);
        ui.label("Say hello, or invite people: send them the link, or let a phone scan the code.");
        ui.add_space(10.0);
        let copy = if copied {
            icons::with_words(icons::CHECK, "Copied")
        } else {
            icons::with_words(icons::COPY, "Copy invite link")
        };
        let copy = ui.button(RichText::new(copy).size(15.0));
        let copy = icons::named(copy, COPY_NAME, None);
        if copy.clicked() {
            action = Some(EmptyAction::CopyInvite);
        }
        if inline_qr {
            ui.add_space(12.0);
            invite_qr_ui(ui, invite_link, QR_SIDE * 0.8);
            ui.add_space(6.0);
            ui.add(egui::Label::new(RichText::new(camera_hint(invite_link)).weak()).wrap());
        } else {
            ui.add_space(6.0);
            let qr = ui.button(icons::with_words(icons::QR_CODE, "Show QR code"));
            if icons::named(qr, QR_NAME, None).clicked() {
                action = Some(EmptyAction::ShowQr);
            }
        }
    });
    action
}
