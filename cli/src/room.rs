//! [`Room`]: what this client knows about the room it is in, updated from relay frames.
//!
//! Owns the roster, the client ids of messages sent and the bookkeeping `--send` needs
//! ("has every message been answered?"). No I/O: the session feeds it frames and asks it
//! for the messages to send.

use std::collections::BTreeSet;

use confab_protocol::{
    ClientId, ClientMessage, ErrorMessage, PresenceChange, ServerMessage, Username, WelcomeMessage,
};

use confab_protocol::command::Command;

/// The room as this client last heard of it.
#[derive(Debug, Clone)]
pub struct Room {
    /// Our name as the relay normalized it (tells our whispers from others').
    pub you: Username,
    /// Everyone here in joining order: the relay sends the whole list with every change,
    /// so it is replaced, never patched.
    pub members: Vec<Username>,
    /// The `client_id` of the next chat or whisper; ids start at 1 and only grow.
    next_client_id: ClientId,
    /// Ids of sent messages the relay has not yet echoed or refused.
    unanswered: BTreeSet<ClientId>,
    /// Chats and whispers sent.
    sent: usize,
    /// Chats and whispers the relay refused with an error carrying their `client_id`.
    refused: usize,
    /// Members whose chats, whispers and typing are not shown (`/ignore`).
    ignored: Vec<Username>,
}

impl Room {
    /// The room described by a `welcome`; `None` for any other message.
    pub fn from_welcome(msg: &ServerMessage) -> Option<Self> {
        let ServerMessage::Welcome(welcome) = msg else {
            return None;
        };
        let WelcomeMessage { you, members, .. } = welcome.as_ref();
        Some(Self {
            you: you.clone(),
            members: members.clone(),
            next_client_id: 1,
            unanswered: BTreeSet::new(),
            sent: 0,
            refused: 0,
            ignored: Vec::new(),
        })
    }

    /// Ignores `name` (or stops); returns the line to tell the user.
    pub fn ignore(&mut self, name: &Username, ignore: bool) -> String {
        let key = name.uniqueness_key();
        self.ignored.retain(|n| n.uniqueness_key() != key);
        if ignore {
            self.ignored.push(name.clone());
            format!("ignoring {name}: their messages are not shown (/unignore {name} to undo)")
        } else {
            format!("no longer ignoring {name}")
        }
    }

    /// Whether `msg` is from an ignored member and is not to be shown.
    pub fn hides(&self, msg: &ServerMessage) -> bool {
        let from = match msg {
            ServerMessage::Chat(chat) => &chat.from,
            ServerMessage::Whisper(whisper) => &whisper.from,
            ServerMessage::Typing { name, .. } => name,
            _ => return false,
        };
        let key = from.uniqueness_key();
        self.ignored.iter().any(|n| n.uniqueness_key() == key)
    }

    /// The frame to send for `command`, if it sends one; numbers chats and whispers.
    pub fn request(&mut self, command: Command) -> Option<ClientMessage> {
        let client_id = self.next_client_id;
        let msg = match command {
            Command::Chat(text) | Command::Me(text) => ClientMessage::Chat {
                client_id,
                text,
                reply_to: None,
            },
            Command::Reply { seq, text } => ClientMessage::Chat {
                reply_to: Some(seq),
                client_id,
                text,
            },
            Command::Edit { seq, text } => ClientMessage::Edit {
                client_id,
                seq,
                text,
            },
            Command::Delete(seq) => ClientMessage::Delete { client_id, seq },
            Command::React { seq, emoji, on } => {
                return Some(ClientMessage::React { seq, emoji, on });
            }
            Command::Whisper { to, text } => ClientMessage::Whisper {
                to,
                client_id,
                text,
            },
            Command::Status(status) => return Some(ClientMessage::Status { status }),
            Command::Lock(locked) => return Some(ClientMessage::Lock { locked }),
            Command::Remove(name) => return Some(ClientMessage::Remove { name }),
            Command::Who
            | Command::Help
            | Command::Quit
            | Command::Nothing
            | Command::Ignore { .. }
            | Command::Attach(_)
            | Command::Save { .. } => return None,
        };
        self.next_client_id += 1;
        self.unanswered.insert(client_id);
        self.sent += 1;
        Some(msg)
    }

    /// A fresh `client_id` for an upload, counted like a chat: its message (or refusal)
    /// answers it.
    pub fn upload_id(&mut self) -> ClientId {
        let client_id = self.next_client_id;
        self.next_client_id += 1;
        self.unanswered.insert(client_id);
        self.sent += 1;
        client_id
    }

