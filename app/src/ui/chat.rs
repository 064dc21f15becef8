//! The chat screen's frame: a top bar (room, invite, people count, connection, Leave), the
//! people panel (collapsible, closed by default on narrow windows), the message list and
//! the composer. It gathers what the user did into [`ChatAction`]s.
//!
//! # Layout
//! - `top_bar`: the room code, invite, QR code, people, connection, alerts, theme, Leave.
//! - `empty_room`: the welcome (with the invite) before the first message.
//! - `conversation`: a message's menu, reactions and delete question.
//! - `room_lines`: the hosting line, the ended-room card, the remove question.

use egui::{CentralPanel, Panel, Ui};
use web_time::Instant;

use super::attachment::{AttachmentAction, Media, attach_path_ui, uploads_ui, viewer_ui};
use super::composer::{ComposerAction, ComposerView, composer_ui};
use super::link_prompt::link_prompt_ui;
use super::members::{MembersAction, MembersLook, RoomSide, members_ui, people_sheet};
use super::message_actions::RowAction;
use super::messages::{MessageList, messages_ui};
use super::row::Rows;
use crate::pictures::Pictures;
use crate::state::presence::typing_line;
use crate::state::{ConnectionState, MessageAction, Room};
use empty_room::{EmptyAction, empty_room_ui};
use room_lines::{confirm_remove_ui, ended_ui, hosting_line};

/// The people panel's width (points) until resized: a name of a few letters keeps its
/// whole name beside "reconnecting" and the ··· menu (at 180 "layla" became "la…").
const PEOPLE_WIDTH: f32 = 210.0;

/// Below this width (points) the people panel starts closed.
const NARROW: f32 = 640.0;

/// What the chat screen remembers between frames (view state only).
#[derive(Debug, Default)]
pub struct ChatView {
    /// Whether the people panel is open.
    pub members_open: bool,
    /// Whether the last frame was narrow, to re-decide `members_open` when that changes.
    was_narrow: Option<bool>,
    /// The message list's scroll and height cache.
    pub list: MessageList,
    /// A clicked link waiting for confirmation.
    pub pending_link: Option<String>,
    /// The composer's view state (IME, focus on opening).
    pub composer: ComposerView,
    /// Until when (egui time, s) the invite button says "Copied".
    pub(super) copied_until: f64,
    /// Whether the invite's QR code is shown.
    pub invite_qr_open: bool,
    /// Whether a private room's safety code window is shown.
    pub safety_open: bool,
    /// Leave was pressed while hosting: asking whether to stop the room for everyone.
    pub confirm_leave: bool,
    /// The owner chose to remove this member: asking first.
    pub confirm_remove: Option<confab_protocol::Username>,
    /// The picture shown larger, until Esc, Close or a click outside.
    pub viewer: Option<Box<confab_protocol::Attachment>>,
    /// The path typed to attach a file natively (where no file dialog opens), while that
    /// field is open.
    pub attach_path: Option<String>,
    /// What is open for one message: its menu, reactions to pick, or a delete to confirm.
    pub message: conversation::Open,
}

/// What the user did on the chat screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatAction {
    /// Leave the room.
    Leave,
    /// Put the room's invite on the clipboard (the app writes it: it knows the relay and
    /// the page).
    CopyInvite,
    /// Send the draft.
    Send,
    /// The draft now reads this.
    Edit(String),
    /// Open this (confirmed) link.
    OpenLink(String),
    /// Skip the reconnect wait.
    ReconnectNow,
    /// Turn alerts (notifications and the chime) for mentions and whispers on or off.
    ToggleAlerts,
    /// Mention this member in the draft (clicked in the people list).
    Mention(confab_protocol::Username),
    /// The room ended: create a new one to carry on in (and copy its invite).
    NewRoom,
    /// Set your own status.
    SetStatus(confab_protocol::MemberStatus),
    /// Ignore this member on this screen (`true`), or stop.
    Ignore(confab_protocol::Username, bool),
    /// The owner removes this member (confirmed).
    Remove(confab_protocol::Username),
    /// The owner locks (`true`) or unlocks the room.
    Lock(bool),
    /// The 📎 button: choose a file to attach.
    ChooseFile,
    /// Attach the file at this path (native: the path field beside the composer).
    AttachPath(String),
    /// Stop this upload (its `client_id`).
    CancelUpload(confab_protocol::ClientId),
    /// Send a smaller copy of the picture refused for its size (the offer's number).
    SendSmaller(u64),
    /// Something done with an attachment in the list.
    Attachment(AttachmentAction),
    /// Something done to a message: reply, react, edit, delete.
    Message(MessageAction),
}

