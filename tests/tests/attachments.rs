//! Attachments: uploading a file to a room in chunks, fetching it back over the WebSocket
//! and over HTTP, every limit's refusal, who may fetch, and when the relay lets go of the
//! bytes (the room expires, the message leaves the history, the upload stalls).

//!
//! Cluster mode has its own file, `cluster_attachments.rs`.

mod attach_support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use confab_protocol::{ClientMessage, ErrorCode, ErrorMessage, ServerMessage};
use confab_server::Config;
use confab_tests::http::request;
use confab_tests::metrics::scrape;
use confab_tests::{TestClient, TestRelay, eventually, test_config};

use attach_support::{attachment_of, chunk, download, next_relevant, png, refusal, start, upload};

#[tokio::test]
async fn a_file_uploaded_by_one_member_reaches_the_room_and_another_member_fetches_it() {
    let relay = TestRelay::start(test_config()).await;
    let (ann, welcome) = relay.creator("ann").await;
    let room = welcome.room.clone();
    let (bob, _) = relay.member("bob", &room).await;
    let mut members = [ann, bob];
    members[0].recv_member_joined("bob").await;
    let limits = welcome.limits.attachments;
    assert_eq!(limits.max_file_bytes, 4 * 1024 * 1024);
    let file = png(640, 480, 100_000);
    let chunk_bytes = limits.max_chunk_bytes as usize;

    let echo = upload(&mut members[0], 1, "../holiday/cat.png", &file, chunk_bytes).await;
    let descriptor = attachment_of(&echo).clone();
    assert_eq!(descriptor.name, "cat.png", "the path is dropped");
    assert_eq!(echo.text, "cat.png");
    assert_eq!(descriptor.size, file.len() as u64);
    assert_eq!(descriptor.sniffed_mime.as_deref(), Some("image/png"));
    assert_eq!(
        (descriptor.width, descriptor.height),
        (Some(640), Some(480))
    );
    assert_eq!(descriptor.id.len(), 32);

    let ServerMessage::Chat(seen) = next_relevant(&mut members[1]).await else {
        panic!("bob gets the attachment's message");
    };
    assert_eq!((seen.seq, seen.client_id), (echo.seq, None));
    assert_eq!(seen.attachment.as_deref(), Some(&descriptor));
    let fetched = download(&mut members[1], &descriptor.id)
        .await
        .expect("bob may fetch");
    assert_eq!(fetched, file);

    // Someone joining later finds it in the history, and chat goes on as before.
    let (_cy, welcome) = relay.member("cy", &room).await;
    let kept = welcome.history.last().expect("the message is kept");
    assert_eq!(kept.attachment.as_deref(), Some(&descriptor));
    members[1].chat(7, "nice").await;
    let ServerMessage::Chat(after) = next_relevant(&mut members[1]).await else {
        panic!("chat still flows");
    };
    assert_eq!(after.seq, echo.seq + 1);
}

#[tokio::test]
async fn each_limit_is_refused_with_its_own_code() {
    let config = Config {
        max_file_bytes: 1000,
        max_room_attachment_bytes: 1500,
        max_relay_attachment_bytes: 2500,
        max_chunk_bytes: 100,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (mut ann, _) = relay.creator("ann").await;

    ann.send(&start(1, "big", 1001)).await;
    let error = refusal(next_relevant(&mut ann).await);
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::FileTooLarge, Some(1))
    );

    ann.send(&start(2, "one", 1000)).await;
    assert!(matches!(
        next_relevant(&mut ann).await,
        ServerMessage::UploadAck { received: 0, .. }
    ));
    ann.send(&start(3, "two", 10)).await;
    let error = refusal(next_relevant(&mut ann).await);
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::UploadInProgress, Some(3))
    );

    ann.send(&chunk(0, &[0; 101])).await;
    let error = refusal(next_relevant(&mut ann).await);
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::ChunkTooLarge, Some(2))
    );
    ann.send(&chunk(0, &[0; 10])).await;
    let error = refusal(next_relevant(&mut ann).await);
    assert_eq!(
        error.code,
        ErrorCode::BadChunk,
        "the upload was dropped with its chunk"
    );

    upload(&mut ann, 4, "kept", &[1; 1000], 100).await;
    ann.send(&start(5, "more", 600)).await;
    let error = refusal(next_relevant(&mut ann).await);
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::RoomAttachmentsFull, Some(5))
    );

    let (mut bob, _) = relay.creator("bob").await;
    upload(&mut bob, 1, "also kept", &[2; 1000], 100).await;
    let (mut cy, _) = relay.creator("cy").await;
    cy.send(&start(1, "too much", 600)).await;
    let error = refusal(next_relevant(&mut cy).await);
    assert_eq!(
        (error.code, error.client_id),
        (ErrorCode::RelayAttachmentsFull, Some(1))
    );
    cy.send(&start(2, "fits", 400)).await;
    assert!(matches!(
        next_relevant(&mut cy).await,
        ServerMessage::UploadAck { .. }
    ));
}

