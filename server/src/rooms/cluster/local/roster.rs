//! This relay's copy of a room's roster, kept from the presence changes on the room's bus
//! in event order, so the bus carries one name per join or departure, not the whole roster
//! (which made a 1,000-member fill cost Redis and every relay O(n²)).
//!
//! It starts from the roster a join's reply carries (as of that join's event number);
//! changes delivered before that reply are held, bounded, and replayed over it. After a
//! hole in the room's events it is forgotten until the next join's reply.

use confab_protocol::{PresenceChange, ServerMessage, Username};

/// Most presence changes held while the copy waits for its first join's reply: far more
/// than one Redis round trip's worth of arrivals.
const MAX_EARLY: usize = 4096;

/// A room's roster as this relay knows it.
#[derive(Debug, Default)]
pub struct RosterCopy {
    /// In joining order.
    names: Vec<Username>,
    /// The event number `names` is as of, once a join's reply gave it one.
    as_of: Option<u64>,
    /// Changes delivered before then, with their event numbers.
    early: Vec<(u64, PresenceChange)>,
    /// Whether `early` ran over its bound (the copy cannot be trusted then).
    lost: bool,
}

impl RosterCopy {
    /// The roster, in joining order.
    pub fn names(&self) -> &[Username] {
        &self.names
    }

    /// The member count, once the copy has a roster.
    pub fn count(&self) -> Option<usize> {
        self.as_of.map(|_| self.names.len())
    }

    /// Takes presence change `change`, event number `ev`.
    pub fn apply(&mut self, ev: u64, change: &PresenceChange) {
        match self.as_of {
            Some(as_of) if ev <= as_of => {}
            Some(_) => {
                change_roster(&mut self.names, change);
                self.as_of = Some(ev);
            }
            None if self.early.len() < MAX_EARLY => self.early.push((ev, change.clone())),
            None => self.lost = true,
        }
    }

    /// Takes the roster a join's reply carried, as of its event number `at`, unless the
    /// copy is already as new. False if changes were lost while waiting for it: the copy
    /// then stays empty, and the caller reads the roster afresh and seeds it again.
    #[must_use = "false: the roster must be read again"]
    pub fn seed(&mut self, names: &[Username], at: u64) -> bool {
        if self.as_of.is_some_and(|as_of| as_of >= at) {
            return true;
        }
        if self.lost {
            self.forget();
            return false;
        }
        self.names = names.to_vec();
        self.as_of = Some(at);
        for (ev, change) in std::mem::take(&mut self.early) {
            self.apply(ev, &change);
        }
        true
    }

    /// Forgets the roster (events were lost): the next join's reply starts it again.
    pub fn forget(&mut self) {
        *self = Self::default();
    }
}

/// `change` as members that asked for `roster_deltas` hear it (`joined` / `left` with the
/// room's `count` after it).
pub fn delta(change: &PresenceChange, count: usize) -> ServerMessage {
    match change {
        PresenceChange::Joined(name) => ServerMessage::Joined {
            name: name.clone(),
            count,
        },
        PresenceChange::Left(name) | PresenceChange::Reconnecting(name) => ServerMessage::Left {
            name: name.clone(),
            count,
            reconnecting: matches!(change, PresenceChange::Reconnecting(_)),
        },
    }
}

/// `change` as members that read the whole roster hear it (`member_joined` /
/// `member_left` with the roster `members` after it).
pub fn whole(change: &PresenceChange, members: Vec<Username>) -> ServerMessage {
    match change {
        PresenceChange::Joined(name) => ServerMessage::MemberJoined {
            name: name.clone(),
            members,
        },
        PresenceChange::Left(name) | PresenceChange::Reconnecting(name) => {
            ServerMessage::MemberLeft {
                name: name.clone(),
                members,
                reconnecting: matches!(change, PresenceChange::Reconnecting(_)),
            }
        }
    }
}

/// Applies `change` to `names`: a join at the end, a departure taken out.
pub fn change_roster(names: &mut Vec<Username>, change: &PresenceChange) {
    match change {
        PresenceChange::Joined(name) => names.push(name.clone()),
        PresenceChange::Left(name) | PresenceChange::Reconnecting(name) => {
            if let Some(i) = names.iter().position(|n| n == name) {
                names.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Username {
        Username::parse(s).expect("a valid name")
    }

    fn names(copy: &RosterCopy) -> Vec<&str> {
        copy.names().iter().map(Username::as_str).collect()
    }

    #[test]
    fn changes_before_the_first_reply_are_replayed_over_it_and_older_ones_ignored() {
        let mut copy = RosterCopy::default();
        copy.apply(4, &PresenceChange::Joined(name("bob")));
        copy.apply(5, &PresenceChange::Joined(name("cy")));
        copy.apply(6, &PresenceChange::Left(name("ann")));
        // The reply is as of event 4: bob is in it already; 5 and 6 come after.
        assert!(copy.seed(&[name("ann"), name("bob")], 4));
        assert_eq!(names(&copy), ["bob", "cy"]);
        copy.apply(6, &PresenceChange::Joined(name("ann")));
        copy.apply(7, &PresenceChange::Reconnecting(name("bob")));
        assert_eq!(names(&copy), ["cy"]);
        // An older reply changes nothing; a newer one replaces the copy.
        assert!(copy.seed(&[name("zed")], 5));
        assert_eq!(names(&copy), ["cy"]);
        assert!(copy.seed(&[name("cy"), name("dee")], 9));
        assert_eq!(names(&copy), ["cy", "dee"]);
    }

    #[test]
    fn past_its_bound_the_early_buffer_says_the_copy_is_lost_and_forget_starts_again() {
        let mut copy = RosterCopy::default();
        for ev in 1..=(MAX_EARLY as u64 + 1) {
            copy.apply(ev, &PresenceChange::Joined(name("bob")));
        }
        assert!(!copy.seed(&[], 0));
        assert_eq!(copy.count(), None, "still waiting for a roster");
        copy.apply(3, &PresenceChange::Joined(name("cy")));
        assert!(copy.seed(&[name("ann")], 2));
        assert_eq!(names(&copy), ["ann", "cy"]);
    }
}
