//! The whole system: the real relay and real `confab` app instances, each in an
//! `egui_kittest` harness (no window, no GPU) with real `ewebsock` connections. The tests
//! drive the apps the way a person would (find fields by label, type, click, press Enter)
//! and check what each app's model and screen show.
//!
//! The relay runs on a tokio runtime owned by the test; the harnesses run on the test
//! thread. A harness does not wait for the network, so every wait is a bounded loop of
//! `step()` and short sleeps ([`wait_for`]); `run()` would never settle because the join
//! screen's spinner repaints on purpose. No timing is asserted: the bound only turns a
//! hang into a clear failure.

use std::net::SocketAddr;
use std::time::Duration;

use confab::state::ConnectionState;
use confab_protocol::{ChatMessage, ServerMessage};
use confab_server::Config;
use confab_tests::{TestClient, TestRelay, WelcomeExt, code, test_config, within};
use egui_kittest::kittest::Queryable as _;
use tokio::net::TcpListener;

mod app_harness;
use app_harness::{app, enter_room, member_count, room_code, runtime, say, shows_chat, wait_for};

/// The next chat `bob` receives, skipping the typing hints the app sends while composing.
async fn next_chat(bob: &mut TestClient) -> ChatMessage {
    let msg = within(
        "bob to get ann's message",
        bob.recv_until(|m| matches!(m, ServerMessage::Chat(_))),
    )
    .await;
    match msg {
        ServerMessage::Chat(chat) => chat,
        other => unreachable!("recv_until returned {other:?}"),
    }
}

#[test]
fn two_apps_create_join_chat_and_leave_through_the_ui() {
    let rt = runtime();
    let relay = rt.block_on(TestRelay::start(test_config()));
    let server = relay.url();
    let mut ann = app();
    let mut bob = app();

    enter_room(&mut ann, &server, "ann", None);
    let room = room_code(&ann);
    enter_room(&mut bob, &server, "bob", Some(&room));
    assert_eq!(room_code(&bob), room, "bob is in ann's room");
    for (app, who) in [(&mut ann, "ann"), (&mut bob, "bob")] {
        wait_for(app, &format!("{who} to see 2 people"), |m| {
            member_count(m) == 2
        });
        assert!(
            app.query_by_label_contains("2 here").is_some(),
            "{who}'s top bar shows 2 people"
        );
    }

    say(&mut ann, "hello from ann");
    wait_for(&mut bob, "ann's message at bob", |m| {
        shows_chat(m, "hello from ann", false)
    });
    // The message's text, and the message itself as a list item named after it.
    assert!(
        bob.query_all_by_label_contains("hello from ann")
            .next()
            .is_some()
    );

    bob.get_by_label("Leave").click();
    bob.run_steps(2);
    bob.get_by_label("Leave the room").click();
    bob.run_steps(2);
    assert_eq!(*bob.state().model().status(), ConnectionState::Offline);
    assert!(
        bob.query_by_label("Create room").is_some(),
        "bob is back on the join screen"
    );
    wait_for(&mut ann, "bob's leave at ann", |m| member_count(m) == 1);
    assert!(ann.query_by_label_contains("bob left").is_some());
    assert!(ann.query_by_label_contains("1 here").is_some());
}

