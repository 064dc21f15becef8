//! [`Session`]: one membership of one room, alive from the first `welcome` until you leave,
//! across any number of reconnects.
//!
//! Applies the relay's in-room messages (chat, presence, typing, whispers, gaps, refusals)
//! in one place. The connection itself is [`super::Model`]'s business.

use confab_protocol::{
    ClientMessage, ErrorMessage, Limits, Millis, RoomCode, ServerMessage, Username, WelcomeMessage,
};
use web_time::{Duration, Instant};

use super::composer::Composer;
use super::presence::TypingHints;
use super::timeline::Timeline;
use super::words::describe_error;

/// Everything shown on the chat screen.
#[derive(Debug, Clone)]
pub struct Session {
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
    /// Reclaims `me` in this room after a drop; see `ClientMessage::Join::resume_token`.
    resume_token: String,
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

impl Session {
    /// Starts a session from a `welcome`.
    pub fn new(welcome: WelcomeMessage) -> Self {
        let me = welcome.you;
        let mut timeline = Timeline::default();
        for msg in welcome.history {
            timeline.push_chat(msg, &me);
        }
        Self {
            room: welcome.room,
            me,
            members: welcome.members,
            timeline,
            composer: Composer::default(),
            typing: TypingHints::default(),
            limits: welcome.limits,
            page_url: welcome.page_url,
            resume_token: welcome.resume_token,
        }
    }

    /// The invite to this room: the relay's page with the room after `#` when the relay
    /// serves one, else `server` (the relay's address) with the room after `#`.
    pub fn invite(&self, server: &str) -> String {
        match &self.page_url {
            Some(page) => format!("{}/#{}", page.trim_end_matches('/'), self.room),
            None => format!("{}/#{}", server.trim_end_matches('/'), self.room),
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
    pub fn resume(&mut self, welcome: WelcomeMessage, now_ms: Millis) {
        let WelcomeMessage {
            members,
            history,
            resume_token,
            limits,
            page_url,
            ..
        } = welcome;
        let recognized = resume_token == self.resume_token;
        self.members = members;
        self.page_url = page_url;
        self.resume_token = resume_token;
        self.limits = limits;
        self.typing = TypingHints::default();
        if !recognized {
            self.timeline.push_discontinuity(now_ms);
        }
        let mut replayed = 0;
        for msg in history {
            if (recognized || !self.timeline.shows(&msg)) && self.timeline.push_chat(msg, &self.me)
            {
                replayed += 1;
            }
        }
        if !recognized {
            return; // The marker above the backlog already says what happened.
        }
        let note = match replayed {
            0 => "Reconnected.".to_owned(),
            1 => "Reconnected; 1 message arrived while you were away.".to_owned(),
            n => format!("Reconnected; {n} messages arrived while you were away."),
        };
        self.timeline.push_notice(note, now_ms);
    }

    /// Carries this session on in a new room (the old one was gone): the transcript and
    /// the draft stay, a marker separates the rooms, and the new room's backlog follows.
    pub fn carry_on(self, mut welcome: WelcomeMessage, now_ms: Millis) -> Session {
        let history = std::mem::take(&mut welcome.history);
        let mut next = Session::new(welcome);
        next.timeline = self.timeline;
        next.timeline
            .push_new_room(self.room, next.room.clone(), now_ms);
        for msg in history {
            next.timeline.push_chat(msg, &next.me);
        }
        next.composer.draft = self.composer.draft;
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
        match msg {
            ServerMessage::MemberJoined { name, members } => {
                self.members = members;
                self.timeline.push_presence(name, true, now_ms);
            }
            ServerMessage::MemberLeft { name, members } => {
                self.members = members;
                self.typing.remove(&name);
                self.timeline.push_presence(name, false, now_ms);
            }
            ServerMessage::Joined { name, count } => {
                if !self
                    .members
                    .iter()
                    .any(|m| m.uniqueness_key() == name.uniqueness_key())
                {
                    self.members.push(name.clone());
                }
                applied.roster_stale = self.members.len() != count;
                self.timeline.push_presence(name, true, now_ms);
            }
            ServerMessage::Left { name, count } => {
                self.members
                    .retain(|m| m.uniqueness_key() != name.uniqueness_key());
                applied.roster_stale = self.members.len() != count;
                self.typing.remove(&name);
                self.timeline.push_presence(name, false, now_ms);
            }
            ServerMessage::Roster { members } => self.members = members,
            ServerMessage::Chat(chat) => {
                if let Some(id) = chat.client_id {
                    self.composer.confirm(id);
                }
                self.typing.remove(&chat.from);
                let from_other = chat.from != self.me;
                if self.timeline.push_chat(chat, &self.me) && from_other {
                    applied.new_message = true;
                    applied.for_me = self.timeline.entries().back().is_some_and(|e| {
                        matches!(
                            e.kind,
                            super::EntryKind::Chat {
                                mentions_me: true,
                                ..
                            }
                        )
                    });
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
            ServerMessage::Typing { .. } | ServerMessage::Welcome(WelcomeMessage { .. }) => {}
            // Attachment transfers: the app does not upload or fetch files yet.
            ServerMessage::UploadAck { .. } | ServerMessage::AttachmentChunk { .. } => {}
        }
        applied
    }
}
