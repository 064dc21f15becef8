//! Several relays: tried in turn, and rotated through on reconnects.

use super::*;

#[test]
fn several_relays_are_tried_in_turn_until_one_answers() {
    let now = Now::current();
    let mut m = Model::new(1, Now::current());
    let effects = m.start("ws://a, ws://b ws://c", name("ann"), Intent::Create);
    assert_eq!(
        effects,
        vec![Effect::Disconnect, Effect::Connect("ws://a".into())]
    );
    assert_eq!(
        m.on_closed("refused", now),
        vec![Effect::Disconnect, Effect::Connect("ws://b".into())]
    );
    assert_eq!(m.status, ConnectionState::Connecting);
    assert_eq!(m.join_error, None, "not yet: ws://c is left");
    assert_eq!(
        m.on_closed("refused", now),
        vec![Effect::Disconnect, Effect::Connect("ws://c".into())]
    );
    assert_eq!(m.relay(), Some("ws://c"));
    m.on_closed("refused", now);
    assert_eq!(m.status, ConnectionState::Offline);
    let error = m.join_error.as_deref().unwrap_or_default();
    assert!(error.contains("ws://a, ws://b, ws://c"), "{error}");
}

#[test]
fn reconnects_rotate_through_the_relays_with_backoff_and_resume_at_the_one_that_answers() {
    let now = Now::current();
    let mut m = Model::new(1, Now::current());
    m.start("ws://a,ws://b", name("ann"), Intent::Join(room()));
    m.on_opened();
    m.on_message(welcome(vec![chat(1, "bob", "a", None)], "tok"), now);
    assert_eq!(m.relay(), Some("ws://a"));
    let mut connects = Vec::new();
    let mut at = now;
    for _ in 0..3 {
        m.on_closed("reset", at);
        assert_eq!(m.tick(at), vec![], "each attempt waits for the backoff");
        at = Now {
            at: at.at + Backoff::MAX,
            wall_ms: at.wall_ms,
        };
        connects.extend(m.tick(at));
    }
    let urls = ["ws://b", "ws://a", "ws://b"].map(|u| Effect::Connect(u.into()));
    assert_eq!(connects, urls);
    let resume = ClientMessage::Join {
        name: name("ann"),
        room: room(),
        resume_token: Some("tok".into()),
        last_seq: Some(1),
    };
    assert_eq!(
        m.on_opened(),
        vec![hello(), Effect::Send(resume)],
        "at ws://b"
    );
    m.on_message(welcome(vec![], "tok"), at);
    assert_eq!(
        m.relay(),
        Some("ws://b"),
        "invites now name the relay that answered"
    );
}
