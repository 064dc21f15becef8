//! The composer's two modes besides writing a new message: answering one (a reply target
//! shown above the box) and changing one of yours (edit mode, the draft holding its new
//! text, what you were writing put aside until the edit ends).

use confab_protocol::{ClientId, ClientMessage, Seq};

use super::{Composer, DraftAction, Pending};

/// A kept message of yours being changed in the composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editing {
    /// Which message.
    pub seq: Seq,
    /// Its text when the edit began: sending it unchanged sends nothing.
    pub original: String,
    /// The draft before the edit began, put back when the edit ends.
    pub saved_draft: String,
}

impl Composer {
    /// Answers message `seq` with the next chat (its Reply action). Ends an edit first:
    /// one mode at a time.
    pub fn reply(&mut self, seq: Seq) {
        self.cancel_edit();
        self.reply_to = Some(seq);
    }

    /// Stops answering (the ✕ beside the reply target, or Esc).
    pub fn cancel_reply(&mut self) {
        self.reply_to = None;
    }

    /// Starts changing your message `seq`, whose text is `text`: the draft becomes that
    /// text, and what was being written waits until the edit ends.
    pub fn start_edit(&mut self, seq: Seq, text: &str) {
        self.cancel_edit();
        self.reply_to = None;
        self.error = None;
        let saved_draft = std::mem::replace(&mut self.draft, text.to_owned());
        self.editing = Some(Editing {
            seq,
            original: text.to_owned(),
            saved_draft,
        });
    }

    /// Ends an edit without sending it (Esc): the draft from before comes back.
    pub fn cancel_edit(&mut self) {
        if let Some(editing) = self.editing.take() {
            self.draft = editing.saved_draft;
        }
    }

    /// The message being changed, if an edit is under way.
    pub fn editing(&self) -> Option<Seq> {
        self.editing.as_ref().map(|e| e.seq)
    }

    /// The message `seq` was taken back: an edit of it ends, saying why.
    pub fn message_deleted(&mut self, seq: Seq) {
        if self.editing() == Some(seq) {
            self.cancel_edit();
            self.error = Some("The message you were editing was deleted.".into());
        }
        if self.reply_to == Some(seq) {
            self.reply_to = None;
        }
    }

    /// Sends the draft as the new text of the message being edited (see
    /// [`Composer::take_draft`]). Unchanged text ends the edit with nothing sent; empty or
    /// over-long text is kept and explained.
    pub(super) fn take_edit(
        &mut self,
        client_id: ClientId,
        max_chars: usize,
    ) -> Option<DraftAction> {
        let editing = self.editing.as_ref()?;
        let text = self.draft.trim_end().to_owned();
        if text == editing.original {
            self.cancel_edit();
            return None;
        }
        if let Some(why) = super::over_limit(&text, max_chars) {
            self.error = Some(why);
            return None;
        }
        let seq = editing.seq;
        self.cancel_edit();
        self.error = None;
        self.pending.insert(
            client_id,
            Pending {
                text: text.clone(),
                to: None,
                reply_to: None,
                edit: Some(seq),
            },
        );
        Some(DraftAction::Send(ClientMessage::Edit {
            client_id,
            seq,
            text,
        }))
    }

    /// The relay refused the edit of `seq` to `text`: edit mode comes back with that text
    /// (unless another edit began meanwhile), and `why` is shown.
    pub(super) fn refuse_edit(&mut self, seq: Seq, text: String, why: String) {
        if self.editing.is_none() {
            let saved_draft = std::mem::replace(&mut self.draft, text);
            self.editing = Some(Editing {
                seq,
                original: String::new(),
                saved_draft,
            });
        }
        self.error = Some(why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_sends_the_new_text_and_puts_the_draft_back() {
        let mut c = Composer {
            draft: "half a thought".into(),
            ..Composer::default()
        };
        c.start_edit(4, "teh typo");
        assert_eq!(c.draft, "teh typo");
        assert_eq!(c.editing(), Some(4));
        c.draft = "the typo".into();
        let sent = c.take_draft(9, 100, &[]);
        assert_eq!(
            sent,
            Some(DraftAction::Send(ClientMessage::Edit {
                client_id: 9,
                seq: 4,
                text: "the typo".into()
            }))
        );
        assert_eq!(c.draft, "half a thought");
        assert_eq!(c.editing(), None);
        assert_eq!(c.typing_hint(web_time::Instant::now()), Some(true));
    }

    #[test]
    fn an_unchanged_edit_sends_nothing_and_esc_restores_the_draft() {
        let mut c = Composer {
            draft: "mine".into(),
            ..Composer::default()
        };
        c.start_edit(2, "same");
        assert_eq!(c.take_draft(1, 100, &[]), None);
        assert_eq!((c.draft.as_str(), c.editing()), ("mine", None));
        c.start_edit(2, "same");
        c.draft = "changed".into();
        c.cancel_edit();
        assert_eq!((c.draft.as_str(), c.editing()), ("mine", None));
    }

    #[test]
    fn a_refused_edit_comes_back_as_an_edit_with_its_text() {
        let mut c = Composer::default();
        c.start_edit(3, "old");
        c.draft = "new".into();
        assert!(c.take_draft(5, 100, &[]).is_some());
        c.draft = "typed since".into();
        c.refuse(5, "no".into());
        assert_eq!(c.editing(), Some(3));
        assert_eq!(c.draft, "new");
        c.cancel_edit();
        assert_eq!(c.draft, "typed since");
    }

    #[test]
    fn a_reply_carries_its_target_once_and_a_whisper_keeps_it_waiting() {
        let mut c = Composer::default();
        c.reply(7);
        c.draft = "/w bob psst".into();
        let whisper = c.take_draft(1, 100, &[]);
        assert!(matches!(
            whisper,
            Some(DraftAction::Send(ClientMessage::Whisper { .. }))
        ));
        assert_eq!(c.reply_to, Some(7));
        c.draft = "yes".into();
        assert_eq!(
            c.take_draft(2, 100, &[]),
            Some(DraftAction::Send(ClientMessage::Chat {
                client_id: 2,
                text: "yes".into(),
                reply_to: Some(7)
            }))
        );
        assert_eq!(c.reply_to, None);
        c.refuse(2, "slow down".into());
        assert_eq!(c.reply_to, Some(7), "a refused reply still answers 7");
    }

    #[test]
    fn replying_ends_an_edit_and_editing_ends_a_reply() {
        let mut c = Composer {
            draft: "draft".into(),
            ..Composer::default()
        };
        c.reply(1);
        c.start_edit(2, "text");
        assert_eq!(c.reply_to, None);
        c.reply(3);
        assert_eq!((c.editing(), c.draft.as_str()), (None, "draft"));
    }

    #[test]
    fn deleting_the_message_being_edited_ends_the_edit_and_says_so() {
        let mut c = Composer::default();
        c.start_edit(2, "text");
        c.message_deleted(2);
        assert_eq!(c.editing(), None);
        assert!(c.error.is_some());
    }
}
