//! [`Sealing`]: a client's side of a private room, applied to frames (feature `seal`).
//! Seals and signs what a client sends, opens what it receives (a text that does not open
//! is replaced by the caller's words for that, never passed on as text), and decides from
//! `welcome` whether the room can be used at all.
//!
//! Shared by every client (the CLI and the app) so the rules (which [`Post`] each frame
//! is bound to, the roster's spelling of a whisper's recipient, an edit opened as an edit
//! of its author's message) are written once. No I/O, no clocks.

use std::collections::HashMap;

use super::{OpenError, Post, RoomKey, max_plaintext_bytes};
use crate::{ChatMessage, ClientMessage, RoomCode, Seq, ServerMessage, Username, WelcomeMessage};

/// What a private room's client is told when it has no key (it neither reads nor posts).
pub const NEEDS_LINK: &str = "this room is private: open it with its invite link";

/// What a reaction whose emoji does not open shows instead (a chip, a count: short).
pub const UNREADABLE_EMOJI: &str = "[?]";

/// A character opened texts never hold: [`Sealing::open`] replaces it by U+FFFD in every
/// text that opens. A client may start its words for a text that did not open with it, and
/// then no member can make a readable message look like one that did not open. (U+FFFF is
/// a Unicode noncharacter: no real text uses it.)
pub const NOT_TEXT_MARK: char = '\u{FFFF}';

/// How a client treats the room it is in.
#[derive(Debug, Clone)]
pub enum Sealing {
    /// An open room: texts go and come as they are.
    Open,
    /// A private room whose key we hold.
    Private(Box<PrivateRoom>),
}

/// A private room whose key this client holds.
#[derive(Debug, Clone)]
pub struct PrivateRoom {
    key: RoomKey,
    room: RoomCode,
    you: Username,
    /// The longest plaintext, in bytes, whose sealed text the relay takes.
    max_plain: usize,
    /// Who wrote each message seen, so that a live `edited` (which does not say) opens.
    authors: HashMap<Seq, Username>,
}

/// Why the room cannot be used from this client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealingError {
    /// The room is private and we have no key (joined by code alone).
    #[error("{NEEDS_LINK}")]
    NoKey,
    /// The link's key is not this room's.
    #[error("this invite link's key does not belong to this room: ask for the link again")]
    WrongKey,
    /// We hold a key but the relay calls the room open: sending would give the relay the
    /// plaintext, so nothing is sent (a relay that lost the room, or one that strips
    /// `verify_key` to read along).
    #[error(
        "this invite link is for a private room, but the relay says the room is open: \
         nothing was sent; make a new private room"
    )]
    NotPrivate,
}

/// Why a request is not sent to a private room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The plaintext's sealed text would pass the relay's length limit.
    #[error("too long for a private room: at most {0} bytes")]
    TooLong(usize),
    /// The OS random source failed to give a nonce.
    #[error("could not draw a nonce: {0}")]
    Random(String),
    /// Files are not sealed yet; the relay refuses them in private rooms.
    #[error("files are not available in private rooms yet")]
    NotYet,
}

impl Sealing {
    /// How to treat the room `welcome` describes, holding `key` (from the invite link, or
    /// drawn for a room we created). Holding a key, we only ever send sealed: a welcome
    /// without `verify_key` is refused, never taken as an open room.
    pub fn for_welcome(
        welcome: &WelcomeMessage,
        key: Option<&RoomKey>,
    ) -> Result<Self, SealingError> {
        let Some(verify_key) = welcome.verify_key else {
            return match key {
                Some(_) => Err(SealingError::NotPrivate),
                None => Ok(Self::Open),
            };
        };
        let key = key.ok_or(SealingError::NoKey)?;
        if key.verify_key() != verify_key {
            return Err(SealingError::WrongKey);
        }
        Ok(Self::Private(Box::new(PrivateRoom {
            key: key.clone(),
            room: welcome.room.clone(),
            you: welcome.you.clone(),
            max_plain: max_plaintext_bytes(welcome.limits.max_text_chars),
            authors: HashMap::new(),
        })))
    }

    /// [`Self::for_welcome`] for a new `welcome` on a later connection (a resume): the
    /// authors of messages seen in the same room are kept, so that an `edited` of a message
    /// older than the resume's history still opens.
    pub fn renewed(
        self,
        welcome: &WelcomeMessage,
        key: Option<&RoomKey>,
    ) -> Result<Self, SealingError> {
        let mut next = Self::for_welcome(welcome, key)?;
        if let (Self::Private(old), Self::Private(new)) = (self, &mut next)
            && old.room == new.room
        {
            new.authors = old.authors;
        }
        Ok(next)
    }

    /// Whether the room is private (and we hold its key).
    pub fn is_private(&self) -> bool {
        matches!(self, Self::Private(_))
    }

    /// The room key, in a private room.
    pub fn key(&self) -> Option<&RoomKey> {
        match self {
            Self::Private(room) => Some(&room.key),
            Self::Open => None,
        }
    }

    /// The safety code members compare by voice, in a private room.
    pub fn safety_code(&self) -> Option<String> {
        self.key().map(RoomKey::safety_code)
    }

