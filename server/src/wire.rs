//! [`Wire`]: a plain connection's TCP socket, which its own task and its room's fan-out
//! both write to.
//!
//! Why the fan-out writes at all: in a quiet room a member's queue is empty and its task
//! asleep, so a delivery through the queue costs a wake-up, a poll of the task's select loop
//! and the socket's re-registration, on top of the one `send` the kernel needs. The fan-out
//! ([`Wire::try_send`], called by the member's outbox) writes such a frame to the socket
//! itself and the task never wakes. Whenever that is not safe or not possible at once, the
//! frame is queued as before and the task writes it.
//!
//! What keeps the bytes of two writers from mixing: every write, the task's and the
//! fan-out's, happens under one short lock ([`Gate`]), one system call at a time, and the
//! fan-out writes only at a frame boundary:
//! - The task's writes (tungstenite's control frames, replies, queued batches) always ask
//!   for everything they still hold, so a write that took all of it ends at a frame
//!   boundary; one that took less leaves the task inside a frame, and the fan-out stays
//!   out until the task's next write finishes it.
//! - A frame the fan-out starts and the socket does not take whole is *owed*: its tail is
//!   kept here (at most one frame, and only then) and written before anything else, by
//!   whichever write comes next, the task's included; the outbox wakes the task to flush it.
//! - The fan-out only tries the lock (never waits on the task) and never writes while the
//!   task holds frames it took from the queue (the outbox checks that): frames stay in order.
//!
//! TLS connections never share their socket (a TLS session cannot be written from two
//! places); their writes take the uncontended lock only.

use std::io::{self, IoSlice};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use prometheus::IntCounter;
use tokio::io::ReadBuf;
use tokio::net::TcpStream;

use crate::payload::joined;

/// Bytes a connection counts locally before it adds them to the relay-wide counter: one
/// atomic add per 4 KiB instead of one per write. The remainder is added on drop.
const FLUSH_BYTES: u32 = 4096;

/// A connection's TCP socket and what its writers share.
#[derive(Debug)]
pub struct Wire {
    tcp: TcpStream,
    bytes_out: IntCounter,
    gate: Mutex<Gate>,
}

/// What the writers of one socket agree on, behind [`Wire`]'s lock.
#[derive(Debug, Default)]
struct Gate {
    /// The task's last write stopped inside what it was writing.
    task_inside_frame: bool,
    /// The unwritten tail of a frame the fan-out started, written before anything else.
    owed: Option<Box<[u8]>>,
    /// How much of `owed` is written.
    owed_at: u32,
    /// Written but not yet added to `bytes_out`.
    written: u32,
}

impl Gate {
    fn owes(&self) -> bool {
        self.owed.is_some()
    }

    fn count(&mut self, n: usize, counter: &IntCounter) {
        self.written = self
            .written
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        if self.written >= FLUSH_BYTES {
            counter.inc_by(u64::from(self.written));
            self.written = 0;
        }
    }
}

/// What [`Wire::try_send`] did with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The socket took all of it: nothing is left to do.
    Whole,
    /// The socket took part of it; the rest is owed and goes before anything else, at the
    /// next write or flush of the task, which must be woken for it.
    Started,
    /// Nothing was written (the socket is busy or full, or a writer is inside a frame):
    /// queue the frame for the task.
    Not,
}

impl Wire {
    /// Wraps `tcp`, counting what is written into `bytes_out`.
    pub fn new(tcp: TcpStream, bytes_out: IntCounter) -> Self {
        Self {
            tcp,
            bytes_out,
            gate: Mutex::new(Gate::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Gate> {
        // Nothing panics while holding this lock; if something did, the gate still says
        // truly what was written.
        self.gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The fan-out's write: `header` then `payload` as one frame, if it can start now and
    /// at a frame boundary. Never waits: a busy lock, a writer inside a frame, an owed tail
    /// or a full socket all answer [`Sent::Not`], and the frame is queued instead.
    pub fn try_send(&self, header: &[u8], payload: &[u8]) -> Sent {
        let Ok(mut gate) = self.gate.try_lock() else {
            return Sent::Not;
        };
        if gate.task_inside_frame || gate.owes() {
            return Sent::Not;
        }
        let total = header.len() + payload.len();
        let written =
            joined(header, payload, |frame| self.tcp.try_write(frame)).unwrap_or_else(|| {
                self.tcp
                    .try_write_vectored(&[IoSlice::new(header), IoSlice::new(payload)])
            });
        match written {
            Ok(n) if n == total => {
                gate.count(n, &self.bytes_out);
                Sent::Whole
            }
            Ok(n) => {
                gate.count(n, &self.bytes_out);
                let mut tail = Vec::with_capacity(total - n);
                let (head_rest, payload_rest) = if n < header.len() {
                    (&header[n..], payload)
                } else {
                    (&header[..0], &payload[n - header.len()..])
                };
                tail.extend_from_slice(head_rest);
                tail.extend_from_slice(payload_rest);
                gate.owed = Some(tail.into_boxed_slice());
                gate.owed_at = 0;
                Sent::Started
            }
            // Would block, or failed: the task meets a failure itself when it writes.
            Err(_) => Sent::Not,
        }
    }

    /// Writes the owed tail, if any, under `gate`: ready once there is none.
    fn poll_pay(&self, cx: &mut Context<'_>, gate: &mut Gate) -> Poll<io::Result<()>> {
        loop {
            let Some(owed) = gate.owed.as_deref() else {
                return Poll::Ready(Ok(()));
            };
            let at = gate.owed_at as usize;
            let len = owed.len();
            match self.tcp.try_write(&owed[at..]) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => {
                    gate.count(n, &self.bytes_out);
                    if at + n == len {
                        gate.owed = None;
                        gate.owed_at = 0;
                    } else {
                        gate.owed_at = u32::try_from(at + n).unwrap_or(u32::MAX);
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    // `try_write` cleared the socket's readiness: this registers the wake-up.
                    ready!(self.tcp.poll_write_ready(cx))?;
                }
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }

    /// The task's write: the owed tail first, then as much of `bufs` as the socket takes.
    pub fn poll_write(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.tcp.poll_write_ready(cx))?;
            let mut gate = self.lock();
            ready!(self.poll_pay(cx, &mut gate))?;
            let wanted: usize = bufs.iter().map(|buf| buf.len()).sum();
            let written = match bufs {
                [one] => self.tcp.try_write(one),
                _ => self.tcp.try_write_vectored(bufs),
            };
            match written {
                Ok(n) => {
                    gate.task_inside_frame = n < wanted;
                    gate.count(n, &self.bytes_out);
                    return Poll::Ready(Ok(n));
                }
                // Readiness is cleared: the next turn waits for it.
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }

    /// Writes the owed tail, if any: what a flush means here (nothing else is buffered).
    pub fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut gate = self.lock();
        self.poll_pay(cx, &mut gate)
    }

    /// Shuts the sending side, after the owed tail.
    pub fn poll_shutdown(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_flush(cx))?;
        Poll::Ready(socket2::SockRef::from(&self.tcp).shutdown(std::net::Shutdown::Write))
    }

    /// Reads what the socket has into `buf`; returns how many bytes.
    pub fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.tcp.poll_read_ready(cx))?;
            // The relay's readers hand in initialized buffers, so this fills nothing.
            match self.tcp.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(n));
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        let gate = self
            .gate
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.bytes_out.inc_by(u64::from(gate.written));
    }
}

#[cfg(test)]
mod tests;
