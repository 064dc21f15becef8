//! Attachments in cluster mode: a file uploaded on one relay is fetched from another, over
//! the WebSocket and over HTTP, within the room's and the cluster's limits, and Redis lets
//! go of the bytes when the room expires. Real relays, one real `redis-server`.

mod attach_support;

use std::time::Duration;

use confab_protocol::{ErrorCode, RoomCode, ServerMessage};
use confab_server::Config;
use confab_tests::http::request;
use confab_tests::metrics::scrape;
use confab_tests::redis::{RedisServer, RelayProcess};
use confab_tests::{TestClient, TestRelay, eventually, test_config, within};

use attach_support::{attachment_of, chunk, download, next_relevant, png, refusal, start, upload};

/// A file's two keys in Redis: its bytes, and its room's code (for HTTP downloads).
fn file_keys(room: &RoomCode, id: &str) -> [String; 2] {
    [
        format!("confab:{{{room}}}:file:{id}"),
        format!("confab:attachment:{id}"),
    ]
}

/// [`test_config`] on `redis`, with a short relay TTL.
fn cluster_config(redis: &RedisServer) -> Config {
    Config {
        redis: Some(redis.url()),
        relay_ttl: Duration::from_secs(1),
        ..test_config()
    }
}

/// Bytes `redis` has sent to its clients so far (`INFO stats`).
fn redis_output_bytes(redis: &RedisServer) -> u64 {
    let stats = redis.cli(&["INFO", "stats"]);
    stats
        .lines()
        .find_map(|line| line.strip_prefix("total_net_output_bytes:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("INFO stats has total_net_output_bytes")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn in_cluster_mode_a_file_uploaded_on_one_relay_is_fetched_on_another_within_the_limits() {
    let redis = RedisServer::start().await;
    let cluster = |history_len| Config {
        redis: Some(redis.url()),
        relay_ttl: Duration::from_secs(1),
        max_room_attachment_bytes: 5000,
        max_relay_attachment_bytes: 8000,
        max_chunk_bytes: 1024,
        history_len,
        ..test_config()
    };
    let a = TestRelay::start(cluster(3)).await;
    let b = TestRelay::start(cluster(3)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    assert_eq!(welcome.limits.attachments.max_room_bytes, 5000);
    let (mut bob, _) = b.member("bob", &welcome.room).await;
    ann.recv_member_joined("bob").await;

    let file = png(20, 10, 3000);
    let echo = upload(&mut ann, 1, "dot.png", &file, 1024).await;
    let descriptor = attachment_of(&echo).clone();
    assert_eq!((descriptor.width, descriptor.height), (Some(20), Some(10)));
    let ServerMessage::Chat(seen) = next_relevant(&mut bob).await else {
        panic!("bob, on the other relay, gets the message");
    };
    assert_eq!(seen.attachment.as_deref(), Some(&descriptor));
    assert_eq!(
        download(&mut bob, &descriptor.id)
            .await
            .expect("from relay b"),
        file
    );

    // The room's limit holds across relays: bob's upload would pass it.
    bob.send(&start(1, "more", 3000)).await;
    let error = refusal(next_relevant(&mut bob).await);
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::RoomAttachmentsFull, Some(1))
    );
    // So does the cluster's: another room on relay b.
    let (mut cy, _) = b.creator("cy").await;
    upload(&mut cy, 1, "cy", &[7; 4000], 1024).await;
    let (mut dee, _) = a.creator("dee").await;
    dee.send(&start(1, "too much", 2000)).await;
    let error = refusal(next_relevant(&mut dee).await);
    assert_eq!(error.code, ErrorCode::RelayAttachmentsFull);

    // Once its message leaves the history, the id is refused and its space comes back.
    for id in 2..=4 {
        ann.chat(id, "pushing it out").await;
    }
    bob.recv_until(|m| matches!(m, ServerMessage::Chat(chat) if chat.seq == 4))
        .await;
    let refused = download(&mut bob, &descriptor.id)
        .await
        .expect_err("out of the history");
    assert_eq!(refused.code, ErrorCode::AttachmentNotFound);
    let other_room = download(&mut cy, &descriptor.id)
        .await
        .expect_err("not cy's room");
    assert_eq!(refused, other_room);
    bob.send(&start(2, "fits again", 3000)).await;
    let answer = next_relevant(&mut bob).await;
    assert!(
        matches!(answer, ServerMessage::UploadAck { client_id: 2, .. }),
        "{answer:?}"
    );

    // Each file is a key of its own, listed by the room: given the room's grace to live
    // once it is empty, like the room's keys.
    let stale = file_keys(&welcome.room, &descriptor.id);
    assert_eq!(
        redis.cli(&["EXISTS", &stale[0], &stale[1]]).trim(),
        "0",
        "the stale file was freed"
    );
    ann.recv_until(|m| matches!(m, ServerMessage::Chat(chat) if chat.seq == 4))
        .await;
    let last = upload(&mut ann, 5, "last", &[1; 10], 1024).await;
    let [files, index] = file_keys(&welcome.room, &attachment_of(&last).id);
    for key in [&files, &index] {
        assert_eq!(
            redis.cli(&["PTTL", key]).trim(),
            "-1",
            "no expiry while in use"
        );
    }
    bob.leave().await;
    ann.leave().await;
    eventually(
        "the files to expire with the room",
        Duration::from_millis(20),
        || async {
            let ttl: i64 = redis.cli(&["PTTL", &files]).trim().parse().unwrap_or(-3);
            (ttl > 0 || ttl == -2).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn in_cluster_mode_every_relay_serves_a_file_over_http_to_current_members_only() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    let (mut ann, welcome) = a.creator("ann").await;
    let (mut bob, _) = b.member("bob", &welcome.room).await;
    ann.recv_member_joined("bob").await;
    let file = png(30, 20, 100_000);
    let echo = upload(&mut ann, 1, "dot é.png", &file, 16 * 1024).await;
    let path = format!("/attachments/{}", attachment_of(&echo).id);
    let bob_token = bob.welcome_token();

    // Relay b never saw the upload: the file and the membership check come from Redis.
    for relay in [&b, &a] {
        let before_get = redis_output_bytes(&redis);
        let ok = request(
            relay.addr,
            "GET",
            &path,
            &[("Authorization", &bearer(&bob_token))],
        )
        .await;
        assert_eq!(ok.status, 200);
        assert_eq!(ok.body, file);
        assert!(
            redis_output_bytes(&redis) - before_get >= file.len() as u64,
            "a GET copies the file out of Redis"
        );
        assert_eq!(ok.header("content-type"), Some("image/png"));
        assert_eq!(
            ok.header("content-disposition"),
            Some("attachment; filename*=UTF-8''dot%20%C3%A9.png")
        );
        assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));

        // HEAD: the same headers and the file's length, and not one byte of body, nor the
        // file read out of Redis (what Redis sent for the GET includes the file; for the
        // HEAD, only the checks' replies and the INFO replies themselves).
        let before_head = redis_output_bytes(&redis);
        let head = request(
            relay.addr,
            "HEAD",
            &path,
            &[("Authorization", &bearer(&bob_token))],
        )
        .await;
        let head_cost = redis_output_bytes(&redis) - before_head;
        assert!(
            head_cost < file.len() as u64 / 4,
            "Redis sent {head_cost} B for a HEAD of a {} B file",
            file.len()
        );
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty(), "HEAD sent {} bytes", head.body.len());
        let length = file.len().to_string();
        assert_eq!(head.header("content-length"), Some(length.as_str()));
        for name in [
            "content-type",
            "content-disposition",
            "x-content-type-options",
            "content-security-policy",
            "cache-control",
        ] {
            assert_eq!(head.header(name), ok.header(name), "{name}");
        }
    }
    // A HEAD with a token of no member is the same 404 as a GET.
    let refused = request(b.addr, "HEAD", &path, &[("Authorization", "Bearer nobody")]).await;
    assert_eq!(refused.status, 404);

    // A member of another room, a wrong token, no token and an unknown id: the same 404.
    let (_cy, cy_welcome) = b.creator("cy").await;
    let mut wrong = bob_token.clone();
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    let unknown_path = format!("/attachments/{}", "0".repeat(32));
    let cases = [
        (path.as_str(), Some(cy_welcome.resume_token.as_str())),
        (path.as_str(), Some(wrong.as_str())),
        (path.as_str(), None),
        (unknown_path.as_str(), Some(bob_token.as_str())),
        (
            "/attachments/..%2Fconfab:file_bytes",
            Some(bob_token.as_str()),
        ),
    ];
    let mut answers = Vec::new();
    for (path, token) in cases {
        let header = token.map(bearer);
        let headers: Vec<(&str, &str)> = header
            .iter()
            .map(|h| ("Authorization", h.as_str()))
            .collect();
        answers.push(request(b.addr, "GET", path, &headers).await);
    }
    for refused in &answers {
        assert_eq!(
            (refused.status, refused.text()),
            (404, answers[0].text()),
            "every refusal looks the same"
        );
    }

    // Once bob has left, his token opens it on no relay.
    bob.leave().await;
    for relay in [&a, &b] {
        eventually(
            "bob's token to stop working",
            Duration::from_millis(20),
            || async {
                let answer = request(
                    relay.addr,
                    "GET",
                    &path,
                    &[("Authorization", &bearer(&bob_token))],
                )
                .await;
                (answer.status == 404).then_some(())
            },
        )
        .await;
    }
    let ann_token = ann.welcome_token();
    let still = request(
        b.addr,
        "GET",
        &path,
        &[("Authorization", &bearer(&ann_token))],
    )
    .await;
    assert_eq!(
        (still.status, still.body),
        (200, file),
        "ann is still a member"
    );
}

