//! The people list on a narrow window: a sheet over the chat, from just below the top bar,
//! as wide as the window, so opening it never squeezes the messages or the composer. The
//! chat under it is dimmed, as under any sheet on a phone, and a click there closes it.

use egui::{Color32, Id, LayerId, Order, Ui};

use super::{MembersAction, MembersLook, RoomSide, members_ui};
use crate::state::room::RosterEntry;

/// How much the chat under the sheet is dimmed (alpha of black over it): two thirds, so
/// the dark theme's near-black chat visibly recedes too (at 110 its text only fell from
/// white to 57 % grey and the sheet read as floating over a live chat).
pub const BACKDROP_ALPHA: u8 = 170;

/// What the people sheet reported.
pub struct Sheet {
    /// What was done in the list.
    pub action: Option<MembersAction>,
    /// A click landed outside the sheet (on the dimmed chat): it closes.
    pub clicked_elsewhere: bool,
}

/// Draws the sheet below `top` (the top bar's bottom edge), over a dimmed chat.
pub fn people_sheet(
    ui: &Ui,
    (roster, side): (&[RosterEntry], RoomSide<'_>),
    typing: &[&confab_protocol::Username],
    look: MembersLook,
    top: f32,
) -> Sheet {
    let screen = ui.ctx().content_rect();
    let width = screen.width() - 16.0;
    let height = ((screen.bottom() - top) * 0.7).max(120.0);
    // Between the chat (panels, in the background) and the sheet (foreground); the top
    // bar stays bright, so its people button still reads as what opened the sheet.
    let dimmed = egui::Rect::from_min_max(egui::pos2(screen.left(), top), screen.max);
    let backdrop = LayerId::new(Order::Middle, Id::unique("people_sheet_backdrop"));
    (ui.ctx().layer_painter(backdrop)).rect_filled(
        dimmed,
        0.0,
        Color32::from_black_alpha(BACKDROP_ALPHA),
    );
    let mut action = None;
    let area = egui::Area::new(Id::unique("people_sheet"))
        .order(Order::Foreground)
        .fixed_pos(egui::pos2(screen.left() + 8.0, top + 4.0))
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_width(width - 16.0);
                ui.set_max_height(height);
                action = members_ui(ui, roster, side, typing, look);
            });
        });
    Sheet {
        action,
        clicked_elsewhere: area.response.clicked_elsewhere(),
    }
}
