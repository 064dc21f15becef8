//! Scripted conversations with the model: relay messages and socket events in, state and
//! effects out.

use confab_protocol::{
    ChatMessage, ErrorCode, ErrorMessage, Limits, Millis, RoomCode, ServerMessage, WelcomeMessage,
};
use web_time::Duration;

use super::*;
use composer::Composer;

mod alerts;
mod commands;
mod conversation;
mod join_errors;
mod joining;
mod mentions;
mod presence_changes;
mod reconnecting;
mod relays;
mod resume;
mod room_gone;
mod roster;
mod sending;
mod skewed_clock;
mod status;
mod whispers;

/// What the app sends first on every connection: the features it understands.
fn hello() -> Effect {
    Effect::Send(ClientMessage::Hello {
        features: vec![
            confab_protocol::features::ROSTER_DELTAS.into(),
            confab_protocol::features::PRESENCE_BATCHES.into(),
        ],
    })
}

fn name(s: &str) -> Username {
    Username::parse(s).expect("valid name")
}

fn room() -> RoomCode {
    RoomCode::parse("K7QX2MHDP").expect("valid code")
}

fn limits() -> Limits {
    Limits {
        max_text_chars: 100,
        ..Limits::example()
    }
}

fn chat(seq: u64, from: &str, text: &str, client_id: Option<u64>) -> ServerMessage {
    ServerMessage::Chat(ChatMessage {
        reply_to: None,
        changes: Default::default(),
        seq,
        from: name(from),
        text: text.into(),
        ts: seq,
        client_id,
        attachment: None,
    })
}

fn welcome(history: Vec<ServerMessage>, token: &str) -> ServerMessage {
    let history = history
        .into_iter()
        .filter_map(|m| {
            if let ServerMessage::Chat(c) = m {
                Some(c)
            } else {
                None
            }
        })
        .collect();
    ServerMessage::Welcome(Box::new(WelcomeMessage {
        room: room(),
        you: name("ann"),
        members: vec![name("bob"), name("ann")],
        history,
        resume_token: token.into(),
        limits: limits(),
        page_url: None,
        statuses: vec![],
        room_state: Default::default(),
        verify_key: None,
    }))
}

/// A model that has joined the room as "ann" with messages 1 and 2 in its history.
fn joined(now: Now) -> Model {
    let mut m = Model::new(1, Now::current());
    m.start("ws://relay", name("ann"), Intent::Join(room()));
    m.on_opened();
    m.on_message(
        welcome(
            vec![chat(1, "bob", "a", None), chat(2, "bob", "b", None)],
            "tok",
        ),
        now,
    );
    m
}

/// The notifications among `effects`, by kind (the other effects left out).
fn alert_kinds(effects: &[Effect]) -> Vec<AlertKind> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Alert(alert) => Some(alert.kind),
            _ => None,
        })
        .collect()
}

fn seqs(m: &Model) -> Vec<u64> {
    let session = m.room.as_ref().expect("in a room");
    let seq = |e: &Entry| {
        if let EntryKind::Chat { seq, .. } = e.kind {
            Some(seq)
        } else {
            None
        }
    };
    session.timeline.entries().iter().filter_map(seq).collect()
}

fn later(now: Now, by: Duration) -> Now {
    Now {
        at: now.at + by,
        wall_ms: now.wall_ms + by.as_millis() as u64,
    }
}

fn status_of(m: &Model, who: &str) -> confab_protocol::MemberStatus {
    m.room.as_ref().expect("in a room").status_of(&name(who))
}