/// `confab_attachment_bytes` of `relay` now.
async fn attachment_bytes(relay: &TestRelay) -> Option<i64> {
    scrape(relay.addr)
        .await
        .get("confab_attachment_bytes")
        .copied()
}

#[tokio::test]
async fn in_cluster_mode_the_attachment_gauge_counts_the_uploads_under_way_on_that_relay() {
    let redis = RedisServer::start().await;
    let a = TestRelay::start(cluster_config(&redis)).await;
    let b = TestRelay::start(cluster_config(&redis)).await;
    // bob owns the room, so ann's leaving below changes nothing but the roster.
    let (mut bob, welcome) = b.creator("bob").await;
    let (mut ann, _) = a.member("ann", &welcome.room).await;
    bob.recv_member_joined("ann").await;
    assert_eq!(attachment_bytes(&a).await, Some(0));

    // ann's upload is reserved and gathered on relay a: a holds it, b does not.
    ann.send(&start(1, "half.png", 3000)).await;
    assert!(matches!(
        next_relevant(&mut ann).await,
        ServerMessage::UploadAck { received: 0, .. }
    ));
    ann.send(&chunk(0, &[5; 1024])).await;
    assert!(matches!(
        next_relevant(&mut ann).await,
        ServerMessage::UploadAck { received: 1024, .. }
    ));
    assert_eq!(attachment_bytes(&a).await, Some(3000));
    assert_eq!(attachment_bytes(&b).await, Some(0));

    // ann goes with her upload half done: relay a gives the space back.
    ann.leave().await;
    eventually(
        "relay a to let go of ann's upload",
        Duration::from_millis(20),
        || async { (attachment_bytes(&a).await == Some(0)).then_some(()) },
    )
    .await;

    // bob's upload on relay b counts there while under way, and not once stored (the file
    // is Redis's), though it is still in the room.
    let file = png(4, 4, 2000);
    bob.send(&start(2, "whole.png", file.len())).await;
    assert!(matches!(
        next_relevant(&mut bob).await,
        ServerMessage::UploadAck { received: 0, .. }
    ));
    assert_eq!(attachment_bytes(&b).await, Some(file.len() as i64));
    bob.send(&chunk(0, &file)).await;
    let ServerMessage::Chat(stored) = next_relevant(&mut bob).await else {
        panic!("bob's file is announced");
    };
    assert!(download(&mut bob, &attachment_of(&stored).id).await.is_ok());
    // The announcement comes through Redis and may reach bob before relay b has read the
    // store script's answer.
    eventually(
        "relay b to hand bob's stored file to Redis",
        Duration::from_millis(20),
        || async { (attachment_bytes(&b).await == Some(0)).then_some(()) },
    )
    .await;
    assert_eq!(attachment_bytes(&a).await, Some(0));
}

