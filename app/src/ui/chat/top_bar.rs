//! The chat screen's top bar: the room code, the invite and QR code buttons, the people
//! toggle, the connection's status, the alerts and theme buttons, and Leave. Drawing only; what the
//! person does goes out as [`ChatAction`]s.

use egui::{Align, Color32, Layout, RichText, Ui};

use super::{ChatAction, ChatContext, ChatView};
use crate::state::{ConnectionState, Room, Tone};
use crate::ui::icons;

/// The bar above everything. Wide windows get one line (wrapping if a long status needs
/// it). Narrow ones get two fixed lines, the buttons keeping only their icons (the words
/// move to the hover text): a wrapped line would split a status light from its words or
/// push a button off the edge. On a phone the theme and Leave sit in a "More" menu, so
/// the top-right corner (where a thumb reaches first) is never a way out of the room.
/// Leave always asks first ([`confirm_leave_ui`]). Every icon is the app's own
/// ([`icons`]) and every icon-only button has an accessible name saying what it does.
pub(super) fn top_bar(
    ui: &mut Ui,
    session: &Room,
    view: &mut ChatView,
    cx: ChatContext<'_>,
    narrow: bool,
    actions: &mut Vec<ChatAction>,
) {
    let right = Layout::right_to_left(Align::Center);
    if narrow {
        ui.horizontal(|ui| {
            room_items(ui, session, view, cx, true, actions);
            ui.with_layout(right, |ui| more_menu(ui, view));
        });
        ui.horizontal(|ui| {
            status_chip(ui, cx, actions);
            ui.with_layout(right, |ui| alerts_button(ui, cx, actions));
        });
    } else {
        ui.horizontal_wrapped(|ui| {
            room_items(ui, session, view, cx, false, actions);
            ui.separator();
            status_chip(ui, cx, actions);
            ui.with_layout(right, |ui| {
                leave_button(ui, view, cx.hosting.is_some());
                theme_menu(ui);
                alerts_button(ui, cx, actions);
            });
        });
    }
}

/// The room code, the invite button and the people toggle.
fn room_items(
    ui: &mut Ui,
    session: &Room,
    view: &mut ChatView,
    cx: ChatContext<'_>,
    narrow: bool,
    actions: &mut Vec<ChatAction>,
) {
    if !narrow {
        ui.weak("Room");
    }
    ui.label(RichText::new(session.room.to_string()).monospace().strong());
    if session.safety_code.is_some()
        && crate::ui::private_room::private_badge_ui(ui, narrow, view.safety_open)
    {
        view.safety_open = !view.safety_open;
    }
    let time = ui.input(|i| i.time);
    let copied = time < view.copied_until;
    let copy_label = match (copied, narrow) {
        (true, false) => icons::with_words(icons::CHECK, "Copied"),
        (true, true) => icons::CHECK.to_string(),
        (false, false) => icons::with_words(icons::COPY, "Copy invite"),
        (false, true) => icons::COPY.to_string(),
    };
    let copy = ui
        .button(copy_label)
        .on_hover_text("Copy a link others can paste to join");
    let copy = icons::named(
        copy,
        if copied {
            "Invite link copied"
        } else {
            "Copy invite link"
        },
        None,
    );
    if copy.clicked() {
        actions.push(ChatAction::CopyInvite);
        view.copied_until = time + 2.0;
    }
    let qr_label = if narrow {
        icons::QR_CODE.to_string()
    } else {
        icons::with_words(icons::QR_CODE, "QR code")
    };
    let qr = ui
        .selectable_label(view.invite_qr_open, qr_label)
        .on_hover_text("Show the invite as a QR code a phone camera opens");
    if icons::named(qr, "Show invite QR code", Some(view.invite_qr_open)).clicked() {
        view.invite_qr_open = !view.invite_qr_open;
    }
    let count = session.members.len();
    let here = if *cx.status == ConnectionState::Online {
        format!("{count} here")
    } else {
        format!("{count} last seen")
    };
    let people = if narrow {
        icons::with_words(icons::GROUP, &count.to_string())
    } else {
        icons::with_words(icons::GROUP, &here)
    };
    let toggle = ui
        .selectable_label(view.members_open, people)
        .on_hover_text("Show or hide the people panel");
    let toggle = icons::named(
        toggle,
        &format!("Show people, {here}"),
        Some(view.members_open),
    );
    if toggle.clicked() {
        view.members_open = !view.members_open;
    }
}

/// Alerts on or off: a system notification (and a chime, where one can play) when you are
/// mentioned or whispered to while Confab is in the background. Its hover text and name
/// say which it is now; turning it on is the click that asks the browser for permission.
fn alerts_button(ui: &mut Ui, cx: ChatContext<'_>, actions: &mut Vec<ChatAction>) {
    let sound = if crate::chime::AVAILABLE {
        " and a chime"
    } else {
        ""
    };
    let (bell, hint, name) = if cx.alerts_on {
        (
            icons::BELL,
            format!(
                "Alerts on: a notification{sound} when you are mentioned or whispered to \
                 while Confab is in the background. Click to turn them off."
            ),
            "Turn alerts off",
        )
    } else {
        (
            icons::BELL_OFF,
            format!(
                "Alerts off. Click for a notification{sound} when you are mentioned or \
                 whispered to while Confab is in the background."
            ),
            "Turn alerts on",
        )
    };
    let hint = if cx.notifications_blocked {
        format!(
            "{hint}\nNotifications are blocked for this page: allow them in the browser's \
             site settings."
        )
    } else {
        hint
    };
    let button = ui.button(RichText::new(bell.to_string()).size(16.0));
    if icons::named(button.on_hover_text(hint), name, None).clicked() {
        actions.push(ChatAction::ToggleAlerts);
    }
}

