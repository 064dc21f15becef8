//! The fan-out's direct writes, on real loopback sockets: what reaches the peer, in what
//! order, and what happens when the socket takes a frame only in part.

use std::cell::Cell;
use std::future::poll_fn;
use std::io::IoSlice;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use prometheus::IntCounter;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::Wire;
use crate::outbox::{Delivery, Offer, Outbox, outbox};
use crate::payload::{Header, Payload};

/// A connected pair: the relay's end (as a [`Wire`]) and the peer's, with small socket
/// buffers on both so a peer that does not read fills them quickly.
async fn pair(small_buffers: bool) -> (Arc<Wire>, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let peer = TcpSocket::new_v4().expect("socket");
    if small_buffers {
        peer.set_recv_buffer_size(4096).expect("receive buffer");
    }
    let (peer, accepted) = tokio::join!(
        peer.connect(listener.local_addr().expect("addr")),
        listener.accept()
    );
    let (relay_end, _) = accepted.expect("accept");
    if small_buffers {
        socket2::SockRef::from(&relay_end)
            .set_send_buffer_size(4096)
            .expect("send buffer");
    }
    let counter = IntCounter::new("bytes_out", "test").expect("counter");
    (
        Arc::new(Wire::new(relay_end, counter)),
        peer.expect("connect"),
    )
}

/// A clock for offers: each reading is `step` after the one before.
struct Clock {
    now: Cell<Instant>,
    step: Duration,
}

impl Clock {
    /// Offers this far apart are never a burst.
    fn quiet() -> Self {
        Self::stepping(Duration::from_millis(100))
    }

    fn stepping(step: Duration) -> Self {
        Self {
            now: Cell::new(Instant::now()),
            step,
        }
    }

    /// Offers `frame` at the next reading.
    fn offer(&self, outbox: &Outbox, frame: &Utf8Bytes) -> Offer {
        outbox.offer_at(frame, || {
            let now = self.now.get() + self.step;
            self.now.set(now);
            now
        })
    }
}

