//! The client model and its reducer: every relay message, connection event and user intent
//! is applied here, and turned into [`Effect`]s for the app to carry out.
//!
//! No egui and no sockets: callers pass the time in ([`Now`]), so every rule (backoff,
//! typing hints, dedupe) is testable with plain `#[test]`s.
//!
//! # Layout
//! - [`alert`]: what a mention or whisper in the background says in a notification.
//! - [`attachments`]: the upload queue and the downloads of attached files.
//! - [`clock`]: [`Now`], and the relay's time, so local notices sort with its messages.
//! - [`connection`]: where the connection is at ([`ConnectionState`]) and what each is called.
//! - [`effect`]: what the model asks of the app, and what the join screen asks of it.
//! - `lifecycle`: joining, the socket opening and closing, reconnecting, leaving.
//! - `reading`: what the model shows (read-only), and the join screen's hosting errors.
//! - [`room`]: the room you are in (one membership, across reconnects); the console
//!   client calls the same thing `Room`.
//! - [`timeline`]: the message list (dedupe, gaps, presence bursts, cap).
//! - `transfers`: the model's side of attachments (attach, refuse, fetch, cancel).
//! - [`composer`]: the draft, pending sends, own typing hint, completion, reply and edit.
//! - [`conversation`]: replying to, reacting to, editing and deleting shown messages.
//! - [`emoji`]: emoji by name (`:shortcode:` completion, the picker's search).
//! - [`presence`]: others' typing hints and the reconnect backoff.
//! - [`private`]: private rooms: the key held, sealing what is sent, opening what comes.
//! - [`relays`]: the relay addresses a session may use, tried in turn.
//! - [`roster`]: the people list, sorted once per change.
//! - [`text`]: links and mentions inside a message.
//! - [`words`]: refusals explained in words.

pub mod alert;
pub mod attachments;
pub mod clock;
pub mod composer;
pub mod connection;
pub mod conversation;
pub mod effect;
pub mod emoji;
mod lifecycle;
pub mod presence;
pub mod private;
mod reading;
pub mod relays;
pub mod room;
pub mod roster;
pub mod text;
pub mod timeline;
mod transfers;
pub mod words;

#[cfg(test)]
mod tests;

use confab_protocol::private::{RoomKey, Sealing};
use confab_protocol::{
    ClientId, ClientMessage, ErrorCode, ErrorMessage, MemberStatus, ServerMessage, Username,
};
use web_time::Instant;

pub use alert::{Alert, AlertKind};
pub use attachments::{Attachments, FetchStatus, Purpose, Transfer};
pub use clock::{Now, RelayClock};
pub use composer::DraftAction;
pub use connection::{ConnectionLabel, ConnectionState, Tone};
pub use conversation::MessageAction;
pub use effect::{Effect, Intent};
pub use presence::{Backoff, MyStatus};
pub use relays::Relays;
pub use room::Room;
pub use timeline::{Entry, EntryKind};

/// The whole client model.
#[derive(Debug)]
pub struct Model {
    /// Where the connection is at.
    status: ConnectionState,
    /// Why the last create/join failed, for the join screen.
    join_error: Option<String>,
    /// The room you are in (kept while reconnecting).
    room: Option<Room>,
    /// Messages from others since the window lost focus (for the title).
    unread: usize,
    /// Whether the window has focus; set by the app every frame.
    focused: bool,
    /// The relay addresses and what to do there.
    target: Option<(Relays, Username, Intent)>,
    /// Addresses not yet tried since [`Model::start`], before the first `welcome`: a
    /// relay that cannot be reached moves on to the next at once, until all were tried.
    untried: usize,
    backoff: Backoff,
    /// The next `welcome` is for a new room that carries this session's transcript on
    /// (see [`Model::new_room`]), not a resume.
    carry_on: bool,
    /// Next `client_id`: unique for the model's lifetime, so echoes never mix up drafts.
    next_client_id: ClientId,
    /// Your own status (online, away by choice or after idling).
    my_status: MyStatus,
    /// Files going up and coming down.
    attachments: Attachments,
    /// The relay's time: what local notices are stamped with, so they sort and split days
    /// on the same clock as messages.
    clock: RelayClock,
    /// The private room's key this client holds for its target: drawn for a room it
    /// creates, or from the invite link (see `private.rs`). `None`: an open room.
    key: Option<RoomKey>,
    /// How the room in use is sealed, decided by each `welcome` (see `private.rs`).
    sealing: Sealing,
}

