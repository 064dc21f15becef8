//! Entry points for fuzz targets (feature `fuzzing`): drive a joined connection's frame
//! handling without sockets. Not part of the relay's API.

use std::sync::Arc;

use futures_util::FutureExt;

use confab_protocol::ServerMessage;

use crate::Config;
use crate::connection::Connection;
use crate::outbox::Inbox;
use crate::outcome::Outcome;
use crate::rooms::memory::Registry;
use crate::shared::Shared;

/// Two members in one room; `feed` hands text frames to the first one's connection.
#[derive(Debug)]
pub struct JoinedConnection {
    connection: Connection<Registry>,
    inboxes: Vec<Inbox>,
    _peer: Connection<Registry>,
}

impl JoinedConnection {
    /// Builds a relay state with a room holding `ann` (fed) and `bob` (listening).
    pub fn new() -> Option<Self> {
        let shared = Arc::new(Shared::new(Config::default()));
        let mut inboxes = Vec::new();
        let mut connection = Connection::new(Arc::clone(&shared), [127, 0, 0, 1].into(), 1);
        if let Outcome::Entered(inbox) = connection
            .on_text(r#"{"type":"create","name":"ann"}"#)
            .now_or_never()
            .unwrap_or(Outcome::Nothing)
        {
            inboxes.push(inbox);
        }
        let room = welcome_room(inboxes.first_mut()?)?;
        let mut peer = Connection::new(Arc::clone(&shared), [127, 0, 0, 2].into(), 2);
        let join = format!(r#"{{"type":"join","name":"bob","room":"{room}"}}"#);
        if let Outcome::Entered(inbox) = peer
            .on_text(&join)
            .now_or_never()
            .unwrap_or(Outcome::Nothing)
        {
            inboxes.push(inbox);
        }
        (inboxes.len() == 2).then_some(Self {
            connection,
            inboxes,
            _peer: peer,
        })
    }

    /// Feeds one text frame to the joined connection, then checks every frame the relay
    /// queued for either member decodes as a [`ServerMessage`]. Panics if one does not.
    pub fn feed(&mut self, text: &str) {
        let outcome = self
            .connection
            .on_text(text)
            .now_or_never()
            .unwrap_or(Outcome::Nothing);
        if let Outcome::Reply(reply)
        | Outcome::Close {
            reply: Some(reply), ..
        } = outcome
        {
            assert_decodes(&reply.to_json());
        }
        for inbox in &mut self.inboxes {
            while let Some(frame) = inbox.try_next() {
                assert_decodes(&frame);
            }
        }
    }
}

fn welcome_room(inbox: &mut Inbox) -> Option<String> {
    match ServerMessage::from_json(&inbox.try_next()?) {
        Ok(ServerMessage::Welcome(welcome)) => Some(welcome.room.to_string()),
        _ => None,
    }
}

fn assert_decodes(frame: &str) {
    if let Err(err) = ServerMessage::from_json(frame) {
        panic!("relay produced an undecodable frame {frame:?}: {err}");
    }
}
