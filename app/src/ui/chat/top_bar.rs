//! The chat screen's top bar: the room code, the invite and QR code buttons, the people
//! toggle, the connection's status, the alerts and theme buttons, and Leave. Drawing only; what the
//! person does goes out as [`ChatAction`]s.

use egui::{Align, Color32, Layout, RichText, Ui};

use super::{ChatAction, ChatContext, ChatView};
use crate::state::{Session, Status, Tone};
use crate::ui::icons;

/// The bar above everything. Wide windows get one line (wrapping if a long status needs
/// it). Narrow ones get two fixed lines, the buttons keeping only their icons (the words
/// move to the hover text): a wrapped line would split a status light from its words or
/// push "Leave" off the edge. Every icon is the app's own ([`icons`]) and every
/// icon-only button has an accessible name saying what it does.
pub(super) fn top_bar(
    ui: &mut Ui,
    session: &Session,
    view: &mut ChatView,
    cx: ChatContext<'_>,
    narrow: bool,
    actions: &mut Vec<ChatAction>,
) {
    let right = Layout::right_to_left(Align::Center);
    if narrow {
        ui.horizontal(|ui| {
            room_items(ui, session, view, cx, true, actions);
            ui.with_layout(right, |ui| {
                leave_button(ui, view, cx.hosting.is_some(), actions);
            });
        });
        ui.horizontal(|ui| {
            status_chip(ui, cx, actions);
            ui.with_layout(right, |ui| {
                theme_menu(ui);
                alerts_button(ui, cx, actions);
            });
        });
    } else {
        ui.horizontal_wrapped(|ui| {
            room_items(ui, session, view, cx, false, actions);
            ui.separator();
            status_chip(ui, cx, actions);
            ui.with_layout(right, |ui| {
                leave_button(ui, view, cx.hosting.is_some(), actions);
                theme_menu(ui);
                alerts_button(ui, cx, actions);
            });
        });
    }
}

/// The room code, the invite button and the people toggle.
fn room_items(
    ui: &mut Ui,
    session: &Session,
    view: &mut ChatView,
    cx: ChatContext<'_>,
    narrow: bool,
    actions: &mut Vec<ChatAction>,
) {
    if !narrow {
        ui.weak("Room");
    }
    ui.label(RichText::new(session.room.to_string()).monospace().strong());
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
    let here = if *cx.status == Status::Online {
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
    let preference = ui.ctx().options(|o| o.theme_preference);
    let menu = ui.menu_button(RichText::new(icon.to_string()).size(16.0), |ui| {
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
    });
    icons::named(menu.response.on_hover_text("Theme"), "Theme", None);
}

/// Leave: at once for a guest; while hosting, only after `confirm_leave_ui`.
fn leave_button(ui: &mut Ui, view: &mut ChatView, hosting: bool, actions: &mut Vec<ChatAction>) {
    let button = ui.button(icons::with_words(icons::LOGOUT, "Leave"));
    let button = icons::named(button, "Leave", None);
    let button = if hosting {
        button.on_hover_text("Leaving stops the room for everyone: it runs in this app")
    } else {
        button
    };
    if button.clicked() {
        if hosting {
            view.confirm_leave = true;
        } else {
            actions.push(ChatAction::Leave);
        }
    }
}

/// The connection's state in words ([`Status::label`]): a countdown and "Retry now" while
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
    if let Status::Waiting { reason, .. } = cx.status {
        dot.on_hover_text(format!("Connection lost: {reason}"));
    }
    ui.label(label.text);
    if matches!(cx.status, Status::Waiting { .. }) && ui.small_button("Retry now").clicked() {
        actions.push(ChatAction::ReconnectNow);
    }
}
