//! Cluster mode: several real relays sharing rooms through one real `redis-server`
//! (issue 8). Each test starts its own Redis on a unix socket, without persistence.

use std::time::Duration;

use confab_protocol::{ClientMessage, ErrorCode, ServerMessage, close_code};
use confab_server::Config;
use confab_tests::metrics::scrape;
use confab_tests::redis::{RedisServer, RelayProcess};
use confab_tests::wire::roster;
use confab_tests::{
    STEP, TestClient, TestRelay, WelcomeExt, error_of, eventually, test_config, within,
};

/// The baseline for cluster relays: [`test_config`] on `redis`, with a short relay TTL so
/// a dead relay is noticed within a second or two.
fn cluster_config(redis: &RedisServer) -> Config {
    Config {
        redis: Some(redis.url()),
        relay_ttl: Duration::from_secs(1),
        ..test_config()
    }
}

/// The same settings as flags, for a relay in its own process.
fn cluster_args(redis: &RedisServer, room_grace: &str) -> Vec<String> {
    [
        "--redis",
        &redis.url(),
        "--relay-ttl",
        "1s",
        "--room-grace",
        room_grace,
        "--messages-per-second",
        "10000",
        "--burst",
        "10000",
    ]
    .map(String::from)
    .to_vec()
}

/// Sends `resume` to `relay` on a new connection until the relay can reach its new Redis
/// connection (each try before is refused `unavailable` at once): the client and the
/// first other answer.
async fn resume_on(url: &str, resume: &ClientMessage) -> (TestClient, ServerMessage) {
    within("a resume to be answered", async {
        loop {
            let mut client = TestClient::connect(url).await;
            client.send(resume).await;
            match client.recv().await {
                ServerMessage::Error(e) if e.code == ErrorCode::Unavailable => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                answer => return (client, answer),
            }
        }
    })
    .await
}

fn relay_binary() -> &'static str {
    env!("CARGO_BIN_EXE_confab-test-relay")
}

#[tokio::test]
async fn members_on_two_relays_share_roster_order_typing_and_whispers() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;

    let (mut ann, welcome) = a.creator("ann").await;
    let room = welcome.room;
    let (mut bob, welcome) = b.member("bob", &room).await;
    assert_eq!(roster(&welcome.members), ["ann", "bob"]);
    assert_eq!(roster(&ann.recv_member_joined("bob").await), ["ann", "bob"]);
    let (mut cat, welcome) = a.member("cat", &room).await;
    assert_eq!(roster(&welcome.members), ["ann", "bob", "cat"]);
    assert_eq!(
        roster(&bob.recv_member_joined("cat").await),
        ["ann", "bob", "cat"]
    );
    ann.recv_member_joined("cat").await;

    // Chats from both relays, interleaved: everyone sees one order, no holes, no repeats.
    for i in 0..10 {
        ann.chat(i, &format!("ann {i}")).await;
        bob.chat(100 + i, &format!("bob {i}")).await;
    }
    let mut orders = Vec::new();
    for member in [&mut ann, &mut bob, &mut cat] {
        let mut seen = Vec::new();
        for _ in 0..20 {
            let chat = member.recv_chat().await;
            seen.push((chat.seq, chat.text));
        }
        orders.push(seen);
    }
    let seqs: Vec<u64> = orders[0].iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>(), "consecutive seqs");
    assert_eq!(orders[0], orders[1], "relay B's member saw another order");
    assert_eq!(orders[0], orders[2]);

    // Typing from B reaches A; a whisper from B to cat on A reaches only cat.
    bob.typing(true).await;
    let hint = ann
        .recv_until(|m| matches!(m, ServerMessage::Typing { .. }))
        .await;
    assert!(matches!(hint, ServerMessage::Typing { name, active: true } if name.as_str() == "bob"));
    bob.whisper("CAT", 7, "psst").await;
    let got = cat
        .recv_until(|m| matches!(m, ServerMessage::Whisper(_)))
        .await;
    let ServerMessage::Whisper(whisper) = got else {
        unreachable!()
    };
    assert_eq!((whisper.from.as_str(), whisper.to.as_str()), ("bob", "cat"));
    assert_eq!(whisper.client_id, None);
    let echo = bob
        .recv_until(|m| matches!(m, ServerMessage::Whisper(_)))
        .await;
    let ServerMessage::Whisper(echo) = echo else {
        unreachable!()
    };
    assert_eq!((echo.to.as_str(), echo.client_id), ("cat", Some(7)));
    bob.whisper("nobody", 8, "hello?").await;
    let refusal = error_of(
        bob.recv_until(|m| matches!(m, ServerMessage::Error(_)))
            .await,
    );
    assert_eq!(refusal.map(|e| e.code), Some(ErrorCode::NoSuchMember));
    ann.chat(50, "marker").await;
    let after = ann
        .collect_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == "marker"))
        .await;
    assert!(
        !after.iter().any(|m| matches!(m, ServerMessage::Whisper(_))),
        "ann got someone else's whisper: {after:?}"
    );
}