#[tokio::test]
async fn a_non_member_a_wrong_room_and_an_unknown_id_get_the_same_refusal() {
    let relay = TestRelay::start(test_config()).await;
    let (mut ann, _) = relay.creator("ann").await;
    let echo = upload(&mut ann, 1, "secret.txt", b"only for this room", 1024).await;
    let id = attachment_of(&echo).id.clone();

    let (mut cy, _) = relay.creator("cy").await;
    let wrong_room = download(&mut cy, &id).await.expect_err("not cy's room");
    let unknown = download(&mut cy, "0123456789abcdef0123456789abcdef")
        .await
        .expect_err("no such id");
    assert_eq!(wrong_room.code, ErrorCode::AttachmentNotFound);
    assert_eq!(
        wrong_room, unknown,
        "the refusal tells nothing about the id"
    );

    let mut stranger = relay.client().await;
    stranger
        .send(&ClientMessage::FetchAttachment {
            id: id.clone(),
            offset: 0,
        })
        .await;
    assert_eq!(stranger.recv_error().await.code, ErrorCode::NotJoined);
    assert_eq!(
        download(&mut ann, &id).await.expect("ann may"),
        b"only for this room"
    );
}

#[tokio::test]
async fn http_downloads_need_a_current_members_resume_token_in_a_header() {
    let relay = TestRelay::start(test_config()).await;
    let (room, mut members) = relay.room_with(&["ann", "bob"]).await;
    let file = png(3, 2, 5000);
    let echo = upload(&mut members[0], 1, "dot.png", &file, 32 * 1024).await;
    let path = format!("/attachments/{}", attachment_of(&echo).id);
    let bob_token = members[1].welcome_token();
    let (cy, cy_welcome) = relay.creator("cy").await;

    let bearer = |token: &str| format!("Bearer {token}");
    let ok = request(
        relay.addr,
        "GET",
        &path,
        &[("Authorization", &bearer(&bob_token))],
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, file);
    assert_eq!(ok.header("content-type"), Some("image/png"));
    assert_eq!(
        ok.header("content-disposition"),
        Some("attachment; filename*=UTF-8''dot.png")
    );
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));

    let none = request(relay.addr, "GET", &path, &[]).await;
    let other_room = request(
        relay.addr,
        "GET",
        &path,
        &[("Authorization", &bearer(&cy_welcome.resume_token))],
    )
    .await;
    let query = request(relay.addr, "GET", &format!("{path}?token={bob_token}"), &[]).await;
    let unknown = request(
        relay.addr,
        "GET",
        "/attachments/00000000000000000000000000000000",
        &[("Authorization", &bearer(&bob_token))],
    )
    .await;
    for refused in [&none, &other_room, &query, &unknown] {
        assert_eq!((refused.status, refused.text()), (404, unknown.text()));
    }

    // Once bob has left, his token no longer opens it.
    members[1].leave().await;
    let gone = request(
        relay.addr,
        "GET",
        &path,
        &[("Authorization", &bearer(&bob_token))],
    )
    .await;
    assert_eq!(gone.status, 404);
    drop((cy, room));
}

