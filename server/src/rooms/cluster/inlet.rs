//! Where the Redis client hands this relay's pub/sub messages over: bounded queues, one
//! per delivery lane, that drop and raise a flag rather than grow (the reader then
//! resyncs).
//!
//! A room's messages always take the same lane (chosen by its channel's name), so each
//! room's events are delivered in order, while rooms on different lanes are delivered in
//! parallel: one busy room does not hold up every other room on the relay.

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

/// Bus messages waiting for delivery at most, all lanes together; beyond it they are
/// dropped and every local member resumes (see the module docs), so a stalled relay
/// cannot grow without bound.
pub const BUS_QUEUE: usize = 16 * 1024;

/// Where the Redis client hands over pub/sub messages: a bounded queue per lane that never
/// waits (it runs on the Redis connection's reader) and a flag raised when one had to drop
/// a message.
pub struct BusInlet {
    lanes: Vec<mpsc::Sender<PushInfo>>,
    overflowed: Arc<AtomicBool>,
}

impl BusInlet {
    /// An inlet of `lanes` lanes (at least one) holding `capacity` messages together, the
    /// lanes' outlets, and the overflow flag.
    pub fn new(
        lanes: usize,
        capacity: usize,
    ) -> (Self, Vec<mpsc::Receiver<PushInfo>>, Arc<AtomicBool>) {
        let lanes = lanes.max(1);
        let (senders, outlets) = (0..lanes)
            .map(|_| mpsc::channel((capacity / lanes).max(1)))
            .unzip();
        let overflowed = Arc::new(AtomicBool::new(false));
        let inlet = Self {
            lanes: senders,
            overflowed: Arc::clone(&overflowed),
        };
        (inlet, outlets, overflowed)
    }

    /// Queues `info` on its room's lane (anything but a room message on the first), or
    /// drops it and raises the flag when that lane is full.
    pub fn push(&self, info: PushInfo) {
        let lane = match (&info.kind, info.data.first()) {
            (PushKind::Message, Some(Value::BulkString(channel))) => {
                let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(channel);
                usize::try_from(hash % self.lanes.len() as u64).unwrap_or(0)
            }
            _ => 0,
        };
        if self.lanes[lane].try_send(info).is_err() {
            self.overflowed.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(channel: &str) -> PushInfo {
        PushInfo {
            kind: PushKind::Message,
            data: vec![
                Value::BulkString(channel.as_bytes().to_vec()),
                Value::BulkString(b"{}".to_vec()),
            ],
        }
    }

    #[test]
    fn a_full_bus_queue_drops_and_raises_the_flag_instead_of_growing() {
        let (inlet, mut outlets, overflowed) = BusInlet::new(1, 2);
        let mut outlet = outlets.remove(0);
        let message = || message("confab:{ROOM}:bus");
        inlet.push(message());
        inlet.push(message());
        assert!(!overflowed.load(Ordering::Relaxed));
        inlet.push(message());
        assert!(overflowed.load(Ordering::Relaxed), "the third did not fit");
        let queued = std::iter::from_fn(|| outlet.try_recv().ok()).count();
        assert_eq!(queued, 2, "the queue kept its bound");
    }

    #[test]
    fn a_rooms_messages_keep_to_one_lane_and_rooms_spread_over_the_lanes() {
        let (inlet, mut outlets, _) = BusInlet::new(4, 4 * 64);
        let rooms: Vec<String> = (0..32).map(|i| format!("confab:{{R{i}}}:bus")).collect();
        for _ in 0..2 {
            for room in &rooms {
                inlet.push(message(room));
            }
        }
        let mut used = 0;
        for outlet in &mut outlets {
            let seen: Vec<Vec<u8>> = std::iter::from_fn(|| outlet.try_recv().ok())
                .map(|push| match &push.data[0] {
                    Value::BulkString(channel) => channel.clone(),
                    _ => unreachable!(),
                })
                .collect();
            used += usize::from(!seen.is_empty());
            // Both messages of each room it carries, in the order they came.
            for channel in &seen {
                assert_eq!(seen.iter().filter(|c| *c == channel).count(), 2);
            }
        }
        assert!(used > 1, "32 rooms all took one lane");
    }
}
