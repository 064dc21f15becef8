use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::*;
use crate::outbox::{Inbox, outbox};
use crate::presence::PresenceForm;
use crate::rooms::types::{Arrival, Resume};
use crate::secrets;
use confab_protocol::PresenceChange;

fn arrival(conn: ConnId, name: &str) -> (Arrival, Inbox) {
    let (outbox, inbox) = outbox(16);
    let arrival = Arrival {
        conn,
        name: Username::parse(name).expect("valid name"),
        outbox,
        fresh_token: format!("token-{conn}"),
        presence: PresenceForm::Full,
        page_url: None,
        ip: std::net::IpAddr::from([127, 0, 0, 1]),
        verify_key: None,
    };
    (arrival, inbox)
}

/// Everything queued for `inbox`, decoded.
fn drain(inbox: &mut Inbox) -> Vec<ServerMessage> {
    std::iter::from_fn(|| inbox.try_next())
        .map(|frame| ServerMessage::from_json(frame.as_str()).expect("relay JSON"))
        .collect()
}

/// The presence batches among `messages`.
fn batches(messages: &[ServerMessage]) -> Vec<(Vec<PresenceChange>, usize)> {
    messages
        .iter()
        .filter_map(|m| match m {
            ServerMessage::Presence { changes, count } => Some((changes.clone(), *count)),
            _ => None,
        })
        .collect()
}

fn joined(name: &str) -> PresenceChange {
    PresenceChange::Joined(Username::parse(name).expect("valid name"))
}

/// A member that takes presence batches; with a queue big enough for a burst.
fn batched(conn: ConnId, name: &str) -> (Arrival, Inbox) {
    let (mut arrival, _) = arrival(conn, name);
    let (outbox, inbox) = outbox(256);
    arrival.outbox = outbox;
    arrival.presence = PresenceForm::Batches;
    (arrival, inbox)
}

