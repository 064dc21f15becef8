//! [`ConfabApp`]: the eframe glue. It drains the socket into the model in `logic`, draws
//! the current screen in `ui`, and applies what the user did after drawing. The rules
//! live in [`crate::state`]; the socket in [`crate::net`]; the drawing in [`crate::ui`].

use confab_protocol::{Invite, Username};
use eframe::egui::{self, CentralPanel, OpenUrl, ViewportCommand};

use crate::files::Files;
use crate::net::{Net, NetEvent};
use crate::notifier::Notifier;
use crate::pictures::Pictures;
use crate::platform::{HostSlot, PrefsStore};
pub use crate::prefs::Prefs;
use crate::state::{ConnectionState, Effect, Intent, Model, Now, Purpose};
use crate::ui::attachment::AttachmentAction;
use crate::ui::chat::{ChatAction, ChatContext, ChatView, chat_ui};
use crate::ui::join::{JoinAction, join_ui};

/// The Confab client.
///
/// For tests (including end-to-end ones across crates), build it in an `egui_kittest`
/// harness: `Harness::builder().build_eframe(|cc| ConfabApp::new(cc))`, fill the join form
/// by label ("Your name", "Room code or invite link", "Server address"), click "Join" or
/// "Create room", then `step()` with short sleeps until
/// `*harness.state().model().status() == ConnectionState::Online`. [`ConfabApp::with_net`] takes a
/// scripted [`Net`] instead of real sockets.
pub struct ConfabApp {
    model: Model,
    net: Net,
    prefs: Prefs,
    /// Where `prefs` are kept between runs (eframe's storage, or `localStorage`).
    prefs_store: PrefsStore,
    chat_view: ChatView,
    /// The last window title sent, so it is only sent when it changes.
    title: String,
    /// Files read, pictures decoded and attachments saved (see `files.rs`).
    files: Files,
    /// Decoded attached pictures and their bytes, which the chat view reads.
    pictures: Pictures,
    /// Shows the system notifications the model asks for.
    notifier: Notifier,
    /// The relay this app runs for "Host a room on this computer" (a slot that hosts
    /// nothing where the build cannot).
    host: HostSlot,
}

