//! [`Room`]: one membership of one room, alive from the first `welcome` until you leave,
//! across any number of reconnects.
//!
//! Applies the relay's in-room messages (chat, presence, typing, whispers, gaps, refusals)
//! in one place. The connection itself is [`super::Model`]'s business.

use confab_protocol::{
    Changes, ClientMessage, ErrorMessage, Limits, MemberStatus, Millis, NamedStatus,
    PresenceChange, RoomCode, RoomState, ServerMessage, Username, WelcomeMessage,
};
use web_time::{Duration, Instant};

use super::composer::Composer;
use super::presence::TypingHints;
pub use super::roster::RosterEntry;
use super::roster::{Facts, Roster};
use super::timeline::Timeline;
use super::words::describe_error;

/// Everything shown on the chat screen.
#[derive(Debug, Clone)]
pub struct Room {
    /// The room's code (display form via `Display`).
    pub room: RoomCode,
    /// Your name as the relay normalized it.
    pub me: Username,
    /// Everyone in the room, you included, in joining order (the relay's latest roster).
    pub members: Vec<Username>,
    /// The message area.
    pub timeline: Timeline,
    /// The message being written.
    pub composer: Composer,
    /// Who else is typing.
    pub typing: TypingHints,
    /// What the relay enforces (text length, typing TTL).
    pub limits: Limits,
    /// The web page the relay serves, if it does (`welcome.page_url`): invites link to it,
    /// so a guest opens the room in any browser.
    pub page_url: Option<String>,
    /// Who owns the room and whether it is locked.
    pub room_state: RoomState,
    /// A private room's safety code (members compare it by voice); `None`: an open room.
    /// Set by the model from the key it holds (`state/private.rs`).
    pub safety_code: Option<String>,
    /// Members who are not online (away), by name; everyone else in `members` is online.
    away: Vec<Username>,
    /// Dropped members whose names are reserved for a resume, each shown as reconnecting
    /// until the grace period ends (`None`: from `welcome`, the clock starts at the next
    /// [`Self::expire`]).
    reconnecting: Vec<(Username, Option<Instant>)>,
    /// Members you chose to ignore: their messages, typing and whispers are not shown.
    /// Kept for the session, across reconnects and a new room.
    ignored: Vec<Username>,
    /// Reclaims `me` in this room after a drop; see `ClientMessage::Join::resume_token`.
    resume_token: String,
    /// The people list, built again only when one of the fields above it changes.
    roster: Roster,
}

/// What a resume's replayed history brought that you had not seen.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Replayed {
    /// Messages from others (count as unread while the window is in the background).
    pub from_others: usize,
    /// Whether any of them mentions you (may ring).
    pub mentions_me: bool,
}

/// What applying one message means beyond the session itself.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// A new message from someone else arrived (counts as unread when unfocused).
    pub new_message: bool,
    /// It mentions you or whispers to you (may ring).
    pub for_me: bool,
    /// A compact presence change left the roster disagreeing with the relay's count: ask
    /// for the whole roster.
    pub roster_stale: bool,
}

impl Room {
    /// Starts a session from a `welcome`.
    pub fn new(welcome: WelcomeMessage) -> Self {
        let me = welcome.you;
        let mut timeline = Timeline::default();
        for msg in welcome.history {
            timeline.push_chat(msg, &me);
        }
        let mut session = Self {
            room: welcome.room,
            me,
            members: welcome.members,
            timeline,
            composer: Composer::default(),
            typing: TypingHints::default(),
            limits: welcome.limits,
            page_url: welcome.page_url,
            room_state: welcome.room_state,
            safety_code: None,
            away: Vec::new(),
            reconnecting: Vec::new(),
            ignored: Vec::new(),
            resume_token: welcome.resume_token,
            roster: Roster::default(),
        };
        session.take_statuses(welcome.statuses);
        session.refresh_roster();
        session
    }

    /// Takes `welcome.statuses` as the whole truth about who is away or reconnecting.
    fn take_statuses(&mut self, statuses: Vec<NamedStatus>) {
        self.away.clear();
        self.reconnecting.clear();
        for NamedStatus { name, status } in statuses {
            match status {
                MemberStatus::Away => self.away.push(name),
                MemberStatus::Reconnecting => self.reconnecting.push((name, None)),
                MemberStatus::Online => {}
            }
        }
    }

    /// `name`'s status as this client last heard it.
    pub fn status_of(&self, name: &Username) -> MemberStatus {
        let key = name.uniqueness_key();
        if self.away.iter().any(|n| n.uniqueness_key() == key) {
            MemberStatus::Away
        } else if self
            .reconnecting
            .iter()
            .any(|(n, _)| n.uniqueness_key() == key)
        {
            MemberStatus::Reconnecting
        } else {
            MemberStatus::Online
        }
    }