/// Lets the batch timer (a spawned task) run after the paused clock moved on.
async fn after_the_interval() {
    tokio::time::advance(crate::presence::BATCH_INTERVAL).await;
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_joins_reaches_a_batched_member_in_two_frames() {
    let registry = registry();
    let (ann, mut ann_inbox) = batched(1, "ann");
    let membership = registry.create(secrets::room_code, ann).expect("created");
    let code = membership.code();
    drain(&mut ann_inbox);
    let mut inboxes = Vec::new();
    for i in 0..40 {
        let (arrival, inbox) = batched(10 + i, &format!("m{i}"));
        registry
            .join(&code, arrival, &Resume::default())
            .expect("joined");
        inboxes.push(inbox);
    }
    let first = batches(&drain(&mut ann_inbox));
    assert_eq!(
        first,
        [(vec![joined("m0")], 2)],
        "the first goes out at once"
    );

    after_the_interval().await;
    let rest = batches(&drain(&mut ann_inbox));
    let expected: Vec<_> = (1..40).map(|i| joined(&format!("m{i}"))).collect();
    assert_eq!(rest, [(expected, 41)], "the other 39 in one frame");

    // Someone who joined mid-batch gets only the joins after its own welcome.
    let m20 = drain(&mut inboxes[20]);
    assert!(matches!(&m20[0], ServerMessage::Welcome(w) if w.members.len() == 22));
    let later: Vec<_> = (21..40).map(|i| joined(&format!("m{i}"))).collect();
    assert_eq!(batches(&m20[1..]), [(later, 41)]);
    let last = drain(&mut inboxes[39]);
    assert_eq!(
        last.len(),
        1,
        "the last joiner's welcome says it all: {last:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn waiting_changes_go_out_before_a_chat_from_the_newcomer() {
    let registry = registry();
    let (ann, mut ann_inbox) = batched(1, "ann");
    let membership = registry.create(secrets::room_code, ann).expect("created");
    let code = membership.code();
    let (bob, _bob_inbox) = batched(2, "bob");
    registry.join(&code, bob, &Resume::default()).expect("bob");
    let (cy, _cy_inbox) = batched(3, "cy");
    let cy = registry.join(&code, cy, &Resume::default()).expect("cy");
    registry
        .chat(&cy, 9, "hi".into(), None)
        .expect("a member chats");
    let seen = drain(&mut ann_inbox);
    let kinds: Vec<_> = seen[1..]
        .iter()
        .map(|m| match m {
            ServerMessage::Presence { changes, .. } => format!("presence {}", changes.len()),
            ServerMessage::Chat(chat) => format!("chat from {}", chat.from),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["presence 1", "presence 1", "chat from cy"]);
}

#[tokio::test(start_paused = true)]
async fn a_roster_answer_comes_after_the_waiting_changes() {
    let registry = registry();
    let (ann, mut ann_inbox) = batched(1, "ann");
    let ann = registry.create(secrets::room_code, ann).expect("created");
    let code = ann.code();
    let mut inboxes = Vec::new();
    for (conn, name) in [(2, "bob"), (3, "cy")] {
        let (arrival, inbox) = batched(conn, name);
        registry
            .join(&code, arrival, &Resume::default())
            .expect("joined");
        inboxes.push(inbox);
    }
    registry.roster(&ann);
    let seen = drain(&mut ann_inbox);
    assert!(matches!(
        seen.last(),
        Some(ServerMessage::Roster { members }) if members.len() == 3
    ));
    assert_eq!(batches(&seen).len(), 2, "bob at once, cy before the roster");
}

fn registry() -> Arc<Registry> {
    Arc::new(Registry::new(Arc::default(), Arc::default()))
}

#[test]
fn a_busy_room_does_not_hold_up_another_room() {
    let registry = registry();
    let (ann, _ann_inbox) = arrival(1, "ann");
    let first = registry.create(secrets::room_code, ann).expect("created");
    let (bob, mut bob_inbox) = arrival(2, "bob");
    let second = registry.create(secrets::room_code, bob).expect("created");
    let _ = bob_inbox.try_next(); // welcome

    // Someone holds the first room's lock for as long as this test likes...
    let held = first.lock();
    let (done_tx, done_rx) = mpsc::channel();
    let worker = {
        let registry = Arc::clone(&registry);
        thread::spawn(move || {
            registry
                .chat(&second, 7, "still here".into(), None)
                .expect("a member chats");
            let _ = done_tx.send(());
        })
    };
    // ...and the second room's chat is relayed all the same. With one relay-wide lock
    // this would wait until `held` is dropped, and time out.
    let relayed = done_rx.recv_timeout(Duration::from_secs(10));
    drop(held);
    worker.join().expect("chat thread");
    assert!(
        relayed.is_ok(),
        "a chat in one room waited for another room's lock"
    );
    let frame = bob_inbox.try_next().expect("the chat echo");
    assert!(frame.as_str().contains("still here"), "{frame}");
}

#[test]
fn sweeping_removes_only_rooms_empty_for_the_grace_period() {
    let config = Config {
        room_grace: Duration::from_secs(30),
        ..Config::default()
    };
    let registry = Registry::new(Arc::new(config), Arc::default());
    let (ann, _ann_inbox) = arrival(1, "ann");
    let lively = registry.create(secrets::room_code, ann).expect("created");
    let (bob, _bob_inbox) = arrival(2, "bob");
    let emptied = registry.create(secrets::room_code, bob).expect("created");
    let emptied_code = emptied.lock().code.clone();
    registry.depart(&emptied, Departure::Left);
    let lively_code = lively.lock().code.clone();

    registry.sweep(Instant::now());
    assert_eq!(
        registry.read().len(),
        2,
        "swept before the grace period ended"
    );

    registry.sweep(Instant::now() + Duration::from_secs(31));
    let rooms = registry.read();
    assert!(
        rooms.contains_key(&lively_code),
        "swept a room with a member"
    );
    assert!(!rooms.contains_key(&emptied_code), "kept an expired room");
}

#[test]
fn a_removed_member_is_told_it_is_not_in_the_room_rather_than_succeeding() {
    let registry = registry();
    let (ann, _ann_inbox) = arrival(1, "ann");
    let owner = registry.create(secrets::room_code, ann).expect("created");
    let code = owner.code();
    let (bob, _bob_inbox) = arrival(2, "bob");
    let bob = registry.join(&code, bob, &Resume::default()).expect("bob");
    registry
        .remove(&owner, &Username::parse("bob").expect("valid name"))
        .expect("the owner removes bob");

    // Until its connection closes, a removed member's requests change nothing and say so.
    assert_eq!(
        registry.chat(&bob, 1, "hi".into(), None),
        Err(SendError::NotInRoom)
    );
    assert_eq!(registry.typing(&bob, true), Err(SendError::NotInRoom));
    assert_eq!(
        registry.status(&bob, MemberStatus::Away),
        Err(SendError::NotInRoom)
    );
    let ann = Username::parse("ann").expect("valid name");
    assert_eq!(
        registry.whisper(&bob, &ann, 2, "psst".into()),
        Err(SendError::NotInRoom)
    );
    assert_eq!(registry.set_locked(&bob, true), Err(OwnerError::NotInRoom));
    assert_eq!(registry.remove(&bob, &ann), Err(OwnerError::NotInRoom));
    assert_eq!(registry.chat(&owner, 3, "still here".into(), None), Ok(()));
}