#[tokio::test]
async fn attachments_go_when_their_message_leaves_the_history_and_when_the_room_expires() {
    let config = Config {
        history_len: 2,
        room_grace: Duration::from_millis(200),
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (mut ann, _) = relay.creator("ann").await;
    let first = upload(&mut ann, 1, "first", &[1; 3000], 1024).await;
    let first_id = attachment_of(&first).id.clone();
    let bytes = |samples: &std::collections::HashMap<String, i64>| {
        samples.get("confab_attachment_bytes").copied()
    };
    assert_eq!(bytes(&scrape(relay.addr).await), Some(3000));

    ann.chat(2, "one").await;
    ann.chat(3, "two").await;
    next_relevant(&mut ann).await;
    next_relevant(&mut ann).await;
    let refused = download(&mut ann, &first_id)
        .await
        .expect_err("fell out of the history");
    assert_eq!(refused.code, ErrorCode::AttachmentNotFound);
    assert_eq!(bytes(&scrape(relay.addr).await), Some(0));

    let second = upload(&mut ann, 4, "second", &[2; 2000], 1024).await;
    assert!(download(&mut ann, &attachment_of(&second).id).await.is_ok());
    assert_eq!(bytes(&scrape(relay.addr).await), Some(2000));
    ann.leave().await;
    eventually(
        "the room's attachments to be freed",
        Duration::from_millis(50),
        || async {
            let samples = scrape(relay.addr).await;
            (bytes(&samples) == Some(0) && samples.get("confab_attachments") == Some(&0))
                .then_some(())
        },
    )
    .await;
}

/// The timer itself is tested on the paused clock next to the watchdog
/// (`server/src/attachments/transfer.rs`); here, on the real clock, the test waits for the
/// relay's own count of dropped uploads, so it never races the machine.
#[tokio::test]
async fn a_stalled_upload_is_dropped_after_the_timeout_and_its_space_freed() {
    let config = Config {
        upload_timeout: Duration::from_millis(200),
        max_relay_attachment_bytes: 1000,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (mut ann, _) = relay.creator("ann").await;
    ann.send(&start(1, "slow", 1000)).await;
    assert!(matches!(
        next_relevant(&mut ann).await,
        ServerMessage::UploadAck { received: 0, .. }
    ));
    eventually(
        "the stalled upload to be dropped",
        Duration::from_millis(50),
        || async {
            let samples = scrape(relay.addr).await;
            (samples.get("confab_uploads_timed_out_total") == Some(&1)
                && samples.get("confab_attachment_bytes") == Some(&0))
            .then_some(())
        },
    )
    .await;
    ann.send(&chunk(0, &[0; 10])).await;
    let error = refusal(next_relevant(&mut ann).await);
    assert_eq!(error.code, ErrorCode::UploadTimedOut);
    ann.send(&start(2, "again", 1000)).await;
    assert!(
        matches!(
            next_relevant(&mut ann).await,
            ServerMessage::UploadAck { client_id: 2, .. }
        ),
        "the stalled upload's space was given back"
    );
}

#[tokio::test]
async fn hostile_or_truncated_image_headers_do_not_hurt_the_relay() {
    let relay = TestRelay::start(test_config()).await;
    let (mut ann, _) = relay.creator("ann").await;
    let huge = png(u32::MAX, u32::MAX, 0);
    let truncated_png = png(10, 10, 0)[..20].to_vec();
    let jpeg_without_frame = vec![
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0xff, 0xff, 0xff,
    ];
    let gif_header_only = b"GIF89a".to_vec();
    let webp_lies = b"RIFF\xff\xff\xff\xffWEBPVP8X\x00".to_vec();
    for (id, file) in [
        huge,
        truncated_png,
        jpeg_without_frame,
        gif_header_only,
        webp_lies,
    ]
    .into_iter()
    .enumerate()
    {
        let echo = upload(&mut ann, id as u64 + 1, "x.png", &file, 1024).await;
        let got = download(&mut ann, &attachment_of(&echo).id)
            .await
            .expect("stored as sent");
        assert_eq!(got, file);
    }
    ann.chat(99, "still here").await;
    let ServerMessage::Chat(chat) = next_relevant(&mut ann).await else {
        panic!("chat after hostile files");
    };
    assert_eq!(chat.text, "still here");
}

/// `cy` says `text` and reads it back; then `other`, who has no request outstanding, gets
/// it as its very next message: the chat did not wait behind anything `other` is doing.
async fn chat_reaches_at_once(cy: &mut TestClient, other: &mut TestClient, text: &str) {
    cy.chat(0, text).await;
    cy.recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.text == text))
        .await;
    match next_relevant(other).await {
        ServerMessage::Chat(chat) if chat.text == text => {}
        other => panic!("expected {text:?} next, got {other:?}"),
    }
}

