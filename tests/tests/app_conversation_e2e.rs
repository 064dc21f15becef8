//! The whole system, for replies, reactions, edits and deletions: real `confab` app
//! instances in `egui_kittest` harnesses on real sockets, beside WebSocket test clients,
//! against real relays (see `app_e2e.rs` for how the harnesses are driven). One app reacts
//! through its chip; one is away while a message is edited, another deleted and a third
//! reacted to, and comes back showing each as it is now.

use std::time::Duration;

use confab::state::{ConnectionState, EntryKind, Model};
use confab_protocol::{Changes, ClientMessage, Seq, ServerMessage};
use confab_server::Config;
use confab_tests::{TestClient, TestRelay, code, name, test_config, within};
use egui_kittest::kittest::Queryable as _;

mod app_harness;
use app_harness::{app, enter_room, member_count, room_code, runtime, say, shows_chat, wait_for};

/// What happened to the app's shown message `seq` (nothing if it is not shown).
fn changes_of(m: &Model, seq: Seq) -> Changes {
    let session = m.room();
    match session.and_then(|s| s.timeline.chat(seq)).map(|e| &e.kind) {
        Some(EntryKind::Chat { changes, .. }) => changes.clone(),
        _ => Changes::default(),
    }
}

/// How many reacted with each emoji on the app's message `seq`.
fn reaction_counts(m: &Model, seq: Seq) -> Vec<usize> {
    let changes = changes_of(m, seq);
    changes.reactions.iter().map(|r| r.names.len()).collect()
}

/// Reads until `client` has its own copy of a change (`edited`/`deleted` with a
/// `client_id`, or its own `reaction`), so the relay has made it.
async fn made(client: &mut TestClient, what: fn(&ServerMessage) -> bool) {
    within("the change to be made", client.recv_until(what)).await;
}

#[test]
fn an_app_reacts_through_its_chip_and_shows_a_websocket_members_edit() {
    let rt = runtime();
    let relay = rt.block_on(TestRelay::start(test_config()));
    let mut ann = app();
    enter_room(&mut ann, &relay.url(), "ann", None);
    let room = code(&room_code(&ann));
    let (mut bob, _) = rt.block_on(relay.member("bob", &room));
    wait_for(&mut ann, "bob to join", |m| member_count(m) == 2);
    rt.block_on(async {
        bob.chat(1, "lunch at noon?").await;
        bob.send(&ClientMessage::React {
            seq: 1,
            emoji: "👍".into(),
            on: true,
        })
        .await;
    });
    let reactions = |m: &Model| -> Vec<usize> {
        let session = m.room();
        let chat = session.and_then(|s| s.timeline.chat(1)).map(|e| &e.kind);
        match chat {
            Some(EntryKind::Chat { changes, .. }) => {
                changes.reactions.iter().map(|r| r.names.len()).collect()
            }
            _ => Vec::new(),
        }
    };
    wait_for(&mut ann, "bob's reaction at ann", |m| reactions(m) == [1]);

    // ann adds hers by clicking bob's chip; bob is told, and ann's chip counts two.
    ann.get_by_label_contains("Reaction thumbs up").click();
    ann.run_steps(2);
    let heard = rt.block_on(within(
        "bob to hear ann's reaction",
        bob.recv_until(
            |m| matches!(m, ServerMessage::Reaction { name, .. } if name.as_str() == "ann"),
        ),
    ));
    assert_eq!(
        heard,
        ServerMessage::Reaction {
            seq: 1,
            emoji: "👍".into(),
            name: name("ann"),
            on: true
        }
    );
    wait_for(&mut ann, "ann's own reaction", |m| reactions(m) == [2]);

    // bob's edit shows at ann as the new text, marked edited.
    rt.block_on(bob.send(&ClientMessage::Edit {
        client_id: 2,
        seq: 1,
        text: "lunch at one?".into(),
    }));
    wait_for(&mut ann, "bob's edit at ann", |m| {
        shows_chat(m, "lunch at one?", false)
    });
    assert!(
        ann.query_all_by_label_contains("lunch at one?")
            .next()
            .is_some()
    );
}

#[test]
fn an_app_away_while_messages_change_comes_back_showing_each_as_it_is_now() {
    use confab_tests::redis::{RedisServer, RelayProcess};
    let rt = runtime();
    let redis = rt.block_on(RedisServer::start());
    let args: Vec<String> = ["--redis", &redis.url(), "--relay-ttl", "1s"]
        .map(String::from)
        .to_vec();
    let mut doomed = rt.block_on(RelayProcess::start(
        env!("CARGO_BIN_EXE_confab-test-relay"),
        &args,
    ));
    let survivor = rt.block_on(TestRelay::start(Config {
        redis: Some(redis.url()),
        relay_ttl: Duration::from_secs(1),
        ..test_config()
    }));
    // ann's app knows both relays and starts on the one that will die.
    let mut ann = app();
    enter_room(
        &mut ann,
        &format!("{}, {}", doomed.url(), survivor.url()),
        "ann",
        None,
    );
    let room = code(&room_code(&ann));
    let (mut bob, _) = rt.block_on(survivor.member("bob", &room));
    wait_for(&mut ann, "bob to join", |m| member_count(m) == 2);
    say(&mut ann, "lunch at noon?");
    wait_for(&mut ann, "ann's own message", |m| {
        shows_chat(m, "lunch at noon?", false)
    });
    rt.block_on(async {
        bob.chat(1, "count me in").await;
        bob.chat(2, "helo").await;
    });
    wait_for(&mut ann, "bob's messages", |m| shows_chat(m, "helo", false));

    doomed.kill();
    wait_for(&mut ann, "ann to notice her relay died", |m| {
        *m.status() != ConnectionState::Online
    });
    // ann's app is not stepped until all of it is done, so it cannot be back before.
    rt.block_on(async {
        bob.send(&ClientMessage::Edit {
            client_id: 3,
            seq: 3,
            text: "hello".into(),
        })
        .await;
        made(&mut bob, |m| {
            matches!(
                m,
                ServerMessage::Edited {
                    client_id: Some(3),
                    ..
                }
            )
        })
        .await;
        bob.send(&ClientMessage::Delete {
            client_id: 4,
            seq: 2,
        })
        .await;
        made(&mut bob, |m| {
            matches!(
                m,
                ServerMessage::Deleted {
                    client_id: Some(4),
                    ..
                }
            )
        })
        .await;
        bob.send(&ClientMessage::React {
            seq: 1,
            emoji: "👍".into(),
            on: true,
        })
        .await;
        made(&mut bob, |m| matches!(m, ServerMessage::Reaction { .. })).await;
    });

    wait_for(&mut ann, "ann to be back, on the other relay", |m| {
        *m.status() == ConnectionState::Online && reaction_counts(m, 1) == [1]
    });
    let model = ann.state().model();
    assert!(shows_chat(model, "hello", false), "bob's edit");
    assert!(changes_of(model, 3).edited);
    assert!(changes_of(model, 2).deleted, "bob's deletion");
    assert!(!shows_chat(model, "count me in", false));
    assert!(
        ann.query_by_label_contains("Reaction thumbs up").is_some(),
        "the chip is drawn"
    );
}
