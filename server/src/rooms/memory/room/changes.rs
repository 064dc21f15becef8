//! Changes to a kept message in memory mode: edits, deletions and reactions, made on the
//! history itself, so a `welcome` or a resume gives each message as it is now.

use confab_protocol::{Changes, ChatMessage, ClientId, Seq, ServerMessage};

use crate::conn::ConnId;
use crate::rooms::frames::encode;
use crate::rooms::memory::room::Room;
use crate::rooms::types::{Change, ChangeError, SendError};

impl Room {
    /// Applies `change`, asked for by the member on `conn`, to the kept message it names
    /// and tells everyone: only a message's author edits it; its author or the room's owner
    /// deletes it; any member reacts, within the reaction limits.
    pub fn change(&mut self, conn: ConnId, change: Change) -> Result<(), ChangeError> {
        let index = self.position(conn).ok_or(SendError::NotInRoom)?;
        let name = self.members[index].name.clone();
        let owner = self.is_owner(index);
        let target = change.seq();
        let message = self.kept_mut(target).ok_or(ChangeError::NoSuchMessage)?;
        let author = message.from.uniqueness_key() == name.uniqueness_key();
        let (news, client_id): (ServerMessage, Option<ClientId>) = match change {
            Change::Edit {
                client_id,
                seq,
                text,
            } => {
                if !author {
                    return Err(ChangeError::NotAuthor);
                }
                message.text.clone_from(&text);
                message.changes.edited = true;
                let edited = ServerMessage::Edited {
                    seq,
                    text,
                    client_id: None,
                };
                (edited, Some(client_id))
            }
            Change::Delete { client_id, seq } => {
                if !author && !owner {
                    return Err(ChangeError::NotAuthor);
                }
                Changes::delete(message);
                let deleted = ServerMessage::Deleted {
                    seq,
                    by: name,
                    client_id: None,
                };
                (deleted, Some(client_id))
            }
            Change::React { seq, emoji, on } => {
                if !message.changes.react(&emoji, &name, on) {
                    return Err(ChangeError::TooManyReactions);
                }
                (
                    ServerMessage::Reaction {
                        seq,
                        emoji,
                        name,
                        on,
                    },
                    None,
                )
            }
        };
        // What a resume reads to tell whether this member saw the change (`frames.rs`).
        self.changed_at.insert(target, self.last_seq);
        self.announce_change(news, conn, client_id);
        Ok(())
    }

    /// The kept message `seq`, unless it was deleted.
    fn kept_mut(&mut self, seq: Seq) -> Option<&mut ChatMessage> {
        let first = self.history.front()?.seq;
        let message = self
            .history
            .get_mut(usize::try_from(seq.checked_sub(first)?).ok()?)?;
        (message.seq == seq && !message.changes.deleted).then_some(message)
    }

    /// Tells everyone of a change; the member who made it gets its copy with `client_id`.
    fn announce_change(
        &mut self,
        mut news: ServerMessage,
        by: ConnId,
        client_id: Option<ClientId>,
    ) {
        let Some(client_id) = client_id else {
            self.broadcast(&encode(&news), None);
            return;
        };
        self.broadcast(&encode(&news), Some(by));
        if let ServerMessage::Edited { client_id: own, .. }
        | ServerMessage::Deleted { client_id: own, .. } = &mut news
        {
            *own = Some(client_id);
        }
        self.send_to(by, &encode(&news));
    }
}