/// The theme, in a small menu (follow the system, dark, light): the bar keeps one
/// button for it, showing the theme in use.
fn theme_menu(ui: &mut Ui) {
    let icon = if ui.visuals().dark_mode {
        icons::DARK_MODE
    } else {
        icons::LIGHT_MODE
    };
    let menu = ui.menu_button(RichText::new(icon.to_string()).size(16.0), theme_choices);
    icons::named(menu.response.on_hover_text("Theme"), "Theme", None);
}

/// A phone's "More" menu: the theme and Leave (which asks first).
fn more_menu(ui: &mut Ui, view: &mut ChatView) {
    let menu = ui.menu_button(RichText::new(icons::MORE.to_string()).size(16.0), |ui| {
        ui.label(RichText::new("Theme").weak());
        theme_choices(ui);
        ui.separator();
        let leave = ui.button(icons::with_words(icons::LOGOUT, "Leave room…"));
        if icons::named(leave, "Leave room", None).clicked() {
            view.confirm_leave = true;
            ui.close();
        }
    });
    let more = "More: theme, leave the room";
    icons::named(menu.response.on_hover_text(more), "More", None);
}

/// The theme choices (follow the system, dark, light), the one in use selected.
fn theme_choices(ui: &mut Ui) {
    let preference = ui.ctx().options(|o| o.theme_preference);
    {
        let choices = [
            (
                egui::ThemePreference::System,
                icons::AUTO_THEME,
                "Follow the system",
            ),
            (egui::ThemePreference::Dark, icons::DARK_MODE, "Dark"),
            (egui::ThemePreference::Light, icons::LIGHT_MODE, "Light"),
        ];
        for (choice, icon, words) in choices {
            let item = ui.selectable_label(preference == choice, icons::with_words(icon, words));
            if icons::named(item, words, Some(preference == choice)).clicked() {
                ui.ctx().set_theme(choice);
                ui.close();
            }
        }
    }
}

/// Leave, which asks first ([`confirm_leave_ui`]): one stray click must not drop you out
/// of a conversation (or, while hosting, end it for everyone).
fn leave_button(ui: &mut Ui, view: &mut ChatView, hosting: bool) {
    let button = ui.button(icons::with_words(icons::LOGOUT, "Leave"));
    let button = icons::named(button, "Leave", None);
    let hint = if hosting {
        "Leaving stops the room for everyone: it runs in this app"
    } else {
        "Leave this room (asks first)"
    };
    if button.on_hover_text(hint).clicked() {
        view.confirm_leave = true;
    }
}

/// Asks before leaving `room`. While hosting, leaving stops the room for everyone (the
/// relay runs in this app); a guest is told how to come back. Returns
/// [`ChatAction::Leave`] once confirmed; Stay, Esc or a click outside close it.
pub(super) fn confirm_leave_ui(
    ui: &Ui,
    open: &mut bool,
    hosting: bool,
    room: &confab_protocol::RoomCode,
) -> Option<ChatAction> {
    let (title, words, button) = if hosting {
        (
            "Stop the room for everyone?".to_owned(),
            "This room runs on this computer. Leaving stops it: everyone in it is \
             disconnected and the conversation ends."
                .to_owned(),
            "Leave and stop the room",
        )
    } else {
        (
            format!("Leave {room}?"),
            format!(
                "You stop getting its messages. To come back while others are still in it, \
                 join with the code {room}."
            ),
            "Leave the room",
        )
    };
    let mut action = None;
    let modal = egui::Modal::new(egui::Id::unique("confirm_leave")).show(ui.ctx(), |ui| {
        ui.set_max_width(340.0);
        ui.heading(title);
        ui.add_space(4.0);
        ui.add(egui::Label::new(words).wrap());
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let leave = egui::Button::new(RichText::new(button).color(ui.visuals().error_fg_color));
            if ui.add(leave).clicked() {
                action = Some(ChatAction::Leave);
            }
            if ui.button("Stay").clicked() {
                *open = false;
            }
        });
    });
    if modal.should_close() || action.is_some() {
        *open = false;
    }
    action
}

/// The connection's state in words ([`ConnectionState::label`]): a countdown and "Retry now" while
/// waiting to reconnect, the reason on the dot's hover.
fn status_chip(ui: &mut Ui, cx: ChatContext<'_>, actions: &mut Vec<ChatAction>) {
    let label = cx.status.label(cx.now);
    let color = match label.tone {
        Tone::Good => Color32::from_rgb(60, 170, 90),
        Tone::Trying => Color32::from_rgb(230, 160, 40),
        Tone::Lost => Color32::from_rgb(220, 70, 60),
        Tone::Idle => Color32::GRAY,
    };
    let dot = crate::ui::dot(ui, color);
    // The light is the connection's status for screen readers too: a status node that is
    // read out when it changes, not only a painted dot beside some words.
    let status = format!("Connection: {}", label.text);
    dot.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Status, true, &status));
    dot.ctx.accesskit_node_builder(dot.id, |node| {
        node.set_label(status.as_str());
        node.set_live(egui::accesskit::Live::Polite);
    });
    if let ConnectionState::Waiting { reason, .. } = cx.status {
        dot.on_hover_text(format!("Connection lost: {reason}"));
    }
    ui.label(label.text);
    if matches!(cx.status, ConnectionState::Waiting { .. })
        && ui.small_button("Retry now").clicked()
    {
        actions.push(ChatAction::ReconnectNow);
    }
}
