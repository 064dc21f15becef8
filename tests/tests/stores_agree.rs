//! The two room stores agree, by a differential property test: proptest makes random
//! sequences of what members do (join, leave, drop, resume, chat or reply, whisper, typing,
//! away, lock, remove, edit, delete, react) and of time passing (expire), the same sequence runs on a relay keeping
//! rooms in memory and on a relay keeping them in a real `redis-server`, and every member's
//! transcript (each frame it received, and the answer to each of its requests) must be the
//! same in both, once room codes, tokens and clocks are set aside. A failing sequence is
//! shrunk to a short one.
//!
//! Time: the relays run on a current-thread runtime whose clock is paused, with auto-advance
//! held off by a blocking task (the watchdog), so the clock moves only when a step says
//! time passes ([`Store::pass_time`]): a room's grace, or a removal's ban, ends then and
//! only then, however loaded the machine is. The watchdog lets the clock run again after
//! [`WATCHDOG`] of real time, so a stuck step still fails by its own timeout.
//!
//! Ordering: after each step the member who acted (or, if it left, the observer `zed`)
//! sends a marker chat, and every connected member reads up to it, so both relays are
//! compared at the same points. A drop is first waited for as `member_left`.
//!
//! Members hear of presence in every form the relay speaks: `bob` asks for `roster_deltas`,
//! `cy` for `presence_batches` (consecutive batches are compared merged, since where a batch
//! ends depends on timing, not on the store), the others for the whole roster.

use std::time::Duration;

use confab_protocol::{
    ClientMessage, ErrorCode, MemberStatus, PresenceChange, ServerMessage, features,
};
use confab_server::Config;
use confab_tests::stores::Store;
use confab_tests::{Event, TestClient, TestRelay, name, test_config};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::Value;

/// The members the steps act on; `zed`, the observer, joins second and never acts.
const NAMES: [&str; 4] = ["ann", "bob", "cy", "dee"];
const OBSERVER: &str = "zed";

/// How long the whole run may take in real time before the watchdog lets the paused clock
/// run again (and a stuck step's timeout fire).
const WATCHDOG: Duration = Duration::from_secs(300);

/// The relays' settings over the store's: a removal ban longer than the room's grace (so
/// each can end without the other), no pings, which on a clock moved minutes at a time
/// would find every quiet member silent for too long, and a cluster relay's heartbeat
/// that outlives the run. The heartbeat is the one end kept on both clocks at once: the
/// relay beats by tokio's (paused) clock and Redis judges the beat by its own (real) one,
/// so with the store's 1 s a step that took over a second of real time between two
/// moves of the clock had the relay taken for dead and every member sent away to resume
/// (1012), in one store only.
fn adjust(config: &mut Config) {
    config.removal_ban = config.room_grace * 4;
    config.ping_interval = Duration::from_secs(24 * 3600);
    config.relay_ttl = Duration::from_secs(3600);
}

/// How far the clock moves before each marker: past the relay's presence batch interval
/// (`presence::BATCH_INTERVAL`, 250 ms), so the batches waiting for `cy` go out first. At
/// most 40 steps make 12 s a case, well inside a room's grace; the memory store sees it and
/// Redis (whose clock moves in real time) may not, so no end may fall within 12 s of an
/// expiry's jump: the grace jumps (31, 62, 93, 124 s) all miss the 120 s ban by more.
const BATCH_SETTLE: Duration = Duration::from_millis(300);

/// How much time an [`Step::Expire`] lets pass.
#[derive(Debug, Clone, Copy)]
enum Span {
    /// Past the room's grace: reservations end, and the room too if nobody is in it.
    Grace,
    /// Past a removal's ban as well.
    Ban,
}

/// The relays' settings for the ends the steps reason about (the same in both stores).
fn settings() -> Config {
    let mut config = test_config();
    adjust(&mut config);
    config
}

