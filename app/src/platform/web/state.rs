//! The app's state as the browser test reads it (wasm32 only): egui draws on a canvas, so
//! the page has no DOM text to query, and `main.rs` exports this through wasm-bindgen.

use serde_json::{Value, json};

use crate::ConfabApp;
use crate::state::ConnectionState;
use crate::state::timeline::EntryKind;

/// What the browser test reads, as JSON: the screen's state without any pixels. egui draws
/// on a canvas, so the page has no DOM text to query; this is the small, stable window the
/// test looks through (status, room, people, chat texts, the join form and the invite).
pub fn state_json(app: &mut ConfabApp) -> String {
    let form = app.prefs_mut().form.clone();
    let invite = app.invite_link();
    let model = app.model();
    let status = match model.status() {
        ConnectionState::Offline => "offline",
        ConnectionState::Connecting => "connecting",
        ConnectionState::Joining => "joining",
        ConnectionState::Online => "online",
        ConnectionState::Waiting { .. } => "waiting",
        ConnectionState::Ended { .. } => "ended",
    };
    let session = model.room().map(|s| {
        let chats: Vec<Value> = s
            .timeline
            .entries()
            .iter()
            .filter_map(|entry| match &entry.kind {
                EntryKind::Chat { from, text, .. } => {
                    Some(json!({ "from": from.to_string(), "text": text }))
                }
                _ => None,
            })
            .collect();
        let members: Vec<String> = s.members.iter().map(ToString::to_string).collect();
        json!({
            "room": s.room.to_string(),
            "me": s.me.to_string(),
            "members": members,
            "chats": chats,
            "invite": invite,
        })
    });
    json!({
        "status": status,
        "join_error": model.join_error(),
        "form": { "room": form.room, "server": form.server, "username": form.username },
        "session": session,
    })
    .to_string()
}