impl Model {
    /// A model on the join screen at `now` (when idling towards "away" starts). `seed`
    /// feeds the reconnect jitter.
    pub fn new(seed: u64, now: Now) -> Self {
        Self {
            status: ConnectionState::Offline,
            join_error: None,
            room: None,
            unread: 0,
            focused: true,
            target: None,
            untried: 0,
            backoff: Backoff::new(seed),
            carry_on: false,
            next_client_id: 1,
            my_status: MyStatus::new(now.at),
            attachments: Attachments::default(),
            clock: RelayClock::default(),
            key: None,
            sealing: Sealing::Open,
        }
    }

    /// Sends the composer's draft, if it can be sent.
    pub fn send_draft(&mut self, now: Now) -> Vec<Effect> {
        let Some(session) = self
            .room
            .as_mut()
            .filter(|_| self.status == ConnectionState::Online)
        else {
            return vec![];
        };
        let id = self.next_client_id;
        match session
            .composer
            .take_draft(id, session.limits.max_text_chars, &session.members)
        {
            Some(DraftAction::Send(msg)) => {
                self.next_client_id += 1;
                vec![Effect::Send(msg)]
            }
            Some(DraftAction::Ignore { name, ignore }) => {
                session.set_ignored(&name, ignore, self.clock.ms(now));
                vec![]
            }
            Some(DraftAction::Status(status)) => self.choose_status(status, now),
            Some(DraftAction::Attach(_)) if self.sealing.is_private() => {
                session.composer.error = Some(private::NO_FILES.to_owned());
                vec![]
            }
            Some(DraftAction::Attach(path)) => vec![Effect::AttachFile(path)],
            None => vec![],
        }
    }

    /// You set your status (a button, `/away`, `/back`).
    pub fn choose_status(&mut self, status: MemberStatus, now: Now) -> Vec<Effect> {
        self.my_status.choose(status, now.at);
        self.tick(now)
    }

    /// You ignore `name` on this screen, or stop.
    pub fn set_ignored(&mut self, name: &Username, ignore: bool, now: Now) {
        if let Some(session) = &mut self.room {
            session.set_ignored(name, ignore, self.clock.ms(now));
        }
    }

    /// The owner locks or unlocks the room.
    pub fn lock_room(&mut self, locked: bool) -> Vec<Effect> {
        self.send_if_online(ClientMessage::Lock { locked })
    }

    /// The owner removes `name` from the room.
    pub fn remove_member(&mut self, name: Username) -> Vec<Effect> {
        self.send_if_online(ClientMessage::Remove { name })
    }

    fn send_if_online(&self, msg: ClientMessage) -> Vec<Effect> {
        match self.status {
            ConnectionState::Online => vec![Effect::Send(msg)],
            _ => vec![],
        }
    }

    /// Input or focus at `now` (the app calls this when it sees any): ends idle-away.
    pub fn activity(&mut self, now: Now) {
        self.my_status.activity(now.at);
    }

    /// When the view must wake next for a timer: typing hints and reconnecting statuses
    /// ending, idling into away, a status to send again.
    pub fn next_wakeup(&self, now: Now) -> Option<Instant> {
        let session = self.room.as_ref().and_then(|s| s.next_expiry(now.at));
        let mine = self
            .my_status
            .next_deadline()
            .filter(|_| self.status == ConnectionState::Online);
        let retry = self.attachments.next_wakeup();
        session.into_iter().chain(mine).chain(retry).min()
    }