impl Span {
    fn duration(self) -> Duration {
        let config = settings();
        let end = match self {
            Self::Grace => config.room_grace,
            Self::Ban => config.removal_ban,
        };
        end + Duration::from_secs(1)
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Join(usize),
    Leave(usize),
    Drop(usize),
    Resume(usize),
    /// Member chats, perhaps answering message `seq` (kept, deleted or never sent: both
    /// stores carry the reference alike).
    Chat(usize, Option<u64>),
    Whisper(usize, usize),
    Away(usize, bool),
    Typing(usize, bool),
    Lock(usize, bool),
    Remove(usize, usize),
    /// Member edits message `seq` (perhaps not theirs, kept or deleted: both stores must
    /// refuse alike).
    Edit(usize, u64),
    /// Member deletes message `seq`.
    Delete(usize, u64),
    /// Member adds (`true`) or takes back a 👍 on message `seq`.
    React(usize, u64, bool),
    /// Time passes; with `true`, the observer leaves first (emptying the room if nobody
    /// else is in it) and comes back after, creating a new room if the old one expired;
    /// it stays instead while the room is locked or a removal's ban may keep it out.
    Expire(Span, bool),
}

fn step() -> impl Strategy<Value = Step> {
    let who = 0..NAMES.len();
    prop_oneof![
        3 => who.clone().prop_map(Step::Join),
        1 => who.clone().prop_map(Step::Leave),
        1 => who.clone().prop_map(Step::Drop),
        2 => who.clone().prop_map(Step::Resume),
        3 => (who.clone(), proptest::option::of(1..5u64)).prop_map(|(a, to)| Step::Chat(a, to)),
        1 => (who.clone(), who.clone()).prop_map(|(a, b)| Step::Whisper(a, b)),
        1 => (who.clone(), any::<bool>()).prop_map(|(a, b)| Step::Away(a, b)),
        2 => (who.clone(), any::<bool>()).prop_map(|(a, b)| Step::Typing(a, b)),
        1 => (who.clone(), any::<bool>()).prop_map(|(a, b)| Step::Lock(a, b)),
        1 => (who.clone(), who.clone()).prop_map(|(a, b)| Step::Remove(a, b)),
        1 => (who.clone(), 1..5u64).prop_map(|(a, seq)| Step::Edit(a, seq)),
        1 => (who.clone(), 1..5u64).prop_map(|(a, seq)| Step::Delete(a, seq)),
        2 => (who, 1..5u64, any::<bool>()).prop_map(|(a, seq, on)| Step::React(a, seq, on)),
        1 => (prop_oneof![Just(Span::Grace), Just(Span::Ban)], any::<bool>())
            .prop_map(|(span, vacate)| Step::Expire(span, vacate)),
    ]
}

/// `steps`, with each member's status changes and typing hints beyond the relay's bursts
/// (`STATUS_CHANGES_BURST`, `TYPING_HINTS_BURST`) made chats: those limits refill with real
/// time, so past them the two runs, which take different times, could be refused
/// differently.
fn within_status_burst(mut steps: Vec<Step>) -> Vec<Step> {
    let mut changes = [0; NAMES.len()];
    let mut hints = [0; NAMES.len()];
    for step in &mut steps {
        match *step {
            Step::Away(who, _) => {
                changes[who] += 1;
                if changes[who] > confab_server::STATUS_CHANGES_BURST {
                    *step = Step::Chat(who, None);
                }
            }
            Step::Typing(who, _) => {
                hints[who] += 1;
                if hints[who] > confab_server::TYPING_HINTS_BURST {
                    *step = Step::Chat(who, None);
                }
            }
            _ => {}
        }
    }
    steps
}

/// The `hello` features member `slot` asks for: one member per presence form.
fn features_of(slot: usize) -> Vec<String> {
    match slot {
        1 => vec![features::ROSTER_DELTAS.into()],
        2 => vec![features::PRESENCE_BATCHES.into()],
        _ => Vec::new(),
    }
}

/// One relay's side of a run: the members' connections, what each was told, and the
/// tokens they would resume with.
struct Run {
    relay: TestRelay,
    room: confab_protocol::RoomCode,
    observer: TestClient,
    members: [Option<TestClient>; 4],
    tokens: [Option<String>; 4],
    last_seq: [Option<u64>; 4],
    /// One transcript per member, then the observer's.
    transcripts: [Vec<String>; 5],
    /// Presence batches a member got in a row, not yet written to its transcript: merged,
    /// they are the same in both stores whatever the batches' timing.
    batched: [Option<(Vec<PresenceChange>, usize)>; 5],
    marks: u64,
    /// Whether the room is locked, as the observer was last told: a locked room would not
    /// let the observer back in, so it stays through an expiry then.
    locked: bool,
    /// Until when (tokio's clock) a removal may keep everyone from this machine out: a
    /// ban holds the removed member's address, and every member here is 127.0.0.1, so
    /// the observer could not come back into the room it vacated.
    banned_until: Option<tokio::time::Instant>,
    /// The observer has left for an expiry and is not back yet: markers go without it.
    observer_out: bool,
}

/// A frame as both stores must agree on it: without the room code, resume tokens,
/// timestamps and limits, and with `statuses` in name order.
fn normalized(msg: &ServerMessage) -> String {
    let mut value = serde_json::to_value(msg).unwrap_or(Value::Null);
    fn scrub(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for key in ["room", "resume_token", "ts", "limits", "page_url"] {
                    map.remove(key);
                }
                if let Some(Value::Array(statuses)) = map.get_mut("statuses") {
                    statuses.sort_by_key(ToString::to_string);
                }
                map.values_mut().for_each(scrub);
            }
            Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut value);
    value.to_string()
}

