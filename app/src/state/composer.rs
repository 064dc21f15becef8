//! [`Composer`]: the draft being written, messages awaiting the relay's copy, your own
//! typing hint, whisper commands and name completion.
//!
//! Pure: it is told the time and returns what should be sent; it never sends anything.

use super::words::capitalize;
use std::collections::BTreeMap;

use confab_protocol::command::{self, Command};
use confab_protocol::{ClientId, ClientMessage, MemberStatus, Seq, Username};
use web_time::{Duration, Instant};

/// How often a `typing: true` hint is repeated while composing. Well inside the relay's
/// `typing_ttl_ms` (6 s by default), and one hint per 3 s costs little of the rate limit.
pub const TYPING_REPEAT: Duration = Duration::from_secs(3);

/// A sent message the relay has not yet echoed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// What was sent, to restore into the draft if the relay refuses it.
    pub text: String,
    /// The recipient, for a whisper.
    pub to: Option<Username>,
    /// The message it answers, restored as the reply target if it is refused.
    pub reply_to: Option<Seq>,
    /// The kept message it changes, for an edit (then `text` is the new text).
    pub edit: Option<Seq>,
}

/// What a sent draft asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftAction {
    /// Send this to the relay.
    Send(ClientMessage),
    /// Set your status (`/away`, `/back`): the model keeps it across reconnects.
    Status(MemberStatus),
    /// Ignore a member on this screen, or stop (`/ignore`, `/unignore`): nothing is sent.
    Ignore {
        /// Who.
        name: Username,
        /// Hide (`true`) or show again.
        ignore: bool,
    },
    /// Attach a file (`/attach`): the file at this path, or (`None`, a bare `/attach`)
    /// the one the person picks, exactly as the attach button does.
    Attach(Option<String>),
}

/// The message being written and everything that hangs off it.
#[derive(Debug, Default, Clone)]
pub struct Composer {
    /// The text in the composer, edited directly by the composer view.
    pub draft: String,
    /// Why the last message was refused, shown above the composer until the next send.
    pub error: Option<String>,
    /// Sent but not yet echoed, by `client_id`: shown as "sending…" and restored on refusal.
    pending: BTreeMap<ClientId, Pending>,
    /// When `typing: true` was last sent; `None` when others think we are idle.
    typing_sent_at: Option<Instant>,
    /// The message the next chat answers (its Reply action), shown above the composer.
    pub reply_to: Option<Seq>,
    /// A message of yours being changed: the draft holds its new text meanwhile.
    editing: Option<editing::Editing>,
}

/// Why `text` cannot be sent where messages take at most `max_chars` characters, in the
/// composer's words; `None` when it fits. New messages and edits share the limit.
fn over_limit(text: &str, max_chars: usize) -> Option<String> {
    let chars = text.chars().count();
    (chars > max_chars)
        .then(|| format!("That message has {chars} characters; the limit is {max_chars}."))
}

/// Whether `draft` is `/attach` with nothing after it.
fn is_bare_attach(draft: &str) -> bool {
    draft.trim().eq_ignore_ascii_case("/attach")
}

