//! Where the Redis client hands this relay's pub/sub messages over: a bounded queue that
//! drops and raises a flag rather than grow (the reader then resyncs).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use redis::PushInfo;
use tokio::sync::mpsc;

/// Bus messages waiting for the delivery task at most; beyond it they are dropped and
/// every local member resumes (see the module docs), so a stalled relay cannot grow
/// without bound.
pub const BUS_QUEUE: usize = 16 * 1024;

/// Where the Redis client hands over pub/sub messages: a bounded queue that never waits
/// (it runs on the Redis connection's reader) and raises a flag when it had to drop one.
pub struct BusInlet {
    queue: mpsc::Sender<PushInfo>,
    overflowed: Arc<AtomicBool>,
}

impl BusInlet {
    /// An inlet holding `capacity` messages, its outlet, and its overflow flag.
    pub fn new(capacity: usize) -> (Self, mpsc::Receiver<PushInfo>, Arc<AtomicBool>) {
        let (queue, outlet) = mpsc::channel(capacity);
        let overflowed = Arc::new(AtomicBool::new(false));
        let inlet = Self {
            queue,
            overflowed: Arc::clone(&overflowed),
        };
        (inlet, outlet, overflowed)
    }

    /// Queues `info`, or drops it and raises the flag when the queue is full.
    pub fn push(&self, info: PushInfo) {
        if self.queue.try_send(info).is_err() {
            self.overflowed.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::PushKind;

    #[test]
    fn a_full_bus_queue_drops_and_raises_the_flag_instead_of_growing() {
        let (inlet, mut outlet, overflowed) = BusInlet::new(2);
        let message = || PushInfo {
            kind: PushKind::Message,
            data: vec![],
        };
        inlet.push(message());
        inlet.push(message());
        assert!(!overflowed.load(Ordering::Relaxed));
        inlet.push(message());
        assert!(overflowed.load(Ordering::Relaxed), "the third did not fit");
        let queued = std::iter::from_fn(|| outlet.try_recv().ok()).count();
        assert_eq!(queued, 2, "the queue kept its bound");
    }
}