impl Run {
    async fn start(store: &Store) -> Self {
        let relay = store.relay_with(adjust).await;
        let (mut ann, welcome) = relay.creator(NAMES[0]).await;
        let (observer, _) = relay.member(OBSERVER, &welcome.room).await;
        ann.recv_member_joined(OBSERVER).await;
        let token = ann.welcome_token();
        Self {
            relay,
            room: welcome.room,
            observer,
            members: [Some(ann), None, None, None],
            tokens: [Some(token), None, None, None],
            last_seq: [None; 4],
            transcripts: Default::default(),
            batched: Default::default(),
            marks: 0,
            locked: false,
            banned_until: None,
            observer_out: false,
        }
    }

    fn note(&mut self, slot: usize, line: String) {
        if let Some((changes, count)) = self.batched[slot].take() {
            let batch = ServerMessage::Presence { changes, count };
            self.transcripts[slot].push(normalized(&batch));
        }
        self.transcripts[slot].push(line);
    }

    /// Notes a message `slot` got, presence batches merged with the ones right before.
    fn note_message(&mut self, slot: usize, msg: &ServerMessage) {
        if slot == NAMES.len()
            && let ServerMessage::RoomState(state) = msg
        {
            self.locked = state.locked;
        }
        match msg {
            ServerMessage::Presence { changes, count } => {
                let held = self.batched[slot].get_or_insert_with(|| (Vec::new(), 0));
                held.0.extend(changes.iter().cloned());
                held.1 = *count;
            }
            other => self.note(slot, normalized(other)),
        }
    }

    /// Reads `slot`'s frames until `done` says stop; a closed connection ends the member.
    async fn read(&mut self, slot: usize, mut done: impl FnMut(&ServerMessage) -> bool) {
        loop {
            let client = if slot == NAMES.len() {
                &mut self.observer
            } else {
                match self.members[slot].as_mut() {
                    Some(client) => client,
                    None => return,
                }
            };
            match client.next_event().await {
                Event::Message(msg) => {
                    if let ServerMessage::Chat(chat) = &msg
                        && slot < NAMES.len()
                    {
                        self.last_seq[slot] = Some(chat.seq);
                    }
                    let stop = done(&msg);
                    self.note_message(slot, &msg);
                    if stop {
                        return;
                    }
                }
                other => {
                    self.note(slot, format!("ended: {other:?}"));
                    self.members[slot] = None;
                    self.tokens[slot] = None;
                    return;
                }
            }
        }
    }

    /// A marker chat from `slot` (or the observer), read up to by everyone connected.
    async fn mark(&mut self, slot: Option<usize>) {
        self.marks += 1;
        let text = format!("mark {}", self.marks);
        tokio::time::advance(BATCH_SETTLE).await;
        let sender = match slot.and_then(|s| self.members[s].as_mut()) {
            Some(client) => client,
            None => &mut self.observer,
        };
        sender.chat(1_000_000 + self.marks, &text).await;
        // The observer reads too, unless it is out of the room for an expiry.
        let readers = if self.observer_out {
            NAMES.len()
        } else {
            NAMES.len() + 1
        };
        for reader in 0..readers {
            self.read(
                reader,
                |m| matches!(m, ServerMessage::Chat(c) if c.text == text),
            )
            .await;
        }
    }

