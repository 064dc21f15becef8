//! Uploads paced by acks, refusals, downloads assembled from chunks, reconnects: through
//! the whole [`Model`], with scripted relay messages.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use confab_protocol::{
    Attachment, AttachmentLimits, ChatMessage, ClientMessage, ErrorCode, ErrorMessage, Limits,
    RoomCode, ServerMessage, Username, WelcomeMessage,
};

use crate::state::{ConnectionState, Effect, FetchStatus, Intent, Model, Now, Purpose};

pub(super) fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn file_limits() -> AttachmentLimits {
    AttachmentLimits {
        max_file_bytes: 1000,
        max_room_bytes: 10_000,
        max_relay_bytes: 100_000,
        max_chunk_bytes: 4,
        max_uploads_in_flight: 1,
        upload_timeout_ms: 30_000,
    }
}

pub(super) fn welcome() -> ServerMessage {
    ServerMessage::Welcome(Box::new(WelcomeMessage {
        room: RoomCode::parse("K7QX2MHDP").expect("valid code"),
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history: vec![],
        resume_token: "tok".into(),
        limits: Limits {
            max_text_chars: 100,
            attachments: file_limits(),
            ..Limits::example()
        },
        page_url: None,
        statuses: vec![],
        room_state: Default::default(),
        verify_key: None,
    }))
}

pub(super) fn joined(now: Now) -> Model {
    let mut m = Model::new(1, Now::current());
    let room = RoomCode::parse("K7QX2MHDP").expect("valid code");
    m.start("ws://relay", name("ann"), Intent::Join(room));
    m.on_opened();
    m.on_message(welcome(), now);
    assert_eq!(m.status, ConnectionState::Online);
    m
}

pub(super) fn sent(effects: &[Effect]) -> Vec<ClientMessage> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(msg) => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

fn ack(client_id: u64, received: u64) -> ServerMessage {
    ServerMessage::UploadAck {
        client_id,
        received,
    }
}

