//! Replies, reactions, edits and deletions, from the person's action to what is sent, and
//! from the relay's answer to what is shown.

use confab_protocol::{Changes, Reaction, Seq};

use super::*;
use crate::state::conversation::{MessageAction, too_many_reactions};

fn session(m: &Model) -> &Room {
    m.room.as_ref().expect("in a room")
}

fn draft(m: &mut Model, text: &str) {
    m.room.as_mut().expect("in a room").composer.draft = text.into();
}

/// The shown message `seq`: its text and what happened to it.
fn shown(m: &Model, seq: Seq) -> (String, Changes) {
    match session(m).timeline.chat(seq).map(|e| &e.kind) {
        Some(EntryKind::Chat { text, changes, .. }) => (text.clone(), changes.clone()),
        other => panic!("message {seq} not shown: {other:?}"),
    }
}

fn sent(effects: &[Effect]) -> Vec<&ClientMessage> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(msg) => Some(msg),
            _ => None,
        })
        .collect()
}

/// `joined`, with ann's own message 3 "teh plan".
fn with_mine(now: Now) -> Model {
    let mut m = joined(now);
    m.on_message(chat(3, "ann", "teh plan", None), now);
    m
}

#[test]
fn a_reply_carries_its_target_and_the_target_clears_once_sent() {
    let now = Now::current();
    let mut m = joined(now);
    m.message_action(MessageAction::Reply(1), now);
    assert_eq!(session(&m).composer.reply_to, Some(1));
    draft(&mut m, "agreed");
    let effects = m.send_draft(now);
    assert!(matches!(
        sent(&effects)[..],
        [ClientMessage::Chat {
            reply_to: Some(1),
            ..
        }]
    ));
    assert_eq!(session(&m).composer.reply_to, None);
    m.message_action(MessageAction::Reply(2), now);
    m.message_action(MessageAction::CancelReply, now);
    draft(&mut m, "plain");
    assert!(matches!(
        sent(&m.send_draft(now))[..],
        [ClientMessage::Chat { reply_to: None, .. }]
    ));
}

#[test]
fn arrow_up_edits_your_last_message_and_enter_sends_the_edit() {
    let now = Now::current();
    let mut m = with_mine(now);
    m.on_message(chat(4, "bob", "later", None), now);
    m.message_action(MessageAction::EditLast, now);
    assert_eq!(session(&m).composer.editing(), Some(3));
    assert_eq!(session(&m).composer.draft, "teh plan");
    draft(&mut m, "the plan");
    let effects = m.send_draft(now);
    let [
        ClientMessage::Edit {
            seq,
            text,
            client_id,
        },
    ] = sent(&effects)[..]
    else {
        panic!("an edit is sent: {effects:?}");
    };
    assert_eq!((*seq, text.as_str()), (3, "the plan"));
    let client_id = *client_id;
    let edited = ServerMessage::Edited {
        seq: 3,
        text: "the plan".into(),
        client_id: Some(client_id),
    };
    m.on_message(edited, now);
    assert_eq!(shown(&m, 3).0, "the plan");
    assert!(shown(&m, 3).1.edited, "marked edited for everyone");
    assert_eq!(session(&m).composer.pending().count(), 0);
}

#[test]
fn esc_cancels_an_edit_and_brings_back_what_was_being_written() {
    let now = Now::current();
    let mut m = with_mine(now);
    draft(&mut m, "half a thought");
    m.message_action(MessageAction::Edit(3), now);
    draft(&mut m, "changed my mind");
    m.message_action(MessageAction::CancelEdit, now);
    assert_eq!(session(&m).composer.editing(), None);
    assert_eq!(session(&m).composer.draft, "half a thought");
}

#[test]
fn only_your_own_messages_can_be_edited_and_nothing_to_edit_changes_nothing() {
    let now = Now::current();
    let mut m = joined(now);
    m.message_action(MessageAction::Edit(1), now);
    m.message_action(MessageAction::EditLast, now);
    assert_eq!(
        session(&m).composer.editing(),
        None,
        "messages 1, 2 are bob's"
    );
}

#[test]
fn a_reaction_toggles_by_what_you_already_have() {
    let now = Now::current();
    let mut m = joined(now);
    let react = |emoji: &str| MessageAction::React {
        seq: 1,
        emoji: emoji.into(),
    };
    let effects = m.message_action(react("👍"), now);
    assert_eq!(
        sent(&effects),
        [&ClientMessage::React {
            seq: 1,
            emoji: "👍".into(),
            on: true
        }]
    );
    for (who, on) in [("ann", true), ("bob", true)] {
        let reaction = ServerMessage::Reaction {
            seq: 1,
            emoji: "👍".into(),
            name: name(who),
            on,
        };
        m.on_message(reaction, now);
    }
    assert_eq!(
        shown(&m, 1).1.reactions,
        [Reaction {
            emoji: "👍".into(),
            names: vec![name("ann"), name("bob")]
        }]
    );
    let effects = m.message_action(react("👍"), now);
    assert_eq!(
        sent(&effects),
        [&ClientMessage::React {
            seq: 1,
            emoji: "👍".into(),
            on: false
        }],
        "clicking your own reaction takes it back"
    );
}

#[test]
fn a_reaction_past_the_limit_is_explained_and_not_sent() {
    let now = Now::current();
    let mut m = joined(now);
    // Ten of ann's own, the most one member may have on a message.
    for i in 0..confab_protocol::MAX_REACTIONS_PER_MEMBER {
        let reaction = ServerMessage::Reaction {
            seq: 1,
            emoji: format!("e{i}"),
            name: name("ann"),
            on: true,
        };
        m.on_message(reaction, now);
    }
    let last = MessageAction::React {
        seq: 1,
        emoji: "e0".into(),
    };
    assert_eq!(
        sent(&m.message_action(last, now)).len(),
        1,
        "taking back is fine"
    );
    let one_more = MessageAction::React {
        seq: 1,
        emoji: "🎉".into(),
    };
    assert!(m.message_action(one_more, now).is_empty());
    assert_eq!(session(&m).composer.error, Some(too_many_reactions()));
}