impl ConfabApp {
    /// Builds the app with real WebSockets, restoring saved preferences.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let ctx = cc.egui_ctx.clone();
        Self::with_net(cc, Net::websocket(move || ctx.request_repaint()))
    }

    /// Builds the app on a given [`Net`] (tests pass a scripted one).
    pub fn with_net(cc: &eframe::CreationContext<'_>, net: Net) -> Self {
        crate::ui::fonts::install(&cc.egui_ctx);
        // Fields, buttons and text with enough contrast on both themes.
        cc.egui_ctx
            .set_visuals_of(egui::Theme::Light, crate::ui::palette::light_visuals());
        cc.egui_ctx
            .set_visuals_of(egui::Theme::Dark, crate::ui::palette::dark_visuals());
        // The web also takes its relay and room from the page's address (see `web_link`).
        let (prefs_store, prefs) = PrefsStore::load(cc);
        let now = Now::current();
        let seed = crate::platform::jitter_seed(now.wall_ms);
        Self {
            model: Model::new(seed, now),
            net,
            prefs,
            prefs_store,
            chat_view: ChatView::default(),
            title: String::new(),
            files: Files::new(&cc.egui_ctx),
            pictures: Pictures::default(),
            notifier: Notifier,
            host: HostSlot::default(),
        }
    }

    /// Opens on the join screen with `invite`'s room (and relay, when it names one) filled
    /// in: the link the app was started with ([`crate::launch`]). `None` changes nothing.
    pub fn with_invite(mut self, invite: Option<Invite>) -> Self {
        if let Some(invite) = invite {
            self.prefs.form.take_invite(&invite);
        }
        self
    }

    /// The client model (status, session, timeline), for tests and embedders.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Never opens the desktop's file dialogs: 📎 says `why` and offers its path field, and
    /// Save writes into the Downloads folder, as on a machine where no dialog can open.
    /// For tests (a dialog would wait for a person) and embedders without a desktop. The
    /// web has no such dialogs: nothing changes there.
    pub fn without_file_dialogs(&mut self, why: &str) {
        self.files.without_dialogs(why.to_owned());
    }

    /// The remembered preferences, including the join form.
    pub fn prefs_mut(&mut self) -> &mut Prefs {
        &mut self.prefs
    }

    fn run(&mut self, ctx: &egui::Context, frame: &eframe::Frame, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Connect(url) => self.net.connect(&url),
                // The one way out to the relay: sealed first in a private room.
                Effect::Send(msg) => {
                    if let Some(msg) = self.model.seal_outgoing(msg) {
                        self.net.send(&msg);
                    }
                }
                Effect::Disconnect => self.net.disconnect(),
                Effect::CopyInvite(room) => ctx.copy_text(self.invite_message(&room)),
                Effect::Fetched {
                    id,
                    name,
                    purpose,
                    bytes,
                } => match purpose {
                    Purpose::Show => {
                        self.pictures.decoding(&id, &bytes);
                        self.files.decode(id, bytes);
                    }
                    Purpose::Save => self.files.save(frame, &name, bytes),
                },
                Effect::AttachFile(path) => {
                    self.attach_file(frame, path.as_deref(), Now::current());
                }
                Effect::Alert(alert) => {
                    ctx.send_viewport_cmd(ViewportCommand::RequestUserAttention(
                        egui::UserAttentionType::Informational,
                    ));
                    if self.prefs.alerts {
                        crate::chime::play();
                        self.notifier.show(&alert);
                    }
                }
            }
        }
    }

    fn apply_join(&mut self, ctx: &egui::Context, frame: &eframe::Frame, action: JoinAction) {
        let effects = match action {
            JoinAction::Create {
                name,
                server,
                private,
            } => {
                self.pictures.clear();
                if private {
                    self.create_private(&server, name)
                } else {
                    self.model.start(&server, name, Intent::Create)
                }
            }
            JoinAction::Join {
                name,
                room,
                server,
                key,
            } => {
                self.pictures.clear();
                match key {
                    Some(key) => (self.model).start_private(&server, name, Intent::Join(room), key),
                    None => self.model.start(&server, name, Intent::Join(room)),
                }
            }
            JoinAction::Cancel => self.model.leave(),
            JoinAction::Host { name, bind } => {
                self.start_host(ctx, name, bind);
                vec![]
            }
        };
        self.run(ctx, frame, effects);
    }

    fn apply_chat(
        &mut self,
        ctx: &egui::Context,
        frame: &eframe::Frame,
        action: ChatAction,
        now: Now,
    ) {
        let effects = match action {
            ChatAction::Leave => {
                self.chat_view = ChatView::default();
                self.pictures.clear();
                self.host.stop();
                self.model.leave()
            }
            ChatAction::CopyInvite => {
                if let Some(room) = self.model.room().map(|s| s.room.clone()) {
                    ctx.copy_text(self.invite_message(&room));
                }
                vec![]
            }
            ChatAction::NewRoom => self.model.new_room(),
            ChatAction::Mention(name) => self.model.mention(&name, now),
            ChatAction::Send => self.model.send_draft(now),
            ChatAction::Edit(text) => self.model.edit_draft(text, now),
            ChatAction::OpenLink(url) => {
                ctx.open_url(OpenUrl::new_tab(url));
                vec![]
            }
            ChatAction::ReconnectNow => self.model.reconnect_now(now),
            ChatAction::ToggleAlerts => {
                self.prefs.alerts = !self.prefs.alerts;
                if self.prefs.alerts {
                    // This click is the user gesture a browser wants before it asks.
                    self.notifier.ask_permission();
                }
                vec![]
            }
            ChatAction::SetStatus(status) => self.model.choose_status(status, now),
            ChatAction::Ignore(name, ignore) => {
                self.model.set_ignored(&name, ignore, now);
                vec![]
            }
            ChatAction::Remove(name) => self.model.remove_member(name),
            ChatAction::Lock(locked) => self.model.lock_room(locked),
            ChatAction::ChooseFile | ChatAction::AttachPath(_)
                if self.model.attachments_allowed().is_err() =>
            {
                vec![]
            }
            ChatAction::ChooseFile => {
                self.attach_file(frame, None, now);
                vec![]
            }
            ChatAction::AttachPath(path) => {
                self.attach_file(frame, Some(&path), now);
                vec![]
            }
            ChatAction::Attachment(AttachmentAction::Fetch(a)) => self.show_picture(&a, now),
            ChatAction::Attachment(AttachmentAction::Save(a)) => {
                self.model.fetch(&a, Purpose::Save, now)
            }
            ChatAction::Attachment(AttachmentAction::Open(_)) => vec![],
            ChatAction::CancelUpload(client_id) => self.model.cancel_upload(client_id, now),
            ChatAction::SendSmaller(offer) => {
                if self.model.take_smaller(offer) {
                    self.files.smaller(offer);
                }
                vec![]
            }
            ChatAction::Message(action) => self.model.message_action(action, now),
        };
        self.run(ctx, frame, effects);
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match (self.model.room(), self.model.unread()) {
            (None, _) => "Confab".to_owned(),
            (Some(s), 0) => format!("Confab: {}", s.room),
            (Some(s), n) => format!("({n}) Confab: {}", s.room),
        };
        if title != self.title {
            crate::platform::set_title(ctx, &title);
            self.title = title;
        }
    }

    /// Creates a private room: draws its key here, where the random source is.
    fn create_private(&mut self, server: &str, name: Username) -> Vec<Effect> {
        match confab_protocol::private::RoomKey::generate() {
            Ok(key) => self.model.start_private(server, name, Intent::Create, key),
            Err(err) => {
                self.model.key_failed(&err.to_string());
                vec![]
            }
        }
    }

    fn start_host(&mut self, ctx: &egui::Context, name: Username, bind: String) {
        self.model.hosting_started();
        self.host.start(ctx, name, bind);
    }
}

