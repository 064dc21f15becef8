//! Entry points for the criterion benchmarks (feature `bench`): a room of joined connections
//! whose frames are handled exactly as the relay handles them, minus the sockets. Not part
//! of the relay's API.

use std::sync::Arc;

use futures_util::FutureExt;

use confab_protocol::ServerMessage;

use crate::Config;
use crate::connection::Connection;
use crate::outbox::Inbox;
use crate::outcome::Outcome;
use crate::rooms::memory::Registry;
use crate::shared::Shared;

/// One relay's state with the rate limit out of the way, to hold several [`RoomFixture`]s.
#[derive(Debug, Clone)]
pub struct RelayFixture {
    shared: Arc<Shared<Registry>>,
}

impl RelayFixture {
    /// A relay whose rooms take up to `max_members` members each.
    pub fn new(max_members: usize) -> Self {
        let config = Config {
            messages_per_second: u32::MAX,
            burst: u32::MAX,
            max_room_members: max_members.max(1),
            ..Config::default()
        };
        Self {
            shared: Arc::new(Shared::new(config)),
        }
    }

    /// A new room on this relay with `members` joined connections; `None` if a join was refused.
    pub fn room(&self, members: usize) -> Option<RoomFixture> {
        RoomFixture::on(&self.shared, members)
    }
}

/// One room with `members` joined connections; [`Self::chat`] has the first one say something.
#[derive(Debug)]
pub struct RoomFixture {
    connections: Vec<Connection<Registry>>,
    inboxes: Vec<Inbox>,
    next_client_id: u64,
}

impl RoomFixture {
    /// Builds a relay state (rate limit out of the way) with one room of `members`.
    /// `None` if a join was refused.
    pub fn new(members: usize) -> Option<Self> {
        RelayFixture::new(members).room(members)
    }

    /// A room of `members` joined connections in the relay state `shared`.
    fn on(shared: &Arc<Shared<Registry>>, members: usize) -> Option<Self> {
        let mut fixture = Self {
            connections: Vec::with_capacity(members),
            inboxes: Vec::with_capacity(members),
            next_client_id: 0,
        };
        let mut room = None;
        for i in 0..members.max(1) {
            let ip = [127, 0, 0, 1].into();
            let mut connection = Connection::new(Arc::clone(shared), ip, u64::try_from(i).ok()?);
            let request = match &room {
                None => format!(r#"{{"type":"create","name":"m{i}"}}"#),
                Some(code) => format!(r#"{{"type":"join","name":"m{i}","room":"{code}"}}"#),
            };
            let Some(Outcome::Entered(mut inbox)) = connection.on_text(&request).now_or_never()
            else {
                return None;
            };
            if room.is_none() {
                let welcome = inbox.try_next()?;
                if let Ok(ServerMessage::Welcome(welcome)) = ServerMessage::from_json(&welcome) {
                    room = Some(welcome.room.to_string());
                }
            }
            fixture.connections.push(connection);
            fixture.inboxes.push(inbox);
            // Join notices would fill the outboxes and evict members: read them now.
            fixture.drain();
        }
        Some(fixture)
    }

    /// The first member sends one chat message `text` (already JSON-escaped); every
    /// member's copy is taken from its outbox. Returns how many frames were delivered.
    pub fn chat(&mut self, text: &str) -> usize {
        self.next_client_id += 1;
        let frame = format!(
            r#"{{"type":"chat","client_id":{},"text":"{text}"}}"#,
            self.next_client_id
        );
        if let Some(first) = self.connections.first_mut() {
            let _ = first
                .on_text(&frame)
                .now_or_never()
                .unwrap_or(Outcome::Nothing);
        }
        self.drain()
    }

    /// Empties every outbox; returns how many frames there were.
    fn drain(&mut self) -> usize {
        let mut frames = 0;
        for inbox in &mut self.inboxes {
            while inbox.try_next().is_some() {
                frames += 1;
            }
        }
        frames
    }
}
