//! A room that vanished: the transcript kept, and a new room that carries it on.

use super::*;

/// A joined model whose relay restarted: the resume was refused with `room_not_found`.
fn room_gone(now: Now) -> Model {
    let mut m = joined(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    let effects = m.on_message(ServerMessage::error(ErrorCode::RoomNotFound, "gone"), now);
    assert_eq!(effects, vec![Effect::Disconnect]);
    m
}

#[test]
fn a_resume_into_a_vanished_room_ends_it_but_keeps_the_transcript() {
    let now = Now::current();
    let mut m = room_gone(now);
    let ConnectionState::Ended { reason } = &m.status else {
        panic!("ended, not {:?}", m.status);
    };
    assert!(
        reason.starts_with("K7Q-X2M-HDP no longer exists"),
        "{reason}"
    );
    assert_eq!(seqs(&m), vec![1, 2], "the transcript stays readable");
    assert_eq!(m.join_error, None, "nothing for the join screen to blame");
    let later = Now {
        at: now.at + Backoff::MAX * 2,
        wall_ms: now.wall_ms,
    };
    assert_eq!(m.tick(later), vec![], "an ended room does not reconnect");
}

#[test]
fn a_new_room_after_the_old_one_vanished_carries_the_transcript_and_copies_its_invite() {
    let now = Now::current();
    let mut m = room_gone(now);
    m.room.as_mut().expect("kept").composer.draft = "unsent".into();
    assert_eq!(
        m.new_room(),
        vec![Effect::Disconnect, Effect::Connect("ws://relay".into())]
    );
    assert_eq!(
        m.on_opened(),
        vec![
            hello(),
            Effect::Send(ClientMessage::Create { name: name("ann") })
        ]
    );
    let fresh = RoomCode::parse("ABCDEFGHJ").expect("valid code");
    let ServerMessage::Welcome(mut w) = welcome(vec![chat(1, "ann", "new", None)], "tok2") else {
        unreachable!()
    };
    w.room = fresh.clone();
    let effects = m.on_message(ServerMessage::Welcome(w), now);
    assert_eq!(effects, vec![Effect::CopyInvite(fresh.clone())]);
    assert_eq!(m.status, ConnectionState::Online);
    let session = m.room.as_ref().expect("in the new room");
    assert_eq!(session.room, fresh);
    assert_eq!(session.composer.draft, "unsent");
    assert_eq!(
        seqs(&m),
        vec![1, 2, 1],
        "old messages above, the new room's below"
    );
    assert!(session.timeline.entries().iter().any(|e| matches!(
        &e.kind,
        EntryKind::NewRoom { from, to } if *from == room() && *to == fresh
    )));
    // A later drop resumes the new room, not the old one.
    m.on_closed("reset", now);
    m.reconnect_now(now);
    let sent = m.on_opened();
    assert!(
        matches!(&sent[..], [first, Effect::Send(ClientMessage::Join { room, resume_token: Some(t), .. })] if *first == hello() && *room == fresh && t == "tok2"),
        "{sent:?}"
    );
}
