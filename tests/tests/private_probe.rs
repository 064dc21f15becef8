//! The private-room probe of issue 26 ("What proves it"): a marker sent in a private room's
//! chats, `/me` actions, edits, whispers and a file's name is found nowhere the relay
//! writes or shows things: its log at `debug`, `/metrics`, the history a member with only
//! the code gets on joining and on resuming, and (Redis store) every Redis key. Key holders
//! still read it, so the marker did travel.
//!
//! `room_contract.rs` pins the chat-and-edit part of this against both stores; this file
//! adds the log (which needs this binary's own log subscriber), `/metrics`, whispers, file
//! names and the resume.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use confab_protocol::private::{Post, RoomKey};
use confab_protocol::{ClientMessage, ErrorCode, ServerMessage};
use confab_tests::metrics::http;
use confab_tests::stores::Store;
use confab_tests::{TestRelay, name, on_both_stores};
use tracing_subscriber::fmt::MakeWriter;

/// What the probe looks for. Never in a log line, a metric or a stored byte.
const MARKER: &str = "probe-marker-7d2e";

/// Everything the relay logged in this test binary, at `debug` and above.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("no test panics holding the log")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Log {
    type Writer = Log;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Log {
    /// This binary's log, installed as the global subscriber on first use (before any relay
    /// starts, so `init_tracing` finds it in place).
    fn capture() -> Self {
        static LOG: OnceLock<Log> = OnceLock::new();
        LOG.get_or_init(|| {
            let log = Log::default();
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("confab_server=debug"))
                .with_ansi(false)
                .with_writer(log.clone())
                .init();
            log
        })
        .clone()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("no test panics holding the log"))
            .into_owned()
    }
}

fn sealed_chat(
    key: &RoomKey,
    room: &confab_protocol::RoomCode,
    id: u64,
    text: &str,
) -> ClientMessage {
    ClientMessage::Chat {
        client_id: id,
        text: key
            .seal(&Post::chat(room, &name("ann"), None), text)
            .expect("randomness"),
        reply_to: None,
    }
}

on_both_stores! {
    async fn a_marker_sent_in_a_private_room_is_nowhere_the_relay_writes_or_shows(store: Store) {
        let log = Log::capture();
        let relay = TestRelay::start_with_metrics(store.config()).await;
        let key = RoomKey::generate().expect("randomness");
        let mut ann = relay.client().await;
        ann.send(&ClientMessage::CreatePrivate { name: name("ann"), verify_key: key.verify_key() })
            .await;
        let room = ann.recv_welcome("the private room").await.room;
        let (mut bob, _) = relay.member("bob", &room).await;
        // cy has only the code: the relay lets it in, and it sees what the relay keeps.
        let (mut cy, _) = relay.member("cy", &room).await;
        let cy_token = cy.welcome_token();

        ann.send(&sealed_chat(&key, &room, 1, MARKER)).await;
        ann.send(&sealed_chat(&key, &room, 2, &format!("/me waves {MARKER}"))).await;
        let first = ann.recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.client_id == Some(1))).await;
        let ServerMessage::Chat(first) = first else { unreachable!("matched a chat") };
        let edit = key
            .seal(&Post::edit(&room, &name("ann"), first.seq), &format!("{MARKER} edited"))
            .expect("randomness");
        ann.send(&ClientMessage::Edit { client_id: 3, seq: first.seq, text: edit }).await;
        let (ann_name, bob_name) = (name("ann"), name("bob"));
        let to_bob = Post::whisper(&room, &ann_name, &bob_name);
        let whisper = key.seal(&to_bob, &format!("psst {MARKER}")).expect("randomness");
        ann.send(&ClientMessage::Whisper { client_id: 4, to: name("bob"), text: whisper }).await;
        // A file has no sealed form yet: its name must not leak through the refusal either.
        ann.send(&ClientMessage::UploadStart {
            client_id: 5,
            file_name: format!("{MARKER}.png"),
            mime: "image/png".into(),
            size: 10,
        })
        .await;
        let refused = ann.recv_until(|m| matches!(m, ServerMessage::Error(_))).await;
        assert!(matches!(&refused, ServerMessage::Error(e) if e.code == ErrorCode::NotSigned), "{refused:?}");

        // bob holds the key and reads the whisper: the marker travelled.
        let got = bob.recv_until(|m| matches!(m, ServerMessage::Whisper(_))).await;
        let ServerMessage::Whisper(got) = got else { unreachable!("matched a whisper") };
        assert_eq!(key.open(&to_bob, &got.text), Ok(format!("psst {MARKER}")));

        // cy drops, misses one more, and resumes: what it gets is all ciphertext.
        cy.recv_until(|m| matches!(m, ServerMessage::Edited { .. })).await;
        cy.drop_connection();
        ann.send(&sealed_chat(&key, &room, 6, &format!("while cy was away {MARKER}"))).await;
        ann.recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.client_id == Some(6))).await;
        let mut cy = relay.client().await;
        let resumed = cy.resume("cy", &room, &cy_token, Some(first.seq + 1)).await;
        assert_eq!(resumed.history.len(), 1, "the one chat cy missed: {resumed:?}");
        let (_dee, joined) = relay.member("dee", &room).await;
        assert_eq!(joined.history.len(), 3, "two chats and an action: {joined:?}");
        for kept in resumed.history.iter().chain(&joined.history) {
            assert!(!kept.text.contains(MARKER), "history holds plaintext: {kept:?}");
        }

        let metrics = relay.metrics_addr.expect("a metrics listener");
        let (status, page) = http(metrics, "GET /metrics HTTP/1.1").await;
        assert!(status.ends_with("200 OK") && page.contains("confab_chats_relayed_total"));
        assert!(!page.contains(MARKER), "/metrics holds the marker");
        if let Store::Redis(redis) = &store {
            let everything = redis.dump_every_key();
            assert!(everything.contains(&resumed.history[0].text), "the dump reads the room's keys");
            assert!(!everything.contains(MARKER), "Redis holds plaintext");
        }
        let logged = log.text();
        assert!(logged.contains("DEBUG"), "the relay logs at debug here");
        assert!(!logged.contains(MARKER), "the debug log holds plaintext");
    }
}