    /// The composer's text is now `text` (typed, completed, an emoji added): keep it, and
    /// maybe send a typing hint.
    pub fn edit_draft(&mut self, text: String, now: Now) -> Vec<Effect> {
        let Some(session) = self.room.as_mut() else {
            return vec![];
        };
        session.composer.draft = text;
        self.draft_changed(now)
    }

    /// The draft changed (or time passed while composing): maybe send a typing hint.
    pub fn draft_changed(&mut self, now: Now) -> Vec<Effect> {
        match self
            .room
            .as_mut()
            .filter(|_| self.status == ConnectionState::Online)
        {
            Some(session) => session
                .composer
                .typing_hint(now.at)
                .map(|active| Effect::Send(ClientMessage::Typing { active }))
                .into_iter()
                .collect(),
            None => vec![],
        }
    }

    /// Adds `@name ` to the end of the draft (a member clicked in the people list).
    pub fn mention(&mut self, name: &Username, now: Now) -> Vec<Effect> {
        let Some(session) = self.room.as_mut() else {
            return vec![];
        };
        let draft = &mut session.composer.draft;
        if !draft.is_empty() && !draft.ends_with(char::is_whitespace) {
            draft.push(' ');
        }
        draft.push_str(&format!("@{name} "));
        self.draft_changed(now)
    }

    /// Tells the model whether the window has focus; focus clears the unread count.
    pub fn set_focused(&mut self, focused: bool) {
        self.focused = focused;
        if focused {
            self.unread = 0;
        }
    }

    /// Shows a local notice in the room (a file saved, a file that could not be read).
    pub fn notice(&mut self, text: String, now: Now) {
        if let Some(session) = &mut self.room {
            session.timeline.push_notice(text, self.clock.ms(now));
        }
    }

    /// Says in the room that something did not work (a file that could not be read or
    /// saved), drawn as an error.
    pub fn problem(&mut self, text: String, now: Now) {
        if let Some(session) = &mut self.room {
            session
                .timeline
                .push_problem(text, false, self.clock.ms(now));
        }
    }

    /// Applies one message from the relay, opened first in a private room.
    pub fn on_message(&mut self, msg: ServerMessage, now: Now) -> Vec<Effect> {
        let welcome = matches!(msg, ServerMessage::Welcome(_));
        let msg = match self.open_incoming(msg, now) {
            Ok(msg) => msg,
            Err(effects) => return effects,
        };
        let effects = self.apply_message(msg, now);
        if welcome {
            self.mark_private();
        }
        effects
    }

