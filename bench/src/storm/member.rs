//! One storm member: joins its room, reads everything, sends on its schedule, and when
//! its connection ends it does what the app does: waits its backoff, tries the next relay,
//! and resumes with its token and `last_seq`. Its [`Ledger`] checks that the resume gave
//! exactly what it missed (or a `gap`), its [`Drafts`] that every chat it wrote was
//! confirmed in the end.
//!
//! It owns its socket and its bookkeeping; everything shared goes through [`Tally`].

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use confab_protocol::{ClientMessage, RoomCode, Username, features};
use futures_util::stream::SplitSink;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::{self, Message};

use super::backoff::Backoff;
use super::drafts::{Drafts, SendCounts};
use super::frames::{self, Chat, Incoming};
use super::journal::Journal;
use super::ledger::{Ledger, LedgerCounts};
use super::plan::{Entry, Phase, Plan};
use super::repeats::Repeats;
use super::tally::Tally;
use crate::wire::{self, Socket};

/// Longest wait for a `welcome` after connecting before the attempt counts as failed.
const ENTER_TIMEOUT: Duration = Duration::from_secs(15);

/// Chats sent again in one go before the member reads what came meanwhile.
const RESEND_BATCH: usize = 8;

/// Repeated chats journaled per sender at one member (the count goes on).
const JOURNALED_REPEATS: u64 = 3;

/// How long a resume's history is held for a `gap` that may follow it.
const GAP_WAIT: Duration = Duration::from_millis(200);

/// What one member saw, summed over members for the report.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Its room's numbering, as it saw it.
    pub ledger: LedgerCounts,
    /// Its first silent hole (the `seq` expected, the one that came), if any.
    pub first_hole: Option<(u64, u64)>,
    /// Its own chats.
    pub sends: SendCounts,
    /// Chats it wrote that were never confirmed.
    pub unconfirmed: u64,
    /// Live chats received.
    pub live: u64,
    /// Chats (a sender's message number) received a second time under another `seq`:
    /// one chat sequenced twice, e.g. a chat refused as `unavailable` that went through
    /// anyway and was then sent again. Must be 0.
    pub repeated_texts: u64,
    /// Connections that ended under it.
    pub drops: u64,
    /// Successful re-joins.
    pub reconnects: u64,
    /// When (ns since the epoch) it was last back in its room after a drop that came after
    /// the fault began.
    pub back_ns: Option<u64>,
    /// It joined at least once.
    pub joined_once: bool,
    /// Its story: welcomes, gaps, closes, refusals, holes (`members.log`).
    pub journal: Journal,
}

/// Runs one member until the run says [`Phase::Stop`]. The first welcome's room code (or
/// why it failed) goes to `first`; a member whose first join fails gives up.
pub async fn run(
    plan: Plan,
    tally: Arc<Tally>,
    mut control: watch::Receiver<Phase>,
    first: oneshot::Sender<Result<String, String>>,
) -> Outcome {
    let code = match &plan.entry {
        Entry::Create => None,
        Entry::Join(code) => Some(code.clone()),
    };
    let mut member = Member {
        ledger: Ledger::default(),
        drafts: Drafts::new(plan.index),
        backoff: Backoff::new(plan.policy, 0x5EED ^ plan.index as u64),
        cursor: plan.index % plan.relays.len().max(1),
        name: format!("m{}", plan.index),
        code,
        token: None,
        number: 0,
        dropped_in_fault: false,
        holes_noted: 0,
        repeats: Repeats::default(),
        outcome: Outcome::default(),
        plan,
        tally,
    };
    let mut first = Some(first);
    loop {
        if *control.borrow() == Phase::Stop {
            break;
        }
        match member.enter().await {
            Ok((ws, room)) => {
                if let Some(first) = first.take() {
                    let _ = first.send(Ok(room));
                }
                if member.session(ws, &mut control).await {
                    break;
                }
            }
            Err(label) => {
                let relay = member.cursor;
                member.note(|| format!("refused on relay{relay}: {}", label.0));
                member.tally.refused(label.0.clone(), label.1);
                if let Some(first) = first.take() {
                    let _ = first.send(Err(label.0));
                    break;
                }
            }
        }
        member.left();
        let delay = member.backoff.next_delay();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = control.wait_for(|phase| *phase == Phase::Stop) => break,
        }
    }
    member.outcome.ledger = member.ledger.counts;
    member.outcome.first_hole = member.ledger.first_hole;
    member.outcome.sends = member.drafts.counts;
    member.outcome.unconfirmed = member.drafts.unconfirmed();
    member.outcome.repeated_texts = member.repeats.total();
    member.outcome
}

