//! The people list: everyone in the room, you first and marked, then the others by name
//! (case-insensitive), then those reconnecting. Each line has a status dot and, when not
//! online, the status in words (never colour alone); the owner is marked; those typing get
//! a pencil. A side panel on wide windows, a sheet over the chat on narrow ones (see
//! `ui::chat`).

use confab_protocol::{MemberStatus, Username};
use egui::{Color32, RichText, ScrollArea, Sense, Sides, Ui};

use super::icons;
use crate::state::room::RosterEntry;

/// What the user did in the people list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembersAction {
    /// Mention this member in the draft.
    Mention(Username),
    /// Close the list (the sheet's close button).
    Close,
    /// Set your own status.
    SetStatus(MemberStatus),
    /// Hide this member's messages on this screen (`true`), or show them again.
    Ignore(Username, bool),
    /// The owner removes this member.
    Remove(Username),
    /// The owner locks (`true`) or unlocks the room.
    Lock(bool),
}

/// How the list is drawn: the roster may be out of date while offline.
#[derive(Debug, Clone, Copy, Default)]
pub struct MembersLook {
    /// Show a close button in the header (the phone sheet).
    pub closable: bool,
    /// The connection is down: the roster is the last one seen, drawn greyed.
    pub stale: bool,
}

/// What the list shows besides the roster.
#[derive(Debug, Clone, Copy)]
pub struct RoomSide<'a> {
    /// You.
    pub me: &'a Username,
    /// Your own status as you chose it (or idling made it).
    pub my_status: MemberStatus,
    /// Whether you own the room (lock and remove are offered).
    pub i_own: bool,
    /// Whether the room is locked.
    pub locked: bool,
}

/// The colour of a status dot; the status is always written out too.
pub fn status_color(ui: &Ui, status: MemberStatus) -> Color32 {
    match status {
        MemberStatus::Online => Color32::from_rgb(46, 160, 67),
        MemberStatus::Away => Color32::from_rgb(214, 150, 20),
        MemberStatus::Reconnecting => ui.visuals().weak_text_color(),
    }
}

/// Draws the member list. Returns what the user did.
pub fn members_ui(
    ui: &mut Ui,
    roster: &[RosterEntry],
    side: RoomSide<'_>,
    typing: &[&Username],
    look: MembersLook,
) -> Option<MembersAction> {
    let mut action = None;
    let present = roster
        .iter()
        .filter(|e| e.status != MemberStatus::Reconnecting)
        .count();
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let title = if look.stale {
            format!("Last seen here ({present})")
        } else {
            format!("People ({present})")
        };
        ui.label(RichText::new(title).strong());
        if look.closable {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let close = ui
                    .button(icons::CLOSE.to_string())
                    .on_hover_text("Close the people list");
                if icons::named(close, "Close the people list", None).clicked() {
                    action = Some(MembersAction::Close);
                }
            });
        }
    });
    if !look.stale {
        action = room_controls(ui, side).or(action);
    }
    ui.separator();
    // Every row is one line of the same height, so only the rows in view are laid out:
    // a frame costs the same for a room of ten and of ten thousand.
    let height = row_height(ui);
    ScrollArea::vertical()
        .id_salt("members")
        .auto_shrink([false, look.closable])
        .show_rows(ui, height, roster.len(), |ui, rows| {
            for entry in &roster[rows] {
                if let Some(done) = member_row(ui, entry, side, typing, look, height) {
                    action = Some(done);
                }
            }
        });
    action
}

/// The height of one member row: a line with a small button in it (the ··· menu), so
/// `show_rows` can tell which rows are in view without laying any out.
pub fn row_height(ui: &Ui) -> f32 {
    let button =
        ui.text_style_height(&egui::TextStyle::Button) + 2.0 * ui.spacing().button_padding.y;
    ui.spacing().interact_size.y.max(button).ceil()
}

/// Your status switch, and the owner's lock.
fn room_controls(ui: &mut Ui, side: RoomSide<'_>) -> Option<MembersAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        let (label, next, hint) = match side.my_status {
            MemberStatus::Away => ("I'm back", MemberStatus::Online, "Show others you are here"),
            _ => (
                "Set away",
                MemberStatus::Away,
                "Show others you are away (also after 5 minutes without input)",
            ),
        };
        if ui.small_button(label).on_hover_text(hint).clicked() {
            action = Some(MembersAction::SetStatus(next));
        }
        if side.i_own {
            let (label, hint) = if side.locked {
                ("Unlock room", "Let anyone with the code join again")
            } else {
                (
                    "Lock room",
                    "Keep newcomers out; people here can still come back",
                )
            };
            if ui.small_button(label).on_hover_text(hint).clicked() {
                action = Some(MembersAction::Lock(!side.locked));
            }
        }
        if side.locked {
            ui.weak("Locked");
        }
    });
    action
}

