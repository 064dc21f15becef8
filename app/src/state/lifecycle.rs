//! A membership's life: creating or joining a room, the socket opening and closing,
//! reconnecting with backoff (to the next relay when there are several), carrying the
//! conversation on in a new room, and leaving. Part of [`Model`]'s reducer; no I/O.

use confab_protocol::private::{RoomKey, Sealing};
use confab_protocol::{ClientMessage, Username};

use super::{
    Attachments, ConnectionState, Effect, Intent, Model, Now, RelayClock, Relays, Transfer, words,
};

impl Model {
    /// Starts creating or joining a room as `name` on `server`: one relay address, or
    /// several separated by commas or spaces, tried in turn (see [`Relays`]).
    pub fn start(&mut self, server: &str, name: Username, intent: Intent) -> Vec<Effect> {
        self.join_error = None;
        self.room = None;
        self.carry_on = false;
        self.attachments = Attachments::default();
        self.clock = RelayClock::default();
        self.key = None;
        self.sealing = Sealing::Open;
        let Some(relays) = Relays::parse(server) else {
            self.status = ConnectionState::Offline;
            self.join_error = Some("Give the server's address (under Advanced).".into());
            return vec![];
        };
        self.status = ConnectionState::Connecting;
        self.backoff.reset();
        self.untried = relays.len() - 1;
        let url = relays.current().to_owned();
        self.target = Some((relays, name, intent));
        vec![Effect::Disconnect, Effect::Connect(url)]
    }

    /// How to ask for a new room as `name`: private (registering the key's verify key)
    /// when this client holds a key for it.
    fn create_message(&self, name: &Username) -> ClientMessage {
        match &self.key {
            Some(key) => ClientMessage::CreatePrivate {
                name: name.clone(),
                verify_key: key.verify_key(),
            },
            None => ClientMessage::Create { name: name.clone() },
        }
    }

    /// The relay address in use (or last used), for invites.
    pub fn relay(&self) -> Option<&str> {
        self.target.as_ref().map(|(relays, ..)| relays.current())
    }

    /// The socket opened: ask to join (or resume).
    pub fn on_opened(&mut self) -> Vec<Effect> {
        let Some((_, name, intent)) = &self.target else {
            return vec![Effect::Disconnect];
        };
        let msg = match (&self.room, intent) {
            (Some(_), _) if self.carry_on => self.create_message(name),
            (Some(session), _) => session.resume_message(),
            (None, Intent::Create) => self.create_message(name),
            (None, Intent::Join(room)) => ClientMessage::Join {
                name: name.clone(),
                room: room.clone(),
                resume_token: None,
                last_seq: None,
            },
        };
        self.status = ConnectionState::Joining;
        // Presence changes in batches with a count, not the whole roster each time
        // (`roster_deltas` for a relay that has no batches yet).
        let hello = ClientMessage::Hello {
            features: vec![
                confab_protocol::features::ROSTER_DELTAS.into(),
                confab_protocol::features::PRESENCE_BATCHES.into(),
            ],
        };
        vec![Effect::Send(hello), Effect::Send(msg)]
    }

    /// The socket closed or failed. In a room: schedule a reconnect. Otherwise: report.
    pub fn on_closed(&mut self, reason: &str, now: Now) -> Vec<Effect> {
        let Some((relays, ..)) = &mut self.target else {
            return vec![];
        };
        if self.room.is_none() && self.untried > 0 {
            self.untried -= 1;
            let next = relays.rotate().to_owned();
            self.status = ConnectionState::Connecting;
            return vec![Effect::Disconnect, Effect::Connect(next)];
        }
        if self.room.is_none() {
            let place = match relays.len() {
                1 => relays.current().to_owned(),
                _ => format!("any of {}", relays.all()),
            };
            // The library's text helps whoever debugs it, not the person on the join screen.
            log::warn!("could not connect to {place}: {reason}");
            self.join_error = Some(words::unreachable(&place, reason));
            self.status = ConnectionState::Offline;
            self.target = None;
            return vec![Effect::Disconnect];
        }
        if let Some(session) = &mut self.room
            && self.status == ConnectionState::Online
        {
            // Messages awaiting their echo stay pending: the resume's history tells which
            // ones the relay has (Room::resume), and only the others go back to the draft.
            session
                .timeline
                .push_notice("Connection lost. Reconnecting…", self.clock.ms(now));
            for transfer in self.attachments.connection_dropped() {
                if let Transfer::Problem(text) = transfer {
                    (session.timeline).push_problem(text, false, self.clock.ms(now));
                }
            }
        }
        // The next attempt goes to the next relay (the same one when there is only one).
        relays.rotate();
        let retry_at = now.at + self.backoff.next_delay();
        self.status = ConnectionState::Waiting {
            retry_at,
            reason: reason.to_owned(),
        };
        vec![Effect::Disconnect]
    }

    /// Time passed: start a due reconnect, end lapsed statuses, send your status if it
    /// changed (idling makes you away).
    pub fn tick(&mut self, now: Now) -> Vec<Effect> {
        if let Some(session) = &mut self.room {
            session.expire(now.at);
        }
        if self.status == ConnectionState::Online {
            let due = self.attachments.tick(now.at);
            if !due.is_empty() {
                return self.transfers(due, now);
            }
        }
        if self.status == ConnectionState::Online
            && let Some(status) = self.my_status.due(now.at)
        {
            return vec![Effect::Send(ClientMessage::Status { status })];
        }
        match (&self.status, &self.target) {
            (ConnectionState::Waiting { retry_at, .. }, Some((relays, ..)))
                if now.at >= *retry_at =>
            {
                let server = relays.current().to_owned();
                self.status = ConnectionState::Connecting;
                vec![Effect::Connect(server)]
            }
            _ => vec![],
        }
    }

    /// Skips the rest of the backoff wait ("Reconnect now").
    pub fn reconnect_now(&mut self, now: Now) -> Vec<Effect> {
        if let ConnectionState::Waiting { retry_at, .. } = &mut self.status {
            *retry_at = now.at;
        }
        self.tick(now)
    }

    /// Creates a new room on the same relay under the same name, after the room ended
    /// ([`ConnectionState::Ended`]): the transcript is carried over above a marker, and the new
    /// room's invite goes on the clipboard once it exists ([`Effect::CopyInvite`]).
    pub fn new_room(&mut self) -> Vec<Effect> {
        let Some((relays, _, intent)) = self.target.as_mut() else {
            return vec![];
        };
        if !matches!(self.status, ConnectionState::Ended { .. }) || self.room.is_none() {
            return vec![];
        }
        *intent = Intent::Create;
        let server = relays.current().to_owned();
        // A private room carries on in a new private room, with a new key.
        if self.key.is_some() {
            match RoomKey::generate() {
                Ok(key) => self.key = Some(key),
                Err(err) => {
                    log::warn!("no room key for a new private room: {err}");
                    return vec![];
                }
            }
        }
        self.carry_on = true;
        self.backoff.reset();
        self.status = ConnectionState::Connecting;
        vec![Effect::Disconnect, Effect::Connect(server)]
    }

    /// Leaves the room on purpose (or cancels a pending join): back to the join screen.
    pub fn leave(&mut self) -> Vec<Effect> {
        let was_online = self.status == ConnectionState::Online;
        self.room = None;
        self.target = None;
        self.carry_on = false;
        self.attachments = Attachments::default();
        self.status = ConnectionState::Offline;
        let mut effects = Vec::new();
        if was_online {
            effects.push(Effect::Send(ClientMessage::Leave));
        }
        effects.push(Effect::Disconnect);
        effects
    }
}
