//! Encoding and decoding the frames on the hot path: a client's `chat` (decoded by the
//! relay), the relay's `chat` (encoded once per message, decoded by every client) and a
//! `member_joined` with a 100-name roster.
//!
//! Run with `cargo bench -p confab-protocol --bench codec`.

use std::hint::black_box;

use confab_protocol::{ChatMessage, ServerMessage, Username, decode_client};
use criterion::{Criterion, criterion_group, criterion_main};

fn name(raw: &str) -> Username {
    Username::parse(raw).expect("valid name")
}

fn relayed_chat() -> ServerMessage {
    ServerMessage::Chat(ChatMessage {
        seq: 123_456,
        from: name("ann"),
        text: "hello everyone, how is it going?".to_owned(),
        ts: 1_700_000_000_000,
        client_id: None,
        attachment: None,
        reply_to: None,
        changes: Default::default(),
    })
}

fn codec(c: &mut Criterion) {
    let client_chat = r#"{"type":"chat","client_id":42,"text":"hello everyone, how is it going?"}"#;
    c.bench_function("decode_client_chat", |b| {
        b.iter(|| decode_client(black_box(client_chat)));
    });

    let chat = relayed_chat();
    c.bench_function("encode_server_chat", |b| {
        b.iter(|| black_box(&chat).to_json());
    });

    let chat_json = chat.to_json();
    c.bench_function("decode_server_chat", |b| {
        b.iter(|| ServerMessage::from_json(black_box(&chat_json)));
    });

    let joined = ServerMessage::MemberJoined {
        name: name("m99"),
        members: (0..100).map(|i| name(&format!("m{i}"))).collect(),
    };
    c.bench_function("encode_member_joined_100", |b| {
        b.iter(|| black_box(&joined).to_json());
    });
    let joined_json = joined.to_json();
    c.bench_function("decode_member_joined_100", |b| {
        b.iter(|| ServerMessage::from_json(black_box(&joined_json)));
    });
}

criterion_group!(benches, codec);
criterion_main!(benches);