    async fn join(&mut self, slot: usize, token: Option<String>) {
        let mut client = self.relay.client().await;
        let features = features_of(slot);
        if !features.is_empty() {
            client.send(&ClientMessage::Hello { features }).await;
        }
        client
            .send(&ClientMessage::Join {
                name: name(NAMES[slot]),
                room: self.room.clone(),
                resume_token: token,
                last_seq: self.last_seq[slot],
            })
            .await;
        match client.next_event().await {
            Event::Message(ServerMessage::Welcome(welcome)) => {
                self.note(slot, normalized(&ServerMessage::Welcome(welcome.clone())));
                self.tokens[slot] = Some(welcome.resume_token.clone());
                self.members[slot] = Some(client);
            }
            other => self.note(slot, format!("join refused: {other:?}")),
        }
    }

    async fn send(&mut self, slot: usize, msg: ClientMessage) -> bool {
        match self.members[slot].as_mut() {
            Some(client) => {
                client.send(&msg).await;
                true
            }
            None => false,
        }
    }

    async fn apply(&mut self, store: &Store, step: Step) {
        if let Step::Expire(span, vacate) = step {
            self.expire(store, span, vacate).await;
            return;
        }
        let actor = match step {
            Step::Join(a) | Step::Resume(a) | Step::Leave(a) | Step::Drop(a) | Step::Chat(a, _) => {
                a
            }
            Step::Whisper(a, _)
            | Step::Away(a, _)
            | Step::Typing(a, _)
            | Step::Lock(a, _)
            | Step::Remove(a, _)
            | Step::Edit(a, _)
            | Step::Delete(a, _)
            | Step::React(a, _, _) => a,
            Step::Expire(..) => unreachable!("handled above"),
        };
        let mut marker = Some(actor);
        match step {
            Step::Join(a) if self.members[a].is_none() => self.join(a, None).await,
            Step::Resume(a) if self.members[a].is_none() && self.tokens[a].is_some() => {
                let token = self.tokens[a].clone();
                self.join(a, token).await;
            }
            Step::Leave(a) => {
                if self.send(a, ClientMessage::Leave).await {
                    self.tokens[a] = None;
                    self.wait_for_departure(a).await;
                    self.members[a] = None;
                }
                marker = None;
            }
            Step::Drop(a) => {
                if let Some(client) = self.members[a].take() {
                    client.drop_connection();
                    self.wait_for_departure(a).await;
                }
                marker = None;
            }
            Step::Chat(a, reply_to) => {
                let text = format!("said by {}", NAMES[a]);
                let chat = ClientMessage::Chat {
                    client_id: 1,
                    text,
                    reply_to,
                };
                self.send(a, chat).await;
            }
            Step::Whisper(a, b) => {
                let msg = ClientMessage::Whisper {
                    to: name(NAMES[b]),
                    client_id: 2,
                    text: "psst".into(),
                };
                self.send(a, msg).await;
            }
            Step::Away(a, away) => {
                let status = if away {
                    MemberStatus::Away
                } else {
                    MemberStatus::Online
                };
                self.send(a, ClientMessage::Status { status }).await;
            }
            Step::Typing(a, active) => {
                self.send(a, ClientMessage::Typing { active }).await;
            }
            Step::Lock(a, locked) => {
                self.send(a, ClientMessage::Lock { locked }).await;
            }
            Step::Remove(a, b) => {
                // A removed member's connection ends (read by the marker); a removed
                // reservation's token is kept, to be refused as `removed` on a resume.
                // Whether or not the owner asked, the observer stays through expiries
                // while a ban could be in force.
                self.banned_until = Some(tokio::time::Instant::now() + settings().removal_ban);
                self.send(
                    a,
                    ClientMessage::Remove {
                        name: name(NAMES[b]),
                    },
                )
                .await;
            }
            Step::Edit(a, seq) => {
                let edit = ClientMessage::Edit {
                    client_id: 3,
                    seq,
                    text: format!("edited by {}", NAMES[a]),
                };
                self.send(a, edit).await;
            }
            Step::Delete(a, seq) => {
                let delete = ClientMessage::Delete { client_id: 4, seq };
                self.send(a, delete).await;
            }
            Step::React(a, seq, on) => {
                let emoji = "👍".to_owned();
                self.send(a, ClientMessage::React { seq, emoji, on }).await;
            }
            _ => {}
        }
        self.mark(marker).await;
    }

