//! The join screen: name, room code (or a pasted invite link), server address, and the
//! buttons to create a room, join one, or host one on this computer.

use crate::state::words::capitalize;
use confab_protocol::private::RoomKey;
use confab_protocol::{Invite, RoomCode, Username};
use egui::{Align, Button, Frame, Label, Layout, Margin, RichText, ScrollArea, TextEdit, Ui, vec2};
use serde::{Deserialize, Serialize};

use crate::state::ConnectionState;

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
    /// Whether the "Advanced" disclosure (server address, hosting) is open. Closed for a
    /// guest, who only needs a name and the code (or link) they were given.
    pub advanced: bool,
    /// Whether "Create room" makes a private (end-to-end encrypted) room. On by default.
    pub private: bool,
}

impl Default for JoinForm {
    fn default() -> Self {
        Self {
            username: String::new(),
            room: String::new(),
            server: "ws://127.0.0.1:9001".into(),
            host_addr: "0.0.0.0:9001".into(),
            advanced: false,
            private: true,
        }
    }
}

impl JoinForm {
    /// Fills in the room, and the server when the invite names one (a pasted link, or the
    /// link the app was opened with). A private room's key stays after the code
    /// (`CODE.<key>`), which is what Join reads it from.
    pub fn take_invite(&mut self, invite: &Invite) {
        self.room = match &invite.key {
            Some(key) => format!("{}.{}", invite.code, key.encode()),
            None => invite.code.to_string(),
        };
        if let Some(relay) = &invite.relay {
            self.server.clone_from(relay);
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
        /// A private (end-to-end encrypted) room.
        private: bool,
    },
    /// Join `room` on `server`.
    Join {
        /// The validated name.
        name: Username,
        /// The validated room code.
        room: RoomCode,
        /// The relay address.
        server: String,
        /// A private room's key, from its invite link; `None` for a code alone.
        key: Option<RoomKey>,
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

/// Widest the form gets: a comfortable line for names and addresses.
const CARD_WIDTH: f32 = 380.0;

/// Draws the join screen. `host_note` is set on native builds, where hosting is possible:
/// it says what the hosted relay is doing (empty when there is none).
///
/// The form sits on a card in the middle of the window (scrolling when the window is too
/// short), labels left-aligned above full-width fields.
pub fn join_ui(
    ui: &mut Ui,
    form: &mut JoinForm,
    status: &ConnectionState,
    error: Option<&str>,
    host_note: Option<&str>,
) -> Option<JoinAction> {
    let mut action = None;
    // egui lays out top to bottom in one pass, so centring vertically uses the height the
    // content had last frame (an estimate on the first one).
    let height_id = ui.make_persistent_id("join_screen_height");
    let last_height: f32 = ui.data(|d| d.get_temp(height_id)).unwrap_or(480.0);
    ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        let top = ((ui.available_height() - last_height) / 2.0).max(12.0);
        ui.add_space(top);
        let content = ui.vertical_centered(|ui| {
            ui.heading(RichText::new("Confab").size(30.0).strong());
            ui.weak("Group chat, live.");
            ui.add_space(14.0);
            let width = CARD_WIDTH.min(ui.available_width() - 32.0);
            Frame::group(ui.style())
                .fill(ui.visuals().faint_bg_color)
                .corner_radius(10)
                .inner_margin(Margin::same(18))
                .show(ui, |ui| {
                    ui.set_width(width);
                    ui.with_layout(Layout::top_down_justified(Align::Min), |ui| {
                        action = form_ui(ui, form, status, error, host_note);
                    });
                });
        });
        let height = content.response.rect.height();
        ui.data_mut(|d| d.insert_temp(height_id, height));
    });
    action
}

/// The fields and buttons inside the card.
fn form_ui(
    ui: &mut Ui,
    form: &mut JoinForm,
    status: &ConnectionState,
    error: Option<&str>,
    host_note: Option<&str>,
) -> Option<JoinAction> {
    let busy = matches!(
        status,
        ConnectionState::Connecting | ConnectionState::Joining
    );
    let mut action = None;
    ui.add_enabled_ui(!busy, |ui| {
        let name = name_field(ui, form);
        let room = room_field(ui, form);
        // Between the fields and the buttons, so the keyboard order stays name, room,
        // (Advanced), Create room, Join.
        advanced_ui(ui, form, host_note.is_some());
        ui.add_space(6.0);
        private_choice(ui, form);
        ui.add_space(10.0);
        action = buttons(ui, form, name.as_ref(), room);
        if let Some(note) = host_note
            && (form.advanced || !note.is_empty())
        {
            action = host_section(ui, form, name, note).or(action.take());
        }
    });
    if busy {
        ui.add_space(10.0);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(if *status == ConnectionState::Joining {
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
        ui.add_space(10.0);
        ui.add(Label::new(RichText::new(error).color(ui.visuals().error_fg_color)).wrap());
    }
    action
}

/// Padding inside the text fields: taller fields are easier to hit and read.
const FIELD_MARGIN: Margin = Margin::symmetric(8, 6);

/// "Create room" and "Join", side by side and equally wide. The one that fits what was
/// typed (a room code: Join; none: Create room) is drawn as the primary button.
fn buttons(
    ui: &mut Ui,
    form: &JoinForm,
    name: Option<&Username>,
    room: Option<Invite>,
) -> Option<JoinAction> {
    let mut action = None;
    let server = form.server.trim().to_owned();
    ui.horizontal(|ui| {
        let half = (ui.available_width() - ui.spacing().item_spacing.x) / 2.0;
        let size = vec2(half, 32.0);
        let primary = |text: &str, is_primary: bool| {
            let visuals = ui.visuals();
            if is_primary {
                Button::new(RichText::new(text).color(visuals.selection.stroke.color))
                    .fill(visuals.selection.bg_fill)
                    .min_size(size)
            } else {
                Button::new(text).min_size(size)
            }
        };
        let create_button = primary("Create room", room.is_none());
        let join_button = primary("Join", room.is_some());
        let create = ui.add_enabled(name.is_some(), create_button);
        let join = ui.add_enabled(name.is_some() && room.is_some(), join_button);
        // Enter in the name, room or server field presses the primary button.
        let enter = ui
            .data_mut(|d| d.remove_temp::<bool>(egui::Id::unique(ENTER_ID)))
            .unwrap_or(false);
        let Some(name) = name.cloned() else { return };
        if create.clicked() || (enter && room.is_none()) {
            action = Some(JoinAction::Create {
                name: name.clone(),
                server: server.clone(),
                private: form.private,
            });
        }
        if let Some(invite) = room
            && (join.clicked() || enter)
        {
            action = Some(JoinAction::Join {
                name,
                room: invite.code,
                server,
                key: invite.key,
            });
        }
    });
    action
}

/// Where [`note_enter`] leaves word for [`buttons`] that Enter was pressed in a field.
const ENTER_ID: &str = "join-form-enter";

/// Notes that `field` was left with Enter (egui's single-line fields give up the focus on
/// Enter), for [`buttons`], drawn after the fields, to press the primary button.
fn note_enter(ui: &Ui, field: &egui::Response) {
    if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        ui.data_mut(|d| d.insert_temp(egui::Id::unique(ENTER_ID), true));
    }
}

/// A single-line field that screen readers and tests find by its `label`, as wide as the
/// card (also inside "Advanced", whose layout would otherwise give it egui's default).
fn field(ui: &mut Ui, label: egui::Id, text: &mut String, hint: &str) -> egui::Response {
    ui.add(
        TextEdit::singleline(text)
            .hint_text(hint)
            .margin(FIELD_MARGIN)
            .desired_width(ui.available_width()),
    )
    .labelled_by(label)
}

fn name_field(ui: &mut Ui, form: &mut JoinForm) -> Option<Username> {
    let label = super::field_label(ui, "Your name");
    let response = field(ui, label, &mut form.username, "e.g. Ann");
    note_enter(ui, &response);
    // Focus the name once, when the join screen first shows with no name yet: the first
    // thing a new person does is type it. Later frames leave the focus where they put it.
    let asked = response.id.with("focused once");
    if !ui.data(|d| d.get_temp::<bool>(asked).unwrap_or(false)) {
        ui.data_mut(|d| d.insert_temp(asked, true));
        if form.username.is_empty() {
            response.request_focus();
        }
    }
    let parsed = Username::parse(&form.username);
    if let Err(e) = &parsed
        && !form.username.is_empty()
    {
        ui.colored_label(ui.visuals().error_fg_color, capitalize(&e.to_string()));
    }
    ui.add_space(8.0);
    parsed.ok()
}

fn room_field(ui: &mut Ui, form: &mut JoinForm) -> Option<Invite> {
    // The code as the relay will read it goes on the label's line, not below the field, so
    // typing a code does not push the rest of the form down.
    let parsed = Invite::parse(&form.room);
    let label = ui
        .horizontal(|ui| {
            let label = super::field_label(ui, "Room code or invite link");
            if let Ok(invite) = &parsed
                && invite.code.to_string() != form.room.trim()
            {
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    ui.label(RichText::new(invite.code.to_string()).monospace().weak());
                    if invite.key.is_some() {
                        let words = super::icons::with_words(super::icons::LOCK, "private");
                        ui.label(RichText::new(words).weak()).on_hover_text(
                            "The link holds the room's key: messages are end-to-end encrypted",
                        );
                    }
                });
            }
            label
        })
        .inner;
    let hint = "e.g. K7Q-X2M-HDP (empty to create one)";
    let edit = field(ui, label, &mut form.room, hint);
    note_enter(ui, &edit);
    // A pasted link becomes its code, and its relay the server (every form: Invite::parse).
    if edit.changed()
        && let Ok(invite) = Invite::parse(&form.room)
        && (invite.relay.is_some() || form.room.contains(':'))
    {
        form.take_invite(&invite);
    }
    let parsed = Invite::parse(&form.room);
    if let Err(e) = &parsed
        && !form.room.trim().is_empty()
    {
        ui.colored_label(ui.visuals().error_fg_color, capitalize(&e.to_string()));
    }
    ui.add_space(8.0);
    parsed.ok()
}

