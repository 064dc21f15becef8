//! What a person does to a message that is already in the room: answer it, react to it,
//! change or take back their own. The rules (who may do what, toggling a reaction, the
//! reaction limits checked before asking the relay) live here; the views only report
//! which action was chosen on which message.

use confab_protocol::{ChatMessage, ClientMessage, Seq};

use super::{ConnectionState, Effect, EntryKind, Model, Now};

/// Something done to a message, from its action bar or menu, a reaction chip or a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageAction {
    /// Make `seq` the message the next chat answers.
    Reply(Seq),
    /// Stop answering (✕ or Esc).
    CancelReply,
    /// Add your reaction `emoji` to `seq`, or take it back if you have it there.
    React {
        /// Which message.
        seq: Seq,
        /// The emoji.
        emoji: String,
    },
    /// Start changing your message `seq` in the composer.
    Edit(Seq),
    /// Start changing your newest message (↑ in an empty composer).
    EditLast,
    /// Stop changing it (Esc): the draft from before comes back.
    CancelEdit,
    /// Take back message `seq` (already confirmed by the person).
    Delete(Seq),
}

/// What the person may do to one shown message, for the views to offer only that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allowed {
    /// Answer it and react to it (any message still there).
    pub reply_and_react: bool,
    /// Change its text (yours, not a file).
    pub edit: bool,
    /// Take it back (yours, or anyone's when you own the room).
    pub delete: bool,
}

impl super::Room {
    /// What you may do to a shown message (see [`allowed`]).
    pub fn allowed(&self, kind: &EntryKind) -> Allowed {
        allowed(kind, self.i_own_the_room())
    }

    /// A resume's `changed`: messages already shown that changed while you were away, in
    /// their current form, each replacing the shown one (if it is still shown). Current
    /// state, so applying one twice changes nothing.
    pub(super) fn apply_changed(&mut self, messages: Vec<ChatMessage>) {
        for message in messages {
            if message.changes.deleted {
                self.composer.message_deleted(message.seq);
            }
            self.timeline.change(message.seq, |shown| {
                *shown.text = message.text;
                *shown.attachment = message.attachment;
                *shown.changes = message.changes;
            });
        }
    }
}

/// What you may do to an entry of `kind` (`i_own`: you own the room): nothing to a deleted
/// message or to what is not a chat.
pub fn allowed(kind: &EntryKind, i_own: bool) -> Allowed {
    let EntryKind::Chat {
        mine,
        attachment,
        changes,
        ..
    } = kind
    else {
        return Allowed::default();
    };
    if changes.deleted {
        return Allowed::default();
    }
    Allowed {
        reply_and_react: true,
        edit: *mine && attachment.is_none(),
        delete: *mine || i_own,
    }
}

impl Model {
    /// Applies `action` to the current session; returns what to send.
    pub fn message_action(&mut self, action: MessageAction, now: Now) -> Vec<Effect> {
        let online = self.status == ConnectionState::Online;
        let Some(session) = self.room.as_mut() else {
            return vec![];
        };
        let composer = &mut session.composer;
        match action {
            MessageAction::Reply(seq) => composer.reply(seq),
            MessageAction::CancelReply => composer.cancel_reply(),
            MessageAction::CancelEdit => composer.cancel_edit(),
            MessageAction::Edit(seq) => {
                let text = session.timeline.chat(seq).and_then(|e| match &e.kind {
                    kind @ EntryKind::Chat { text, .. } if session.allowed(kind).edit => {
                        Some(text.clone())
                    }
                    _ => None,
                });
                if let Some(text) = text {
                    session.composer.start_edit(seq, &text);
                }
            }
            MessageAction::EditLast => {
                if let Some((seq, text)) = session.timeline.last_editable() {
                    let text = text.to_owned();
                    session.composer.start_edit(seq, &text);
                }
            }
            MessageAction::Delete(seq) => {
                let may =
                    (session.timeline.chat(seq)).is_some_and(|e| session.allowed(&e.kind).delete);
                if may && online {
                    let client_id = self.next_client_id;
                    self.next_client_id += 1;
                    return vec![Effect::Send(ClientMessage::Delete { client_id, seq })];
                }
            }
            MessageAction::React { seq, emoji } => {
                let Some(EntryKind::Chat { changes, .. }) =
                    session.timeline.chat(seq).map(|e| &e.kind)
                else {
                    return vec![];
                };
                let me = &session.me;
                let on = !changes
                    .reactions
                    .iter()
                    .any(|r| r.emoji == emoji && r.names.contains(me));
                if on && !changes.clone().react(&emoji, me, true) {
                    session.composer.error = Some(too_many_reactions());
                    return vec![];
                }
                if online {
                    return vec![Effect::Send(ClientMessage::React { seq, emoji, on })];
                }
            }
        }
        // Entering or leaving edit mode may end a typing hint.
        self.draft_changed(now)
    }
}

/// Why a reaction was not added, with the limits that stopped it.
pub fn too_many_reactions() -> String {
    format!(
        "No more reactions fit on that message: at most {} different emoji, {} of them yours.",
        confab_protocol::MAX_REACTION_KINDS,
        confab_protocol::MAX_REACTIONS_PER_MEMBER
    )
}