/// Starts a relay on exactly `addr` (the port a previous relay just gave up), retrying
/// the bind briefly in case the old listener is still being closed.
async fn relay_on(addr: SocketAddr, config: Config) -> tokio::sync::oneshot::Sender<()> {
    let listener = within("rebinding the relay's port", async {
        loop {
            match TcpListener::bind(addr).await {
                Ok(listener) => return listener,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    })
    .await;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stop_rx.await;
    };
    tokio::spawn(Box::pin(confab_server::run(listener, config, shutdown)));
    stop_tx
}

#[test]
fn after_a_relay_restart_the_app_reconnects_by_itself_and_keeps_chatting() {
    let rt = runtime();
    let config = || Config {
        permanent_rooms: vec!["lobby".into()],
        ..test_config()
    };
    let relay = rt.block_on(TestRelay::start(config()));
    let addr = relay.addr;
    let lobby = code("lobby");
    let mut ann = app();
    enter_room(&mut ann, &relay.url(), "ann", Some("lobby"));
    let (mut bob, _) = rt.block_on(relay.member("bob", &lobby));
    wait_for(&mut ann, "bob to join before the restart", |m| {
        member_count(m) == 2
    });
    say(&mut ann, "before the restart");
    let chat = rt.block_on(next_chat(&mut bob));
    assert_eq!(chat.text, "before the restart");
    wait_for(&mut ann, "ann's own message", |m| {
        shows_chat(m, "before the restart", false)
    });

    rt.block_on(relay.stop())
        .expect("the first relay stops cleanly");
    drop(bob);
    // Same address, fresh relay: no rooms but the permanent one, no tokens, seq from 1.
    let _relay2 = rt.block_on(relay_on(addr, config()));

    wait_for(&mut ann, "ann to notice the relay went away", |m| {
        *m.status() != ConnectionState::Online
    });
    wait_for(&mut ann, "ann to be back in the lobby", |m| {
        *m.status() == ConnectionState::Online
    });
    let session = ann.state().model().room().expect("in the lobby");
    assert_eq!(session.room, lobby);
    assert_eq!(session.me.as_str(), "ann", "back under the same name");
    assert!(
        ann.query_by_label_contains("may have been missed")
            .is_some(),
        "the relay did not know ann's session: the app says messages may be missing"
    );

    let url = format!("ws://{addr}/");
    let (mut bob, welcome) = rt.block_on(async {
        let mut bob = TestClient::connect(&url).await;
        let welcome = bob.join("bob", &lobby).await;
        (bob, welcome)
    });
    assert_eq!(welcome.member_names(), ["ann", "bob"]);
    wait_for(&mut ann, "bob to join after the restart", |m| {
        member_count(m) == 2
    });
    // The new relay numbers from 1 again: the app must not drop these as duplicates.
    say(&mut ann, "after the restart");
    let chat = rt.block_on(next_chat(&mut bob));
    assert_eq!(
        (chat.from.as_str(), chat.text.as_str()),
        ("ann", "after the restart")
    );
    rt.block_on(bob.chat(1, "welcome back"));
    wait_for(&mut ann, "both messages after the marker", |m| {
        shows_chat(m, "after the restart", true) && shows_chat(m, "welcome back", true)
    });
    let session = ann.state().model().room().expect("in the lobby");
    assert_eq!(
        session.composer.pending().count(),
        0,
        "ann's message was confirmed"
    );
}

#[test]
fn two_apps_on_two_relays_of_a_cluster_chat_and_one_moves_over_when_its_relay_is_killed() {
    use confab_tests::redis::{RedisServer, RelayProcess};
    let rt = runtime();
    let redis = rt.block_on(RedisServer::start());
    let args: Vec<String> = [
        "--redis",
        &redis.url(),
        "--relay-ttl",
        "1s",
        "--messages-per-second",
        "10000",
        "--burst",
        "10000",
    ]
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
    let mut ann = app();
    let mut bob = app();
    // ann knows both relays and starts on the first; bob only knows the second.
    let both = format!("{}, {}", doomed.url(), survivor.url());
    enter_room(&mut ann, &both, "ann", None);
    let room = room_code(&ann);
    enter_room(&mut bob, &survivor.url(), "bob", Some(&room));
    for (app, who) in [(&mut ann, "ann"), (&mut bob, "bob")] {
        wait_for(app, &format!("{who} to see 2 people"), |m| {
            member_count(m) == 2
        });
    }
    say(&mut ann, "hello across relays");
    wait_for(&mut bob, "ann's message at bob", |m| {
        shows_chat(m, "hello across relays", false)
    });

    doomed.kill();
    wait_for(&mut ann, "ann to notice her relay died", |m| {
        *m.status() != ConnectionState::Online
    });
    wait_for(&mut ann, "ann to be back, on the other relay", |m| {
        *m.status() == ConnectionState::Online && member_count(m) == 2
    });
    let session = ann.state().model().room().expect("in the room");
    assert_eq!(session.room.to_string(), room, "the same room");
    assert_eq!(session.me.as_str(), "ann", "under the same name");
    assert!(
        ann.query_by_label_contains("may have been missed")
            .is_none(),
        "the cluster knew ann's membership: nothing was missed"
    );
    say(&mut bob, "you made it");
    say(&mut ann, "via the other relay");
    wait_for(&mut ann, "bob's message at ann", |m| {
        shows_chat(m, "you made it", false)
    });
    wait_for(&mut bob, "ann's message at bob", |m| {
        shows_chat(m, "via the other relay", false)
    });
}
