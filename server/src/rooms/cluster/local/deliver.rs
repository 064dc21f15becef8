//! Delivering bus events to this relay's members of a room, through the one fan-out
//! (`rooms::fanout`), and evicting those too slow to take them.

use confab_protocol::{
    Changes, ChatMessage, PresenceChange, RoomCode, RoomState, ServerMessage, WhisperMessage,
};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::conn::ConnId;
use crate::outbox::Kick;
use crate::rooms::cluster::bus::{Envelope, Event, Origin};
use crate::rooms::cluster::local::{Evicted, Kicked, LocalRoom, LocalRooms, lock};
use crate::rooms::fanout::{self, Sent};
use crate::rooms::frames::encode;

impl LocalRooms {
    /// Delivers one bus event to this relay's members of `code`, through the one fan-out
    /// (`rooms::fanout`): encoded once, presence in each member's form (batched members'
    /// changes wait for the room's next batch), and waiting presence first before any other
    /// event, so nobody hears from a member before hearing that it joined.
    pub fn deliver(&self, code: &RoomCode, envelope: &Envelope) -> Delivered {
        let Some(room) = self.get(code) else {
            return Delivered::default();
        };
        let mut room = lock(&room);
        let ev = envelope.ev;
        if room.last_ev != 0 && ev > room.last_ev + 1 {
            // Events were lost on the way: nobody here can be told what they said, so every
            // local member resumes (1012) and gets exactly what it missed, or a `gap`.
            room.last_ev = ev;
            let resync = self.kick_room(code, &mut room, Kick::Resync);
            // The event that showed the hole is not lost with it: a whisper in it is for a
            // member just sent away, which the cluster keeps for it (`forward.rs`).
            let unheard =
                matches!(envelope.event, Event::Whisper { .. }).then(|| envelope.event.clone());
            return Delivered {
                resync,
                unheard,
                ..Delivered::default()
            };
        }
        room.last_ev = room.last_ev.max(ev);
        let mut unheard = None;
        if let Event::Chat { seq, .. } = &envelope.event {
            room.last_seq = room.last_seq.max(*seq);
        }
        let sent = match &envelope.event {
            Event::Replaced { origin } | Event::Removed { origin } => {
                if let Some(conn) = self.local_conn(origin)
                    && let Some(mut member) = room.remove(conn)
                {
                    let reason = match envelope.event {
                        Event::Removed { .. } => Kick::Removed,
                        _ => Kick::Replaced,
                    };
                    member.outbox.kick(reason);
                    self.metrics.members.dec();
                }
                return Delivered::default();
            }
            Event::Whisper {
                from,
                to_key,
                text,
                ts,
            } => {
                let flushed = room.flush_presence();
                let recipient = room.members.iter_mut().find(|m| &m.key == to_key);
                if recipient.is_none() {
                    // Perhaps a member this relay just sent to resume, whom Redis still
                    // lists: the cluster keeps the whisper for it (`forward.rs`).
                    unheard = Some(envelope.event.clone());
                }
                let sent = recipient.map_or_else(Sent::default, |member| {
                    let frame = encode(&ServerMessage::Whisper(WhisperMessage {
                        from: from.clone(),
                        to: member.name.clone(),
                        text: text.clone(),
                        ts: *ts,
                        client_id: None,
                    }));
                    fanout::broadcast(std::slice::from_mut(member), ev, None, |_| Some(&frame))
                });
                flushed.and(sent)
            }
            Event::Joined {
                name,
                count,
                origin,
            } => {
                let change = PresenceChange::Joined(name.clone());
                room.presence(ev, self.local_conn(origin), change, *count)
            }
            Event::Left {
                name,
                count,
                reconnecting,
            } => {
                let change = if *reconnecting {
                    PresenceChange::Reconnecting(name.clone())
                } else {
                    PresenceChange::Left(name.clone())
                };
                room.presence(ev, None, change, *count)
            }
            event => {
                let flushed = room.flush_presence();
                let (frame, origin, own) = frames(event);
                let from_here = origin.and_then(|origin| self.local_conn(&origin));
                let sent = fanout::broadcast(&mut room.members, ev, None, |member| {
                    if Some(member.conn) == from_here {
                        own.as_ref()
                    } else {
                        Some(&frame)
                    }
                });
                flushed.and(sent)
            }
        };
        self.metrics.deliveries.inc_by(sent.queued);
        let evicted = self.evict(code, &mut room, &sent.slow);
        Delivered {
            evicted,
            batch_at: room.presence.arm(),
            resync: Vec::new(),
            unheard,
        }
    }

    /// Sends `code`'s waiting presence batch now (its timer went off); the members evicted
    /// for being too slow, and when the next batch is due if changes wait still.
    pub fn send_batch(&self, code: &RoomCode) -> Delivered {
        let Some(room) = self.get(code) else {
            return Delivered::default();
        };
        let mut room = lock(&room);
        room.presence.disarm();
        self.flush_and_evict(code, &mut room)
    }

