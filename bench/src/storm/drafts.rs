//! A sending member's messages that the relay has not confirmed yet, handled as the app
//! handles them: a chat is confirmed by its echo (or by its text in a resume's history),
//! a chat refused with `retry_after_ms` is sent again after that wait, and after a
//! reconnect every chat the history does not hold goes out again.
//!
//! So "lost" in a storm report means a chat its sender never saw confirmed, which the app
//! would have shown as unsent.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::frames::{self, Chat};

/// What one sender's chats came to (summed over senders for a report).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SendCounts {
    /// Distinct chats written.
    pub sent: u64,
    /// Chats confirmed by an echo or a resume's history.
    pub confirmed: u64,
    /// Refusals with a `client_id` (`unavailable`, `rate_limited`).
    pub refused: u64,
    /// Chats sent again (after a refusal or a reconnect).
    pub resent: u64,
    /// Chats not written when their turn came, because the sender already had its most
    /// unconfirmed chats (`--max-unconfirmed`) waiting.
    pub held_back: u64,
}

impl std::ops::AddAssign for SendCounts {
    fn add_assign(&mut self, other: Self) {
        self.sent += other.sent;
        self.confirmed += other.confirmed;
        self.refused += other.refused;
        self.resent += other.resent;
        self.held_back += other.held_back;
    }
}

#[derive(Debug)]
struct Draft {
    text: String,
    /// `None` while in flight; `Some(when)` once it must go out again.
    resend_at: Option<Instant>,
}

/// One member's unconfirmed chats, by `client_id` (its message number).
#[derive(Debug)]
pub struct Drafts {
    me: usize,
    pending: BTreeMap<u64, Draft>,
    /// What happened to them.
    pub counts: SendCounts,
}

impl Drafts {
    /// No drafts yet, for member `me`.
    pub fn new(me: usize) -> Self {
        Self {
            me,
            pending: BTreeMap::new(),
            counts: SendCounts::default(),
        }
    }

    /// A new chat is being written.
    pub fn written(&mut self, number: u64, text: String) {
        self.counts.sent += 1;
        self.pending.insert(
            number,
            Draft {
                text,
                resend_at: None,
            },
        );
    }

    /// Its echo came back.
    pub fn echoed(&mut self, client_id: u64) {
        if self.pending.remove(&client_id).is_some() {
            self.counts.confirmed += 1;
        }
    }

    /// The relay refused it; it goes out again after `wait`.
    pub fn refused(&mut self, client_id: u64, wait: Duration, now: Instant) {
        if let Some(draft) = self.pending.get_mut(&client_id) {
            self.counts.refused += 1;
            draft.resend_at = Some(now + wait);
        }
    }

    /// Reconnected: chats of ours in `history` are confirmed, every other one is due now.
    pub fn reconnected(&mut self, history: &[Chat], now: Instant) {
        for chat in history {
            if let Some((sender, number, _)) = frames::parse_text(&chat.text)
                && sender == self.me
                && self.pending.remove(&number).is_some()
            {
                self.counts.confirmed += 1;
            }
        }
        self.pending
            .values_mut()
            .for_each(|draft| draft.resend_at = Some(now));
    }

    /// Up to `most` chats due to go out again now, oldest first; they count as in flight
    /// from here (the rest stay due).
    pub fn due(&mut self, now: Instant, most: usize) -> Vec<(u64, String)> {
        let mut due = Vec::new();
        for (number, draft) in &mut self.pending {
            if due.len() >= most {
                break;
            }
            if draft.resend_at.is_some_and(|at| at <= now) {
                draft.resend_at = None;
                due.push((*number, draft.text.clone()));
            }
        }
        self.counts.resent += due.len() as u64;
        due
    }

    /// When the next refused chat is due to go out again.
    pub fn next_due(&self) -> Option<Instant> {
        self.pending.values().filter_map(|d| d.resend_at).min()
    }

    /// Chats never confirmed.
    pub fn unconfirmed(&self) -> u64 {
        self.pending.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(seq: u64, text: &str) -> Chat {
        Chat {
            seq,
            text: text.to_owned(),
            client_id: None,
        }
    }

    #[test]
    fn a_refused_chat_goes_out_again_after_its_wait_and_an_echo_confirms_it() {
        let (mut drafts, t0) = (Drafts::new(3), Instant::now());
        drafts.written(0, "3.0.1.".into());
        drafts.refused(0, Duration::from_millis(500), t0);
        assert!(drafts.due(t0, usize::MAX).is_empty());
        assert_eq!(drafts.due(t0 + Duration::from_secs(1), usize::MAX).len(), 1);
        drafts.echoed(0);
        assert_eq!(drafts.unconfirmed(), 0);
        assert_eq!((drafts.counts.refused, drafts.counts.resent), (1, 1));
    }

    #[test]
    fn after_a_reconnect_only_chats_missing_from_the_history_go_out_again() {
        let (mut drafts, t0) = (Drafts::new(3), Instant::now());
        drafts.written(0, "3.0.1.".into());
        drafts.written(1, "3.1.2.".into());
        drafts.reconnected(&[chat(7, "3.0.1."), chat(8, "4.1.2.")], t0);
        assert_eq!(drafts.due(t0, usize::MAX), vec![(1, "3.1.2.".to_owned())]);
        assert_eq!(drafts.counts.confirmed, 1);
    }

    #[test]
    fn a_long_backlog_goes_out_again_a_batch_at_a_time_oldest_first() {
        let (mut drafts, t0) = (Drafts::new(3), Instant::now());
        for n in 0..5 {
            drafts.written(n, format!("3.{n}.1."));
        }
        drafts.reconnected(&[], t0);
        let numbers = |due: Vec<(u64, String)>| due.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(numbers(drafts.due(t0, 2)), [0, 1]);
        assert_eq!(drafts.next_due(), Some(t0), "the rest are still due");
        assert_eq!(numbers(drafts.due(t0, 2)), [2, 3]);
        assert_eq!(numbers(drafts.due(t0, 2)), [4]);
        assert_eq!(drafts.next_due(), None);
        assert_eq!(drafts.counts.resent, 5);
    }
}