#[tokio::test]
async fn two_relays_racing_for_look_alike_names_admit_exactly_one() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (_host, welcome) = a.creator("host").await;
    let room = welcome.room;
    for round in 0..5 {
        let latin = format!("alice{round}");
        let cyrillic = format!("\u{430}lice{round}"); // Cyrillic а
        let mut on_a = a.client().await;
        let mut on_b = b.client().await;
        // Both at once, so only an atomic check admits exactly one.
        tokio::join!(
            on_a.send_join(&latin, &room),
            on_b.send_join(&cyrillic, &room)
        );
        let (first, second) = tokio::join!(on_a.recv(), on_b.recv());
        let admitted = [&first, &second]
            .iter()
            .filter(|m| matches!(m, ServerMessage::Welcome(_)))
            .count();
        let refused: Vec<_> = [first, second]
            .into_iter()
            .filter_map(error_of)
            .map(|e| e.code)
            .collect();
        assert_eq!(admitted, 1, "round {round}: both or neither admitted");
        assert_eq!(refused, [ErrorCode::NameTaken], "round {round}");
    }
}

#[tokio::test]
async fn after_kill_9_its_members_leave_others_rosters_and_resume_on_another_relay() {
    let redis = RedisServer::start().await;
    let mut doomed = RelayProcess::start(relay_binary(), &cluster_args(&redis, "3s")).await;
    let b = TestRelay::start(Config {
        room_grace: Duration::from_secs(3),
        ..cluster_config(&redis)
    })
    .await;

    let mut ann = TestClient::connect(&doomed.url()).await;
    let room = ann.create("ann").await.room;
    let token = ann.welcome_token();
    let mut cat = TestClient::connect(&doomed.url()).await;
    cat.join("cat", &room).await;
    let (mut bob, _) = b.member("bob", &room).await;
    bob.chat(1, "before").await;
    let ServerMessage::Chat(seen) = ann
        .recv_until(|m| matches!(m, ServerMessage::Chat(_)))
        .await
    else {
        unreachable!()
    };
    assert_eq!(seen.text, "before");

    doomed.kill();
    // B notices within the relay TTL (1 s) plus an upkeep tick, and says so.
    let left = bob
        .collect_until(
            |m| matches!(m, ServerMessage::MemberLeft { members, .. } if members.len() == 1),
        )
        .await;
    assert_eq!(
        left.iter()
            .filter(|m| matches!(m, ServerMessage::MemberLeft { .. }))
            .count(),
        2,
        "ann and cat leave bob's roster: {left:?}"
    );
    bob.chat(2, "while you were away").await;
    bob.recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == "while you were away"))
        .await;

    // ann resumes on B with her token: exactly the missed message, name kept.
    let mut ann = b.client().await;
    let welcome = ann.resume("ann", &room, &token, Some(seen.seq)).await;
    assert_eq!(welcome.history_seqs(), [seen.seq + 1]);
    assert_eq!(welcome.resume_token, token);
    // A newcomer without the token cannot take ann's name while it is reserved...
    let mut impostor = b.client().await;
    impostor.send_join("ann", &room).await;
    let refusal = error_of(impostor.recv().await).map(|e| e.code);
    assert_eq!(refusal, Some(ErrorCode::NameTaken));
    // ...but cat, who never came back, frees hers after the grace period: no phantom.
    eventually(
        "cat's name to be free again",
        Duration::from_millis(200),
        || async {
            let mut newcomer = b.client().await;
            newcomer.send_join("cat", &room).await;
            match newcomer.recv().await {
                ServerMessage::Welcome(_) => Some(()),
                _ => None,
            }
        },
    )
    .await;
}

