//! The per-client outbound queue and the signal that ends a client's connection.
//!
//! The registry pushes encoded frames with [`Outbox::offer`], which never waits: a full
//! queue means the client cannot keep up, and the registry evicts it. The connection task
//! owns the receiving end ([`Inbox`]) and takes what is queued with [`Inbox::next`],
//! [`Inbox::try_next`] and [`Inbox::take_queued`]; nothing else knows how the queue is built.
//!
//! A plain connection shares its socket with its outbox ([`Inbox::share_wire`]): a frame
//! offered to a member whose queue is empty, whose task holds nothing and who heard nothing
//! for [`BURST_GAP`] is written to the socket at once, and the task never wakes for it
//! (`wire` says how the two writers keep out of each other's frames).
//!
//! The queue is generic over its [`Payload`]: a chat connection's is the room's encoded
//! text frame ([`Utf8Bytes`], the default everywhere), the conformance echo's can be binary
//! too. Each payload type gets its own build of this code, so the relay's pays for no other.
//!
//! Why not tokio's bounded `mpsc` and a `oneshot`: an idle connection is what a chat relay
//! has most of, and those allocate their first 32-slot block (about 1 KiB of `Utf8Bytes`)
//! and two shared headers per connection before a single frame is sent. This queue is one
//! small allocation whose frame buffer is empty until frames arrive and is given back
//! whenever the queue drains: a member at rest holds no frame slots at all (keeping 4 cost
//! 128 B per idle connection; making the buffer again costs one allocation per burst).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::payload::{Header, Payload};
use crate::wire::{Sent, Wire};

/// Bytes of small frames a queue may hold per frame of its capacity, beyond its capacity
/// in frames: a burst of small frames (compact presence changes while a room empties) is
/// not mistaken for a client that stopped reading.
pub const SMALL_FRAME_BYTES: usize = 1024;

/// How many times its capacity a queue may hold in small frames at most.
pub const SMALL_FRAMES_FACTOR: usize = 16;

/// How long after its last frame a member counts as busy: while frames come closer than
/// this, they are queued for its task, which writes all that waits with one system call,
/// and the room's lock is never held across a member's write; a frame after a longer pause
/// goes straight to the socket (see `wire`). Measured, flat out in one room: writing every
/// frame directly cost 6.5 µs of relay CPU per delivery against 2.2 for batches (10
/// members, one sender), and with a 1 ms gap still 0.96 to 1.61 against 0.81 to 0.91 (100
/// members, ten senders, whose direct writes wait on each other for the room's lock). A
/// member of a quiet room, even one of thousands, hears something every few hundred
/// milliseconds at most.
const BURST_GAP: Duration = Duration::from_millis(20);

/// Why the registry ended a member's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// The outbound queue was full: close with 4000.
    SlowConsumer,
    /// The same member resumed on a newer connection: close with 4002.
    Replaced,
    /// Cluster mode: the relay may have missed messages for this member: close with 1012
    /// so it resumes and gets them (or a `gap`).
    Resync,
    /// The room's owner removed this member: close with 4003.
    Removed,
}

/// What the registry has for a joined connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery<F = Utf8Bytes> {
    /// A frame to write.
    Frame(F),
    /// The registry ended the connection.
    Kicked(Kick),
    /// The member is gone from the room without a reason given (the outbox was dropped).
    Removed,
    /// The room started a frame on the socket that the socket did not take whole: flush
    /// the connection so its tail goes out (see `wire`).
    Flush,
}

/// Whether a frame was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Queued for writing.
    Queued,
    /// The queue is full (slow consumer) or the connection is gone.
    Refused,
}

/// Queued frames, oldest first: the oldest in a slot of its own, the rest in a buffer that
/// exists only while two or more wait. In a quiet room a member's queue holds one frame at
/// a time, so delivering it allocates nothing (a buffer made and freed per frame cost an
/// allocation and a free per recipient per message).
#[derive(Debug)]
struct Frames<F> {
    head: Option<F>,
    rest: VecDeque<F>,
}

impl<F> Default for Frames<F> {
    fn default() -> Self {
        Self {
            head: None,
            rest: VecDeque::new(),
        }
    }
}

impl<F> Frames<F> {
    fn len(&self) -> usize {
        usize::from(self.head.is_some()) + self.rest.len()
    }

    fn push_back(&mut self, frame: F) {
        if self.head.is_none() && self.rest.is_empty() {
            self.head = Some(frame);
        } else {
            self.rest.push_back(frame);
        }
    }