/// Everything the chat screen reads besides the session.
#[derive(Debug, Clone, Copy)]
pub struct ChatContext<'a> {
    /// Where the connection is at.
    pub status: &'a ConnectionState,
    /// The invite link to this room (written by `confab_protocol::Invite::link`), shown to
    /// a host as the link others join with.
    pub invite_link: &'a str,
    /// Where others join, when this app hosts the relay (leaving then stops the room).
    pub hosting: Option<&'a str>,
    /// Whether mentions and whispers in the background raise a system notification (and
    /// ring, where a chime can play).
    pub alerts_on: bool,
    /// Whether this browser blocks notifications for the page (or has none): the bell
    /// says so, since turning alerts on cannot change it.
    pub notifications_blocked: bool,
    /// The current time, for typing hints and the reconnect countdown.
    pub now: Instant,
    /// Your own status, as others will see it.
    pub my_status: confab_protocol::MemberStatus,
    /// Uploads under way (for their progress bars) and where downloads are at, if any.
    pub attachments: Option<&'a crate::state::Attachments>,
}

/// Draws the chat screen; attached pictures come from the app's `pictures`.
pub fn chat_ui(
    ui: &mut Ui,
    session: &Room,
    view: &mut ChatView,
    cx: ChatContext<'_>,
    pictures: &mut Pictures,
) -> Vec<ChatAction> {
    let mut actions = Vec::new();
    let narrow = ui.available_width() < NARROW;
    if view.was_narrow != Some(narrow) {
        view.members_open = !narrow;
        view.was_narrow = Some(narrow);
    }
    let was_open = view.members_open;
    let top = Panel::top("top_bar").show(ui, |ui| {
        ui.add_space(4.0);
        top_bar::top_bar(ui, session, view, cx, narrow, &mut actions);
        ui.add_space(2.0);
    });
    let just_opened = !was_open && view.members_open;
    if let Some(at) = cx.hosting {
        Panel::top("hosting").show(ui, |ui| hosting_line(ui, at, cx.invite_link));
    }

    // While offline the roster is only the last one seen and typing hints are not live.
    let stale = *cx.status != ConnectionState::Online;
    let typing = if stale {
        vec![]
    } else {
        session.typing.active(cx.now)
    };
    let roster = session.roster();
    let side = RoomSide {
        me: &session.me,
        my_status: cx.my_status,
        i_own: session.i_own_the_room(),
        locked: session.room_state.locked,
    };
    let mut people = None;
    if !narrow {
        let look = MembersLook {
            closable: false,
            stale,
        };
        Panel::right("people")
            .resizable(true)
            .default_size(PEOPLE_WIDTH)
            .show_collapsible(ui, &mut view.members_open, |ui| {
                people = members_ui(ui, roster, side, &typing, look);
            });
    }

    let line = typing_line(&typing);
    let online = *cx.status == ConnectionState::Online;
    Panel::bottom("composer").show(ui, |ui| {
        if let ConnectionState::Ended { reason } = cx.status {
            if let Some(action) = ended_ui(ui, reason) {
                actions.push(action);
            }
            return;
        }
        let members = &session.members;
        view.composer.max_chars = session.limits.max_text_chars;
        view.composer.mode = conversation::composer_mode(session);
        view.composer.no_files =
            (session.safety_code.as_ref()).map(|_| crate::state::private::NO_FILES);
        let done = composer_ui(
            ui,
            &session.composer,
            members,
            &session.me,
            line.as_deref(),
            online,
            &mut view.composer,
        );
        if done.contains(&ComposerAction::EditLast) {
            view.composer.focus = true; // the cursor goes to the end of the text to edit
        }
        actions.extend(done.into_iter().map(|action| match action {
            ComposerAction::Send => ChatAction::Send,
            ComposerAction::Edit(text) => ChatAction::Edit(text),
            ComposerAction::Attach => ChatAction::ChooseFile,
            ComposerAction::CancelReply => ChatAction::Message(MessageAction::CancelReply),
            ComposerAction::CancelEdit => ChatAction::Message(MessageAction::CancelEdit),
            ComposerAction::EditLast => ChatAction::Message(MessageAction::EditLast),
        }));
        if let Some(path) = attach_path_ui(ui, &mut view.attach_path) {
            actions.push(ChatAction::AttachPath(path));
        }
        if let Some(upload) = uploads_ui(ui, cx.attachments) {
            actions.push(ChatAction::CancelUpload(upload));
        }
        ui.add_space(4.0);
    });

    let mut media = Media::new(pictures, cx.attachments);
    CentralPanel::default().show(ui, |ui| {
        let rows = rows_of(session);
        view.list.look.narrow = narrow;
        if rows.entries.is_empty() {
            let time = ui.input(|i| i.time);
            match empty_room_ui(ui, cx.invite_link, time < view.copied_until) {
                Some(EmptyAction::CopyInvite) => {
                    actions.push(ChatAction::CopyInvite);
                    view.copied_until = time + 2.0;
                }
                Some(EmptyAction::ShowQr) => view.invite_qr_open = true,
                None => {}
            }
        } else if let Some(action) = messages_ui(ui, &mut view.list, rows, &mut media) {
            row_action(view, rows, action, &mut actions);
        }
    });
    if let Some(action) = conversation::open_ui(ui, session, &mut view.message, online) {
        row_action(view, rows_of(session), action, &mut actions);
    }
    if narrow && view.members_open {
        let look = MembersLook {
            closable: true,
            stale,
        };
        let sheet = people_sheet(
            ui,
            (roster, side),
            &typing,
            look,
            top.response.rect.bottom(),
        );
        if sheet.clicked_elsewhere && !just_opened {
            view.members_open = false;
        }
        people = sheet.action.or(people);
    }
    match people {
        Some(MembersAction::Mention(name)) => {
            actions.push(ChatAction::Mention(name));
            view.composer.focus = true;
            if narrow {
                view.members_open = false;
            }
        }
        Some(MembersAction::Close) => view.members_open = false,
        Some(MembersAction::SetStatus(status)) => actions.push(ChatAction::SetStatus(status)),
        Some(MembersAction::Ignore(name, ignore)) => actions.push(ChatAction::Ignore(name, ignore)),
        Some(MembersAction::Remove(name)) => view.confirm_remove = Some(name),
        Some(MembersAction::Lock(locked)) => actions.push(ChatAction::Lock(locked)),
        None => {}
    }
    if let Some(action) = confirm_remove_ui(ui, &mut view.confirm_remove) {
        actions.push(action);
    }
    if view.confirm_leave
        && let Some(action) = top_bar::confirm_leave_ui(
            ui,
            &mut view.confirm_leave,
            cx.hosting.is_some(),
            &session.room,
        )
    {
        actions.push(action);
    }
    if view.safety_open
        && let Some(code) = &session.safety_code
    {
        super::private_room::safety_window_ui(ui, code, &mut view.safety_open);
    }
    if view.invite_qr_open {
        super::invite_qr::invite_window_ui(ui, cx.invite_link, &mut view.invite_qr_open);
    }
    if let Some(url) = link_prompt_ui(ui, &mut view.pending_link) {
        actions.push(ChatAction::OpenLink(url));
    }
    if let Some(about) = &view.viewer
        && !viewer_ui(ui.ctx(), about, &mut media)
    {
        view.viewer = None;
    }
    for action in media.actions {
        match action {
            AttachmentAction::Open(about) => view.viewer = Some(about),
            other => actions.push(ChatAction::Attachment(other)),
        }
    }
    actions
}