#[tokio::test]
async fn a_room_expires_cluster_wide_after_its_last_member_left() {
    let redis = RedisServer::start().await;
    // The relay the last member leaves from gives the room its time to live: A's grace is
    // longer than any loaded machine takes for the next join, B's short, so the expiry
    // comes soon after bob leaves.
    let a = TestRelay::start(Config {
        room_grace: Duration::from_secs(30),
        ..cluster_config(&redis)
    })
    .await;
    let b = TestRelay::start(Config {
        room_grace: Duration::from_millis(300),
        ..cluster_config(&redis)
    })
    .await;
    let (mut ann, welcome) = a.creator("ann").await;
    let room = welcome.room;
    let key = |part: &str| format!("confab:{{{room}}}:{part}");
    let (members, room_key) = (key("members"), key("room"));
    ann.leave().await;
    ann.expect_close(close_code::NORMAL).await;
    eventually(
        "ann's departure to reach Redis",
        Duration::from_millis(20),
        || async { (redis.cli(&["HLEN", &members]).trim() == "0").then_some(()) },
    )
    .await;
    // The room is empty and still there, for the other relay's newcomers too...
    let (mut bob, welcome) = b.member("bob", &room).await;
    assert_eq!(roster(&welcome.members), ["bob"]);
    bob.leave().await;
    bob.expect_close(close_code::NORMAL).await;
    // ...until B's grace after bob left: then Redis forgets it, and A no longer finds it.
    eventually(
        "the room to expire in Redis",
        Duration::from_millis(20),
        || async { (redis.cli(&["EXISTS", &room_key]).trim() == "0").then_some(()) },
    )
    .await;
    let mut late = a.client().await;
    late.send_join("late", &room).await;
    assert_eq!(late.recv_error().await.code, ErrorCode::RoomNotFound);
}

#[tokio::test]
async fn with_redis_paused_chats_are_refused_clearly_and_flow_again_after() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let (room, mut members) = a.room_with(&["ann", "bob"]).await;
    let _ = room;
    redis.pause();
    members[0].chat(1, "into the void").await;
    let refusal = tokio::time::timeout(
        STEP,
        members[0].recv_until(|m| matches!(m, ServerMessage::Error(_))),
    )
    .await
    .map(error_of);
    redis.resume();
    let refusal = refusal
        .expect("an answer while Redis is paused")
        .expect("an error");
    assert_eq!(refusal.code, ErrorCode::Unavailable);
    assert_eq!(refusal.client_id, Some(1), "the draft can be kept");
    assert!(refusal.retry_after_ms.is_some());
    // Redis answers again: the next chat goes through, to both, in seq order.
    members[0].chat(2, "back").await;
    for member in &mut members {
        let chat = member
            .recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == "back"))
            .await;
        let ServerMessage::Chat(chat) = chat else {
            unreachable!()
        };
        assert_eq!(chat.seq, 1, "the refused chat took no seq");
    }
}