    /// Takes in one frame from the relay: a new roster, an echo or a refusal.
    pub fn observe(&mut self, msg: &ServerMessage) {
        match msg {
            ServerMessage::MemberJoined { members, .. }
            | ServerMessage::MemberLeft { members, .. }
            | ServerMessage::Roster { members } => members.clone_into(&mut self.members),
            ServerMessage::Joined { name, .. } => self.members.push(name.clone()),
            ServerMessage::Left { name, .. } => self.members.retain(|m| m != name),
            ServerMessage::Presence { changes, .. } => {
                for change in changes {
                    self.members.retain(|m| m != change.name());
                    if let PresenceChange::Joined(name) = change {
                        self.members.push(name.clone());
                    }
                }
            }
            ServerMessage::Chat(chat) => self.answered(chat.client_id),
            ServerMessage::Whisper(whisper) => self.answered(whisper.client_id),
            // An edit's or delete's answer: without these a scripted `/edit` or `/delete`
            // would wait for ever.
            ServerMessage::Edited { client_id, .. } | ServerMessage::Deleted { client_id, .. } => {
                self.answered(*client_id);
            }
            ServerMessage::Error(ErrorMessage {
                client_id: Some(id),
                ..
            }) => {
                // Counted once per message of ours, however many errors name its id.
                self.refused += usize::from(self.unanswered.remove(id));
            }
            _ => {}
        }
    }

    /// Whether the relay has echoed or refused everything sent so far.
    pub fn all_answered(&self) -> bool {
        self.unanswered.is_empty()
    }

    /// `(refused, sent)`: how many chats and whispers the relay refused, of how many sent.
    pub fn tally(&self) -> (usize, usize) {
        (self.refused, self.sent)
    }

    fn answered(&mut self, client_id: Option<ClientId>) {
        if let Some(id) = client_id {
            self.unanswered.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use confab_protocol::{ChatMessage, ErrorCode, Limits, RoomCode};

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    fn room() -> Room {
        let welcome = ServerMessage::Welcome(Box::new(WelcomeMessage {
            room: RoomCode::parse("lobby").expect("valid code"),
            you: name("ann"),
            members: vec![name("ann")],
            history: Vec::new(),
            resume_token: "t".into(),
            limits: Limits {
                max_text_chars: 10,
                max_frame_bytes: 100,
                messages_per_second: 1,
                burst: 1,
                typing_ttl_ms: 1,
                ..Limits::example()
            },
            page_url: None,
            statuses: vec![],
            room_state: Default::default(),
            verify_key: None,
        }));
        Room::from_welcome(&welcome).expect("a welcome makes a room")
    }

    #[test]
    fn chats_and_whispers_get_increasing_client_ids() {
        let mut room = room();
        let first = room.request(Command::Chat("a".into()));
        let second = room.request(Command::Whisper {
            to: name("bob"),
            text: "b".into(),
        });
        assert_eq!(
            first,
            Some(ClientMessage::Chat {
                reply_to: None,
                client_id: 1,
                text: "a".into()
            })
        );
        assert!(matches!(
            second,
            Some(ClientMessage::Whisper { client_id: 2, .. })
        ));
        assert_eq!(room.request(Command::Who), None);
    }

    #[test]
    fn echoes_and_refusals_answer_sent_messages() {
        let mut room = room();
        room.request(Command::Chat("a".into()));
        room.request(Command::Chat("b".into()));
        let echo = ChatMessage {
            reply_to: None,
            changes: Default::default(),
            seq: 1,
            from: name("ann"),
            text: "a".into(),
            ts: 0,
            client_id: Some(1),
            attachment: None,
        };
        room.observe(&ServerMessage::Chat(echo));
        assert!(!room.all_answered());
        room.observe(&ServerMessage::Error(ErrorMessage {
            code: ErrorCode::RateLimited,
            message: "slow".into(),
            client_id: Some(2),
            retry_after_ms: Some(100),
        }));
        assert!(room.all_answered());
        assert_eq!(room.tally(), (1, 2));
    }

    #[test]
    fn edits_and_deletions_are_answered_by_their_own_copies() {
        let mut room = room();
        room.request(Command::Edit {
            seq: 4,
            text: "fixed".into(),
        });
        room.request(Command::Delete(5));
        room.observe(&ServerMessage::Edited {
            seq: 4,
            text: "fixed".into(),
            client_id: Some(1),
        });
        assert!(!room.all_answered());
        room.observe(&ServerMessage::Deleted {
            seq: 5,
            by: name("ann"),
            client_id: Some(2),
        });
        assert!(room.all_answered());
        assert_eq!(room.tally(), (0, 2));
    }

    #[test]
    fn the_roster_is_replaced_by_each_presence_frame() {
        let mut room = room();
        let members = vec![name("ann"), name("bob")];
        room.observe(&ServerMessage::MemberJoined {
            name: name("bob"),
            members: members.clone(),
        });
        assert_eq!(room.members, members);
        room.observe(&ServerMessage::MemberLeft {
            name: name("bob"),
            members: vec![name("ann")],
            reconnecting: false,
        });
        assert_eq!(room.members, [name("ann")]);
    }
}