/// The rows of `session`'s list.
fn rows_of(session: &Room) -> Rows<'_> {
    Rows {
        entries: session.timeline.entries(),
        me: &session.me,
        i_own: session.i_own_the_room(),
    }
}

/// Carries out what was done with a row: view matters here, the rest for the model.
fn row_action(
    view: &mut ChatView,
    rows: Rows<'_>,
    action: RowAction,
    actions: &mut Vec<ChatAction>,
) {
    match action {
        RowAction::OpenLink(url) => view.pending_link = Some(url),
        RowAction::Message(action) => {
            if matches!(action, MessageAction::Reply(_) | MessageAction::Edit(_)) {
                view.composer.focus = true;
            }
            actions.push(ChatAction::Message(action));
        }
        RowAction::JumpTo(seq) => {
            view.list.show(seq, rows.entries);
        }
        RowAction::PickReaction { seq, at } => {
            view.message = conversation::Open::React {
                seq,
                at,
                fresh: true,
            };
        }
        RowAction::AskDelete(seq) => view.message = conversation::Open::ConfirmDelete(seq),
        RowAction::OpenMenu(seq) => view.message = conversation::Open::Menu(seq),
        RowAction::SendSmaller(offer) => actions.push(ChatAction::SendSmaller(offer)),
    }
}

mod conversation;
pub(super) mod empty_room;
mod room_lines;
mod top_bar;

#[cfg(test)]
mod tests;