#[tokio::test]
async fn after_a_redis_restart_members_resume_into_their_room_with_a_gap_for_what_was_lost() {
    let mut redis = RedisServer::start().await;
    let a = TestRelay::start_with_metrics(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    let room = welcome.room;
    let (mut bob, _) = b.member("bob", &room).await;
    ann.chat(1, "one").await;
    ann.chat(2, "two").await;
    for member in [&mut ann, &mut bob] {
        member
            .recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.seq == 2))
            .await;
    }
    let tokens = [ann.welcome_token(), bob.welcome_token()];
    redis.restart().await;
    // Each relay may have missed events: it closes its members with 1012 to resume.
    for member in [&mut ann, &mut bob] {
        member.expect_close(close_code::SERVICE_RESTART).await;
    }
    // The new Redis knows nothing, but the relays remember whom they sent away and give
    // it back at once: ann, who (say) only saw seq 1, gets her room back with a gap for
    // seq 2, lost with Redis; bob, who saw both, gets no gap. Same names, same tokens.
    let answers = within("both resumes to be answered", async {
        let mut answers = Vec::new();
        // Each resumes on the *other* relay: no relay is the only way back.
        for (relay, who, token, last_seq) in
            [(&b, "ann", &tokens[0], 1), (&a, "bob", &tokens[1], 2)]
        {
            let resume = ClientMessage::Join {
                name: confab_tests::name(who),
                room: room.clone(),
                resume_token: Some(token.clone()),
                last_seq: Some(last_seq),
            };
            // Until the relay has its new Redis connection (each try is refused at once).
            loop {
                let mut client = relay.client().await;
                client.send(&resume).await;
                match client.recv().await {
                    ServerMessage::Welcome(welcome) => {
                        // What comes with the welcome (a gap) comes before the answer to a
                        // roster request sent after it.
                        client.send(&ClientMessage::Roster).await;
                        let before = client
                            .collect_until(|m| matches!(m, ServerMessage::Roster { .. }))
                            .await;
                        answers.push((client, welcome, before));
                        break;
                    }
                    ServerMessage::Error(e) if e.code == ErrorCode::Unavailable => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    other => panic!("{who}: {other:?}"),
                }
            }
        }
        answers
    })
    .await;
    let [
        (mut ann, ann_welcome, ann_before),
        (mut bob, bob_welcome, bob_before),
    ] = <[_; 2]>::try_from(answers).unwrap_or_else(|_| unreachable!());
    assert_eq!(ann_welcome.resume_token, tokens[0]);
    assert_eq!(bob_welcome.resume_token, tokens[1]);
    assert!(ann_welcome.history.is_empty() && bob_welcome.history.is_empty());
    // The gap comes first, right after the welcome; then whatever the room says.
    assert_eq!(
        ann_before.first(),
        Some(&ServerMessage::Gap {
            after: 1,
            resumed_from: 3
        }),
        "{ann_before:?}"
    );
    assert!(
        !bob_before
            .iter()
            .any(|m| matches!(m, ServerMessage::Gap { .. })),
        "{bob_before:?}"
    );
    let metrics = scrape(a.metrics_addr.expect("metrics")).await;
    assert_eq!(
        metrics["confab_redis_chat_seconds_count"], 2,
        "ann's two chats timed"
    );
    assert!(
        metrics["confab_redis_disconnects_total"] >= 1,
        "{metrics:?}"
    );
    assert!(metrics["confab_cluster_resyncs_total"] >= 1, "{metrics:?}");
    // The room goes on where it was: the next chat is seq 3, for both.
    bob.chat(3, "three").await;
    for member in [&mut ann, &mut bob] {
        let chat = member
            .recv_until(|m| matches!(m, ServerMessage::Chat(_)))
            .await;
        assert!(matches!(chat, ServerMessage::Chat(c) if c.seq == 3 && c.text == "three"));
    }
}

#[tokio::test]
async fn after_a_redis_restart_numbers_used_twice_reach_a_resuming_member_as_a_gap() {
    let mut redis = RedisServer::start().await;
    let b = RelayProcess::start(relay_binary(), &cluster_args(&redis, "30s")).await;
    let mut bob = TestClient::connect(&b.url()).await;
    let room = bob.create("bob").await.room;
    bob.chat(1, "one").await;
    bob.chat(2, "two").await;
    bob.recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.seq == 2))
        .await;
    let token = bob.welcome_token();
    // bob's relay sleeps through the restart, so another relay, which had seen only seq 1,
    // gives the room back first, and a new chat there takes number 2 again.
    b.pause();
    redis.restart().await;
    let key = |part: &str| format!("confab:{{{room}}}:{part}");
    redis.cli(&["SET", &key("room"), "r", "PX", "30000"]);
    redis.cli(&["SET", &key("restored"), "1", "PX", "30000"]);
    redis.cli(&["SET", &key("seq"), "2"]);
    redis.cli(&["SET", &key("ev"), "1"]);
    let new_two = r#"{"ev":1,"seq":2,"kind":"chat","from":"cy","text":"a new two","ts":1,"client_id":1,"relay":"x","conn":"1"}"#;
    redis.cli(&["RPUSH", &key("history"), new_two]);
    b.resume();
    bob.expect_close(close_code::SERVICE_RESTART).await;

    // bob saw the old 2, not the new one: he gets a gap over the number used twice rather
    // than the new chat silently taken for one he has, and the room goes on past both.
    let (mut bob, answer) = resume_on(
        &b.url(),
        &ClientMessage::Join {
            name: confab_tests::name("bob"),
            room: room.clone(),
            resume_token: Some(token.clone()),
            last_seq: Some(2),
        },
    )
    .await;
    let ServerMessage::Welcome(welcome) = answer else {
        panic!("{answer:?}");
    };
    assert_eq!(welcome.resume_token, token);
    assert!(welcome.history.is_empty(), "{:?}", welcome.history);
    assert_eq!(
        bob.recv().await,
        ServerMessage::Gap {
            after: 1,
            resumed_from: 3
        }
    );
    bob.chat(3, "three").await;
    let chat = bob
        .recv_until(|m| matches!(m, ServerMessage::Chat(_)))
        .await;
    assert!(
        matches!(&chat, ServerMessage::Chat(c) if c.seq == 3),
        "{chat:?}"
    );
}

