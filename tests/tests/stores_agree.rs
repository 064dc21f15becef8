//! The two room stores agree, by a differential property test: proptest makes random
//! sequences of what members do (join, leave, drop, resume, chat, whisper, typing, away,
//! lock, remove), the same sequence runs on a relay keeping rooms in memory and on a relay
//! keeping them in a real `redis-server`, and every member's transcript (each frame it
//! received, and the answer to each of its requests) must be the same in both, once room
//! codes, tokens and clocks are set aside. A failing sequence is shrunk to a short one.
//!
//! Ordering: after each step the member who acted (or, if it left, the observer `zed`)
//! sends a marker chat, and every connected member reads up to it, so both relays are
//! compared at the same points. A drop is first waited for as `member_left`.
//!
//! Members hear of presence in every form the relay speaks: `bob` asks for `roster_deltas`,
//! `cy` for `presence_batches` (consecutive batches are compared merged, since where a batch
//! ends depends on timing, not on the store), the others for the whole roster.

use confab_protocol::{ClientMessage, MemberStatus, PresenceChange, ServerMessage, features};
use confab_tests::stores::Store;
use confab_tests::{Event, TestClient, TestRelay, name};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::Value;

/// The members the steps act on; `zed`, the observer, joins second and never acts.
const NAMES: [&str; 4] = ["ann", "bob", "cy", "dee"];
const OBSERVER: &str = "zed";

#[derive(Debug, Clone, Copy)]
enum Step {
    Join(usize),
    Leave(usize),
    Drop(usize),
    Resume(usize),
    Chat(usize),
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
}

fn step() -> impl Strategy<Value = Step> {
    let who = 0..NAMES.len();
    prop_oneof![
        3 => who.clone().prop_map(Step::Join),
        1 => who.clone().prop_map(Step::Leave),
        1 => who.clone().prop_map(Step::Drop),
        2 => who.clone().prop_map(Step::Resume),
        3 => who.clone().prop_map(Step::Chat),
        1 => (who.clone(), who.clone()).prop_map(|(a, b)| Step::Whisper(a, b)),
        1 => (who.clone(), any::<bool>()).prop_map(|(a, b)| Step::Away(a, b)),
        2 => (who.clone(), any::<bool>()).prop_map(|(a, b)| Step::Typing(a, b)),
        1 => (who.clone(), any::<bool>()).prop_map(|(a, b)| Step::Lock(a, b)),
        1 => (who.clone(), who.clone()).prop_map(|(a, b)| Step::Remove(a, b)),
        1 => (who.clone(), 1..5u64).prop_map(|(a, seq)| Step::Edit(a, seq)),
        1 => (who.clone(), 1..5u64).prop_map(|(a, seq)| Step::Delete(a, seq)),
        2 => (who, 1..5u64, any::<bool>()).prop_map(|(a, seq, on)| Step::React(a, seq, on)),
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
                    *step = Step::Chat(who);
                }
            }
            Step::Typing(who, _) => {
                hints[who] += 1;
                if hints[who] > confab_server::TYPING_HINTS_BURST {
                    *step = Step::Chat(who);
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
        let relay = store.relay().await;
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
        let sender = match slot.and_then(|s| self.members[s].as_mut()) {
            Some(client) => client,
            None => &mut self.observer,
        };
        sender.chat(1_000_000 + self.marks, &text).await;
        for reader in 0..=NAMES.len() {
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

    async fn apply(&mut self, step: Step) {
        let actor = match step {
            Step::Join(a) | Step::Resume(a) | Step::Leave(a) | Step::Drop(a) | Step::Chat(a) => a,
            Step::Whisper(a, _)
            | Step::Away(a, _)
            | Step::Typing(a, _)
            | Step::Lock(a, _)
            | Step::Remove(a, _)
            | Step::Edit(a, _)
            | Step::Delete(a, _)
            | Step::React(a, _, _) => a,
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
            Step::Chat(a) => {
                let text = format!("said by {}", NAMES[a]);
                let chat = ClientMessage::Chat {
                    client_id: 1,
                    text,
                    reply_to: None,
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
        run.apply(*step).await;
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
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let redis = runtime.block_on(Store::redis());
    let memory = Store::memory();
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
    if let Err(err) = result {
        panic!("{err}");
    }
}