/// The frame `text` as the relay puts it on the wire.
fn framed(text: &Utf8Bytes) -> Vec<u8> {
    let mut bytes = Header::new(text.opcode(), text.len()).as_slice().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Writes `frame` the way the connection task does, through the wire's task side.
async fn task_writes(wire: &Wire, frame: &Utf8Bytes) {
    let bytes = framed(frame);
    let mut at = 0;
    while at < bytes.len() {
        at += poll_fn(|cx| wire.poll_write(cx, &[IoSlice::new(&bytes[at..])]))
            .await
            .expect("task write");
    }
}

#[tokio::test]
async fn a_frame_offered_to_an_idle_member_is_on_its_socket_without_waking_its_task() {
    let (wire, mut peer) = pair(false).await;
    let (outbox, mut inbox) = outbox(8);
    let clock = Clock::quiet();
    inbox.share_wire(wire);
    let hello = Utf8Bytes::from_static("hello");
    assert_eq!(clock.offer(&outbox, &hello), Offer::Queued);
    assert_eq!(inbox.try_next(), None, "nothing was queued for the task");
    let mut got = vec![0u8; framed(&hello).len()];
    peer.read_exact(&mut got).await.expect("read");
    assert_eq!(got, framed(&hello));
}

#[tokio::test]
async fn an_offer_while_the_task_holds_frames_waits_behind_them() {
    let (wire, mut peer) = pair(false).await;
    let (outbox, mut inbox) = outbox(8);
    let clock = Clock::quiet();
    let first = Utf8Bytes::from_static("first");
    let second = Utf8Bytes::from_static("second");
    clock.offer(&outbox, &first);
    inbox.share_wire(Arc::clone(&wire));
    // The task takes `first`; until it says it is written, `second` must not overtake it.
    assert_eq!(inbox.next().await, Delivery::Frame(first.clone()));
    clock.offer(&outbox, &second);
    assert_eq!(inbox.try_next(), Some(second.clone()), "second was queued");
    task_writes(&wire, &first).await;
    task_writes(&wire, &second).await;
    inbox.written();
    let third = Utf8Bytes::from_static("third");
    clock.offer(&outbox, &third);
    assert_eq!(
        inbox.try_next(),
        None,
        "once written, the room writes directly again"
    );
    let expected: Vec<u8> = [first, second, third].iter().flat_map(framed).collect();
    let mut got = vec![0u8; expected.len()];
    peer.read_exact(&mut got).await.expect("read");
    assert_eq!(got, expected);
}

/// A peer that stops reading fills the socket: the frame the socket takes in part is owed,
/// later offers queue, the task is told to flush, and its next write finishes the owed
/// frame first, so the peer reads every frame whole and in order.
#[tokio::test]
async fn a_frame_the_socket_takes_in_part_is_finished_before_anything_else() {
    let (wire, peer) = pair(true).await;
    let (outbox, mut inbox) = outbox(1024);
    let clock = Clock::quiet();
    inbox.share_wire(Arc::clone(&wire));
    let big = Utf8Bytes::from("x".repeat(16 * 1024));
    let mut direct = 0;
    while !inbox.channel_flush_due() {
        assert!(direct < 200, "the socket never filled");
        assert_eq!(clock.offer(&outbox, &big), Offer::Queued);
        direct += 1;
    }
    let after = [Utf8Bytes::from_static("a"), Utf8Bytes::from_static("b")];
    for frame in &after {
        clock.offer(&outbox, frame);
    }
    let config = WebSocketConfig::default()
        .max_frame_size(None)
        .max_message_size(None);
    let reader = tokio::spawn(async move {
        let mut client = WebSocketStream::from_raw_socket(peer, Role::Client, Some(config)).await;
        let mut got = Vec::new();
        while got.len() < direct + 2 {
            match client.next().await {
                Some(Ok(Message::Text(text))) => got.push(text),
                other => panic!("expected a whole text frame, got {other:?}"),
            }
        }
        got
    });
    // The task: told to flush first, then the queued frames in order.
    assert_eq!(inbox.next().await, Delivery::Flush);
    poll_fn(|cx| wire.poll_flush(cx)).await.expect("flush");
    for frame in &after {
        assert_eq!(inbox.next().await, Delivery::Frame(frame.clone()));
        task_writes(&wire, frame).await;
    }
    inbox.written();
    let got = reader.await.expect("reader task");
    assert!(
        got[..direct].iter().all(|text| *text == big),
        "the big frames arrive whole"
    );
    assert_eq!(got[direct..], after);
}

/// The task's own write (here a frame it holds, as a pong would be) pays the owed tail
/// first, even with no flush in between.
#[tokio::test]
async fn the_tasks_next_write_pays_an_owed_tail_before_its_own_bytes() {
    let (wire, peer) = pair(true).await;
    let (outbox, inbox) = outbox(1024);
    let clock = Clock::quiet();
    inbox.share_wire(Arc::clone(&wire));
    let big = Utf8Bytes::from("y".repeat(16 * 1024));
    let mut direct = 0;
    while !inbox.channel_flush_due() {
        assert!(direct < 200, "the socket never filled");
        clock.offer(&outbox, &big);
        direct += 1;
    }
    let reader = tokio::spawn(async move {
        let mut client = WebSocketStream::from_raw_socket(peer, Role::Client, None).await;
        let mut got = Vec::new();
        while got.len() < direct + 1 {
            match client.next().await {
                Some(Ok(Message::Text(text))) => got.push(text.len()),
                other => panic!("expected a whole text frame, got {other:?}"),
            }
        }
        got
    });
    let reply = Utf8Bytes::from_static("reply");
    task_writes(&wire, &reply).await;
    let got = reader.await.expect("reader task");
    assert_eq!(got.len(), direct + 1);
    assert!(got[..direct].iter().all(|len| *len == big.len()));
    assert_eq!(got[direct], reply.len());
}

/// Frames closer together than the burst gap wait for the task, which writes them with
/// one system call; the first after a pause goes straight out.
#[tokio::test]
async fn frames_in_a_burst_are_queued_for_the_task_and_the_first_after_a_pause_is_not() {
    let (wire, mut peer) = pair(false).await;
    let (outbox, mut inbox) = outbox(8);
    inbox.share_wire(wire);
    let burst = Clock::stepping(Duration::from_micros(200));
    let frames = ["a", "b", "c"].map(Utf8Bytes::from_static);
    for frame in &frames {
        burst.offer(&outbox, frame);
    }
    let mut got = vec![0u8; framed(&frames[0]).len()];
    peer.read_exact(&mut got).await.expect("read");
    assert_eq!(
        got,
        framed(&frames[0]),
        "the first, after no frame at all, went out"
    );
    assert_eq!(
        inbox.try_next(),
        Some(frames[1].clone()),
        "the rest of the burst waits"
    );
    assert_eq!(inbox.try_next(), Some(frames[2].clone()));
    inbox.written();
    let later = Clock::stepping(Duration::from_millis(50));
    later.now.set(burst.now.get());
    let d = Utf8Bytes::from_static("d");
    later.offer(&outbox, &d);
    assert_eq!(
        inbox.try_next(),
        None,
        "after a pause the frame went straight out"
    );
    let mut got = vec![0u8; framed(&d).len()];
    peer.read_exact(&mut got).await.expect("read");
    assert_eq!(got, framed(&d));
}