    /// The people list: you first, then the others by name; members still reconnecting
    /// after them. Built when the roster changes, not when it is read.
    pub fn roster(&self) -> &[RosterEntry] {
        self.roster.entries()
    }

    /// How many times the people list was built (sorted): once per change of the room's
    /// roster, statuses, owner or your ignore list, whatever the number of frames.
    pub fn roster_builds(&self) -> u64 {
        self.roster.builds()
    }

    fn refresh_roster(&mut self) {
        self.roster.rebuild(Facts {
            me: &self.me,
            members: &self.members,
            away: &self.away,
            reconnecting: &self.reconnecting,
            ignored: &self.ignored,
            owner: self.room_state.owner.as_ref(),
        });
    }

    /// Whether you own the room.
    pub fn i_own_the_room(&self) -> bool {
        self.room_state
            .owner
            .as_ref()
            .is_some_and(|o| o.uniqueness_key() == self.me.uniqueness_key())
    }

    /// Whether you ignore `name`.
    pub fn is_ignored(&self, name: &Username) -> bool {
        let key = name.uniqueness_key();
        self.ignored.iter().any(|n| n.uniqueness_key() == key)
    }

    /// Ignores `name` (or stops ignoring them), and says so in the timeline.
    pub fn set_ignored(&mut self, name: &Username, ignore: bool, now_ms: Millis) {
        if name.uniqueness_key() == self.me.uniqueness_key() {
            self.composer.error = Some("You cannot ignore yourself.".into());
            return;
        }
        let was = self.is_ignored(name);
        self.ignored
            .retain(|n| n.uniqueness_key() != name.uniqueness_key());
        let note = if ignore {
            self.typing.remove(name);
            self.ignored.push(name.clone());
            format!(
                "You ignore {name}: their messages are hidden on your screen (/unignore {name} to undo)."
            )
        } else if was {
            format!("You no longer ignore {name}.")
        } else {
            format!("You were not ignoring {name}.")
        };
        self.timeline.push_notice(note, now_ms);
        self.refresh_roster();
    }

    /// Ends the reconnecting status of names whose grace period is over at `now`.
    pub fn expire(&mut self, now: Instant) {
        let grace = Duration::from_millis(self.limits.room_grace_ms.max(1));
        for (_, until) in &mut self.reconnecting {
            until.get_or_insert(now + grace);
        }
        let before = self.reconnecting.len();
        self.reconnecting
            .retain(|(_, until)| until.is_some_and(|t| t > now));
        if self.reconnecting.len() != before {
            self.refresh_roster();
        }
    }

    /// The next moment a reconnecting status ends, so the view can be redrawn then.
    pub fn next_expiry(&self, now: Instant) -> Option<Instant> {
        let reconnecting = self.reconnecting.iter().filter_map(|(_, t)| *t);
        reconnecting.chain(self.typing.next_expiry(now)).min()
    }

    fn is_reconnecting(&self, name: &Username) -> bool {
        let key = name.uniqueness_key();
        self.reconnecting
            .iter()
            .any(|(n, _)| n.uniqueness_key() == key)
    }

    fn forget_status(&mut self, name: &Username) {
        let key = name.uniqueness_key();
        self.away.retain(|n| n.uniqueness_key() != key);
        self.reconnecting.retain(|(n, _)| n.uniqueness_key() != key);
    }

    /// Someone entered: quietly if they were only reconnecting.
    /// `name` entered: added to the end of the roster (once), and [`Self::arrived`].
    fn add_member(&mut self, name: Username, now_ms: Millis) {
        if !self
            .members
            .iter()
            .any(|m| m.uniqueness_key() == name.uniqueness_key())
        {
            self.members.push(name.clone());
        }
        self.arrived(name, now_ms);
    }

    /// `name` left: out of the roster, and [`Self::departed`].
    fn remove_member(&mut self, name: Username, reconnecting: bool, now_ms: Millis) {
        self.members
            .retain(|m| m.uniqueness_key() != name.uniqueness_key());
        self.departed(name, reconnecting, now_ms);
    }

    fn arrived(&mut self, name: Username, now_ms: Millis) {
        let came_back = self.is_reconnecting(&name);
        self.forget_status(&name);
        if !came_back {
            self.timeline.push_presence(name, true, now_ms);
        }
    }

    /// Someone left: shown as reconnecting (no notice) when their name is reserved.
    fn departed(&mut self, name: Username, reconnecting: bool, now_ms: Millis) {
        self.typing.remove(&name);
        self.forget_status(&name);
        if reconnecting {
            self.reconnecting.push((name, None));
        } else {
            self.timeline.push_presence(name, false, now_ms);
        }
    }