/// The wait a `rate_limited` refusal announces, or a panic for anything else.
fn announced_wait(msg: ServerMessage, during: &str) -> Duration {
    match msg {
        ServerMessage::Error(ErrorMessage {
            code: ErrorCode::RateLimited,
            retry_after_ms: Some(wait),
            ..
        }) => Duration::from_millis(wait),
        other => panic!("unexpected during {during}: {other:?}"),
    }
}

#[tokio::test]
async fn chat_goes_round_between_the_chunks_of_a_4_mib_file_going_up_and_down() {
    let relay = TestRelay::start(test_config()).await;
    let (_, mut members) = relay.room_with(&["ann", "bob", "cy"]).await;
    let [ann, bob, cy] = &mut members[..] else {
        unreachable!("three members")
    };
    let file = png(4000, 3000, 4 * 1024 * 1024 - 33);
    let chunk_bytes = 32 * 1024;
    // Every this many chunks, cy chats between two of them.
    let every = 32 * chunk_bytes;

    // Up: the chunk after each ack goes only once cy's chat has reached ann. Refusals
    // (the transfer's own rate limit) are waited out as announced.
    ann.send(&start(1, "big.png", file.len())).await;
    let mut from = 0;
    let echo = loop {
        match next_relevant(ann).await {
            ServerMessage::UploadAck { received, .. } => {
                from = usize::try_from(received).expect("small");
                if from > 0 && from % every == 0 {
                    chat_reaches_at_once(cy, ann, &format!("up {from}")).await;
                }
            }
            ServerMessage::Chat(chat) if chat.client_id == Some(1) => break chat,
            other => tokio::time::sleep(announced_wait(other, "the upload")).await,
        }
        let to = (from + chunk_bytes).min(file.len());
        ann.send(&chunk(from, &file[from..to])).await;
    };
    let id = attachment_of(&echo).id.clone();

    // bob read none of it yet: cy's chats, then the file's message, in that order.
    let seen = bob
        .collect_until(|m| matches!(m, ServerMessage::Chat(c) if c.attachment.is_some()))
        .await;
    let texts: Vec<&str> = seen
        .iter()
        .filter_map(|m| match m {
            ServerMessage::Chat(c) => Some(c.text.as_str()),
            _ => None,
        })
        .collect();
    let up: Vec<String> = (1..file.len().div_ceil(every))
        .map(|n| format!("up {}", n * every))
        .collect();
    assert_eq!(texts[..texts.len() - 1], up, "{seen:?}");

    // Down: after every 32nd chunk, cy's chat reaches bob before he asks for the next.
    let mut got = Vec::new();
    while got.len() < file.len() {
        bob.send(&ClientMessage::FetchAttachment {
            id: id.clone(),
            offset: got.len() as u64,
        })
        .await;
        match next_relevant(bob).await {
            ServerMessage::AttachmentChunk { offset, data, .. } => {
                assert_eq!(offset, got.len() as u64);
                got.extend(BASE64.decode(data).expect("valid base64"));
                if got.len() < file.len() && got.len() % every == 0 {
                    chat_reaches_at_once(cy, bob, &format!("down {}", got.len())).await;
                }
            }
            other => tokio::time::sleep(announced_wait(other, "the download")).await,
        }
    }
    assert!(got == file, "the file came back changed");
}