    fn pop_front(&mut self) -> Option<F> {
        let frame = self.head.take().or_else(|| self.rest.pop_front());
        if self.rest.is_empty() {
            // Given back once drained: an idle member holds no frame buffer.
            self.rest = VecDeque::new();
        }
        frame
    }

    fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The state both ends share, behind one short-held lock.
#[derive(Debug)]
struct Queue<F> {
    frames: Frames<F>,
    /// Bytes of the frames queued.
    bytes: usize,
    /// Set once by [`Outbox::kick`]; taken before any queued frame.
    kick: Option<Kick>,
    /// The outbox was dropped: nothing more will come.
    outbox_gone: bool,
    /// The inbox was dropped: offers are refused.
    inbox_gone: bool,
    /// The connection's socket, when offers may write to it directly (see `wire`).
    wire: Option<Arc<Wire>>,
    /// The connection task took frames and has not finished writing them: offers queue,
    /// so that frames keep their order.
    in_hand: bool,
    /// An offer started a frame the socket did not take whole: the task must flush.
    flush_due: bool,
    /// When the last frame was offered, while `wire` is shared: see [`BURST_GAP`].
    last_offer: Option<Instant>,
}

impl<F> Default for Queue<F> {
    fn default() -> Self {
        Self {
            frames: Frames::default(),
            bytes: 0,
            kick: None,
            outbox_gone: false,
            inbox_gone: false,
            wire: None,
            in_hand: false,
            flush_due: false,
            last_offer: None,
        }
    }
}

#[derive(Debug)]
struct Channel<F> {
    queue: Mutex<Queue<F>>,
    /// Wakes the connection task; it stores one permit, so a wake-up is never lost.
    ready: Notify,
    capacity: usize,
}

impl<F> Channel<F> {
    fn lock(&self) -> MutexGuard<'_, Queue<F>> {
        // Nothing panics while holding this lock (pushes and pops only); if something did,
        // the queue is still a valid queue.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The sending side, kept by the registry for each member.
#[derive(Debug)]
pub struct Outbox<F = Utf8Bytes> {
    channel: Arc<Channel<F>>,
}

/// The receiving side, kept by the connection task.
#[derive(Debug)]
pub struct Inbox<F = Utf8Bytes> {
    channel: Arc<Channel<F>>,
}

/// Makes a connected outbox/inbox pair holding at most `capacity` frames, or more small
/// ones: up to `capacity` KiB ([`SMALL_FRAME_BYTES`] each) and `16 × capacity` frames.
pub fn outbox(capacity: usize) -> (Outbox, Inbox) {
    outbox_of(capacity)
}

/// [`outbox`] for payloads of type `F`.
pub fn outbox_of<F: Payload>(capacity: usize) -> (Outbox<F>, Inbox<F>) {
    let channel = Arc::new(Channel {
        queue: Mutex::new(Queue::default()),
        ready: Notify::new(),
        capacity: capacity.max(1),
    });
    (
        Outbox {
            channel: Arc::clone(&channel),
        },
        Inbox { channel },
    )
}

impl<F: Payload> Outbox<F> {
    /// Delivers a frame without waiting: written to the socket at once when the connection
    /// has nothing else to write (see `wire`), queued for its task otherwise. Cloning
    /// `Utf8Bytes` shares the bytes.
    pub fn offer(&self, frame: &F) -> Offer {
        self.offer_at(frame, Instant::now)
    }

    /// [`Self::offer`] at the time `now` gives, asked only when the connection's socket is
    /// shared.
    pub(crate) fn offer_at(&self, frame: &F, now: impl FnOnce() -> Instant) -> Offer {
        {
            let mut queue = self.channel.lock();
            if queue.inbox_gone {
                return Offer::Refused;
            }
            let paused = match queue.wire {
                Some(_) => {
                    let now = now();
                    let last = queue.last_offer.replace(now);
                    last.is_none_or(|last| now.saturating_duration_since(last) >= BURST_GAP)
                }
                None => false,
            };
            let idle = queue.frames.len() == 0 && !queue.in_hand && queue.kick.is_none();
            if paused
                && idle
                && let Some(wire) = &queue.wire
            {
                let header = Header::new(frame.opcode(), frame.bytes().len());
                match wire.try_send(header.as_slice(), frame.bytes()) {
                    Sent::Whole => return Offer::Queued,
                    Sent::Started => {
                        queue.flush_due = true;
                        drop(queue);
                        self.channel.ready.notify_one();
                        return Offer::Queued;
                    }
                    Sent::Not => {}
                }
            }
            let capacity = self.channel.capacity;
            let full = queue.frames.len() >= capacity
                && (queue.bytes + frame.bytes().len() > capacity * SMALL_FRAME_BYTES
                    || queue.frames.len() >= capacity * SMALL_FRAMES_FACTOR);
            if full {
                return Offer::Refused;
            }
            queue.bytes += frame.bytes().len();
            queue.frames.push_back(frame.clone());
        }
        self.channel.ready.notify_one();
        Offer::Queued
    }