impl Composer {
    /// Messages awaiting the relay's copy, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &Pending> {
        self.pending.values()
    }

    /// Takes the draft for sending as `client_id`, read with the shared line grammar
    /// ([`command::parse`]; `members` lets `/w` reach a name with spaces). Returns the
    /// message to send, or `None` (draft kept, [`Self::error`] set) when it cannot be sent
    /// or asks for nothing to send (`/who` answers in [`Self::error`]'s place).
    pub fn take_draft(
        &mut self,
        client_id: ClientId,
        max_chars: usize,
        members: &[Username],
    ) -> Option<DraftAction> {
        if self.draft.trim().is_empty() {
            return None;
        }
        if self.editing.is_some() {
            return self.take_edit(client_id, max_chars);
        }
        let (to, text, reply_to) = match command::parse(&self.draft, members) {
            Ok(Command::Status(status)) => return Some(self.done(DraftAction::Status(status))),
            Ok(Command::Ignore { name, ignore }) => {
                return Some(self.done(DraftAction::Ignore { name, ignore }));
            }
            Ok(Command::Lock(locked)) => {
                return Some(self.done(DraftAction::Send(ClientMessage::Lock { locked })));
            }
            Ok(Command::Remove(name)) => {
                return Some(self.done(DraftAction::Send(ClientMessage::Remove { name })));
            }
            Ok(Command::Chat(text) | Command::Me(text)) => (None, text, self.reply_to),
            Ok(Command::Whisper { to, text }) => (Some(to), text, None),
            Ok(Command::Reply { seq, text }) => (None, text, Some(seq)),
            Ok(Command::Edit { seq, text }) => {
                let edit = ClientMessage::Edit {
                    client_id,
                    seq,
                    text,
                };
                return Some(self.done(DraftAction::Send(edit)));
            }
            Ok(Command::Delete(seq)) => {
                let delete = ClientMessage::Delete { client_id, seq };
                return Some(self.done(DraftAction::Send(delete)));
            }
            Ok(Command::React { seq, emoji, on }) => {
                let react = ClientMessage::React { seq, emoji, on };
                return Some(self.done(DraftAction::Send(react)));
            }
            Ok(Command::Who) => {
                let names: Vec<&str> = members.iter().map(Username::as_str).collect();
                self.error = Some(format!("Here ({}): {}", names.len(), names.join(", ")));
                self.draft.clear();
                return None;
            }
            Ok(Command::Help) => {
                self.error = Some(APP_HELP.into());
                self.draft.clear();
                return None;
            }
            Ok(Command::Quit) => {
                self.error = Some("To leave, press Leave at the top.".into());
                self.draft.clear();
                return None;
            }
            Ok(Command::Nothing) => return None,
            Ok(Command::Attach(path)) => return Some(self.done(DraftAction::Attach(Some(path)))),
            // The shared grammar wants a path; here a bare `/attach` opens the picker.
            Err(command::CommandError::FileUsage) if is_bare_attach(&self.draft) => {
                return Some(self.done(DraftAction::Attach(None)));
            }
            Ok(Command::Save { .. }) => {
                self.error = Some("To save a file, use Save on its message.".into());
                self.draft.clear();
                return None;
            }
            Err(why) => {
                self.error = Some(capitalize(&why.to_string()));
                return None;
            }
        };
        if let Some(why) = over_limit(&text, max_chars) {
            self.error = Some(why);
            return None;
        }
        self.error = None;
        self.draft.clear();
        self.typing_sent_at = None;
        if to.is_none() {
            // Sent: the reply target was this message's (a whisper cannot answer one).
            self.reply_to = None;
        }
        self.pending.insert(
            client_id,
            Pending {
                text: text.clone(),
                to: to.clone(),
                reply_to,
                edit: None,
            },
        );
        Some(DraftAction::Send(match to {
            Some(to) => ClientMessage::Whisper {
                to,
                client_id,
                text,
            },
            None => ClientMessage::Chat {
                reply_to,
                client_id,
                text,
            },
        }))
    }

    /// A command line was carried out: the draft and the last error go.
    fn done(&mut self, action: DraftAction) -> DraftAction {
        self.error = None;
        self.draft.clear();
        action
    }

    /// The relay accepted the message sent as `client_id`.
    pub fn confirm(&mut self, client_id: ClientId) {
        self.pending.remove(&client_id);
    }

    /// The relay refused the message sent as `client_id`: its text goes back into the draft
    /// (in front of anything typed since), and `why` is shown.
    pub fn refuse(&mut self, client_id: ClientId, why: String) {
        if let Some(p) = self.pending.remove(&client_id) {
            if let Some(seq) = p.edit {
                self.refuse_edit(seq, p.text, why);
                return;
            }
            self.reply_to = self.reply_to.or(p.reply_to);
            let restored = match p.to {
                Some(to) => command::whisper_line(&to, &p.text),
                None => p.text,
            };
            self.draft = if self.draft.is_empty() {
                restored
            } else {
                format!("{restored}\n{}", self.draft)
            };
        }
        self.error = Some(why);
    }

    /// A message of yours the relay replayed in a resume's history: if it was still waiting
    /// here, the relay had it after all, so it is neither offered again nor sent twice.
    /// Matched by `client_id` when the relay's copy has one; today's relays replay history
    /// without (docs/protocol.md, `welcome.history`), so otherwise by its text: the oldest
    /// waiting chat message with exactly that text (the relay stores text as sent).
    pub fn confirm_replayed(&mut self, client_id: Option<ClientId>, text: &str) {
        let by_id = client_id.filter(|id| self.pending.contains_key(id));
        let by_text = || {
            (self.pending.iter())
                .find(|(_, p)| p.to.is_none() && p.edit.is_none() && p.text == text)
                .map(|(id, _)| *id)
        };
        if let Some(id) = by_id.or_else(by_text) {
            self.pending.remove(&id);
        }
    }

    /// Gives up on messages still awaiting an echo (after a resume has confirmed those the
    /// relay had, or when the room ended): the relay does not have them, or cannot say so
    /// (whispers are never replayed), so their text goes back into the draft rather than
    /// be lost.
    pub fn requeue_pending(&mut self) {
        let ids: Vec<_> = self.pending.keys().copied().collect();
        for id in ids {
            self.refuse(
                id,
                "Not sent: the connection dropped. Press Enter to try again.".into(),
            );
        }
    }

    /// Decides which typing hint to send after the draft changed (or time passed): `true`
    /// at most every [`TYPING_REPEAT`] while there is text, `false` once it is cleared.
    pub fn typing_hint(&mut self, now: Instant) -> Option<bool> {
        // Changing a sent message is not writing a new one: no "typing…" for it.
        let composing =
            !self.draft.trim().is_empty() && !self.draft.starts_with('/') && self.editing.is_none();
        match (composing, self.typing_sent_at) {
            (true, Some(at)) if now.duration_since(at) < TYPING_REPEAT => None,
            (true, _) => {
                self.typing_sent_at = Some(now);
                Some(true)
            }
            (false, Some(_)) => {
                self.typing_sent_at = None;
                Some(false)
            }
            (false, None) => None,
        }
    }
}