impl eframe::App for ConfabApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        let now = Now::current();
        let (focused, active) = ctx.input(|i| {
            let active = i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::Key { .. }
                        | egui::Event::Text(_)
                        | egui::Event::PointerButton { .. }
                        | egui::Event::MouseWheel { .. }
                        | egui::Event::Touch { .. }
                        | egui::Event::WindowFocused(true)
                )
            });
            (i.focused, active)
        });
        self.model.set_focused(focused);
        if active {
            self.model.activity(now);
        }
        for event in self.net.poll() {
            let effects = match event {
                NetEvent::Opened => self.model.on_opened(),
                NetEvent::Message(msg) => self.model.on_message(msg, now),
                NetEvent::Closed(why) => self.model.on_closed(&why, now),
            };
            self.run(ctx, frame, effects);
        }
        self.files_in(ctx, frame, now);
        let effects = self.model.tick(now);
        self.run(ctx, frame, effects);
        if let Some((name, result)) = self.host.poll() {
            let effects = match result {
                Ok(url) => self.model.start(&url, name, Intent::Create),
                Err(why) => {
                    self.model.hosting_failed(&why);
                    vec![]
                }
            };
            self.run(ctx, frame, effects);
        }
        self.update_title(ctx);
        self.prefs_store.keep(&self.prefs);
        // Timers the model cannot wake us for: the reconnect countdown and typing expiry.
        if matches!(self.model.status(), ConnectionState::Waiting { .. }) {
            ctx.request_repaint_after(web_time::Duration::from_millis(500));
        }
        if let Some(at) = self.model.next_wakeup(now) {
            ctx.request_repaint_after(at.saturating_duration_since(now.at));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        crate::ui::fonts::prefer_colour_emoji(ui.ctx());
        let now = Now::current();
        if self.model.room().is_none() {
            let note = self.host.note().map(str::to_owned);
            let error = self.model.join_error().map(str::to_owned);
            let status = self.model.status().clone();
            let action = CentralPanel::default()
                .show(ui, |ui| {
                    join_ui(
                        ui,
                        &mut self.prefs.form,
                        &status,
                        error.as_deref(),
                        note.as_deref(),
                    )
                })
                .inner;
            if let Some(action) = action {
                self.apply_join(ui.ctx(), frame, action);
            }
            return;
        }
        let invite_link = self.invite_link().unwrap_or_default();
        let hosting = self.host.share_url().map(str::to_owned);
        let status = self.model.status().clone();

        let Some(session) = self.model.room() else {
            return;
        };
        let cx = ChatContext {
            status: &status,
            invite_link: &invite_link,
            hosting: hosting.as_deref(),
            alerts_on: self.prefs.alerts,
            notifications_blocked: self.notifier.blocked(),
            now: now.at,
            my_status: self.model.my_status().wanted(),
            attachments: Some(self.model.attachments()),
        };
        let actions = chat_ui(ui, session, &mut self.chat_view, cx, &mut self.pictures);
        for action in actions {
            self.apply_chat(ui.ctx(), frame, action, now);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.prefs_store.save(storage, &self.prefs);
    }
}

mod attaching;
mod invite;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod attach_tests;

#[cfg(test)]
mod picture_tests;
