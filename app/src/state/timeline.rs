//! [`Timeline`]: what the message area shows, in order, with duplicates and gaps handled.
//!
//! Owns the rules "never a duplicate" (chat messages are deduplicated by `seq`, within one
//! numbering: a [`EntryKind::Discontinuity`] starts a new one after a relay restart), "say
//! when messages were missed" (a [`EntryKind::Gap`] or discontinuity marker), "collapse
//! join/leave bursts" and the client-side cap on kept entries. It does not know about
//! sockets or drawing.

use std::collections::VecDeque;

use confab_protocol::{
    Attachment, Changes, ChatMessage, Millis, RoomCode, Seq, Username, WhisperMessage,
};

use super::text;

/// Most entries kept. Older ones are dropped from the top: the relay only replays its own
/// short backlog anyway, and an unbounded list would grow for as long as the window is open.
pub const MAX_ENTRIES: usize = 2_000;

/// Join and leave notices this close together (ms) merge into one line, so a burst of
/// reconnects reads as one notice instead of a wall of them.
pub const PRESENCE_BURST_MS: Millis = 60_000;

/// One line (or bubble) in the message area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Unique within a timeline, and increasing in the order entries were made (not always
    /// in position: a gap marker is inserted mid-list with a new id). Views key cached row
    /// heights by it.
    pub id: u64,
    /// When it happened, on the relay's clock: a message's `ts`, or for a notice the local
    /// time converted by [`super::RelayClock`], so both sort and split days alike.
    pub ts: Millis,
    /// What it is.
    pub kind: EntryKind,
}

/// The kinds of [`Entry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A message to the whole room.
    Chat {
        /// The room sequence number it was deduplicated by.
        seq: Seq,
        /// Who wrote it.
        from: Username,
        /// What they wrote.
        text: String,
        /// Whether you wrote it (drawn as your own bubble).
        mine: bool,
        /// Whether it mentions your name (highlighted).
        mentions_me: bool,
        /// The file it carries, if it is an attachment (then `text` is the file name).
        attachment: Option<Box<Attachment>>,
        /// The message it answers.
        reply_to: Option<Seq>,
        /// Edited, deleted, reactions: as the relay last said.
        changes: Changes,
    },
    /// A private message to or from you.
    Whisper {
        /// Who wrote it.
        from: Username,
        /// Who it was for.
        to: Username,
        /// What they wrote.
        text: String,
        /// Whether you wrote it.
        mine: bool,
    },
    /// People who joined or left, collapsed into one line per burst.
    Presence {
        /// Joined during the burst, in order.
        joined: Vec<Username>,
        /// Left during the burst, in order.
        left: Vec<Username>,
    },
    /// The relay did not recognize a resume (it restarted, or the token expired): messages
    /// sent while away may be missing, and `seq` numbers below may have started again.
    Discontinuity,
    /// Messages after `after` and before `resumed_from` were missed during a reconnect.
    Gap {
        /// The last message seen before the drop.
        after: Seq,
        /// The first message seen after it.
        resumed_from: Seq,
    },
    /// Something the client says about itself ("Reconnected").
    Notice(String),
    /// Something that did not work (a file not sent, a download lost), said plainly:
    /// drawn as an error, not as a quiet notice.
    Problem {
        /// What went wrong, and what to do about it.
        text: String,
        /// A smaller copy of the refused picture can be sent instead: the view offers a
        /// button, and this entry's id names the offer (`Model::take_smaller`).
        smaller: bool,
    },
    /// The conversation carries on in a new room (the old one was gone): entries above are
    /// from `from`, entries below from `to`, with their own `seq` numbering.
    NewRoom {
        /// The room that no longer exists.
        from: RoomCode,
        /// The room created to carry on.
        to: RoomCode,
    },
}

/// The parts of a shown message a change may touch.
#[derive(Debug)]
pub struct ChatMessageParts<'a> {
    /// Its text.
    pub text: &'a mut String,
    /// Its file.
    pub attachment: &'a mut Option<Box<Attachment>>,
    /// Edited, deleted, reactions.
    pub changes: &'a mut Changes,
}

/// The ordered, capped, deduplicated list of entries.
#[derive(Debug, Default, Clone)]
pub struct Timeline {
    entries: VecDeque<Entry>,
    next_id: u64,
    /// Highest chat `seq` seen: what a resume asks to continue from.
    last_seq: Option<Seq>,
}