    /// Ends the connection for `reason` (the first reason given counts). Dropping the
    /// outbox afterwards closes the queue.
    pub fn kick(&mut self, reason: Kick) {
        self.channel.lock().kick.get_or_insert(reason);
        self.channel.ready.notify_one();
    }
}

impl<F> Drop for Outbox<F> {
    fn drop(&mut self) {
        self.channel.lock().outbox_gone = true;
        self.channel.ready.notify_one();
    }
}

impl<F: Payload> Inbox<F> {
    /// Lets offers write to `wire` directly while this connection has nothing else to
    /// write: its socket, shared with the task (a plain connection's; see `wire`).
    pub fn share_wire(&self, wire: Arc<Wire>) {
        self.channel.lock().wire = Some(wire);
    }

    /// Whether an offer started a frame the task must flush (tests).
    #[cfg(test)]
    pub fn channel_flush_due(&self) -> bool {
        self.channel.lock().flush_due
    }

    /// The frames taken last are written: offers may write directly again.
    pub fn written(&self) {
        self.channel.lock().in_hand = false;
    }

    /// The next delivery, a kick before any queued frame; waits while there is none.
    pub async fn next(&mut self) -> Delivery<F> {
        loop {
            if let Some(delivery) = self.poll_queue(true) {
                return delivery;
            }
            self.channel.ready.notified().await;
        }
    }

    /// The next queued frame if there is one now; never a kick or the end of the queue,
    /// which [`Self::next`] reports. The relay itself takes frames with
    /// [`Self::take_queued`]; this is for tests, fuzzing and benchmarks.
    #[cfg(any(test, feature = "fuzzing", feature = "bench"))]
    pub fn try_next(&mut self) -> Option<F> {
        match self.poll_queue(false) {
            Some(Delivery::Frame(frame)) => Some(frame),
            _ => None,
        }
    }

    /// Moves the frames queued now onto `batch`, until it holds `max`, under one lock;
    /// never a kick or the end of the queue, which [`Self::next`] reports.
    pub fn take_queued(&mut self, batch: &mut Vec<F>, max: usize) {
        let mut guard = self.channel.lock();
        let queue = &mut *guard;
        let take = max.saturating_sub(batch.len()).min(queue.frames.len());
        queue.in_hand |= take > 0;
        batch.reserve(take);
        for _ in 0..take {
            let Some(frame) = queue.frames.pop_front() else {
                break;
            };
            queue.bytes -= frame.bytes().len();
            batch.push(frame);
        }
    }

    fn poll_queue(&self, with_ending: bool) -> Option<Delivery<F>> {
        let mut queue = self.channel.lock();
        if with_ending && let Some(kick) = queue.kick {
            return Some(Delivery::Kicked(kick));
        }
        if with_ending && queue.flush_due {
            queue.flush_due = false;
            return Some(Delivery::Flush);
        }
        if let Some(frame) = queue.frames.pop_front() {
            queue.bytes -= frame.bytes().len();
            queue.in_hand = true;
            return Some(Delivery::Frame(frame));
        }
        (with_ending && queue.outbox_gone).then_some(Delivery::Removed)
    }
}

impl<F> Drop for Inbox<F> {
    fn drop(&mut self) {
        let mut queue = self.channel.lock();
        queue.inbox_gone = true;
        queue.wire = None;
        queue.frames.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &'static str) -> Utf8Bytes {
        Utf8Bytes::from_static(text)
    }

    /// A frame of `n` bytes.
    fn sized(n: usize) -> Utf8Bytes {
        Utf8Bytes::from("x".repeat(n))
    }

    #[test]
    fn a_full_queue_refuses_the_next_frame_and_keeps_the_queued_ones() {
        let (outbox, mut inbox) = outbox(2);
        let big = sized(SMALL_FRAME_BYTES);
        assert_eq!(outbox.offer(&big), Offer::Queued);
        assert_eq!(outbox.offer(&big), Offer::Queued);
        assert_eq!(
            outbox.offer(&frame("c")),
            Offer::Refused,
            "2 KiB already queued"
        );
        assert_eq!(inbox.try_next().map(|f| f.len()), Some(SMALL_FRAME_BYTES));
        assert_eq!(outbox.offer(&frame("d")), Offer::Queued);
        assert_eq!(inbox.try_next().map(|f| f.len()), Some(SMALL_FRAME_BYTES));
        assert_eq!(inbox.try_next().as_deref(), Some("d"));
        assert_eq!(inbox.try_next(), None);
    }