struct Member {
    plan: Plan,
    tally: Arc<Tally>,
    ledger: Ledger,
    drafts: Drafts,
    backoff: Backoff,
    /// Which relay the next attempt goes to.
    cursor: usize,
    name: String,
    /// The room's code once known.
    code: Option<String>,
    /// The membership's resume token once joined.
    token: Option<String>,
    /// The next message number (its `client_id`).
    number: u64,
    /// It lost its connection after the fault began and has not been back since.
    dropped_in_fault: bool,
    /// The ledger's hole count already in the journal.
    holes_noted: u64,
    /// Which chats it received, under which `seq`.
    repeats: Repeats,
    outcome: Outcome,
}

/// A failed attempt: its refusal label and any `retry_after_ms`.
type Refusal = (String, Option<u64>);

impl Member {
    /// Connects to the current relay and creates, joins or resumes; `Ok` once welcomed.
    async fn enter(&mut self) -> Result<(Socket, String), Refusal> {
        let relay = self.plan.relays[self.cursor];
        let mut ws = wire::connect(relay, None)
            .await
            .map_err(|err| (frames::connect_error_label(&err), None))?;
        self.tally.accepted();
        let welcome = tokio::time::timeout(ENTER_TIMEOUT, self.ask_to_enter(&mut ws))
            .await
            .unwrap_or_else(|_| Err(("join:timeout".to_owned(), None)))?;
        let (room, token, history) = welcome;
        let first = self.token.is_none();
        let same = self.token.as_deref() == Some(token.as_str());
        let (asked, relay) = (self.ledger.last_seq(), self.cursor);
        self.note(|| {
            let kind = match (first, same) {
                (true, _) => "first",
                (false, true) => "same membership",
                (false, false) => "FRESH membership",
            };
            let span = history.first().zip(history.last());
            let span = span.map_or_else(String::new, |(a, b)| format!(" {}..={}", a.seq, b.seq));
            format!(
                "welcome on relay{relay}: {kind}, last_seq {asked:?}, history {}{span}",
                history.len()
            )
        });
        self.ledger
            .welcome(history.iter().map(|c| c.seq).collect(), same, first);
        self.note_holes("a welcome");
        history
            .iter()
            .for_each(|chat| self.record_text(chat.seq, &chat.text));
        if !first {
            self.drafts.reconnected(&history, Instant::now());
            self.outcome.reconnects += 1;
            if self.dropped_in_fault {
                self.outcome.back_ns = Some(self.tally.now_ns());
                self.dropped_in_fault = false;
            }
        }
        self.outcome.joined_once = true;
        self.code = Some(room.clone());
        self.token = Some(token);
        self.backoff.reset();
        self.tally.joined[self.plan.index].store(true, Ordering::Relaxed);
        self.publish();
        Ok((ws, room))
    }

    async fn ask_to_enter(
        &mut self,
        ws: &mut Socket,
    ) -> Result<(String, String, Vec<Chat>), Refusal> {
        let refusal = |what: &str| (format!("join:{what}"), None);
        let name = Username::parse(&self.name).map_err(|_| refusal("bad-name"))?;
        let message = match &self.code {
            None => ClientMessage::Create { name },
            Some(code) => ClientMessage::Join {
                name,
                room: RoomCode::parse(code).map_err(|_| refusal("bad-code"))?,
                resume_token: self.token.clone(),
                last_seq: self.ledger.last_seq(),
            },
        };
        let hello = ClientMessage::Hello {
            features: vec![features::PRESENCE_BATCHES.into()],
        };
        let sent = async {
            ws.feed(Message::Text(hello.to_json().into())).await?;
            ws.send(Message::Text(message.to_json().into())).await
        };
        sent.await.map_err(|_| refusal("dropped"))?;
        while let Some(frame) = ws.next().await {
            let Ok(frame) = frame else { break };
            match Incoming::decode(&frame) {
                Incoming::Welcome {
                    room,
                    token,
                    history,
                } => return Ok((room, token, history)),
                Incoming::Error {
                    code,
                    retry_after_ms,
                    ..
                } => return Err((format!("join:{code}"), retry_after_ms)),
                Incoming::Closed(code) => return Err(refusal(&format!("closed-{code}"))),
                _ => {}
            }
        }
        Err(refusal("dropped"))
    }