impl Timeline {
    /// All entries, oldest first.
    pub fn entries(&self) -> &VecDeque<Entry> {
        &self.entries
    }

    /// The highest chat `seq` seen, to send as `last_seq` when resuming.
    pub fn last_seq(&self) -> Option<Seq> {
        self.last_seq
    }

    /// Whether `msg` is already shown word for word (same `seq`, sender, time and text).
    /// After a [`Self::push_discontinuity`] this tells a backlog that merely repeats what is
    /// shown (the room lived on) from a room whose numbering started again.
    pub fn shows(&self, msg: &ChatMessage) -> bool {
        self.entries.iter().any(|e| {
            e.ts == msg.ts
                && matches!(&e.kind, EntryKind::Chat { seq, from, text, .. }
                    if *seq == msg.seq && *from == msg.from && *text == msg.text)
        })
    }

    /// Marks that the relay did not recognize a resume, and forgets the `seq` numbers seen
    /// so far: the room's numbering may have started again, and every message after the
    /// marker must be shown. Old entries stay, above the marker.
    pub fn push_discontinuity(&mut self, now_ms: Millis) {
        self.last_seq = None;
        self.push(now_ms, EntryKind::Discontinuity);
    }

    /// Marks that the conversation moved from room `from` to the new room `to`: the entries
    /// above stay readable, and `seq` numbering starts again below the marker.
    pub fn push_new_room(&mut self, from: RoomCode, to: RoomCode, now_ms: Millis) {
        self.last_seq = None;
        self.push(now_ms, EntryKind::NewRoom { from, to });
    }

    /// Adds a chat message unless it was already shown. Returns whether it was added.
    pub fn push_chat(&mut self, msg: ChatMessage, me: &Username) -> bool {
        if self.last_seq.is_some_and(|last| msg.seq <= last) {
            return false;
        }
        self.last_seq = Some(msg.seq);
        let mentions_me = msg.from != *me && text::mentions(&msg.text, me.as_str());
        let mine = msg.from == *me;
        let kind = EntryKind::Chat {
            seq: msg.seq,
            from: msg.from,
            text: msg.text,
            mine,
            mentions_me,
            attachment: msg.attachment,
            reply_to: msg.reply_to,
            changes: msg.changes,
        };
        self.push(msg.ts, kind);
        true
    }

    /// Applies an `edited`, `deleted` or `reaction` to the shown message `seq` of the
    /// current numbering (nothing if it is not shown). The entry gets a new id, so views measure it again.
    pub fn change(&mut self, seq: Seq, apply: impl FnOnce(&mut ChatMessageParts<'_>)) {
        let next_id = self.next_id;
        let found = self
            .entries
            .iter_mut()
            .rev()
            .take_while(|e| !starts_numbering(&e.kind))
            .find_map(|e| match &mut e.kind {
                EntryKind::Chat {
                    seq: s,
                    text,
                    attachment,
                    changes,
                    ..
                } if *s == seq => Some((
                    &mut e.id,
                    ChatMessageParts {
                        text,
                        attachment,
                        changes,
                    },
                )),
                _ => None,
            });
        if let Some((id, mut parts)) = found {
            apply(&mut parts);
            *id = next_id;
            self.next_id += 1;
        }
    }

    /// The shown chat message `seq` of the current numbering (after the last
    /// discontinuity or new room), searched from the newest: replies and changes are
    /// mostly about recent messages.
    pub fn chat(&self, seq: Seq) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .take_while(|e| !starts_numbering(&e.kind))
            .find(|e| matches!(e.kind, EntryKind::Chat { seq: s, .. } if s == seq))
    }

    /// Your newest message of the current numbering that can still be edited (not
    /// deleted, not a file): what ↑ in an empty composer edits.
    pub fn last_editable(&self) -> Option<(Seq, &str)> {
        self.entries
            .iter()
            .rev()
            .take_while(|e| !starts_numbering(&e.kind))
            .find_map(|e| match &e.kind {
                EntryKind::Chat {
                    seq,
                    text,
                    mine: true,
                    attachment: None,
                    changes,
                    ..
                } if !changes.deleted => Some((*seq, text.as_str())),
                _ => None,
            })
    }

