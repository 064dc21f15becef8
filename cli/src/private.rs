//! [`Sealing`]: this client's side of a private room. Seals and signs what it sends, opens
//! what it receives (a message that does not open is shown as such, never as text), and
//! says what a person needs to hear: the invite link, the safety code, or that the room
//! cannot be read without its link.
//!
//! The crypto is the protocol crate's (`confab_protocol::private`, shared with the app);
//! this module only applies it to frames. No I/O.

use std::collections::HashMap;

use confab_protocol::private::{self, OpenError, Post, RoomKey};
use confab_protocol::{
    ChatMessage, ClientMessage, Invite, RoomCode, Seq, ServerMessage, Username, WelcomeMessage,
};

/// What is shown instead of a message that does not open.
pub const UNREADABLE: &str = "[could not decrypt: tampered or wrong key]";

/// What is shown instead of a reaction whose emoji does not open.
pub const UNREADABLE_EMOJI: &str = "[?]";

/// What a client without the room key is told (it neither reads nor posts).
pub const NEEDS_LINK: &str = "this room is private: open it with its invite link";

/// How this client treats the room it is in.
#[derive(Debug)]
pub enum Sealing {
    /// An open room: texts go and come as they are.
    Open,
    /// A private room whose key we hold.
    Private(Box<PrivateRoom>),
}

/// A private room whose key this client holds.
#[derive(Debug)]
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
            max_plain: private::max_plaintext_bytes(welcome.limits.max_text_chars),
            authors: HashMap::new(),
        })))
    }

    /// Whether the room is private (and we hold its key).
    pub fn is_private(&self) -> bool {
        matches!(self, Self::Private(_))
    }

    /// The lines to tell the person on entering: the safety code, and for a room we
    /// created, the invite link that carries its key (`page` is `welcome.page_url`).
    pub fn notices(&self, created: Option<(&str, Option<&str>)>) -> Vec<String> {
        let Self::Private(room) = self else {
            return Vec::new();
        };
        let mut lines = vec![format!(
            "private room (end-to-end encrypted): safety code {} (compare it by voice)",
            room.key.safety_code()
        )];
        if let Some((relay, page)) = created {
            let invite = Invite {
                relay: Some(relay.to_owned()),
                code: room.room.clone(),
                key: Some(room.key.clone()),
            };
            lines.push(format!(
                "invite link (it holds the key: share it privately): {}",
                invite.link(page)
            ));
        }
        lines
    }

    /// `request` ready to send: in a private room its text (or a reaction's emoji) sealed
    /// and signed; files refused (`Err` with the words), as the relay would refuse them.
    pub fn seal(
        &self,
        request: ClientMessage,
        members: &[Username],
    ) -> Result<ClientMessage, String> {
        let Self::Private(room) = self else {
            return Ok(request);
        };
        let seal = |post: &Post<'_>, text: &str| -> Result<String, String> {
            if text.len() > room.max_plain {
                return Err(format!(
                    "too long for a private room: at most {} bytes",
                    room.max_plain
                ));
            }
            room.key
                .seal(post, text)
                .map_err(|err| format!("could not draw a nonce: {err}"))
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
                emoji: room
                    .key
                    .seal_reaction(&Post::react(&room.room, &room.you, seq), &emoji),
                seq,
                on,
            },
            ClientMessage::UploadStart { .. } => {
                return Err("files are not available in private rooms yet".into());
            }
            other => other,
        })
    }

    /// `msg` with every sealed text opened (or replaced by [`UNREADABLE`]).
    pub fn open(&mut self, msg: ServerMessage) -> ServerMessage {
        let Self::Private(room) = self else {
            return msg;
        };
        match msg {
            ServerMessage::Welcome(mut welcome) => {
                for chat in &mut welcome.history {
                    room.open_chat(chat);
                }
                ServerMessage::Welcome(welcome)
            }
            ServerMessage::Chat(mut chat) => {
                room.open_chat(&mut chat);
                ServerMessage::Chat(chat)
            }
            ServerMessage::Changed { mut messages } => {
                for chat in &mut messages {
                    room.open_chat(chat);
                }
                ServerMessage::Changed { messages }
            }
            ServerMessage::Whisper(mut whisper) => {
                let post = Post::whisper(&room.room, &whisper.from, &whisper.to);
                whisper.text = room.opened(&post, &whisper.text);
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
                        room.opened(&post, &text)
                    }
                    None => UNREADABLE.to_owned(),
                };
                ServerMessage::Edited {
                    seq,
                    text,
                    client_id,
                }
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
            other => other,
        }
    }
}

impl PrivateRoom {
    /// Opens a kept or live chat: as an edit of its `seq` once edited, else as a chat;
    /// and its reactions' emoji.
    fn open_chat(&mut self, chat: &mut ChatMessage) {
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
        chat.text = self.opened(&post, &chat.text);
    }

    /// The emoji a reaction token stands for, or [`UNREADABLE_EMOJI`].
    fn opened_reaction(&self, token: &str) -> String {
        self.key
            .open_reaction(&self.room, token)
            .unwrap_or_else(|_: OpenError| UNREADABLE_EMOJI.to_owned())
    }

    fn opened(&self, post: &Post<'_>, text: &str) -> String {
        self.key
            .open(post, text)
            .unwrap_or_else(|_: OpenError| UNREADABLE.to_owned())
    }
}

#[cfg(test)]
mod tests;