#[test]
fn the_relays_too_many_reactions_is_shown_in_words() {
    let now = Now::current();
    let mut m = joined(now);
    let refused = ServerMessage::Error(ErrorMessage {
        code: ErrorCode::TooManyReactions,
        message: "too many".into(),
        client_id: None,
        retry_after_ms: None,
    });
    m.on_message(refused, now);
    assert_eq!(session(&m).composer.error, Some(too_many_reactions()));
}

#[test]
fn only_the_author_or_the_owner_may_delete_and_a_deletion_shows_in_place() {
    let now = Now::current();
    let mut m = with_mine(now);
    assert!(
        m.message_action(MessageAction::Delete(1), now).is_empty(),
        "bob's"
    );
    let effects = m.message_action(MessageAction::Delete(3), now);
    assert!(matches!(
        sent(&effects)[..],
        [ClientMessage::Delete { seq: 3, .. }]
    ));
    let deleted = ServerMessage::Deleted {
        seq: 3,
        by: name("ann"),
        client_id: None,
    };
    m.on_message(deleted, now);
    let (text, changes) = shown(&m, 3);
    assert_eq!((text.as_str(), changes.deleted), ("", true));
    assert_eq!(seqs(&m), [1, 2, 3], "it keeps its place");
    m.on_message(
        ServerMessage::RoomState(confab_protocol::RoomState {
            owner: Some(name("ann")),
            locked: false,
        }),
        now,
    );
    assert!(
        !m.message_action(MessageAction::Delete(1), now).is_empty(),
        "the owner may"
    );
}

#[test]
fn a_deletion_of_the_message_being_edited_ends_the_edit() {
    let now = Now::current();
    let mut m = with_mine(now);
    draft(&mut m, "before");
    m.message_action(MessageAction::Edit(3), now);
    let deleted = ServerMessage::Deleted {
        seq: 3,
        by: name("bob"),
        client_id: None,
    };
    m.on_message(deleted, now);
    let composer = &session(&m).composer;
    assert_eq!(
        (composer.editing(), composer.draft.as_str()),
        (None, "before")
    );
    assert!(composer.error.is_some());
}

#[test]
fn a_resume_shows_what_changed_while_away_as_the_history_carries_it() {
    let now = Now::current();
    let mut m = with_mine(now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    let mut edited = ChatMessage {
        reply_to: Some(1),
        changes: Changes {
            edited: true,
            ..Changes::default()
        },
        seq: 4,
        from: name("bob"),
        text: "new words".into(),
        ts: 4,
        client_id: None,
        attachment: None,
    };
    let mut deleted = edited.clone();
    deleted.seq = 5;
    Changes::delete(&mut deleted);
    edited.changes.reactions = vec![Reaction {
        emoji: "🎉".into(),
        names: vec![name("cy")],
    }];
    // A message shown before the drop, with a reaction added while away.
    let ServerMessage::Chat(mut mine) = chat(3, "ann", "teh plan", None) else {
        unreachable!()
    };
    mine.changes.reactions = vec![Reaction {
        emoji: "👍".into(),
        names: vec![name("bob")],
    }];
    let history = vec![
        ServerMessage::Chat(mine),
        ServerMessage::Chat(edited),
        ServerMessage::Chat(deleted),
    ];
    m.on_message(welcome(history, "tok"), now);
    assert_eq!(seqs(&m), [1, 2, 3, 4, 5]);
    let (text, changes) = shown(&m, 4);
    assert_eq!(text, "new words");
    assert!(changes.edited);
    assert_eq!(changes.reactions[0].names, [name("cy")]);
    assert!(shown(&m, 5).1.deleted);
    assert_eq!(
        shown(&m, 3).1.reactions[0].emoji,
        "👍",
        "refreshed in place"
    );
    match &session(&m).timeline.chat(4).expect("shown").kind {
        EntryKind::Chat { reply_to, .. } => assert_eq!(*reply_to, Some(1)),
        _ => unreachable!(),
    }
}

#[test]
fn a_resume_shows_the_current_form_of_messages_that_changed_while_away() {
    let now = Now::current();
    let mut m = with_mine(now);
    m.message_action(MessageAction::Reply(1), now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    m.on_message(welcome(vec![], "tok"), now);
    let ServerMessage::Chat(mut edited) = chat(2, "bob", "b, fixed", None) else {
        unreachable!()
    };
    edited.changes.edited = true;
    assert!(edited.changes.react("👍", &name("cy"), true));
    let ServerMessage::Chat(mut deleted) = chat(1, "bob", "", None) else {
        unreachable!()
    };
    Changes::delete(&mut deleted);
    let changed = ServerMessage::Changed {
        messages: vec![deleted, edited.clone()],
    };
    m.on_message(changed.clone(), now);
    assert!(shown(&m, 1).1.deleted, "shown as deleted");
    assert_eq!(shown(&m, 1).0, "");
    assert_eq!(shown(&m, 2), ("b, fixed".into(), edited.changes.clone()));
    assert_eq!(
        shown(&m, 3).0,
        "teh plan",
        "unchanged messages are left alone"
    );
    assert_eq!(
        session(&m).composer.reply_to,
        None,
        "no reply to a deleted message"
    );
    // The current form, applied again, is the same.
    m.on_message(changed, now);
    assert_eq!(shown(&m, 2), ("b, fixed".into(), edited.changes));
}