    /// Sends `room`'s waiting presence changes first (before a frame for one member), and
    /// evicts whom that finds too slow.
    pub fn flush_and_evict(&self, code: &RoomCode, room: &mut LocalRoom) -> Delivered {
        let sent = room.flush_presence();
        self.metrics.deliveries.inc_by(sent.queued);
        let evicted = self.evict(code, room, &sent.slow);
        Delivered {
            evicted,
            batch_at: room.presence.arm(),
            resync: Vec::new(),
            unheard: None,
        }
    }

    /// The connection on this relay that `origin` names, if it is one of this relay's.
    fn local_conn(&self, origin: &Origin) -> Option<ConnId> {
        if origin.relay != self.relay {
            return None;
        }
        origin.conn.parse().ok()
    }

    /// Removes the members on `slow` connections, kicking them as too slow.
    fn evict(&self, code: &RoomCode, room: &mut LocalRoom, slow: &[ConnId]) -> Vec<Evicted> {
        let mut evicted = Vec::new();
        for &conn in slow {
            if let Some(i) = room.members.iter().position(|m| m.conn == conn) {
                let mut member = room.members.remove(i);
                member.outbox.kick(Kick::SlowConsumer);
                self.metrics.members.dec();
                self.metrics.outbox_evictions.inc();
                evicted.push(Evicted {
                    code: code.clone(),
                    key: member.key,
                    conn,
                });
            }
        }
        evicted
    }
}

/// What delivering one bus event did besides queueing frames.
#[derive(Debug, Default)]
#[must_use = "the evicted must be reported to the cluster, and a due batch sent"]
pub struct Delivered {
    /// Members evicted for being too slow: the cluster must hear they are gone.
    pub evicted: Vec<Evicted>,
    /// When the room's waiting presence batch should go out, if a timer must send it.
    pub batch_at: Option<tokio::time::Instant>,
    /// Members sent to resume because events of the room were lost (a hole in its event
    /// numbers): the cluster remembers them as it does after any resync.
    pub resync: Vec<Kicked>,
    /// A whisper for a member not on this relay (any more): the cluster keeps it if it is
    /// one this relay sent to resume.
    pub unheard: Option<Event>,
}

/// The frame everyone gets for `event`, whose connection gets something else (or nothing),
/// and what that is.
fn frames(event: &Event) -> (Utf8Bytes, Option<Origin>, Option<Utf8Bytes>) {
    {
        match event {
            Event::Chat {
                seq,
                from,
                text,
                ts,
                client_id,
                origin,
                attachment,
                reply_to,
                ..
            } => {
                let mut message = ChatMessage {
                    seq: *seq,
                    from: from.clone(),
                    text: text.clone(),
                    ts: *ts,
                    client_id: None,
                    attachment: attachment.clone(),
                    reply_to: *reply_to,
                    changes: Changes::default(),
                };
                let all = encode(&ServerMessage::Chat(message.clone()));
                message.client_id = Some(*client_id);
                let own = encode(&ServerMessage::Chat(message));
                (all, Some(origin.clone()), Some(own))
            }
            Event::Typing {
                name,
                active,
                origin,
            } => {
                let frame = encode(&ServerMessage::Typing {
                    name: name.clone(),
                    active: *active,
                });
                (frame, Some(origin.clone()), None)
            }
            Event::Edited {
                seq,
                text,
                client_id,
                origin,
            } => {
                let mut edited = ServerMessage::Edited {
                    seq: *seq,
                    text: text.clone(),
                    client_id: None,
                };
                let all = encode(&edited);
                if let ServerMessage::Edited { client_id: own, .. } = &mut edited {
                    *own = Some(*client_id);
                }
                (all, Some(origin.clone()), Some(encode(&edited)))
            }
            Event::Deleted {
                seq,
                by,
                client_id,
                origin,
            } => {
                let mut deleted = ServerMessage::Deleted {
                    seq: *seq,
                    by: by.clone(),
                    client_id: None,
                };
                let all = encode(&deleted);
                if let ServerMessage::Deleted { client_id: own, .. } = &mut deleted {
                    *own = Some(*client_id);
                }
                (all, Some(origin.clone()), Some(encode(&deleted)))
            }
            Event::Reaction {
                seq,
                emoji,
                name,
                on,
            } => {
                let frame = encode(&ServerMessage::Reaction {
                    seq: *seq,
                    emoji: emoji.clone(),
                    name: name.clone(),
                    on: *on,
                });
                (frame, None, None)
            }
            Event::Status { name, status } => {
                let frame = encode(&ServerMessage::Status {
                    name: name.clone(),
                    status: *status,
                });
                (frame, None, None)
            }
            Event::RoomState { owner, locked } => {
                let frame = encode(&ServerMessage::RoomState(RoomState {
                    owner: owner.clone(),
                    locked: *locked,
                }));
                (frame, None, None)
            }
            // Handled in `deliver`.
            Event::Whisper { .. }
            | Event::Replaced { .. }
            | Event::Removed { .. }
            | Event::Joined { .. }
            | Event::Left { .. } => (Utf8Bytes::from_static("{}"), None, None),
        }
    }
}
