//! Departures the cluster has not heard of yet, and the bounded list of those waiting for
//! Redis to answer again.

use crate::rooms::cluster::local::Evicted;
use std::sync::Mutex;

/// A departure the cluster has not heard of yet.
#[derive(Debug, Clone)]
pub struct PendingDeparture {
    pub who: Evicted,
    pub reserve: bool,
}

/// Departures that could not reach Redis, kept for a retry at most.
pub const MAX_RETRIES_KEPT: usize = 100_000;

/// Departures waiting for Redis to answer again, at most `cap` of them.
#[derive(Debug)]
pub struct Retries {
    waiting: Mutex<Vec<PendingDeparture>>,
    cap: usize,
}

impl Retries {
    pub fn new(cap: usize) -> Self {
        Self {
            waiting: Mutex::default(),
            cap,
        }
    }

    /// Keeps `departure` for a retry; false (and dropped) when `cap` are waiting.
    pub fn keep(&self, departure: PendingDeparture) -> bool {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        let room = waiting.len() < self.cap;
        if room {
            waiting.push(departure);
        }
        room
    }

    /// Everything waiting, leaving none.
    pub fn take_all(&self) -> Vec<PendingDeparture> {
        std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::ConnId;
    use confab_protocol::RoomCode;

    #[test]
    fn departures_waiting_for_redis_are_kept_up_to_the_cap_and_no_more() {
        let retries = Retries::new(2);
        let departure = |conn| PendingDeparture {
            who: Evicted {
                code: RoomCode::parse("TEST").expect("valid code"),
                key: "ann".into(),
                conn,
            },
            reserve: true,
        };
        assert!(retries.keep(departure(1)));
        assert!(retries.keep(departure(2)));
        assert!(!retries.keep(departure(3)), "the third is over the cap");
        let conns: Vec<ConnId> = retries.take_all().iter().map(|d| d.who.conn).collect();
        assert_eq!(conns, [1, 2]);
        assert!(retries.take_all().is_empty());
        assert!(retries.keep(departure(4)), "room again once taken");
    }
}