/// A relay killed in the middle of an upload does not keep the room's space for good:
/// reaping the relay gives its reservations back, and the room takes uploads again.
#[tokio::test]
async fn a_relay_killed_during_an_upload_gives_its_space_back_when_it_is_reaped() {
    let redis = RedisServer::start().await;
    let url = redis.url();
    let args: Vec<String> = [
        "--redis",
        &url,
        "--relay-ttl",
        "1s",
        "--room-grace",
        "30s",
        "--max-room-attachment-bytes",
        "5000",
        "--max-chunk-bytes",
        "1024",
        "--messages-per-second",
        "10000",
        "--burst",
        "10000",
    ]
    .map(String::from)
    .to_vec();
    let mut doomed = RelayProcess::start(env!("CARGO_BIN_EXE_confab-test-relay"), &args).await;
    let b = TestRelay::start(Config {
        max_room_attachment_bytes: 5000,
        max_chunk_bytes: 1024,
        ..cluster_config(&redis)
    })
    .await;
    let mut ann = TestClient::connect(&doomed.url()).await;
    let room = ann.create("ann").await.room;
    let (mut bob, _) = b.member("bob", &room).await;
    // ann's upload holds 4,000 of the room's 5,000 bytes; while it does, bob's is refused.
    ann.send(&start(1, "big.png", 4000)).await;
    assert!(matches!(
        next_relevant(&mut ann).await,
        ServerMessage::UploadAck { .. }
    ));
    bob.send(&start(2, "mine.png", 4000)).await;
    assert_eq!(
        refusal(next_relevant(&mut bob).await).code,
        ErrorCode::RoomAttachmentsFull
    );
    // ann's relay dies mid-upload; relay B reaps it within a second or two.
    doomed.kill();
    bob.recv_member_left("ann").await;
    within("the reaped relay's space to be given back", async {
        loop {
            bob.send(&start(2, "mine.png", 4000)).await;
            match next_relevant(&mut bob).await {
                ServerMessage::UploadAck { .. } => break,
                ServerMessage::Error(e) if e.code == ErrorCode::RoomAttachmentsFull => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => panic!("{other:?}"),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn an_ended_rooms_files_stop_counting_against_the_cluster_total_without_a_scan() {
    let redis = RedisServer::start().await;
    let relay = TestRelay::start(Config {
        max_relay_attachment_bytes: 6000,
        max_chunk_bytes: 1024,
        ..cluster_config(&redis)
    })
    .await;
    let (mut ann, old) = relay.creator("ann").await;
    upload(&mut ann, 1, "big", &[7; 4000], 1024).await;
    let sum = || {
        redis
            .cli(&["GET", "confab:file_bytes:sum"])
            .trim()
            .to_owned()
    };
    assert_eq!(sum(), "4000", "the running total");
    // ann's room is still there: another room cannot take 4000 more.
    let (mut cy, _) = relay.creator("cy").await;
    cy.send(&start(1, "too much", 4000)).await;
    assert_eq!(
        refusal(next_relevant(&mut cy).await).code,
        ErrorCode::RelayAttachmentsFull
    );
    // ann's room ends (its `room` key goes, as its expiry does): the next reservation
    // finds it gone and takes its bytes off the total.
    redis.cli(&["DEL", &format!("confab:{{{}}}:room", old.room)]);
    upload(&mut cy, 2, "fits now", &[8; 4000], 1024).await;
    assert_eq!(sum(), "4000", "only cy's file counts");
    assert_eq!(
        redis
            .cli(&["HEXISTS", "confab:file_bytes", &old.room.to_string()])
            .trim(),
        "0"
    );
    drop(ann);
}