    /// Continues after a `welcome` on a new connection: replays only messages not shown yet.
    ///
    /// A `resume_token` different from ours means the relay did not recognize the resume
    /// (it restarted, or our token expired) and treated the join as fresh: `history` is the
    /// room's ordinary backlog and its `seq` numbers may have started again from 1. Then
    /// the timeline forgets its `seq`-based de-duplication (or every new message would be
    /// dropped as already seen), marks that messages may have been missed, and shows the
    /// backlog below the marker, skipping only messages it already shows word for word.
    ///
    /// Returns what arrived from others, so it counts as unread and rings like live
    /// messages do.
    pub fn resume(&mut self, welcome: WelcomeMessage, now_ms: Millis) -> Replayed {
        let WelcomeMessage {
            members,
            history,
            resume_token,
            limits,
            page_url,
            statuses,
            room_state,
            ..
        } = welcome;
        let recognized = resume_token == self.resume_token;
        self.members = members;
        self.page_url = page_url;
        self.room_state = room_state;
        self.take_statuses(statuses);
        self.refresh_roster();
        self.resume_token = resume_token;
        self.limits = limits;
        self.typing = TypingHints::default();
        if !recognized {
            self.timeline.push_discontinuity(now_ms);
        }
        let mut replayed = Replayed::default();
        for msg in history {
            // After an unrecognized resume, the backlog may repeat what is shown already.
            let shown = !recognized && self.timeline.shows(&msg);
            if shown || self.is_ignored(&msg.from) {
                continue;
            }
            let mine = (msg.from == self.me).then(|| (msg.client_id, msg.text.clone()));
            if recognized && self.timeline.last_seq().is_some_and(|last| msg.seq <= last) {
                // Shown already: only what happened to it since may be new.
                self.timeline.refresh(&msg);
                continue;
            }
            if !self.timeline.push_chat(msg, &self.me) {
                continue;
            }
            match mine {
                Some((client_id, text)) => self.composer.confirm_replayed(client_id, &text),
                None => {
                    replayed.from_others += 1;
                    replayed.mentions_me |= self.timeline.last_mentions_me();
                }
            }
        }
        // What is still waiting did not reach the relay: back into the draft.
        self.composer.requeue_pending();
        if !recognized {
            return replayed; // The marker above the backlog already says what happened.
        }
        let note = match replayed.from_others {
            0 => "Reconnected.".to_owned(),
            1 => "Reconnected; 1 message arrived while you were away.".to_owned(),
            n => format!("Reconnected; {n} messages arrived while you were away."),
        };
        self.timeline.push_notice(note, now_ms);
        replayed
    }

    /// Carries this session on in a new room (the old one was gone): the transcript and
    /// the draft stay, a marker separates the rooms, and the new room's backlog follows.
    pub fn carry_on(self, mut welcome: WelcomeMessage, now_ms: Millis) -> Room {
        let history = std::mem::take(&mut welcome.history);
        let mut next = Room::new(welcome);
        next.timeline = self.timeline;
        next.timeline
            .push_new_room(self.room, next.room.clone(), now_ms);
        for msg in history {
            next.timeline.push_chat(msg, &next.me);
        }
        next.composer.draft = self.composer.draft;
        next.ignored = self.ignored;
        next.refresh_roster();
        next
    }

    /// The `join` that resumes this session on a new connection.
    pub fn resume_message(&self) -> ClientMessage {
        ClientMessage::Join {
            name: self.me.clone(),
            room: self.room.clone(),
            resume_token: Some(self.resume_token.clone()),
            last_seq: self.timeline.last_seq(),
        }
    }