#[tokio::test]
async fn a_join_reply_larger_than_the_subscriber_limit_neither_fails_nor_drops_the_bus() {
    let redis = RedisServer::start().await;
    // Redis drops a subscriber whose pending output passes 64 KiB: a relay's bus. A join's
    // reply (the kept history) is bigger; it must not count against that limit.
    redis.cli(&[
        "CONFIG",
        "SET",
        "client-output-buffer-limit",
        "pubsub 64kb 32kb 1",
    ]);
    let a = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    let long = "x".repeat(3000);
    for id in 1..=40 {
        ann.chat(id, &long).await;
    }
    ann.recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.seq == 40))
        .await;
    let (mut bob, bob_welcome) = a.member("bob", &welcome.room).await;
    assert_eq!(
        bob_welcome.history.len(),
        40,
        "120 KB of history in one reply"
    );
    // The bus held: ann was not sent away, and hears bob join and speak.
    bob.chat(1, "made it").await;
    let seen = ann
        .collect_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == "made it"))
        .await;
    assert!(
        seen.iter()
            .any(|m| matches!(m, ServerMessage::MemberJoined { .. })),
        "{seen:?}"
    );
}

/// Reads what Redis publishes on `channel` from `subscriber` (subscribed with a raw
/// `SUBSCRIBE`) until `done` says the text so far is enough.
async fn read_bus(subscriber: &mut tokio::net::UnixStream, done: impl Fn(&str) -> bool) -> String {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    within("the bus events", async {
        while !done(&String::from_utf8_lossy(&seen)) {
            let mut buf = [0u8; 4096];
            let n = subscriber.read(&mut buf).await.expect("reading the bus");
            assert!(n > 0, "Redis closed the subscription");
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn joins_and_departures_travel_the_bus_as_one_name_and_relays_keep_the_roster() {
    use tokio::io::AsyncWriteExt;
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (ann, welcome) = a.creator("ann").await;
    let channel = format!("confab:{{{}}}:bus", welcome.room);
    let mut subscriber = tokio::net::UnixStream::connect(redis.socket())
        .await
        .expect("Redis's socket");
    let subscribe = format!(
        "*2\r\n$9\r\nSUBSCRIBE\r\n${}\r\n{channel}\r\n",
        channel.len()
    );
    subscriber
        .write_all(subscribe.as_bytes())
        .await
        .expect("SUBSCRIBE");
    read_bus(&mut subscriber, |seen| seen.contains(":1\r\n")).await;

    // bob reads the whole roster on relay B; 30 people join through A, 10 leave again.
    let (mut bob, _) = b.member("bob", &welcome.room).await;
    let mut crowd = Vec::new();
    for i in 0..30 {
        crowd.push(a.member(&format!("m{i:02}"), &welcome.room).await.0);
    }
    for mut member in crowd.drain(..10) {
        member.leave().await;
    }
    let bus = read_bus(&mut subscriber, |seen| {
        seen.matches(r#""kind":"left""#).count() == 10
    })
    .await;
    // Each event names one member and the count: none carries the roster.
    let events: Vec<&str> = bus
        .split("\r\n")
        .filter(|l| l.starts_with(r#"{"ev""#))
        .collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.contains(r#""kind":"joined""#))
            .count(),
        31
    );
    assert!(
        events
            .iter()
            .all(|e| !e.contains("members") && e.len() < 200),
        "{events:#?}"
    );

    // bob's relay kept the roster from those events: his last `member_left` carries it all.
    let expected: Vec<String> = ["ann", "bob"]
        .into_iter()
        .map(String::from)
        .chain((10..30).map(|i| format!("m{i:02}")))
        .collect();
    let last = bob
        .recv_until(
            |m| matches!(m, ServerMessage::MemberLeft { name, .. } if name.as_str() == "m09"),
        )
        .await;
    let ServerMessage::MemberLeft { members, .. } = last else {
        unreachable!()
    };
    assert_eq!(roster(&members), expected);
    drop(ann);
}

#[tokio::test]
async fn garbage_on_a_room_bus_or_in_its_history_is_skipped_and_the_room_carries_on() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let (room, mut members) = a.room_with(&["ann", "bob"]).await;
    let channel = format!("confab:{{{room}}}:bus");
    let history = format!("confab:{{{room}}}:history");
    let long = format!(
        r#"{{"ev":999,"kind":"whisper","from":"eve","to_key":"bob","text":"{}","ts":1}}"#,
        "x".repeat(5000)
    );
    for junk in [
        "not json at all",
        r#"{"ev":998,"kind":"chat","seq":1,"from":"","text":"bad name","ts":1,"client_id":1,"relay":"x","conn":"1"}"#,
        r#"{"ev":997,"kind":"left","name":"ann","members":"not a list"}"#,
        long.as_str(),
    ] {
        redis.cli(&["PUBLISH", &channel, junk]);
        redis.cli(&["RPUSH", &history, junk]);
    }
    // The relay is still up and the room still works: the next real chat arrives, and
    // nothing of the junk reached anyone.
    members[0].chat(1, "still fine").await;
    for member in &mut members {
        let seen = member
            .collect_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == "still fine"))
            .await;
        assert_eq!(seen.len(), 1, "junk was delivered: {seen:?}");
    }
    // A newcomer's welcome lists only the real message from the kept history.
    let (_, welcome) = a.member("cat", &room).await;
    let texts: Vec<&str> = welcome.history.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["still fine"]);
}

#[tokio::test]
async fn relays_reach_redis_over_tls_with_rediss() {
    let redis = RedisServer::start_tls().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    let (mut bob, _) = b.member("bob", &welcome.room).await;
    bob.chat(1, "over tls").await;
    let chat = ann
        .recv_until(|m| matches!(m, ServerMessage::Chat(_)))
        .await;
    assert!(matches!(chat, ServerMessage::Chat(c) if c.text == "over tls"));
}

#[tokio::test]
async fn status_ownership_lock_and_removal_hold_across_relays() {
    use confab_protocol::{MemberStatus, NamedStatus, RoomState};
    use confab_tests::name;

    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    assert_eq!(welcome.room_state.owner, Some(name("ann")));
    let room = welcome.room;
    let (mut bob, welcome) = b.member("bob", &room).await;
    assert_eq!(
        welcome.room_state.owner,
        Some(name("ann")),
        "owner seen from B"
    );
    ann.recv_member_joined("bob").await;

    // A status set on B reaches A and is in a later welcome on A.
    bob.send(&ClientMessage::Status {
        status: MemberStatus::Away,
    })
    .await;
    ann.recv_until(|m| matches!(m, ServerMessage::Status { name, status: MemberStatus::Away } if name.as_str() == "bob"))
        .await;
    let (mut cy, welcome) = a.member("cy", &room).await;
    assert_eq!(
        welcome.statuses,
        [NamedStatus {
            name: name("bob"),
            status: MemberStatus::Away
        }]
    );
    bob.recv_member_joined("cy").await;

    // Only the owner locks; a lock on A keeps a newcomer on B out.
    bob.send(&ClientMessage::Lock { locked: true }).await;
    let refusal = bob
        .recv_until(|m| matches!(m, ServerMessage::Error(_)))
        .await;
    assert_eq!(error_of(refusal).map(|e| e.code), Some(ErrorCode::NotOwner));
    ann.send(&ClientMessage::Lock { locked: true }).await;
    let state = bob
        .recv_until(|m| matches!(m, ServerMessage::RoomState(_)))
        .await;
    assert_eq!(
        state,
        ServerMessage::RoomState(RoomState {
            owner: Some(name("ann")),
            locked: true
        })
    );
    let mut dee = b.client().await;
    dee.send_join("dee", &room).await;
    assert_eq!(dee.recv_error().await.code, ErrorCode::RoomLocked);

    // The owner on A removes bob on B: B closes him with 4003 and keeps him out.
    ann.send(&ClientMessage::Remove { name: name("bob") }).await;
    bob.expect_close(close_code::REMOVED).await;
    cy.recv_member_left("bob").await;
    ann.send(&ClientMessage::Lock { locked: false }).await;
    cy.recv_until(|m| matches!(m, ServerMessage::RoomState(_)))
        .await;
    let mut bob = b.client().await;
    bob.send_join("bob", &room).await;
    assert_eq!(bob.recv_error().await.code, ErrorCode::Removed);

    // The owner leaves for good: ownership passes to the longest-present member, cy.
    ann.leave().await;
    let state = cy
        .recv_until(|m| matches!(m, ServerMessage::RoomState(_)))
        .await;
    assert_eq!(
        state,
        ServerMessage::RoomState(RoomState {
            owner: Some(name("cy")),
            locked: false
        })
    );
}

#[tokio::test]
async fn a_connection_redis_no_longer_lists_cannot_type_or_whisper_into_the_room() {
    let redis = RedisServer::start().await;
    let relay = TestRelay::start(cluster_config(&redis)).await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    // The shared state forgets bob while his relay still holds his connection (as after
    // a removal through another relay, or a lost Redis): his hints and whispers are not
    // published, and the whisper tells his connection to resume.
    let forgotten = redis.cli(&["HDEL", &format!("confab:{{{room}}}:members"), "bob"]);
    assert_eq!(forgotten.trim(), "1");
    members[1].typing(true).await;
    members[1].whisper("ann", 1, "psst").await;
    members[1].expect_close(close_code::SERVICE_RESTART).await;
    members[0].chat(2, "marker").await;
    let seen = members[0]
        .collect_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == "marker"))
        .await;
    assert!(
        !seen
            .iter()
            .any(|m| matches!(m, ServerMessage::Typing { .. } | ServerMessage::Whisper(_))),
        "nothing from a non-member reached ann: {seen:?}"
    );
}

/// A member removed while its relay had sent it to resume stays out when it resumes there:
/// the relay's memory of whom it sent away gives back only what Redis lost, never what the
/// room's owner took away meanwhile.
#[tokio::test]
async fn a_member_removed_while_its_relay_resynced_stays_out_when_it_resumes_there() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = b.creator("ann").await;
    let room = welcome.room;
    let (mut bob, _) = a.member("bob", &room).await;
    ann.recv_member_joined("bob").await;
    let tokens = [ann.welcome_token(), bob.welcome_token()];
    // Both relays lose their bus connection: each sends its members to resume (1012) and
    // remembers whom it sent.
    redis.cli(&["CLIENT", "KILL", "TYPE", "pubsub"]);
    for member in [&mut ann, &mut bob] {
        member.expect_close(close_code::SERVICE_RESTART).await;
    }
    let resume = |who: &str, token: &str| ClientMessage::Join {
        name: confab_tests::name(who),
        room: room.clone(),
        resume_token: Some(token.to_owned()),
        last_seq: None,
    };
    // ann, the owner, is back first and removes bob, who has not resumed yet.
    let (mut ann, answer) = resume_on(&b.url(), &resume("ann", &tokens[0])).await;
    assert!(matches!(answer, ServerMessage::Welcome(_)), "{answer:?}");
    ann.send(&ClientMessage::Remove {
        name: confab_tests::name("bob"),
    })
    .await;
    ann.recv_until(
        |m| matches!(m, ServerMessage::MemberLeft { name, .. } if name.as_str() == "bob"),
    )
    .await;
    // bob resumes on the relay that sent him away: he was removed, and stays out.
    let (_, answer) = resume_on(&a.url(), &resume("bob", &tokens[1])).await;
    assert!(
        matches!(&answer, ServerMessage::Error(e) if e.code == ErrorCode::Removed),
        "{answer:?}"
    );
}