/// One person, on one line exactly `height` high: dot, name, status words, owner mark,
/// typing pencil; a menu for the rest.
fn member_row(
    ui: &mut Ui,
    entry: &RosterEntry,
    side: RoomSide<'_>,
    typing: &[&Username],
    look: MembersLook,
    height: f32,
) -> Option<MembersAction> {
    let mut action = None;
    let is_me = &entry.name == side.me;
    let status = if is_me && entry.status != MemberStatus::Reconnecting {
        side.my_status
    } else {
        entry.status
    };
    let mut color = if is_me {
        ui.visuals().strong_text_color()
    } else {
        super::name_color(ui, &entry.name)
    };
    if look.stale || status == MemberStatus::Reconnecting || entry.ignored {
        color = ui.visuals().weak_text_color();
    }
    let text = if is_me {
        RichText::new(format!("{} (you)", entry.name))
            .color(color)
            .strong()
    } else {
        RichText::new(entry.name.as_str()).color(color)
    };
    let size = egui::vec2(ui.available_width(), height);
    let line = egui::Layout::left_to_right(egui::Align::Center);
    let row = ui.allocate_ui_with_layout(size, line, |ui| {
        ui.set_min_height(height);
        let dot = if look.stale {
            ui.visuals().weak_text_color()
        } else {
            status_color(ui, status)
        };
        super::dot(ui, dot);
        // The status words and the menu first, at the row's end, so they line up in a
        // column and stay on screen; the name takes the room left, shortened with "…".
        let (name, ()) = Sides::new().shrink_left().truncate().height(height).show(
            ui,
            |ui| {
                let name = egui::Label::new(text).truncate().sense(Sense::click());
                ui.add(name).on_hover_text(entry.name.as_str())
            },
            |ui| {
                if !is_me {
                    action = member_menu_button(ui, entry, side).or(action.take());
                }
                let notes = notes(entry, status, look);
                if !notes.is_empty() {
                    ui.weak(notes.join(" · "));
                }
                if typing.contains(&&entry.name) && !look.stale {
                    let pencil = egui::Label::new(RichText::new(icons::EDIT.to_string()).weak());
                    let pencil = ui.add(pencil.selectable(false)).on_hover_text("Typing…");
                    icons::pictured(pencil, "Typing");
                }
            },
        );
        name
    });
    if !is_me
        && status != MemberStatus::Reconnecting
        && row.inner.on_hover_text("Click to mention").clicked()
    {
        action = Some(MembersAction::Mention(entry.name.clone()));
    }
    action
}

/// What the row says besides the name: the status when not online, owner, ignored.
fn notes(entry: &RosterEntry, status: MemberStatus, look: MembersLook) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if status != MemberStatus::Online && !look.stale {
        notes.push(status.label());
    }
    if entry.owner {
        notes.push("owner");
    }
    if entry.ignored {
        notes.push("ignored");
    }
    notes
}

/// The ··· button at a row's end, and its menu.
fn member_menu_button(
    ui: &mut Ui,
    entry: &RosterEntry,
    side: RoomSide<'_>,
) -> Option<MembersAction> {
    let mut action = None;
    let menu = ui.menu_button(icons::MORE.to_string(), |ui| {
        if let Some(done) = member_menu(ui, entry, side) {
            action = Some(done);
            ui.close();
        }
    });
    let hint = format!("Member actions for {}", entry.name);
    icons::named(menu.response.on_hover_text(&hint), &hint, None);
    action
}

/// What you can do about another member: mention, ignore, and (owner) remove.
fn member_menu(ui: &mut Ui, entry: &RosterEntry, side: RoomSide<'_>) -> Option<MembersAction> {
    let name = &entry.name;
    if entry.status != MemberStatus::Reconnecting && ui.button("Mention").clicked() {
        return Some(MembersAction::Mention(name.clone()));
    }
    let ignore = if entry.ignored {
        ui.button("Stop ignoring")
            .on_hover_text("Show their messages again")
    } else {
        ui.button("Ignore")
            .on_hover_text("Hide their messages, typing and whispers on your screen only")
    };
    if ignore.clicked() {
        return Some(MembersAction::Ignore(name.clone(), !entry.ignored));
    }
    if side.i_own
        && ui
            .button("Remove from room")
            .on_hover_text("Close their connection and keep them out for a while")
            .clicked()
    {
        return Some(MembersAction::Remove(name.clone()));
    }
    None
}

mod sheet;

pub use sheet::{BACKDROP_ALPHA, Sheet, people_sheet};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod long_name_tests;