    /// Lets `span` pass (see [`Step::Expire`]), then a marker from the observer.
    async fn expire(&mut self, store: &Store, span: Span, vacate: bool) {
        let banned = self
            .banned_until
            .is_some_and(|until| tokio::time::Instant::now() < until);
        let vacate = vacate && !self.locked && !banned;
        if vacate {
            self.observer.send(&ClientMessage::Leave).await;
            loop {
                match self.observer.next_event().await {
                    Event::Message(msg) => self.note_message(NAMES.len(), &msg),
                    other => {
                        self.note(NAMES.len(), format!("left: {other:?}"));
                        break;
                    }
                }
            }
            // Everyone still in the room hears of the departure before time jumps: a
            // marker behind it on the bus, so in cluster mode the departure is not still
            // on its way when the jump sends the presence batch and hands ownership on.
            if let Some(member) = (0..NAMES.len()).find(|&slot| self.members[slot].is_some()) {
                self.observer_out = true;
                self.mark(Some(member)).await;
                self.observer_out = false;
            }
        }
        store.pass_time(&self.room, span.duration()).await;
        if vacate {
            self.observer_returns().await;
        }
        self.mark(None).await;
    }

    /// The observer joins the room again, or creates a new one if it expired.
    async fn observer_returns(&mut self) {
        let mut client = self.relay.client().await;
        client
            .send(&ClientMessage::Join {
                name: name(OBSERVER),
                room: self.room.clone(),
                resume_token: None,
                last_seq: None,
            })
            .await;
        let line = match client.next_event().await {
            Event::Message(ServerMessage::Welcome(welcome)) => {
                self.observer = client;
                self.locked = welcome.room_state.locked;
                normalized(&ServerMessage::Welcome(welcome))
            }
            Event::Message(ServerMessage::Error(refused))
                if refused.code == ErrorCode::RoomNotFound =>
            {
                // The room expired: the observer makes a new one, which the others join.
                self.note(NAMES.len(), format!("join refused: {refused:?}"));
                let (client, welcome) = self.relay.creator(OBSERVER).await;
                self.observer = client;
                self.room = welcome.room.clone();
                self.locked = false;
                normalized(&ServerMessage::Welcome(Box::new(welcome)))
            }
            // Anything else would leave members in a room the marker never reaches.
            refused => panic!("the observer could not come back into its room: {refused:?}"),
        };
        self.note(NAMES.len(), line);
    }

    /// The observer reads until `slot` is seen to go.
    async fn wait_for_departure(&mut self, slot: usize) {
        let who = NAMES[slot];
        self.read(
            NAMES.len(),
            |m| matches!(m, ServerMessage::MemberLeft { name, .. } if name.as_str() == who),
        )
        .await;
    }
}

async fn transcripts(store: &Store, steps: &[Step]) -> [Vec<String>; 5] {
    let mut run = Run::start(store).await;
    for step in steps {
        run.apply(store, *step).await;
    }
    for slot in 0..=NAMES.len() {
        if let Some((changes, count)) = run.batched[slot].take() {
            let batch = ServerMessage::Presence { changes, count };
            run.transcripts[slot].push(normalized(&batch));
        }
    }
    run.transcripts
}

#[test]
fn both_stores_tell_every_member_the_same_story_for_any_sequence_of_steps() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let redis = runtime.block_on(Store::redis());
    let memory = Store::memory();
    // From here the clock moves only by `Store::pass_time` (until the watchdog ends).
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    runtime.block_on(async {
        tokio::time::pause();
        tokio::task::spawn_blocking(move || done_rx.recv_timeout(WATCHDOG));
    });
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 64,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let steps = proptest::collection::vec(step(), 1..40).prop_map(within_status_burst);
    let result = runner.run(&steps, |steps| {
        let (in_memory, in_redis) = runtime.block_on(async {
            (
                transcripts(&memory, &steps).await,
                transcripts(&redis, &steps).await,
            )
        });
        for (slot, (a, b)) in in_memory.iter().zip(&in_redis).enumerate() {
            let who = NAMES.get(slot).copied().unwrap_or(OBSERVER);
            if a != b {
                return Err(TestCaseError::fail(format!(
                    "{who} was told different things:\nmemory: {a:#?}\nredis:  {b:#?}"
                )));
            }
        }
        Ok(())
    });
    drop(done_tx);
    if let Err(err) = result {
        panic!("{err}");
    }
}