    /// A resume's copy of a message already shown: takes its current state (text, file,
    /// edited, deleted, reactions) where it differs, so what changed while away shows.
    pub fn refresh(&mut self, msg: &ChatMessage) {
        let differs = self.chat(msg.seq).is_some_and(|e| match &e.kind {
            EntryKind::Chat {
                text,
                attachment,
                changes,
                from,
                ..
            } => {
                *from == msg.from
                    && (*text != msg.text
                        || *attachment != msg.attachment
                        || *changes != msg.changes)
            }
            _ => false,
        });
        if differs {
            self.change(msg.seq, |m| {
                m.text.clone_from(&msg.text);
                m.attachment.clone_from(&msg.attachment);
                m.changes.clone_from(&msg.changes);
            });
        }
    }

    /// Whether the newest entry is a chat message that mentions you.
    pub fn last_mentions_me(&self) -> bool {
        self.entries.back().is_some_and(|e| {
            matches!(
                e.kind,
                EntryKind::Chat {
                    mentions_me: true,
                    ..
                }
            )
        })
    }

    /// Adds a whisper (whispers have no `seq`, and are never replayed, so never duplicated).
    pub fn push_whisper(&mut self, msg: WhisperMessage, me: &Username) {
        let mine = msg.from == *me;
        let kind = EntryKind::Whisper {
            from: msg.from,
            to: msg.to,
            text: msg.text,
            mine,
        };
        self.push(msg.ts, kind);
    }

    /// Records a join (`joined = true`) or leave, merging it into a recent presence line.
    pub fn push_presence(&mut self, name: Username, joined: bool, now_ms: Millis) {
        if let Some(Entry {
            ts,
            kind: EntryKind::Presence { joined: j, left: l },
            ..
        }) = self.entries.back_mut()
            && now_ms.saturating_sub(*ts) < PRESENCE_BURST_MS
        {
            let list = if joined { j } else { l };
            if !list.contains(&name) {
                list.push(name);
            }
            return;
        }
        let (j, l) = if joined {
            (vec![name], vec![])
        } else {
            (vec![], vec![name])
        };
        self.push(now_ms, EntryKind::Presence { joined: j, left: l });
    }

    /// Marks messages lost during a reconnect, just before the first message after them.
    pub fn push_gap(&mut self, after: Seq, resumed_from: Seq, now_ms: Millis) {
        // Only entries since the last discontinuity share the current `seq` numbering.
        let epoch = self
            .entries
            .iter()
            .rposition(|e| matches!(e.kind, EntryKind::Discontinuity | EntryKind::NewRoom { .. }))
            .map_or(0, |i| i + 1);
        let at = (epoch..self.entries.len())
            .find(|&i| {
                matches!(self.entries[i].kind, EntryKind::Chat { seq, .. } if seq >= resumed_from)
            })
            .unwrap_or(self.entries.len());
        let ts = self.entries.get(at).map_or(now_ms, |e| e.ts);
        let id = self.take_id();
        self.entries.insert(
            at,
            Entry {
                id,
                ts,
                kind: EntryKind::Gap {
                    after,
                    resumed_from,
                },
            },
        );
        self.trim();
    }

    /// Adds a line from the client itself.
    pub fn push_notice(&mut self, text: impl Into<String>, now_ms: Millis) {
        self.push(now_ms, EntryKind::Notice(text.into()));
    }

    /// Adds a line saying what did not work; `smaller`: with an offer to send a smaller
    /// copy. Returns the entry's id (which names the offer).
    pub fn push_problem(&mut self, text: String, smaller: bool, now_ms: Millis) -> u64 {
        self.push(now_ms, EntryKind::Problem { text, smaller })
    }

    /// Takes the offer of a smaller copy made by entry `id`: true once, if it made one
    /// (its button goes away, so one click sends one copy).
    pub fn take_offer(&mut self, id: u64) -> bool {
        let entry = self.entries.iter_mut().find(|e| e.id == id);
        match entry.map(|e| &mut e.kind) {
            Some(EntryKind::Problem { smaller, .. }) => std::mem::take(smaller),
            _ => false,
        }
    }

    fn push(&mut self, ts: Millis, kind: EntryKind) -> u64 {
        let id = self.take_id();
        self.entries.push_back(Entry { id, ts, kind });
        self.trim();
        id
    }

    fn take_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn trim(&mut self) {
        while self.entries.len() > MAX_ENTRIES {
            self.entries.pop_front();
        }
    }
}