    fn apply_message(&mut self, msg: ServerMessage, now: Now) -> Vec<Effect> {
        match &msg {
            ServerMessage::Chat(chat) => self.clock.heard(chat.ts, now),
            ServerMessage::Whisper(whisper) => self.clock.heard(whisper.ts, now),
            ServerMessage::Welcome(welcome) => {
                if let Some(last) = welcome.history.last() {
                    self.clock.at_least(last.ts, now);
                }
            }
            _ => {}
        }
        match msg {
            ServerMessage::UploadAck {
                client_id,
                received,
            } => {
                let transfers = self.attachments.on_ack(client_id, received);
                self.transfers(transfers, now)
            }
            ServerMessage::AttachmentChunk {
                id,
                offset,
                size,
                data,
            } => {
                let transfers = self.attachments.on_chunk(&id, offset, size, &data);
                self.transfers(transfers, now)
            }
            ServerMessage::Error(ErrorMessage {
                code: ErrorCode::AttachmentNotFound,
                ..
            }) if self.status == ConnectionState::Online => {
                let transfers = self.attachments.on_not_found();
                self.transfers(transfers, now)
            }
            ServerMessage::Error(ErrorMessage {
                code,
                message,
                client_id: Some(client_id),
                retry_after_ms,
            }) if self.status == ConnectionState::Online
                && self.attachments.uploads().next().map(|u| u.client_id) == Some(client_id) =>
            {
                let why = words::describe_error(code, &message, retry_after_ms);
                let transfers = self
                    .attachments
                    .on_refused(client_id, code, &why, retry_after_ms, now.at)
                    .unwrap_or_default();
                self.transfers(transfers, now)
            }
            ServerMessage::Welcome(welcome) => {
                let welcome = *welcome;
                self.status = ConnectionState::Online;
                self.my_status.reconnected();
                self.backoff.reset();
                self.join_error = None;
                let carry_on = std::mem::take(&mut self.carry_on);
                let welcome_limits = welcome.limits.attachments;
                let mut effects = Vec::new();
                match self.room.take() {
                    Some(old) if carry_on => {
                        let room = welcome.room.clone();
                        self.room = Some(old.carry_on(welcome, self.clock.ms(now)));
                        // A new room: the old room's files cannot be fetched from it.
                        let failed = self.attachments.for_new_room(welcome_limits);
                        let mut effects = self.transfers(failed, now);
                        effects.push(Effect::CopyInvite(room));
                        return effects;
                    }
                    Some(mut s) if s.room == welcome.room => {
                        let replayed = s.resume(welcome, self.clock.ms(now));
                        // Missed while away is new to you: unread, and a mention rings.
                        if !self.focused {
                            self.unread += replayed.from_others;
                            if replayed.mentions_me {
                                effects.push(Effect::Alert(Alert::missed(&s)));
                            }
                        }
                        self.room = Some(s);
                    }
                    _ => self.room = Some(Room::new(welcome)),
                }
                let resumed = self.attachments.reconnected(welcome_limits);
                effects.extend(self.transfers(resumed, now));
                effects
            }
            ServerMessage::Error(ErrorMessage {
                code,
                message,
                retry_after_ms,
                ..
            }) if self.status == ConnectionState::Joining => {
                let why = words::describe_error(code, &message, retry_after_ms);
                if let Some(session) = &mut self.room {
                    if !words::ends_session(code) {
                        return self.on_closed(&why, now);
                    }
                    // No resume will say what the relay had: keep the words in the draft.
                    session.composer.requeue_pending();
                    // The transcript stays; only a new room or Leave moves on from here.
                    let reason = if std::mem::take(&mut self.carry_on) {
                        why
                    } else {
                        words::describe_ended(code, &session.room, &session.me, &message)
                    };
                    self.status = ConnectionState::Ended { reason };
                    // Nothing will come down any more: no placeholder may wait for ever.
                    let failed = self.attachments.fail_downloads();
                    let mut effects = self.transfers(failed, now);
                    effects.push(Effect::Disconnect);
                    return effects;
                }
                self.room = None;
                self.target = None;
                self.status = ConnectionState::Offline;
                self.join_error = Some(why);
                vec![Effect::Disconnect]
            }
            msg => {
                let Some(session) = &mut self.room else {
                    return vec![];
                };
                if let ServerMessage::Status { name, status } = &msg
                    && *name == session.me
                {
                    self.my_status.confirmed(*status);
                }
                let posted = match &msg {
                    ServerMessage::Chat(chat) if chat.attachment.is_some() => chat.client_id,
                    _ => None,
                };
                let applied = session.apply(msg, now.at, self.clock.ms(now));
                let alert = (applied.new_message && applied.for_me && !self.focused)
                    .then(|| Alert::for_newest(session))
                    .flatten();
                let mut effects = Vec::new();
                if let Some(client_id) = posted {
                    let next = self.attachments.on_posted(client_id);
                    effects.extend(self.transfers(next, now));
                }
                if applied.roster_stale {
                    effects.push(Effect::Send(ClientMessage::Roster));
                }
                if applied.new_message && !self.focused {
                    self.unread += 1;
                }
                effects.extend(alert.map(Effect::Alert));
                effects
            }
        }
    }
}