    /// Applies one in-room message from the relay.
    pub fn apply(&mut self, msg: ServerMessage, now: Instant, now_ms: Millis) -> Applied {
        let mut applied = Applied::default();
        let roster_changes = matches!(
            msg,
            ServerMessage::MemberJoined { .. }
                | ServerMessage::MemberLeft { .. }
                | ServerMessage::Joined { .. }
                | ServerMessage::Left { .. }
                | ServerMessage::Presence { .. }
                | ServerMessage::Status { .. }
                | ServerMessage::RoomState(_)
                | ServerMessage::Roster { .. }
        );
        match msg {
            ServerMessage::MemberJoined { name, members } => {
                self.members = members;
                self.arrived(name, now_ms);
            }
            ServerMessage::MemberLeft {
                name,
                members,
                reconnecting,
            } => {
                self.members = members;
                self.departed(name, reconnecting, now_ms);
            }
            ServerMessage::Joined { name, count } => {
                self.add_member(name, now_ms);
                applied.roster_stale = self.members.len() != count;
            }
            ServerMessage::Left {
                name,
                count,
                reconnecting,
            } => {
                self.remove_member(name, reconnecting, now_ms);
                applied.roster_stale = self.members.len() != count;
            }
            ServerMessage::Presence { changes, count } => {
                for change in changes {
                    match change {
                        PresenceChange::Joined(name) => self.add_member(name, now_ms),
                        PresenceChange::Left(name) => self.remove_member(name, false, now_ms),
                        PresenceChange::Reconnecting(name) => {
                            self.remove_member(name, true, now_ms);
                        }
                    }
                }
                applied.roster_stale = self.members.len() != count;
            }
            ServerMessage::Status { name, status } => {
                self.forget_status(&name);
                if status == MemberStatus::Away {
                    self.away.push(name);
                }
            }
            ServerMessage::RoomState(state) => {
                if state.locked != self.room_state.locked {
                    let note = if state.locked {
                        "The room is locked: nobody new can join (members can still come back)."
                    } else {
                        "The room is unlocked: anyone with the code can join."
                    };
                    self.timeline.push_notice(note.to_owned(), now_ms);
                }
                if let Some(owner) = state.owner.as_ref().filter(|o| {
                    self.room_state.owner.as_ref().map(Username::uniqueness_key)
                        != Some(o.uniqueness_key())
                }) {
                    let note = if owner.uniqueness_key() == self.me.uniqueness_key() {
                        "You own the room now: you can lock it and remove members.".to_owned()
                    } else {
                        format!("{owner} owns the room now.")
                    };
                    self.timeline.push_notice(note, now_ms);
                }
                self.room_state = state;
            }
            ServerMessage::Roster { members } => self.members = members,
            // Dropped without moving `last_seq`: a resume may bring it again, to be dropped
            // again; the timeline never holds an ignored member's words.
            ServerMessage::Chat(chat) if self.is_ignored(&chat.from) => {}
            ServerMessage::Whisper(whisper) if self.is_ignored(&whisper.from) => {}
            ServerMessage::Typing { name, .. } if self.is_ignored(&name) => {}
            ServerMessage::Chat(chat) => {
                if let Some(id) = chat.client_id {
                    self.composer.confirm(id);
                }
                self.typing.remove(&chat.from);
                let from_other = chat.from != self.me;
                if self.timeline.push_chat(chat, &self.me) && from_other {
                    applied.new_message = true;
                    applied.for_me = self.timeline.last_mentions_me();
                }
            }
            ServerMessage::Whisper(whisper) => {
                if let Some(id) = whisper.client_id {
                    self.composer.confirm(id);
                }
                applied.new_message = whisper.from != self.me;
                applied.for_me = applied.new_message;
                self.timeline.push_whisper(whisper, &self.me);
            }
            ServerMessage::Typing { name, active } if name != self.me => {
                let ttl = Duration::from_millis(self.limits.typing_ttl_ms);
                self.typing.apply(name, active, now, ttl);
            }
            ServerMessage::Gap {
                after,
                resumed_from,
            } => {
                self.timeline.push_gap(after, resumed_from, now_ms);
            }
            ServerMessage::Error(ErrorMessage {
                code,
                message,
                client_id,
                retry_after_ms,
            }) => {
                let why = describe_error(code, &message, retry_after_ms);
                match client_id {
                    Some(id) => self.composer.refuse(id, why),
                    None => self.composer.error = Some(why),
                }
            }
            ServerMessage::Edited {
                seq,
                text,
                client_id,
            } => {
                if let Some(id) = client_id {
                    self.composer.confirm(id);
                }
                self.timeline.change(seq, |m| {
                    *m.text = text;
                    m.changes.edited = true;
                });
            }
            ServerMessage::Deleted { seq, client_id, .. } => {
                if let Some(id) = client_id {
                    self.composer.confirm(id);
                }
                self.composer.message_deleted(seq);
                self.timeline.change(seq, |m| {
                    m.text.clear();
                    *m.attachment = None;
                    *m.changes = Changes {
                        deleted: true,
                        ..Changes::default()
                    };
                });
            }
            ServerMessage::Reaction {
                seq,
                emoji,
                name,
                on,
            } => self.timeline.change(seq, |m| {
                m.changes.react(&emoji, &name, on);
            }),
            ServerMessage::Changed { messages } => self.apply_changed(messages),
            ServerMessage::Typing { .. } | ServerMessage::Welcome(_) => {}
            // Attachment transfers: the app does not upload or fetch files yet.
            ServerMessage::UploadAck { .. } | ServerMessage::AttachmentChunk { .. } => {}
        }
        if roster_changes {
            self.refresh_roster();
        }
        applied
    }
}
