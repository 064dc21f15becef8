//! The people list: everyone in the room, you first and marked, then the others by name
//! (case-insensitive), those typing marked. A side panel on wide windows, a sheet over the
//! chat on narrow ones (see [`crate::ui::chat`]).

use confab_protocol::Username;
use egui::{RichText, ScrollArea, Sense, Ui};

/// What the user did in the people list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembersAction {
    /// Mention this member in the draft.
    Mention(Username),
    /// Close the list (the sheet's close button).
    Close,
}

/// How the list is drawn: the roster may be out of date while offline.
#[derive(Debug, Clone, Copy, Default)]
pub struct MembersLook {
    /// Show a close button in the header (the phone sheet).
    pub closable: bool,
    /// The connection is down: the roster is the last one seen, drawn greyed.
    pub stale: bool,
}

/// Everyone in `members`, you first, then the others by name (case-insensitive).
pub fn sorted<'a>(members: &'a [Username], me: &Username) -> Vec<&'a Username> {
    let mut sorted: Vec<&Username> = members.iter().collect();
    sorted.sort_by_cached_key(|m| (*m != me, m.as_str().to_lowercase()));
    sorted
}

/// Draws the member list. Returns what the user did (a member clicked to mention them, or
/// the sheet closed).
pub fn members_ui(
    ui: &mut Ui,
    members: &[Username],
    me: &Username,
    typing: &[&Username],
    look: MembersLook,
) -> Option<MembersAction> {
    let mut action = None;
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let title = if look.stale {
            format!("Last seen here ({})", members.len())
        } else {
            format!("People ({})", members.len())
        };
        ui.label(RichText::new(title).strong());
        if look.closable {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("✕")
                    .on_hover_text("Close the people list")
                    .clicked()
                {
                    action = Some(MembersAction::Close);
                }
            });
        }
    });
    ui.separator();
    ScrollArea::vertical()
        .id_salt("members")
        .auto_shrink([false, look.closable])
        .show(ui, |ui| {
            for member in sorted(members, me) {
                let mut color = if member == me {
                    ui.visuals().strong_text_color()
                } else {
                    super::name_color(ui, member)
                };
                if look.stale {
                    color = ui.visuals().weak_text_color();
                }
                let text = if member == me {
                    RichText::new(format!("{member} (you)"))
                        .color(color)
                        .strong()
                } else {
                    RichText::new(member.as_str()).color(color)
                };
                let row = ui.horizontal(|ui| {
                    super::dot(ui, color);
                    let response = ui.add(egui::Label::new(text).truncate().sense(Sense::click()));
                    if typing.contains(&member) && !look.stale {
                        ui.weak("✏");
                    }
                    response
                });
                if member != me && row.inner.on_hover_text("Click to mention").clicked() {
                    action = Some(MembersAction::Mention(member.clone()));
                }
            }
        });
    action
}
