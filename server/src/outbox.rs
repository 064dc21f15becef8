//! The per-client outbound queue and the signal that ends a client's connection.
//!
//! The registry pushes encoded frames with [`Outbox::offer`], which never waits: a full
//! queue means the client cannot keep up, and the registry evicts it. The connection task
//! owns the receiving ends ([`Inbox`]).

use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// Why the registry ended a member's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// The outbound queue was full: close with 4000.
    SlowConsumer,
    /// The same member resumed on a newer connection: close with 4002.
    Replaced,
}

/// The sending side, kept by the registry for each member.
#[derive(Debug)]
pub struct Outbox {
    frames_tx: mpsc::Sender<Utf8Bytes>,
    kick_tx: Option<oneshot::Sender<Kick>>,
}

/// The receiving side, kept by the connection task.
#[derive(Debug)]
pub struct Inbox {
    /// Encoded frames to write, in order.
    pub frames_rx: mpsc::Receiver<Utf8Bytes>,
    /// Resolves when the registry ends this connection.
    pub kick_rx: oneshot::Receiver<Kick>,
}

/// Whether a frame was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Queued for writing.
    Queued,
    /// The queue is full (slow consumer) or the connection is gone.
    Refused,
}

/// Makes a connected outbox/inbox pair holding at most `capacity` frames.
pub fn outbox(capacity: usize) -> (Outbox, Inbox) {
    let (frames_tx, frames_rx) = mpsc::channel(capacity.max(1));
    let (kick_tx, kick_rx) = oneshot::channel();
    (
        Outbox {
            frames_tx,
            kick_tx: Some(kick_tx),
        },
        Inbox { frames_rx, kick_rx },
    )
}

impl Outbox {
    /// Queues a frame without waiting. Cloning `Utf8Bytes` shares the bytes.
    pub fn offer(&self, frame: &Utf8Bytes) -> Offer {
        match self.frames_tx.try_send(frame.clone()) {
            Ok(()) => Offer::Queued,
            Err(_) => Offer::Refused,
        }
    }

    /// Ends the connection for `reason`. Dropping the outbox afterwards closes the queue.
    pub fn kick(&mut self, reason: Kick) {
        if let Some(kick_tx) = self.kick_tx.take() {
            // The connection may already be gone; then there is nobody to tell.
            let _ = kick_tx.send(reason);
        }
    }
}