    #[test]
    fn small_frames_may_go_past_the_frame_count_up_to_the_byte_and_count_bounds() {
        let capacity = 4;
        let (outbox, mut inbox) = outbox(capacity);
        // 40-byte frames (a compact presence change): the byte budget (4 KiB) is not the
        // limit, the hard count (16 x 4) is.
        let small = sized(40);
        let queued = (0..1000)
            .take_while(|_| outbox.offer(&small) == Offer::Queued)
            .count();
        assert_eq!(queued, capacity * SMALL_FRAMES_FACTOR);
        while inbox.try_next().is_some() {}
        // 500-byte frames: the byte budget is.
        let medium = sized(500);
        let queued = (0..1000)
            .take_while(|_| outbox.offer(&medium) == Offer::Queued)
            .count();
        assert_eq!(queued, capacity * SMALL_FRAME_BYTES / 500);
    }

    #[tokio::test]
    async fn a_kick_comes_before_frames_still_queued() {
        let (mut outbox, mut inbox) = outbox(8);
        outbox.offer(&frame("a"));
        outbox.kick(Kick::SlowConsumer);
        outbox.kick(Kick::Replaced);
        assert_eq!(inbox.next().await, Delivery::Kicked(Kick::SlowConsumer));
    }

    #[tokio::test]
    async fn a_dropped_outbox_ends_the_inbox_after_its_frames() {
        let (outbox, mut inbox) = outbox(8);
        outbox.offer(&frame("a"));
        drop(outbox);
        assert_eq!(inbox.next().await, Delivery::Frame(frame("a")));
        assert_eq!(inbox.next().await, Delivery::Removed);
    }

    #[tokio::test]
    async fn a_waiting_inbox_wakes_for_a_frame_offered_later() {
        let (outbox, mut inbox) = outbox(8);
        let reader = tokio::spawn(async move { inbox.next().await });
        tokio::task::yield_now().await;
        outbox.offer(&frame("late"));
        let delivery = reader.await.expect("reader task");
        assert_eq!(delivery, Delivery::Frame(frame("late")));
    }

    #[test]
    fn a_gone_inbox_refuses_offers() {
        let (outbox, inbox) = outbox(8);
        drop(inbox);
        assert_eq!(outbox.offer(&frame("a")), Offer::Refused);
    }

    #[test]
    fn taking_queued_frames_stops_at_the_batch_bound_and_keeps_the_rest_in_order() {
        let (outbox, mut inbox) = outbox(256);
        for text in ["a", "b", "c", "d"] {
            outbox.offer(&frame(text));
        }
        let mut batch = vec![frame("first")];
        inbox.take_queued(&mut batch, 3);
        assert_eq!(batch, [frame("first"), frame("a"), frame("b")]);
        assert_eq!(inbox.channel.lock().bytes, 2, "c and d still counted");
        inbox.take_queued(&mut batch, 10);
        assert_eq!(batch.len(), 5);
        assert_eq!(inbox.try_next(), None);
    }

    #[test]
    fn one_frame_at_a_time_needs_no_buffer() {
        let (outbox, mut inbox) = outbox(4);
        for _ in 0..3 {
            assert_eq!(outbox.offer(&frame("x")), Offer::Queued);
            assert_eq!(inbox.channel.lock().frames.rest.capacity(), 0);
            assert_eq!(inbox.try_next(), Some(frame("x")));
        }
        // Two waiting need the buffer; they still come out in order.
        outbox.offer(&frame("a"));
        outbox.offer(&frame("b"));
        assert_eq!(inbox.try_next(), Some(frame("a")));
        outbox.offer(&frame("c"));
        let mut batch = Vec::new();
        inbox.take_queued(&mut batch, 10);
        assert_eq!(batch, [frame("b"), frame("c")]);
        assert_eq!(inbox.channel.lock().frames.rest.capacity(), 0);
    }

    #[test]
    fn a_drained_queue_gives_back_its_whole_buffer() {
        let (outbox, mut inbox) = outbox(256);
        for _ in 0..200 {
            outbox.offer(&frame("x"));
        }
        while inbox.try_next().is_some() {}
        assert_eq!(inbox.channel.lock().frames.rest.capacity(), 0);
    }
}