/// Whether an entry of this kind starts a new `seq` numbering below it.
fn starts_numbering(kind: &EntryKind) -> bool {
    matches!(kind, EntryKind::Discontinuity | EntryKind::NewRoom { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    fn chat(seq: Seq, from: &str, text: &str) -> ChatMessage {
        ChatMessage {
            reply_to: None,
            changes: Default::default(),
            seq,
            from: name(from),
            text: text.into(),
            ts: seq * 1000,
            client_id: None,
            attachment: None,
        }
    }

    fn seqs(t: &Timeline) -> Vec<Seq> {
        let seq = |e: &Entry| match e.kind {
            EntryKind::Chat { seq, .. } => Some(seq),
            _ => None,
        };
        t.entries().iter().filter_map(seq).collect()
    }

    #[test]
    fn a_replayed_message_is_never_shown_twice() {
        let mut t = Timeline::default();
        let me = name("ann");
        assert!(t.push_chat(chat(1, "bob", "a"), &me));
        assert!(t.push_chat(chat(2, "bob", "b"), &me));
        assert!(!t.push_chat(chat(2, "bob", "b"), &me));
        assert!(!t.push_chat(chat(1, "bob", "a"), &me));
        assert!(t.push_chat(chat(3, "bob", "c"), &me));
        assert_eq!(seqs(&t), vec![1, 2, 3]);
        assert_eq!(t.last_seq(), Some(3));
    }

    #[test]
    fn a_gap_marker_sits_before_the_first_message_after_it() {
        let mut t = Timeline::default();
        let me = name("ann");
        t.push_chat(chat(1, "bob", "a"), &me);
        t.push_chat(chat(7, "bob", "g"), &me);
        t.push_gap(1, 7, 99);
        let kinds: Vec<_> = t.entries().iter().map(|e| &e.kind).collect();
        assert!(matches!(
            kinds[1],
            EntryKind::Gap {
                after: 1,
                resumed_from: 7
            }
        ));
        assert!(matches!(kinds[2], EntryKind::Chat { seq: 7, .. }));
    }

    #[test]
    fn after_a_discontinuity_old_seq_numbers_neither_dedupe_nor_place_gaps() {
        let mut t = Timeline::default();
        let me = name("ann");
        t.push_chat(chat(5, "bob", "old"), &me);
        t.push_discontinuity(99);
        assert!(
            t.push_chat(chat(1, "bob", "new"), &me),
            "numbering restarted"
        );
        t.push_chat(chat(9, "bob", "later"), &me);
        t.push_gap(1, 9, 99);
        let kinds: Vec<_> = t.entries().iter().map(|e| &e.kind).collect();
        assert_eq!(*kinds[1], EntryKind::Discontinuity);
        assert!(matches!(
            kinds[3],
            EntryKind::Gap {
                resumed_from: 9,
                ..
            }
        ));
        assert!(matches!(kinds[4], EntryKind::Chat { seq: 9, .. }));
    }

    #[test]
    fn joins_and_leaves_in_a_burst_collapse_into_one_line() {
        let mut t = Timeline::default();
        t.push_presence(name("bob"), true, 1_000);
        t.push_presence(name("cy"), true, 2_000);
        t.push_presence(name("bob"), false, 3_000);
        t.push_presence(name("dee"), true, 3_000 + PRESENCE_BURST_MS);
        assert_eq!(t.entries().len(), 2);
        assert_eq!(
            t.entries()[0].kind,
            EntryKind::Presence {
                joined: vec![name("bob"), name("cy")],
                left: vec![name("bob")]
            }
        );
    }

    #[test]
    fn mentions_and_own_messages_are_flagged() {
        let mut t = Timeline::default();
        let me = name("ann");
        t.push_chat(chat(1, "bob", "hey @ann"), &me);
        t.push_chat(chat(2, "ann", "hi ann"), &me);
        let flags: Vec<_> = t
            .entries()
            .iter()
            .filter_map(|e| match e.kind {
                EntryKind::Chat {
                    mine, mentions_me, ..
                } => Some((mine, mentions_me)),
                _ => None,
            })
            .collect();
        assert_eq!(flags, vec![(false, true), (true, false)]);
    }

    #[test]
    fn the_oldest_entries_are_dropped_beyond_the_cap() {
        let mut t = Timeline::default();
        let me = name("ann");
        for seq in 1..=(MAX_ENTRIES as Seq + 5) {
            t.push_chat(chat(seq, "bob", "x"), &me);
        }
        assert_eq!(t.entries().len(), MAX_ENTRIES);
        assert_eq!(seqs(&t).first(), Some(&6));
    }
}