/// A hole in a room's event numbers (an event the bus never brought) is noticed, not
/// passed over in silence: the relay sends the room's members to resume, and each gets
/// what it missed.
#[tokio::test]
async fn a_hole_in_a_rooms_events_sends_its_members_to_resume_with_what_they_missed() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    let room = welcome.room;
    let (mut bob, _) = a.member("bob", &room).await;
    ann.recv_member_joined("bob").await;
    let token = bob.welcome_token();
    // An event number taken with nothing published: what a lost bus message looks like.
    redis.cli(&["INCR", &format!("confab:{{{room}}}:ev")]);
    ann.chat(1, "after the hole").await;
    for member in [&mut ann, &mut bob] {
        member.expect_close(close_code::SERVICE_RESTART).await;
    }
    let mut bob = a.client().await;
    bob.send(&ClientMessage::Join {
        name: confab_tests::name("bob"),
        room,
        resume_token: Some(token),
        last_seq: Some(0),
    })
    .await;
    let ServerMessage::Welcome(welcome) = bob.recv().await else {
        panic!("bob resumes");
    };
    let texts: Vec<&str> = welcome.history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["after the hole"]);
}

#[tokio::test]
async fn a_whisper_that_arrives_as_its_recipient_is_sent_to_resume_reaches_it_after() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    let room = welcome.room;
    let (mut bob, _) = b.member("bob", &room).await;
    ann.recv_member_joined("bob").await;
    let token = bob.welcome_token();
    // An event number taken with nothing published: the whisper right after it shows
    // bob's relay the hole, which sends bob to resume while Redis still lists him.
    redis.cli(&["INCR", &format!("confab:{{{room}}}:ev")]);
    ann.whisper("bob", 7, "psst").await;
    bob.expect_close(close_code::SERVICE_RESTART).await;
    // ann's relay saw the same hole and sends her to resume too: once it has, bob's
    // resume there cannot land before the hole does and be sent away with her.
    ann.expect_close(close_code::SERVICE_RESTART).await;
    // He resumes on the other relay, and the whisper his relay kept follows him there.
    let (mut bob, answer) = resume_on(
        &a.url(),
        &ClientMessage::Join {
            name: confab_tests::name("bob"),
            room,
            resume_token: Some(token),
            last_seq: Some(0),
        },
    )
    .await;
    assert!(matches!(answer, ServerMessage::Welcome(_)), "{answer:?}");
    let whisper = bob
        .recv_until(|m| matches!(m, ServerMessage::Whisper(_)))
        .await;
    let ServerMessage::Whisper(whisper) = whisper else {
        unreachable!()
    };
    assert_eq!(
        (whisper.from.as_str(), whisper.text.as_str()),
        ("ann", "psst")
    );
}

