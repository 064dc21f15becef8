//! One storm member: joins its room, reads everything, sends on its schedule, and when
//! its connection ends it does what the app does: waits its backoff, tries the next relay,
//! and resumes with its token and `last_seq`. Its [`Ledger`] checks that the resume gave
//! exactly what it missed (or a `gap`), its [`Drafts`] that every chat it wrote was
//! confirmed in the end.
//!
//! It owns its socket and its bookkeeping; everything shared goes through [`Tally`].

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use confab_protocol::{ClientMessage, RoomCode, Username, features};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

use super::backoff::Backoff;
use super::drafts::{Drafts, SendCounts};
use super::frames::{self, Chat, Incoming};
use super::ledger::{Ledger, LedgerCounts};
use super::plan::{Entry, Phase, Plan};
use super::tally::Tally;
use crate::tracker::SenderTrack;
use crate::wire::{self, Socket};

/// Longest wait for a `welcome` after connecting before the attempt counts as failed.
const ENTER_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a resume's history is held for a `gap` that may follow it.
const GAP_WAIT: Duration = Duration::from_millis(200);

/// What one member saw, summed over members for the report.
#[derive(Debug, Default, Clone, Copy)]
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
        texts: HashMap::new(),
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
    member.outcome.repeated_texts = member.texts.values().map(|t| t.duplicated).sum();
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
    /// Which of each sender's message numbers it has received.
    texts: HashMap<usize, SenderTrack>,
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
        self.ledger
            .welcome(history.iter().map(|c| c.seq).collect(), same, first);
        history.iter().for_each(|chat| self.record_text(&chat.text));
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
                    if sending && self.send_new(&mut sink).await.is_err() {
                        self.tally.closed("dropped".to_owned());
                        return false;
                    }
                }
                () = resend => {}
                () = settle => {
                    self.ledger.settle();
                    self.publish();
                }
                frame = stream.next() => match frame {
                    Some(Ok(message)) => match Incoming::decode(&message) {
                        Incoming::Closed(code) => {
                            self.tally.closed(code);
                            return false;
                        }
                        incoming => self.handle(incoming),
                    },
                    Some(Err(_)) | None => {
                        self.tally.closed("dropped".to_owned());
                        return false;
                    }
                },
            }
        }
    }

    fn handle(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Chat(chat) => {
                self.ledger.chat(chat.seq);
                self.record_text(&chat.text);
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
                self.ledger.gap(after, resumed_from);
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
        send_chat(sink, number, text).await
    }

    async fn resend_due(
        &mut self,
        sink: &mut SplitSink<Socket, Message>,
    ) -> Result<(), wire::BoxError> {
        for (number, text) in self.drafts.due(Instant::now()) {
            send_chat(sink, number, text).await?;
        }
        Ok(())
    }

    /// The connection is gone: not in the room until the next welcome.
    fn left(&mut self) {
        self.ledger.settle();
        self.outcome.drops +=
            u64::from(self.tally.joined[self.plan.index].swap(false, Ordering::Relaxed));
        if self.tally.fault_start().is_some() {
            self.dropped_in_fault = true;
        }
        self.cursor = (self.cursor + 1) % self.plan.relays.len().max(1);
    }

    fn record_text(&mut self, text: &str) {
        if let Some((sender, number, _)) = frames::parse_text(text) {
            self.texts.entry(sender).or_default().record(number);
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
