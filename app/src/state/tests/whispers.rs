//! Whispers across reconnects.

use super::*;

fn whispers(m: &Model) -> Vec<String> {
    let session = m.room.as_ref().expect("in a room");
    let text = |e: &Entry| match &e.kind {
        EntryKind::Whisper { text, .. } => Some(text.clone()),
        _ => None,
    };
    session.timeline.entries().iter().filter_map(text).collect()
}

#[test]
fn whispers_exchanged_stay_visible_after_reconnects_known_or_not() {
    let now = Now::current();
    let mut m = joined(now);
    let whisper = |from: &str, to: &str, text: &str| {
        ServerMessage::Whisper(confab_protocol::WhisperMessage {
            from: name(from),
            to: name(to),
            text: text.into(),
            ts: 5,
            client_id: None,
        })
    };
    m.on_message(whisper("bob", "ann", "psst"), now);
    m.on_message(whisper("ann", "bob", "yes?"), now);
    // A drop the relay resumes, then one it does not know (it restarted).
    for token in ["tok", "fresh"] {
        m.on_closed("reset", now);
        m.reconnect_now(now);
        m.on_opened();
        m.on_message(welcome(vec![chat(1, "bob", "a", None)], token), now);
        assert_eq!(m.status, ConnectionState::Online);
        assert_eq!(whispers(&m), vec!["psst", "yes?"], "after token {token}");
    }
}