/// What `/help` says in the app: the commands the composer understands.
const APP_HELP: &str = "/w NAME text whispers (quote a name with spaces: /w \"ann lee\" hi), \
    /me text is an action, /who lists who is here, /away and /back set your status, \
    /ignore NAME hides someone on your screen, /attach [PATH] sends a file, /lock, /unlock and /remove NAME are for the \
    room's owner, //text sends a line that starts with /.";

/// Names from `members` that complete `word` (an `@` prefix is kept), best first.
pub fn completions(word: &str, members: &[Username], me: &Username) -> Vec<String> {
    let (at, prefix) = word.strip_prefix('@').map_or(("", word), |p| ("@", p));
    members
        .iter()
        .filter(|m| *m != me && command::name_starts_with(m, prefix))
        .map(|m| format!("{at}{m}"))
        .collect()
}

/// Tab completion at the end of the draft: replaces its last word with the first matching
/// member name. Returns `false` when nothing matched.
pub fn complete_last_word(draft: &mut String, members: &[Username], me: &Username) -> bool {
    let start = draft.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &draft[start..];
    if word.is_empty() {
        return false;
    }
    let Some(name) = completions(word, members, me).into_iter().next() else {
        return false;
    };
    let suffix = if start == 0 && !name.starts_with('@') {
        ": "
    } else {
        " "
    };
    draft.replace_range(start.., &format!("{name}{suffix}"));
    true
}