pub(super) fn notices(m: &Model) -> Vec<String> {
    let session = m.room.as_ref().expect("in a room");
    session
        .timeline
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            crate::state::EntryKind::Notice(text)
            | crate::state::EntryKind::Problem { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn descriptor(size: u64) -> Attachment {
    Attachment {
        id: "ab".repeat(16),
        name: "notes.txt".into(),
        mime: "text/plain".into(),
        sniffed_mime: None,
        size,
        width: None,
        height: None,
    }
}

#[test]
fn an_upload_sends_one_chunk_per_ack_and_ends_with_its_chat() {
    let now = Now::current();
    let mut m = joined(now);
    let start = sent(&m.attach("cat.png", "image/png", b"0123456789".to_vec(), now));
    let ClientMessage::UploadStart {
        client_id, size, ..
    } = start[0].clone()
    else {
        panic!("starts with upload_start: {start:?}");
    };
    assert_eq!(size, 10);
    // A second file waits until the first is done (one upload in flight).
    assert!(sent(&m.attach("b.txt", "text/plain", b"hi".to_vec(), now)).is_empty());
    let mut got = Vec::new();
    for received in [0, 4, 8] {
        let out = sent(&m.on_message(ack(client_id, received), now));
        let [ClientMessage::UploadChunk { offset, data }] = out.as_slice() else {
            panic!("one chunk per ack: {out:?}");
        };
        assert_eq!(*offset, received);
        got.extend(STANDARD.decode(data).expect("base64"));
    }
    assert_eq!(got, b"0123456789");
    assert!(
        m.attachments
            .uploads()
            .next()
            .expect("in flight")
            .progress()
            > 0.7
    );
    let posted = ServerMessage::Chat(ChatMessage {
        reply_to: None,
        changes: Default::default(),
        seq: 1,
        from: name("ann"),
        text: "cat.png".into(),
        ts: 1,
        client_id: Some(client_id),
        attachment: Some(Box::new(descriptor(10))),
    });
    let next = sent(&m.on_message(posted, now));
    assert!(
        matches!(&next[..], [ClientMessage::UploadStart { file_name, .. }] if file_name == "b.txt"),
        "the next upload starts: {next:?}"
    );
}

#[test]
fn a_refused_upload_is_named_and_a_too_big_file_never_leaves() {
    let now = Now::current();
    let mut m = joined(now);
    let start = sent(&m.attach("cat.png", "image/png", vec![1; 10], now));
    let Some(ClientMessage::UploadStart { client_id, .. }) = start.first().cloned() else {
        panic!("{start:?}");
    };
    let refusal = ServerMessage::Error(ErrorMessage {
        code: ErrorCode::RoomAttachmentsFull,
        message: "room full".into(),
        client_id: Some(client_id),
        retry_after_ms: None,
    });
    m.on_message(refusal, now);
    assert!(m.attachments.uploads().next().is_none());
    let big = m.attach("huge.bin", "", vec![0; 1001], now);
    assert!(sent(&big).is_empty());
    let said = notices(&m);
    assert!(
        said[0].starts_with("Not sent: cat.png: this room holds"),
        "{said:?}"
    );
    assert!(
        said[1].contains("huge.bin") && said[1].contains("1000 B"),
        "{said:?}"
    );
}

#[test]
fn a_download_assembles_its_chunks_and_hands_over_the_whole_file() {
    let now = Now::current();
    let mut m = joined(now);
    let a = descriptor(6);
    let first = sent(&m.fetch(&a, Purpose::Save, now));
    assert_eq!(
        first,
        vec![ClientMessage::FetchAttachment {
            id: a.id.clone(),
            offset: 0
        }]
    );
    let chunk = |offset: u64, bytes: &[u8]| ServerMessage::AttachmentChunk {
        id: a.id.clone(),
        offset,
        size: 6,
        data: STANDARD.encode(bytes),
    };
    let more = sent(&m.on_message(chunk(0, b"abcd"), now));
    assert_eq!(
        more,
        vec![ClientMessage::FetchAttachment {
            id: a.id.clone(),
            offset: 4
        }]
    );
    let done = m.on_message(chunk(4, b"ef"), now);
    assert_eq!(
        done,
        vec![Effect::Fetched {
            id: a.id.clone(),
            name: "notes.txt".into(),
            purpose: Purpose::Save,
            bytes: b"abcdef".to_vec()
        }]
    );
}

#[test]
fn a_chunk_past_the_declared_size_fails_the_download_instead_of_growing_it() {
    let now = Now::current();
    let mut m = joined(now);
    let a = descriptor(3);
    m.fetch(&a, Purpose::Show, now);
    let lying = ServerMessage::AttachmentChunk {
        id: a.id.clone(),
        offset: 0,
        size: 3,
        data: STANDARD.encode(b"abcdefgh"),
    };
    assert_eq!(m.on_message(lying, now), vec![]);
    assert_eq!(m.attachments.fetch_status(&a.id), Some(FetchStatus::Failed));
}

#[test]
fn a_dropped_connection_drops_the_upload_in_flight_and_restarts_downloads() {
    let now = Now::current();
    let mut m = joined(now);
    let a = descriptor(6);
    m.fetch(&a, Purpose::Show, now);
    m.attach("cat.png", "image/png", vec![1; 10], now);
    m.on_closed("gone", now);
    assert!(m.attachments.uploads().next().is_none());
    assert!(
        notices(&m)
            .iter()
            .any(|n| n == "Not sent: cat.png: the connection dropped; attach it again."),
        "{:?}",
        notices(&m)
    );
    m.on_opened();
    let again = sent(&m.on_message(welcome(), now));
    assert!(again.contains(&ClientMessage::FetchAttachment {
        id: a.id,
        offset: 0
    }));
}

#[test]
fn cancelling_the_upload_in_flight_tells_the_relay_and_starts_the_next() {
    let now = Now::current();
    let mut m = joined(now);
    m.attach("a.bin", "", vec![1; 10], now);
    m.attach("b.bin", "", vec![2; 3], now);
    let first = m.attachments.uploads().next().expect("queued").client_id;
    let out = sent(&m.cancel_upload(first, now));
    assert_eq!(out[0], ClientMessage::UploadCancel);
    assert!(
        matches!(&out[1], ClientMessage::UploadStart { file_name, .. } if file_name == "b.bin"),
        "{out:?}"
    );
}
