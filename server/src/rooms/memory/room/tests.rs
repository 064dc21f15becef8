use super::*;
use crate::outbox::{Delivery, outbox};

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn room_with_history(len: usize, messages: u64) -> Room {
    let code = RoomCode::parse("TEST").expect("valid code");
    let mut room = Room::new(code, false, len, Instant::now(), Arc::default());
    for i in 0..messages {
        room.record(name("ann"), format!("m{i}"), i, None);
    }
    room
}

#[test]
fn history_keeps_only_the_newest_messages() {
    let room = room_with_history(3, 5);
    let seqs: Vec<Seq> = room.history.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
}

#[test]
fn since_returns_exactly_the_missed_messages() {
    let room = room_with_history(10, 5);
    let missed = room.since(Some(3));
    assert_eq!(
        missed.history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [4, 5]
    );
    assert_eq!(missed.gap, None);
    let missed = room.since(Some(5));
    assert!(missed.history.is_empty() && missed.gap.is_none() && missed.changed.is_none());
}

#[test]
fn since_reports_a_gap_when_messages_were_dropped() {
    let room = room_with_history(2, 6);
    let missed = room.since(Some(1));
    assert_eq!(
        missed.history.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [5, 6]
    );
    assert_eq!(
        missed.gap,
        Some(ServerMessage::Gap {
            after: 1,
            resumed_from: 5
        })
    );
}

#[test]
fn since_gives_seen_messages_changed_at_or_after_last_seq_and_forgets_dropped_ones() {
    let mut room = room_with_history(3, 5);
    // Changed when the room's newest was 3 (seen before 4 by anyone who saw 4), and at 5.
    room.changed_at.insert(3, 3);
    room.changed_at.insert(4, 5);
    let changed = |missed: Missed| match missed.changed {
        Some(ServerMessage::Changed { messages }) => messages.iter().map(|m| m.seq).collect(),
        _ => Vec::new(),
    };
    assert_eq!(changed(room.since(Some(5))), [4]);
    assert_eq!(changed(room.since(Some(3))), [3]);
    assert_eq!(changed(room.since(None)), Vec::<Seq>::new());
    room.record(name("ann"), "m5".into(), 5, None);
    assert!(
        !room.changed_at.contains_key(&3),
        "dropped with its message"
    );
}

#[tokio::test]
async fn a_full_outbox_evicts_only_its_member_and_tells_the_rest() {
    let mut room = room_with_history(0, 0);
    let (slow_tx, mut slow_rx) = outbox(1);
    let (fast_tx, mut fast_rx) = outbox(8);
    room.members.push(Member {
        conn: 1,
        name: name("slow"),
        key: "slow".into(),
        resume_token: "a".into(),
        outbox: slow_tx,
        typing: false,
        presence: PresenceForm::Full,
        status: MemberStatus::Online,
        ip: IpAddr::from([127, 0, 0, 1]),
    });
    room.members.push(Member {
        conn: 2,
        name: name("fast"),
        key: "fast".into(),
        resume_token: "b".into(),
        outbox: fast_tx,
        typing: false,
        presence: PresenceForm::Full,
        status: MemberStatus::Online,
        ip: IpAddr::from([127, 0, 0, 1]),
    });
    // A frame as big as a full queue's allowance for small frames.
    let frame = Utf8Bytes::from("x".repeat(crate::outbox::SMALL_FRAME_BYTES));
    assert!(!room.broadcast(&frame, None));
    assert!(room.broadcast(&frame, None));
    assert_eq!(room.roster(), [name("fast")]);
    assert_eq!(slow_rx.next().await, Delivery::Kicked(Kick::SlowConsumer));
    assert_eq!(fast_rx.try_next(), Some(frame.clone()));
    assert_eq!(fast_rx.try_next(), Some(frame));
    let left = fast_rx.try_next().expect("departure notice");
    assert!(left.as_str().contains("member_left"), "{left}");
}