/// Time is Redis's: a relay whose wall clock runs an hour fast (libfaketime) neither reaps
/// the relays beating on time nor is reaped by them; their members stay in one room.
#[tokio::test]
async fn a_relay_whose_clock_runs_an_hour_fast_reaps_nobody() {
    const FAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    assert!(
        std::path::Path::new(FAKETIME).exists(),
        "libfaketime is missing: run scripts/setup.sh"
    );
    let redis = RedisServer::start().await;
    let on_time = TestRelay::start(cluster_config(&redis)).await;
    let fast = RelayProcess::start_with_env(
        relay_binary(),
        &cluster_args(&redis, "30s"),
        &[
            ("LD_PRELOAD", FAKETIME),
            ("FAKETIME", "+1h"),
            ("DONT_FAKE_MONOTONIC", "1"),
        ],
    )
    .await;
    let (mut ann, welcome) = on_time.creator("ann").await;
    let mut bob = TestClient::connect(&fast.url()).await;
    bob.join("bob", &welcome.room).await;
    ann.recv_member_joined("bob").await;
    // Heartbeats go every third of the 1 s TTL: the fast relay reaps (or not) at each.
    // Before, its first reap took the on-time relay for an hour dead and dropped ann.
    tokio::time::sleep(Duration::from_secs(3)).await;
    bob.chat(1, "still here?").await;
    let seen = ann
        .collect_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == "still here?"))
        .await;
    assert!(
        !seen
            .iter()
            .any(|m| matches!(m, ServerMessage::MemberLeft { .. })),
        "{seen:?}"
    );
    bob.send(&ClientMessage::Roster).await;
    let members = loop {
        if let ServerMessage::Roster { members } = bob.recv().await {
            break members;
        }
    };
    assert_eq!(roster(&members), ["ann", "bob"]);
}

/// A relay refuses, at start and in words, a Redis whose rooms are laid out for another
/// version of the relay, rather than misreading them.
#[tokio::test]
async fn a_relay_refuses_a_redis_of_another_layout_clearly() {
    let redis = RedisServer::start().await;
    redis.cli(&["SET", "confab:schema", "1"]);
    let listener = confab_server::bind("127.0.0.1:0".parse().expect("an address")).expect("a port");
    let refused = confab_server::run(listener, cluster_config(&redis), std::future::pending())
        .await
        .expect_err("the relay refuses to start");
    let said = refused.to_string();
    assert!(said.contains("layout"), "{said}");
    assert!(said.contains("confab:schema"), "{said}");
    // A Redis of this relay's own layout is taken as it is.
    redis.cli(&["DEL", "confab:schema"]);
    let relay = TestRelay::start(cluster_config(&redis)).await;
    let (_ann, welcome) = relay.creator("ann").await;
    assert!(!welcome.room.to_string().is_empty());
    let held = redis.cli(&["GET", "confab:schema"]);
    assert_eq!(held.trim(), confab_server::CLUSTER_SCHEMA.to_string());
}
