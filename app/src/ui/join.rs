//! The join screen: name, room code (or a pasted invite link), server address, and the
//! buttons to create a room, join one, or host one on this computer.

use confab_protocol::{RoomCode, Username};
use egui::{Button, RichText, TextEdit, Ui};
use serde::{Deserialize, Serialize};

use crate::state::Status;

/// The join form. Persisted between runs (all but the room code), so every field has a
/// default: a newer version with more fields still reads an older save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    /// The name to appear under.
    pub username: String,
    /// The room code or invite link, as typed. Not remembered: codes are per conversation.
    #[serde(skip)]
    pub room: String,
    /// The relay's WebSocket address.
    pub server: String,
    /// Where a hosted relay listens (native only).
    pub host_addr: String,
}

impl Default for JoinForm {
    fn default() -> Self {
        Self {
            username: String::new(),
            room: String::new(),
            server: "ws://127.0.0.1:9001".into(),
            host_addr: "0.0.0.0:9001".into(),
        }
    }
}

/// What the user asked for on the join screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinAction {
    /// Create a room on `server`.
    Create {
        /// The validated name.
        name: Username,
        /// The relay address.
        server: String,
    },
    /// Join `room` on `server`.
    Join {
        /// The validated name.
        name: Username,
        /// The validated room code.
        room: RoomCode,
        /// The relay address.
        server: String,
    },
    /// Start a relay on this computer at `bind`, then create a room on it.
    Host {
        /// The validated name.
        name: Username,
        /// The address to listen on.
        bind: String,
    },
    /// Stop connecting.
    Cancel,
}

/// Splits a pasted invite (`ws://host:port/#K7Q-X2M-HDP`) into its server and room code.
/// Anything else is returned as the room text, with no server.
pub fn split_invite(text: &str) -> (Option<String>, &str) {
    let text = text.trim();
    match text.rsplit_once('#') {
        Some((server, code)) if server.starts_with("ws://") || server.starts_with("wss://") => {
            (Some(server.trim_end_matches('/').to_owned()), code)
        }
        _ => (None, text),
    }
}

/// Draws the join screen. `host_note` is set on native builds, where hosting is possible:
/// it says what the hosted relay is doing (empty when there is none).
pub fn join_ui(
    ui: &mut Ui,
    form: &mut JoinForm,
    status: &Status,
    error: Option<&str>,
    host_note: Option<&str>,
) -> Option<JoinAction> {
    let busy = matches!(status, Status::Connecting | Status::Joining);
    let mut action = None;
    ui.vertical_centered(|ui| {
        ui.set_max_width(380.0);
        ui.add_space(24.0);
        ui.heading(RichText::new("Confab").size(28.0));
        ui.label("Group chat, live.");
        ui.add_space(16.0);
    });
    ui.vertical_centered_justified(|ui| {
        ui.set_max_width(380.0);
        ui.add_enabled_ui(!busy, |ui| {
            let name = name_field(ui, form);
            let room = room_field(ui, form);
            let label = super::field_label(ui, "Server address");
            ui.add(TextEdit::singleline(&mut form.server).hint_text("ws://host:9001"))
                .labelled_by(label);
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                let create = ui.add_enabled(name.is_some(), Button::new("Create room"));
                let join = ui.add_enabled(name.is_some() && room.is_some(), Button::new("Join"));
                let server = form.server.trim().to_owned();
                if let Some(name) = name.clone() {
                    if create.clicked() {
                        action = Some(JoinAction::Create {
                            name: name.clone(),
                            server: server.clone(),
                        });
                    }
                    if let Some(room) = room
                        && join.clicked()
                    {
                        action = Some(JoinAction::Join { name, room, server });
                    }
                }
            });
            if let Some(note) = host_note {
                action = host_section(ui, form, name, note).or(action.take());
            }
        });
        if busy {
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(if *status == Status::Joining {
                    "Joining…"
                } else {
                    "Connecting…"
                });
                if ui.button("Cancel").clicked() {
                    action = Some(JoinAction::Cancel);
                }
            });
        }
        if let Some(error) = error {
            ui.add_space(8.0);
            // Centered rather than justified: a justified paragraph spreads its words apart.
            ui.vertical_centered(|ui| ui.colored_label(ui.visuals().error_fg_color, error));
        }
    });
    action
}

fn name_field(ui: &mut Ui, form: &mut JoinForm) -> Option<Username> {
    let label = super::field_label(ui, "Your name");
    ui.add(TextEdit::singleline(&mut form.username).hint_text("e.g. Ann"))
        .labelled_by(label);
    let parsed = Username::parse(&form.username);
    if let Err(e) = &parsed
        && !form.username.is_empty()
    {
        ui.colored_label(ui.visuals().error_fg_color, capitalize(&e.to_string()));
    }
    ui.add_space(6.0);
    parsed.ok()
}

fn room_field(ui: &mut Ui, form: &mut JoinForm) -> Option<RoomCode> {
    let label = super::field_label(ui, "Room code or invite link");
    let edit = ui
        .add(TextEdit::singleline(&mut form.room).hint_text("e.g. K7Q-X2M-HDP"))
        .labelled_by(label);
    if edit.changed()
        && let (Some(server), code) = split_invite(&form.room)
    {
        form.room = code.to_owned();
        form.server = server;
    }
    let parsed = RoomCode::parse(&form.room);
    match &parsed {
        Err(e) if !form.room.trim().is_empty() => {
            ui.colored_label(ui.visuals().error_fg_color, capitalize(&e.to_string()));
        }
        Ok(code) if code.to_string() != form.room.trim() => {
            ui.weak(format!("Room {code}"));
        }
        _ => {}
    }
    ui.add_space(6.0);
    parsed.ok()
}

fn host_section(
    ui: &mut Ui,
    form: &mut JoinForm,
    name: Option<Username>,
    note: &str,
) -> Option<JoinAction> {
    ui.add_space(12.0);
    ui.separator();
    let label = super::field_label(ui, "Host on address");
    ui.add(TextEdit::singleline(&mut form.host_addr))
        .labelled_by(label);
    let host = ui.add_enabled(name.is_some(), Button::new("Host a room on this computer"));
    if !note.is_empty() {
        ui.weak(note);
    }
    let name = name?;
    host.clicked().then(|| JoinAction::Host {
        name,
        bind: form.host_addr.trim().to_owned(),
    })
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
