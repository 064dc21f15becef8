//! A machine whose clock is wrong: local notices still sort and split days with messages.

use super::*;

/// 2026-12-07 23:59:00 UTC on the relay's clock.
const RELAY_NOW: Millis = 1_796_687_940_000;
const DAY: Millis = 24 * 60 * 60 * 1000;

fn live_chat(seq: u64, ts: Millis) -> ServerMessage {
    ServerMessage::Chat(ChatMessage {
        reply_to: None,
        changes: Default::default(),
        seq,
        from: name("bob"),
        text: "late night".into(),
        ts,
        client_id: None,
        attachment: None,
    })
}

fn last_ts(m: &Model) -> Millis {
    let session = m.room.as_ref().expect("in a room");
    session.timeline.entries().back().expect("an entry").ts
}

#[test]
fn a_notice_on_a_machine_a_day_behind_is_stamped_in_relay_time() {
    let behind = Now {
        wall_ms: RELAY_NOW - DAY,
        ..Now::current()
    };
    let mut m = joined(behind);
    m.on_message(live_chat(3, RELAY_NOW), behind);
    let a_second_later = later(behind, Duration::from_secs(1));
    m.notice("Saved notes.txt".into(), a_second_later);
    assert_eq!(
        last_ts(&m),
        RELAY_NOW + 1000,
        "same day as the message before it"
    );
    m.on_closed("reset", a_second_later);
    assert_eq!(
        last_ts(&m),
        RELAY_NOW + 1000,
        "'Connection lost' too, not yesterday"
    );
}

#[test]
fn a_notice_on_a_machine_a_day_ahead_does_not_jump_to_tomorrow() {
    let ahead = Now {
        wall_ms: RELAY_NOW + DAY,
        ..Now::current()
    };
    let mut m = joined(ahead);
    m.on_message(live_chat(3, RELAY_NOW), ahead);
    m.notice("Saved notes.txt".into(), ahead);
    assert_eq!(last_ts(&m), RELAY_NOW);
}

#[test]
fn a_backlog_newer_than_the_local_clock_moves_notices_after_it() {
    let behind = Now {
        wall_ms: RELAY_NOW - DAY,
        ..Now::current()
    };
    let mut m = Model::new(1, Now::current());
    m.start("ws://relay", name("ann"), Intent::Join(room()));
    m.on_opened();
    m.on_message(welcome(vec![live_chat(1, RELAY_NOW)], "tok"), behind);
    m.notice("Saved notes.txt".into(), behind);
    assert!(last_ts(&m) >= RELAY_NOW);
}