/// Whether "Create room" makes a private room: a room its invite link opens, whose
/// messages the server relays without being able to read them.
fn private_choice(ui: &mut Ui, form: &mut JoinForm) {
    ui.checkbox(&mut form.private, "Private (end-to-end encrypted)")
        .on_hover_text(
            "Create room makes a room that only its invite link opens: the link holds \
             the key, and the server passes on messages it cannot read.",
        );
}

/// The "Advanced" disclosure: a guest never needs what is behind it (the web page already
/// knows its relay, and only a native build can host).
fn advanced_ui(ui: &mut Ui, form: &mut JoinForm, can_host: bool) {
    let hint = if can_host {
        "The server address, and hosting a room on this computer"
    } else {
        "The server address"
    };
    let shown = egui::CollapsingHeader::new(RichText::new("Advanced").weak())
        .open(Some(form.advanced))
        .show_unindented(ui, |ui| {
            let label = super::field_label(ui, "Server address");
            let server = field(
                ui,
                label,
                &mut form.server,
                "ws://host:9001 (several: a, b)",
            );
            note_enter(ui, &server);
        });
    if shown.header_response.on_hover_text(hint).clicked() {
        form.advanced = !form.advanced;
    }
}

fn host_section(
    ui: &mut Ui,
    form: &mut JoinForm,
    name: Option<Username>,
    note: &str,
) -> Option<JoinAction> {
    ui.add_space(14.0);
    ui.separator();
    ui.add_space(6.0);
    let label = super::field_label(ui, "Host on address");
    field(ui, label, &mut form.host_addr, "");
    ui.add_space(4.0);
    // In a row, so the words sit in the middle like the buttons above (a justified
    // layout would put them at the left edge).
    let host = ui
        .horizontal(|ui| {
            let size = vec2(ui.available_width(), 30.0);
            let button = Button::new("Host a room on this computer").min_size(size);
            ui.add_enabled(name.is_some(), button)
        })
        .inner;
    if !note.is_empty() {
        ui.add(Label::new(RichText::new(note).weak()).wrap());
    }
    let name = name?;
    host.clicked().then(|| JoinAction::Host {
        name,
        bind: form.host_addr.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests;
