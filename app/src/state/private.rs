//! Private rooms in the model: the room key this client holds, and the one place where
//! what goes to the relay is sealed and what comes from it is opened.
//!
//! The rules are the protocol crate's [`Sealing`] (shared with the CLI); this module only
//! applies them to the model: every frame the app sends passes [`Model::seal_outgoing`],
//! every frame it receives passes [`Model::open_incoming`], so the reducer, the timeline
//! and the views only ever see plaintext (or [`UNREADABLE`]). No sockets, no egui.

use confab_protocol::private::{NOT_TEXT_MARK, RoomKey, SealError, Sealing, SealingError};
use confab_protocol::{ClientMessage, ServerMessage, Username};

use super::words::capitalize;
use super::{ConnectionState, Effect, Intent, Model, Now};

/// What a message that did not open reads as in the model: [`NOT_TEXT_MARK`] then the
/// reason. No opened text holds the mark, so no member can make a readable message look
/// like this; views draw it in its own style ([`unreadable`]).
pub const UNREADABLE: &str = "\u{FFFF}could not decrypt: tampered with, or sealed with another key";

/// Whether a message's text is [`UNREADABLE`] rather than words someone wrote.
pub fn unreadable(text: &str) -> bool {
    text.starts_with(NOT_TEXT_MARK)
}

impl Model {
    /// [`Model::start`] holding a private room's `key`: drawn for a room to create (then
    /// the relay is sent its verify key, `create_private`), or taken from an invite link
    /// (then the room must be private with this key, or nothing is sent).
    pub fn start_private(
        &mut self,
        server: &str,
        name: Username,
        intent: Intent,
        key: RoomKey,
    ) -> Vec<Effect> {
        let effects = self.start(server, name, intent);
        self.key = Some(key);
        effects
    }

    /// The random source gave no key for a private room to create: said on the join screen.
    pub fn key_failed(&mut self, why: &str) {
        self.join_error = Some(format!("Could not make a room key: {why}"));
    }

    /// Whether this client holds a room key (joining or in a private room).
    pub fn holds_key(&self) -> bool {
        self.key.is_some()
    }

    /// The room key of the private room you are in, for its invite link.
    pub fn room_key(&self) -> Option<&RoomKey> {
        self.sealing.key()
    }

    /// `msg` as it may go to the relay: in a private room its text sealed and signed.
    /// `None` when it must not go (a reaction or file, a text too long to seal): the
    /// composer then says why, as for a refusal from the relay.
    pub fn seal_outgoing(&mut self, msg: ClientMessage) -> Option<ClientMessage> {
        let members = (self.room.as_ref()).map_or(&[][..], |s| s.members.as_slice());
        let client_id = msg.client_id();
        match self.sealing.seal(msg, members) {
            Ok(msg) => Some(msg),
            Err(why) => {
                let why = refusal(&why);
                if let Some(session) = &mut self.room {
                    match client_id {
                        Some(id) => session.composer.refuse(id, why),
                        None => session.composer.error = Some(why),
                    }
                }
                None
            }
        }
    }

    /// `msg` with its sealed texts opened. A `welcome` decides first whether the room can
    /// be used: a private room without its key (joined by code), or a room the relay
    /// calls open while we hold a key, is refused (`Err`: what to do), and nothing is sent.
    pub(super) fn open_incoming(
        &mut self,
        msg: ServerMessage,
        now: Now,
    ) -> Result<ServerMessage, Vec<Effect>> {
        if let ServerMessage::Welcome(welcome) = &msg {
            let old = std::mem::replace(&mut self.sealing, Sealing::Open);
            match old.renewed(welcome, self.key.as_ref()) {
                Ok(sealing) => self.sealing = sealing,
                Err(why) => return Err(self.refuse_room(&why, now)),
            }
        }
        Ok(self.sealing.open(msg, UNREADABLE))
    }

    /// After a `welcome` was applied: the session shows whether the room is private.
    pub(super) fn mark_private(&mut self) {
        if let Some(session) = &mut self.room {
            session.safety_code = self.sealing.safety_code();
        }
    }

    /// Leaves a room this client must not use, saying why: on the join screen before the
    /// first `welcome`, else as the end of the session (the transcript stays).
    fn refuse_room(&mut self, why: &SealingError, now: Now) -> Vec<Effect> {
        let words = format!("{}.", capitalize(&why.to_string()));
        log::warn!("refused the room: {why}");
        if self.room.is_some() {
            self.status = ConnectionState::Ended { reason: words };
            let failed = self.attachments.fail_downloads();
            let mut effects = self.transfers(failed, now);
            effects.push(Effect::Disconnect);
            return effects;
        }
        self.target = None;
        self.key = None;
        self.status = ConnectionState::Offline;
        self.join_error = Some(words);
        vec![Effect::Disconnect]
    }

    /// Whether files may be attached here (not in private rooms yet); `Err` says why.
    pub fn attachments_allowed(&self) -> Result<(), &'static str> {
        match self.sealing.is_private() {
            true => Err(NO_FILES),
            false => Ok(()),
        }
    }
}

/// Why files cannot be attached in a private room, for the attach button and `/attach`.
pub const NO_FILES: &str =
    "Files cannot be sent in private rooms yet: they would not be end-to-end encrypted.";

/// A refusal to seal, in the composer's words.
fn refusal(why: &SealError) -> String {
    match why {
        SealError::NotYet => NO_FILES.to_owned(),
        other => format!("Not sent: {other}."),
    }
}

#[cfg(test)]
mod tests;
