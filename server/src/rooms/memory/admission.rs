//! Entering a room in memory: creating one under a fresh code, joining, and resuming a
//! reserved name with its token (welcome, history since the last `seq` seen, or a `gap`).

use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex};

use confab_protocol::{MemberStatus, PresenceChange, RoomCode, ServerMessage, WelcomeMessage};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::outbox::Kick;
use crate::rooms::fanout::PresenceNews;
use crate::rooms::frames::encode;
use crate::rooms::memory::guard::{RoomCell, lock_room};
use crate::rooms::memory::room::{Member, Room};
use crate::rooms::memory::{Membership, Registry, now};
use crate::rooms::types::{Arrival, JoinError, PrivateRoom, Resume};

impl Registry {
    /// Creates a room under a code drawn from `new_code` (drawn again while taken) and
    /// joins it.
    pub fn create(
        &self,
        mut new_code: impl FnMut() -> Result<RoomCode, getrandom::Error>,
        arrival: Arrival,
    ) -> Result<Membership, JoinError> {
        // The directory's write lock is held through the admission, so the janitor cannot
        // sweep the new (still empty) room away before its creator is in.
        let mut rooms = self.write();
        if rooms.len() >= self.config.max_rooms {
            return Err(JoinError::TooManyRooms);
        }
        let slot = loop {
            // With 2^44 codes and at most `max_rooms` taken, a redraw is rare and a second one rarer.
            let code = new_code().map_err(|err| {
                tracing::error!(%err, "OS random number generator failed");
                JoinError::NoRandomness
            })?;
            if let Entry::Vacant(slot) = rooms.entry(code) {
                break slot;
            }
        };
        let code = slot.key().clone();
        let metrics = Arc::clone(&self.metrics);
        let mut room = Room::new(code, false, self.config.history_len, now(), metrics);
        room.verify_key = arrival.verify_key;
        let cell = Arc::clone(slot.insert(Arc::new(Mutex::new(room))));
        self.metrics.rooms.inc();
        let mut room = lock_room(&cell);
        tracing::info!(room = %room.tag, "room created");
        tracing::debug!(room = %room.tag, code = %room.code, "room code");
        // The creator owns the room: ownership goes with their resume token.
        room.owner_token = Some(arrival.fresh_token.clone());
        self.admit(&mut room, &cell, arrival, &Resume::default())
    }

    /// Joins an existing room, resuming an earlier membership when `resume` proves one.
    pub fn join(
        &self,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
    ) -> Result<Membership, JoinError> {
        // A read lock: joins into different rooms do not wait for each other, and the
        // janitor (a writer) cannot remove the room while this admission runs.
        let rooms = self.read();
        let cell = rooms.get(code).ok_or(JoinError::RoomNotFound)?;
        let mut room = lock_room(cell);
        self.admit(&mut room, cell, arrival, resume)
    }

    /// Admits `arrival` into `room`: replaces its own old connection, reclaims a reserved
    /// name, or joins fresh; then sends `welcome` (and `gap`) and tells the others.
    fn admit(
        &self,
        room: &mut Room,
        cell: &RoomCell,
        arrival: Arrival,
        resume: &Resume,
    ) -> Result<Membership, JoinError> {
        let key = arrival.name.uniqueness_key();
        let token = resume.token.as_deref();
        let mut membership = Membership {
            room: Arc::clone(cell),
            conn: arrival.conn,
            private: None,
        };
        let attached = room.position_by_key(&key);
        let mut resumed = true;
        let index = match attached {
            Some(i) if token == Some(room.members[i].resume_token.as_str()) => {
                let member = &mut room.members[i];
                tracing::info!(room = %room.tag, "member resumed on a new connection");
                tracing::debug!(room = %room.tag, name = %member.name, "resumed member");
                member.outbox.kick(Kick::Replaced);
                member.outbox = arrival.outbox;
                member.conn = arrival.conn;
                member.presence = arrival.presence;
                i
            }
            Some(_) => return Err(JoinError::NameTaken),
            None => {
                let reclaim = room
                    .reserved
                    .get(&key)
                    .map(|r| Some(r.resume_token.as_str()) == token);
                if reclaim == Some(false) {
                    return Err(JoinError::NameTaken);
                }
                if reclaim.is_none() {
                    // Only a new arrival is kept out; a member resuming is let back in.
                    if room.is_removed(&key, arrival.ip, now()) {
                        return Err(JoinError::Removed);
                    }
                    if room.locked {
                        return Err(JoinError::RoomLocked);
                    }
                }
                if room.members.len() >= self.config.max_room_members {
                    return Err(JoinError::RoomFull);
                }
                resumed = reclaim == Some(true);
                let resume_token = match reclaim {
                    Some(true) => room.reserved.remove(&key).map(|r| r.resume_token),
                    _ => None,
                }
                .unwrap_or(arrival.fresh_token);
                let name = arrival.name;
                room.members.push(Member {
                    conn: arrival.conn,
                    name,
                    key,
                    resume_token,
                    outbox: arrival.outbox,
                    typing: false,
                    presence: arrival.presence,
                    status: MemberStatus::Online,
                    ip: arrival.ip,
                });
                room.empty_since = None;
                self.metrics.members.inc();
                room.members.len() - 1
            }
        };
        // `last_seq` counts only for a membership the relay recognizes: an unknown token
        // (say, from before a relay restart) may carry numbers from another history.
        let mut missed = room.since(resume.last_seq.filter(|_| resumed));
        let member = &room.members[index];
        membership.private = room.verify_key.map(|verify_key| {
            Arc::new(PrivateRoom {
                code: room.code.clone(),
                verify_key,
                you: member.name.clone(),
            })
        });
        let welcome = ServerMessage::Welcome(Box::new(WelcomeMessage {
            room: room.code.clone(),
            you: member.name.clone(),
            members: room.roster(),
            history: std::mem::take(&mut missed.history),
            resume_token: member.resume_token.clone(),
            limits: self.limits,
            page_url: arrival.page_url.clone(),
            statuses: room.statuses(),
            room_state: room.settled_state(),
            verify_key: room.verify_key,
        }));
        let first: Vec<Utf8Bytes> = std::iter::once(encode(&welcome))
            .chain(missed.after_welcome())
            .collect();
        room.send_welcome(index, &first);
        room.settle_owner();
        // A queue that cannot take its own welcome had its member evicted already.
        let Some(index) = room.position(arrival.conn) else {
            return Ok(membership);
        };
        if attached.is_none() {
            let name = room.members[index].name.clone();
            tracing::info!(room = %room.tag, members = room.members.len(), "member joined");
            tracing::debug!(room = %room.tag, %name, "joined member");
            let deltas = ServerMessage::Joined {
                name: name.clone(),
                count: room.members.len(),
            };
            let change = PresenceChange::Joined(name.clone());
            let full = |members: &[Member]| ServerMessage::MemberJoined {
                name,
                members: members.iter().map(|m| m.name.clone()).collect(),
            };
            let news = PresenceNews {
                change,
                deltas,
                full,
            };
            room.broadcast_presence(news, Some(arrival.conn));
        }
        Ok(membership)
    }
}