    /// Reads and sends until the connection ends (`false`) or the run stops (`true`).
    async fn session(&mut self, ws: Socket, control: &mut watch::Receiver<Phase>) -> bool {
        let (mut sink, mut stream) = ws.split();
        let mut ticks = self.plan.send_every.map(|every| {
            let start = tokio::time::Instant::now() + self.plan.send_offset.min(every);
            let mut ticks = tokio::time::interval_at(start, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks
        });
        loop {
            self.publish();
            if self.resend_due(&mut sink).await.is_err() {
                self.note(|| "dropped while sending".to_owned());
                self.tally.closed("dropped".to_owned());
                return false;
            }
            let holding = self.ledger.holding();
            let next_due = self.drafts.next_due();
            let tick = async {
                match ticks.as_mut() {
                    Some(ticks) => drop(ticks.tick().await),
                    None => std::future::pending().await,
                }
            };
            let resend = async {
                match next_due {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            let settle = async {
                if holding {
                    tokio::time::sleep(GAP_WAIT).await;
                } else {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                changed = control.changed() => {
                    if changed.is_err() || *control.borrow() == Phase::Stop {
                        let _ = sink.close().await;
                        return true;
                    }
                }
                () = tick => {
                    let sending = *control.borrow() == Phase::Sending;
                    if sending && self.drafts.unconfirmed() >= self.plan.max_unconfirmed {
                        // A client with this many chats unconfirmed waits, as the relay's
                        // own burst limit would make a real one (the bench lifts it).
                        self.drafts.counts.held_back += 1;
                    } else if sending && self.send_new(&mut sink).await.is_err() {
                        self.note(|| "dropped while sending".to_owned());
                        self.tally.closed("dropped".to_owned());
                        return false;
                    }
                }
                () = resend => {}
                () = settle => {
                    // A frame already here decides first: it may be the `gap` (a loaded
                    // machine can wake this timer before reading what came in time).
                    if let Some(frame) = stream.next().now_or_never() {
                        if !self.on_frame(frame) {
                            return false;
                        }
                        continue;
                    }
                    self.ledger.settle();
                    self.note_holes("a resume's history with no gap after it");
                    self.publish();
                }
                frame = stream.next() => {
                    if !self.on_frame(frame) {
                        return false;
                    }
                }
            }
        }
    }

    /// One frame read (or the stream's end); false when the connection is over.
    fn on_frame(&mut self, frame: Option<Result<Message, tungstenite::Error>>) -> bool {
        match frame {
            Some(Ok(message)) => match Incoming::decode(&message) {
                Incoming::Closed(code) => {
                    self.note(|| format!("closed {code}"));
                    self.tally.closed(code);
                    false
                }
                incoming => {
                    self.handle(incoming);
                    true
                }
            },
            Some(Err(_)) | None => {
                self.note(|| "dropped".to_owned());
                self.tally.closed("dropped".to_owned());
                false
            }
        }
    }

    fn handle(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Chat(chat) => {
                self.ledger.chat(chat.seq);
                self.note_holes("a live chat");
                self.record_text(chat.seq, &chat.text);
                self.outcome.live += 1;
                let now = self.tally.now_ns();
                let sent_ns = frames::parse_text(&chat.text).map(|(_, _, sent)| sent);
                if let Some(sent_ns) = sent_ns {
                    let mut latency = self.tally.latency.lock().unwrap_or_else(|e| e.into_inner());
                    let _ = latency.record(now.saturating_sub(sent_ns).max(1));
                }
                if let Some(id) = chat.client_id {
                    self.drafts.echoed(id);
                    let after_fault = self.tally.fault_end().zip(sent_ns);
                    if after_fault.is_some_and(|(end, sent)| sent >= end) {
                        let slot = &self.tally.room_back_ns[self.plan.room];
                        let _ = slot.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
                    }
                }
                self.publish();
            }
            Incoming::Gap {
                after,
                resumed_from,
            } => {
                self.note(|| format!("gap after {after} resumed_from {resumed_from}"));
                self.ledger.gap(after, resumed_from);
                self.note_holes("a gap");
                self.publish();
            }
            Incoming::Error {
                code,
                client_id,
                retry_after_ms,
            } => {
                self.tally.refused(format!("chat:{code}"), retry_after_ms);
                if let Some(id) = client_id {
                    let wait = Duration::from_millis(retry_after_ms.unwrap_or(1000));
                    self.drafts.refused(id, wait, Instant::now());
                }
            }
            Incoming::Welcome { .. } | Incoming::Closed(_) | Incoming::Other => {}
        }
    }

    async fn send_new(
        &mut self,
        sink: &mut SplitSink<Socket, Message>,
    ) -> Result<(), wire::BoxError> {
        let number = self.number;
        self.number += 1;
        let text = wire::chat_text(self.plan.index, number, self.tally.now_ns(), self.plan.size);
        self.drafts.written(number, text.clone());
        // Unconfirmed from now on: the run must not take the room for caught up before
        // this chat comes back.
        self.publish();
        send_chat(sink, number, text).await
    }

    async fn resend_due(
        &mut self,
        sink: &mut SplitSink<Socket, Message>,
    ) -> Result<(), wire::BoxError> {
        // A few at a time: the session reads between batches, as the app (whose socket
        // has a thread of its own) never stops reading while it sends.
        for (number, text) in self.drafts.due(Instant::now(), RESEND_BATCH) {
            send_chat(sink, number, text).await?;
        }
        Ok(())
    }

    /// The connection is gone: not in the room until the next welcome.
    fn left(&mut self) {
        // A resume's history whose next frame never came is not taken: the `gap` may have
        // been that frame. The next resume asks from before it again.
        if self.ledger.abandon() {
            self.note(|| "a resume's history dropped unsettled with its connection".to_owned());
        }
        self.outcome.drops +=
            u64::from(self.tally.joined[self.plan.index].swap(false, Ordering::Relaxed));
        if self.tally.fault_start().is_some() {
            self.dropped_in_fault = true;
        }
        self.cursor = (self.cursor + 1) % self.plan.relays.len().max(1);
    }

    /// Adds an entry to the journal, stamped now.
    fn note(&mut self, what: impl FnOnce() -> String) {
        let at = self.tally.now_ns();
        self.outcome.journal.note(at, what);
    }

    /// Journals the holes the ledger counted since the last call, after `what`.
    fn note_holes(&mut self, what: &str) {
        let holes = self.ledger.counts.holes;
        if holes > self.holes_noted {
            let new = holes - self.holes_noted;
            self.holes_noted = holes;
            let at = self.ledger.last_hole;
            self.note(|| format!("HOLE of {new} after {what} (expected, got: {at:?})"));
        }
    }

    fn record_text(&mut self, seq: u64, text: &str) {
        let Some((sender, number, _)) = frames::parse_text(text) else {
            return;
        };
        if let Some(repeat) = self.repeats.record(sender, number, seq)
            && repeat.of_sender <= JOURNALED_REPEATS
        {
            let first = repeat.first;
            self.note(|| format!("REPEAT of chat {sender}.{number}: seq {first}, now {seq}"));
        }
    }

    /// Tells the run where this member is: its newest `seq`, its unconfirmed chats.
    fn publish(&self) {
        let next = self.ledger.last_seq().map_or(0, |seq| seq + 1);
        self.tally.next_seq[self.plan.index].store(next, Ordering::Relaxed);
        let unconfirmed = self.drafts.unconfirmed();
        self.tally.unconfirmed[self.plan.index].store(unconfirmed, Ordering::Relaxed);
    }
}

async fn send_chat(
    sink: &mut SplitSink<Socket, Message>,
    client_id: u64,
    text: String,
) -> Result<(), wire::BoxError> {
    let chat = ClientMessage::Chat {
        client_id,
        text,
        reply_to: None,
    };
    sink.send(Message::Text(chat.to_json().into())).await?;
    Ok(())
}
