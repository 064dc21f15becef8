//! The people panel: everyone in the room, you first and marked, then the others by name
//! (case-insensitive), those typing marked.

use confab_protocol::Username;
use egui::{RichText, ScrollArea, Sense, Ui};

/// Draws the member list. Returns a member the user clicked (to mention them).
pub fn members_ui(
    ui: &mut Ui,
    members: &[Username],
    me: &Username,
    typing: &[&Username],
) -> Option<Username> {
    let mut clicked = None;
    let mut sorted: Vec<&Username> = members.iter().collect();
    sorted.sort_by_cached_key(|m| (*m != me, m.as_str().to_lowercase()));
    ui.add_space(6.0);
    ui.label(RichText::new(format!("People ({})", members.len())).strong());
    ui.separator();
    ScrollArea::vertical()
        .id_salt("members")
        .auto_shrink(false)
        .show(ui, |ui| {
            for member in sorted {
                let color = if member == me {
                    ui.visuals().strong_text_color()
                } else {
                    super::name_color(ui, member)
                };
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
                    if typing.contains(&member) {
                        ui.weak("✏");
                    }
                    response
                });
                if member != me && row.inner.on_hover_text("Click to mention").clicked() {
                    clicked = Some(member.clone());
                }
            }
        });
    clicked
}