    /// `request` ready to send: in a private room its text (or a reaction's emoji) sealed
    /// and signed; files refused, as the relay would refuse them. `members` is the roster, whose
    /// spelling of a whisper's recipient is what gets signed.
    pub fn seal(
        &self,
        request: ClientMessage,
        members: &[Username],
    ) -> Result<ClientMessage, SealError> {
        let Self::Private(room) = self else {
            return Ok(request);
        };
        let seal = |post: &Post<'_>, text: &str| -> Result<String, SealError> {
            if text.len() > room.max_plain {
                return Err(SealError::TooLong(room.max_plain));
            }
            (room.key.seal(post, text)).map_err(|err| SealError::Random(err.to_string()))
        };
        Ok(match request {
            ClientMessage::Chat {
                client_id,
                text,
                reply_to,
            } => ClientMessage::Chat {
                text: seal(&Post::chat(&room.room, &room.you, reply_to), &text)?,
                client_id,
                reply_to,
            },
            ClientMessage::Edit {
                client_id,
                seq,
                text,
            } => ClientMessage::Edit {
                text: seal(&Post::edit(&room.room, &room.you, seq), &text)?,
                client_id,
                seq,
            },
            ClientMessage::Whisper {
                to,
                client_id,
                text,
            } => {
                // Signed for the name as the relay will deliver it (the roster's spelling),
                // so that the recipient's check matches.
                let key = to.uniqueness_key();
                let to = (members.iter())
                    .find(|m| m.uniqueness_key() == key)
                    .cloned()
                    .unwrap_or(to);
                ClientMessage::Whisper {
                    text: seal(&Post::whisper(&room.room, &room.you, &to), &text)?,
                    to,
                    client_id,
                }
            }
            ClientMessage::React { seq, emoji, on } => ClientMessage::React {
                emoji: (room.key).seal_reaction(&Post::react(&room.room, &room.you, seq), &emoji),
                seq,
                on,
            },
            ClientMessage::UploadStart { .. } => return Err(SealError::NotYet),
            other => other,
        })
    }

    /// `msg` with every sealed text opened, or replaced by `unreadable` (the caller's
    /// words for a text that did not open). Opened texts never hold [`NOT_TEXT_MARK`].
    pub fn open(&mut self, msg: ServerMessage, unreadable: &str) -> ServerMessage {
        let Self::Private(room) = self else {
            return msg;
        };
        match msg {
            ServerMessage::Welcome(mut welcome) => {
                for chat in &mut welcome.history {
                    room.open_chat(chat, unreadable);
                }
                ServerMessage::Welcome(welcome)
            }
            ServerMessage::Chat(mut chat) => {
                room.open_chat(&mut chat, unreadable);
                ServerMessage::Chat(chat)
            }
            ServerMessage::Changed { mut messages } => {
                for chat in &mut messages {
                    room.open_chat(chat, unreadable);
                }
                ServerMessage::Changed { messages }
            }
            ServerMessage::Reaction {
                seq,
                emoji,
                name,
                on,
            } => ServerMessage::Reaction {
                emoji: room.opened_reaction(&emoji),
                seq,
                name,
                on,
            },
            ServerMessage::Whisper(mut whisper) => {
                let post = Post::whisper(&room.room, &whisper.from, &whisper.to);
                whisper.text = room.opened(&post, &whisper.text, unreadable);
                ServerMessage::Whisper(whisper)
            }
            ServerMessage::Edited {
                seq,
                text,
                client_id,
            } => {
                let text = match room.authors.get(&seq) {
                    Some(author) => {
                        let post = Post::edit(&room.room, author, seq);
                        room.opened(&post, &text, unreadable)
                    }
                    None => unreadable.to_owned(),
                };
                ServerMessage::Edited {
                    seq,
                    text,
                    client_id,
                }
            }
            other => other,
        }
    }
}

impl PrivateRoom {
    /// The room, as `welcome` named it.
    pub fn room(&self) -> &RoomCode {
        &self.room
    }

    /// Opens a kept or live chat: as an edit of its `seq` once edited, else as a chat;
    /// and its reactions' emoji.
    fn open_chat(&mut self, chat: &mut ChatMessage, unreadable: &str) {
        self.authors.insert(chat.seq, chat.from.clone());
        for reaction in &mut chat.changes.reactions {
            reaction.emoji = self.opened_reaction(&reaction.emoji);
        }
        if chat.changes.deleted {
            return;
        }
        let post = if chat.changes.edited {
            Post::edit(&self.room, &chat.from, chat.seq)
        } else {
            Post::chat(&self.room, &chat.from, chat.reply_to)
        };
        chat.text = self.opened(&post, &chat.text, unreadable);
    }

    /// The emoji a reaction token stands for, or [`UNREADABLE_EMOJI`].
    fn opened_reaction(&self, token: &str) -> String {
        (self.key.open_reaction(&self.room, token))
            .unwrap_or_else(|_: OpenError| UNREADABLE_EMOJI.to_owned())
    }

    fn opened(&self, post: &Post<'_>, text: &str, unreadable: &str) -> String {
        let opened: Result<String, OpenError> = self.key.open(post, text);
        match opened {
            Ok(text) if text.contains(NOT_TEXT_MARK) => {
                text.replace(NOT_TEXT_MARK, &char::REPLACEMENT_CHARACTER.to_string())
            }
            Ok(text) => text,
            Err(_why) => unreadable.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
