//! [`Roster`]: the people list as the view draws it, built once per change of who is in
//! the room, their statuses, the owner or whom you ignore, never per frame. A room of a
//! thousand members then costs its view a borrowed slice each frame, not a thousand
//! lower-cased names to sort.
//!
//! Pure: the session ([`super::Room`]) says when something changed and hands the facts
//! over ([`Facts`]); no egui here.

use std::collections::HashSet;

use confab_protocol::{MemberStatus, Username};
use web_time::Instant;

/// A roster line: who, and their status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The member.
    pub name: Username,
    /// Online, away or reconnecting.
    pub status: MemberStatus,
    /// Whether they own the room.
    pub owner: bool,
    /// Whether you ignore them.
    pub ignored: bool,
}

/// What the people list is built from: the session's own fields, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// You.
    pub me: &'a Username,
    /// Everyone in the room, you included, in joining order.
    pub members: &'a [Username],
    /// Members who are away.
    pub away: &'a [Username],
    /// Dropped members whose names are kept for a resume (until when, once known).
    pub reconnecting: &'a [(Username, Option<Instant>)],
    /// Members you ignore.
    pub ignored: &'a [Username],
    /// The room's owner, if it has one.
    pub owner: Option<&'a Username>,
}

/// The people list, sorted: you first, then the others by name (case-insensitive), then
/// members still reconnecting, by name.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    entries: Vec<RosterEntry>,
    /// How many times it was built: once per change (tests and benchmarks read it).
    builds: u64,
}

impl Roster {
    /// The lines, in the order they are drawn.
    pub fn entries(&self) -> &[RosterEntry] {
        &self.entries
    }

    /// How many times the list was built (sorted) so far.
    pub fn builds(&self) -> u64 {
        self.builds
    }

    /// Builds the list again from `facts`: each name's sort key and status are worked out
    /// once here (sets of comparison keys, not a scan of every list per member).
    pub fn rebuild(&mut self, facts: Facts<'_>) {
        let keys = |names: &mut dyn Iterator<Item = &Username>| -> HashSet<String> {
            names.map(Username::uniqueness_key).collect()
        };
        let away = keys(&mut facts.away.iter());
        let reconnecting = keys(&mut facts.reconnecting.iter().map(|(n, _)| n));
        let ignored = keys(&mut facts.ignored.iter());
        let present = keys(&mut facts.members.iter());
        let owner = facts.owner.map(Username::uniqueness_key);
        let entry = |name: &Username| {
            let key = name.uniqueness_key();
            let status = if away.contains(&key) {
                MemberStatus::Away
            } else if reconnecting.contains(&key) {
                MemberStatus::Reconnecting
            } else {
                MemberStatus::Online
            };
            RosterEntry {
                name: name.clone(),
                status,
                owner: owner.as_deref() == Some(key.as_str()),
                ignored: ignored.contains(&key),
            }
        };
        let me = facts.members.iter().filter(|m| *m == facts.me);
        let mut others: Vec<&Username> = facts.members.iter().filter(|m| *m != facts.me).collect();
        others.sort_by_cached_key(|m| m.as_str().to_lowercase());
        let mut gone: Vec<&Username> = (facts.reconnecting.iter())
            .map(|(n, _)| n)
            .filter(|n| !present.contains(&n.uniqueness_key()))
            .collect();
        gone.sort_by_cached_key(|m| m.as_str().to_lowercase());
        self.entries = me.chain(others).chain(gone).map(entry).collect();
        self.builds += 1;
    }
}