mod editing;

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    #[test]
    fn a_refused_message_comes_back_into_the_draft() {
        let mut c = Composer {
            draft: "hello".into(),
            ..Composer::default()
        };
        let sent = c.take_draft(7, 100, &[]);
        assert_eq!(
            sent,
            Some(DraftAction::Send(ClientMessage::Chat {
                reply_to: None,
                client_id: 7,
                text: "hello".into()
            }))
        );
        assert_eq!(c.draft, "");
        c.draft = "more".into();
        c.refuse(7, "slow down".into());
        assert_eq!(c.draft, "hello\nmore");
        assert_eq!(c.error.as_deref(), Some("slow down"));
        assert_eq!(c.pending().count(), 0);
    }

    #[test]
    fn an_overlong_draft_is_kept_and_explained() {
        let mut c = Composer {
            draft: "abcdef".into(),
            ..Composer::default()
        };
        assert_eq!(c.take_draft(1, 5, &[]), None);
        assert_eq!(c.draft, "abcdef");
        assert!(c.error.as_deref().is_some_and(|e| e.contains("limit is 5")));
    }

    #[test]
    fn slash_w_sends_a_whisper() {
        let mut c = Composer {
            draft: "/w @bob psst there".into(),
            ..Composer::default()
        };
        assert_eq!(
            c.take_draft(3, 100, &[]),
            Some(DraftAction::Send(ClientMessage::Whisper {
                to: name("bob"),
                client_id: 3,
                text: "psst there".into()
            }))
        );
    }

    #[test]
    fn a_member_with_a_space_in_the_name_can_be_whispered_and_restored() {
        let members = [name("ann"), name("Ann Lee")];
        let mut c = Composer {
            draft: "/w ann lee hello".into(),
            ..Composer::default()
        };
        assert_eq!(
            c.take_draft(4, 100, &members),
            Some(DraftAction::Send(ClientMessage::Whisper {
                to: name("Ann Lee"),
                client_id: 4,
                text: "hello".into()
            }))
        );
        c.refuse(4, "busy".into());
        assert_eq!(c.draft, "/w \"Ann Lee\" hello");
    }

    #[test]
    fn slash_me_is_sent_as_an_action_and_unknown_commands_are_explained() {
        let mut c = Composer {
            draft: "/me waves".into(),
            ..Composer::default()
        };
        assert_eq!(
            c.take_draft(1, 100, &[]),
            Some(DraftAction::Send(ClientMessage::Chat {
                reply_to: None,
                client_id: 1,
                text: "/me waves".into()
            }))
        );
        c.draft = "/shout hi".into();
        assert_eq!(c.take_draft(2, 100, &[]), None);
        assert_eq!(c.draft, "/shout hi", "kept to fix");
        assert!(
            c.error
                .as_deref()
                .is_some_and(|e| e.starts_with("Unknown command /shout"))
        );
    }

    #[test]
    fn typing_true_is_repeated_at_most_every_three_seconds_and_false_follows_clearing() {
        let t0 = Instant::now();
        let mut c = Composer {
            draft: "h".into(),
            ..Composer::default()
        };
        assert_eq!(c.typing_hint(t0), Some(true));
        c.draft.push('i');
        assert_eq!(c.typing_hint(t0 + Duration::from_secs(1)), None);
        assert_eq!(c.typing_hint(t0 + TYPING_REPEAT), Some(true));
        c.draft.clear();
        assert_eq!(c.typing_hint(t0 + TYPING_REPEAT), Some(false));
        assert_eq!(c.typing_hint(t0 + TYPING_REPEAT), None);
    }

    #[test]
    fn tab_completes_the_last_word_with_a_member_name() {
        let members = [name("ann"), name("Bobby"), name("bea")];
        let mut draft = "hi bo".to_owned();
        assert!(complete_last_word(&mut draft, &members, &name("ann")));
        assert_eq!(draft, "hi Bobby ");
        let mut draft = "be".to_owned();
        assert!(complete_last_word(&mut draft, &members, &name("ann")));
        assert_eq!(draft, "bea: ");
        assert_eq!(
            completions("@a", &members, &name("ann")),
            Vec::<String>::new()
        );
    }
}
