//! One task per connection, after the handshakes (`front`): a select loop over incoming
//! frames, the outbox, keepalive pings, the join deadline and shutdown.
//!
//! Everything here is about moving frames; what they mean is the [`Peer`]'s business: a
//! chat connection's (`connection`), or in conformance runs the echo's (`peer` says why
//! the loop is generic over it). A failure ends this connection only.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior, Sleep, interval_at, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::{Message, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Utf8Bytes};

use confab_protocol::close_code;

use crate::Config;
use crate::outbox::{Delivery, Inbox, Kick};
use crate::payload::Payload;
use crate::shared::Shared;
use crate::stream::Stream;

mod frames;
mod peer;

pub use self::peer::{Peer, Turn};

/// An upgraded connection: WebSocket frames over TCP or TLS.
pub type Socket = WebSocketStream<Stream>;

/// Frames written per batch (one write) at most: batching amortizes syscalls under load
/// without letting one busy client monopolize its task for long.
const MAX_BATCH: usize = 64;

/// Bytes of the per-connection read buffer, and the most one read takes: small, since chat
/// frames are small and idle connections must stay cheap (tungstenite's default is
/// 128 KiB, and it zero-fills the whole buffer on the first read, so every byte of it is
/// resident). It grows for a bigger frame once that frame's header is read. 256 rather
/// than 512 saves 256 B per idle connection (measured: 4,686 to 4,430 B) and costs a
/// sender one more read for every two or three small frames.
const READ_BUFFER_BYTES: usize = 256;

/// The most tungstenite may hold unsent for one connection. Text frames do not go through
/// tungstenite's write buffer (see `frames`): only control frames do, a ping, a pong or a
/// close of at most 127 bytes each. Without this ceiling (tungstenite's default is
/// unbounded) a peer that pings and never reads grows the relay's memory with queued
/// pongs; with it, the pong waits in tungstenite's single slot for control replies, where
/// a newer pong replaces an older one.
const CONTROL_WRITE_BUFFER_BYTES: usize = 1024;

/// How long the relay keeps reading (and discarding) after it sent its Close and shut
/// its sending side, so that a peer still sending gets the Close instead of a TCP reset
/// (closing a socket with unread input makes the kernel send RST, which can overtake the
/// Close). Bounded so a peer that never closes costs at most this long.
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Serves one upgraded connection until it closes: the select loop, then the closing
/// handshake. `front` has done the TLS and WebSocket handshakes.
///
/// A plain function returning a block, not an `async fn`: an `async fn` keeps its
/// arguments apart from the locals it moves them into, so every idle connection's task
/// would hold its socket (344 bytes) twice. The same goes for [`drive`] and its connection.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn stores its arguments twice"
)]
pub fn serve<P: Peer>(
    mut socket: Socket,
    ip: IpAddr,
    conn: u64,
    shared: Arc<Shared<P::Store>>,
    shutdown: watch::Receiver<bool>,
) -> impl Future<Output = ()> {
    async move {
        let connection = P::open(Arc::clone(&shared), ip, conn);
        let config = &shared.config;
        let end = drive(&mut socket, connection, config, shutdown).await;
        tracing::debug!(?end, "connection ending");
        match end {
            End::Close(code, reason) => {
                let frame = CloseFrame {
                    code: code.into(),
                    reason: Utf8Bytes::from_static(reason),
                };
                let _ = timeout(config.pong_timeout, Box::pin(socket.close(Some(frame)))).await;
                Box::pin(linger(&mut socket)).await;
            }
            // tungstenite queued the echo of the peer's Close when it read it; write it out.
            End::Answer => {
                let _ = timeout(config.pong_timeout, Box::pin(socket.flush())).await;
                Box::pin(linger(&mut socket)).await;
            }
            End::Gone => {}
        }
    }
}

/// The WebSocket settings of every connection: a small read buffer for idle connections,
/// control frames written at once, and frame limits from `config`.
pub fn ws_config(config: &Config) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        // Only control frames are written through tungstenite, each on its own at once.
        .write_buffer_size(0)
        .max_write_buffer_size(CONTROL_WRITE_BUFFER_BYTES)
        .max_message_size(Some(config.max_frame_bytes))
        .max_frame_size(Some(config.max_frame_bytes))
}

/// How a connection ended.
#[derive(Debug)]
enum End {
    /// Send a close frame with this code and reason.
    Close(u16, &'static str),
    /// The peer sent a Close: send the echo tungstenite queued for it.
    Answer,
    /// The peer vanished or failed: nothing more to send.
    Gone,
}

/// The select loop: runs until the connection should end, and says how.
///
/// This future is what an idle connection is made of, so everything that is big and
/// rare waits in a box of its own: frame handling (`Connection::on_text`, about 2.3 KB, for
/// the join and cluster paths), writes and pings. What stays inline is the wait itself.
/// Generic over the [`Peer`]: each peer type has its own build, none a branch on the other.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn stores its arguments twice"
)]
fn drive<P: Peer>(
    socket: &mut Socket,
    mut connection: P,
    config: &Config,
    mut shutdown: watch::Receiver<bool>,
) -> impl Future<Output = End> {
    async move {
        let mut inbox: Option<Inbox<P::Frame>> = None;
        // Made once, not per loop turn: re-creating `changed()` every wake-up registers and
        // unregisters with the shutdown channel's waiter list (a lock shared by every
        // connection) twice per turn. The join timer is boxed and dropped once joined.
        let shutdown_signal = shutdown.changed();
        tokio::pin!(shutdown_signal);
        let mut join_timer = Some(Box::pin(sleep_until(Instant::now() + config.join_timeout)));
        let mut last_heard = Instant::now();
        let mut pings = interval_at(Instant::now() + config.ping_interval, config.ping_interval);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let limit = config.pong_timeout;
        loop {
            if !connection.awaits_join() {
                join_timer = None;
            }
            tokio::select! {
                biased;
                _ = &mut shutdown_signal => return End::Close(close_code::GOING_AWAY, "server shutting down"),
                event = from_registry(&mut inbox) => match event {
                    Delivery::Kicked(kick) => return kicked(kick),
                    Delivery::Removed => return End::Close(close_code::NORMAL, "removed from the room"),
                    Delivery::Frame(frame) => {
                        let Some(inbox) = inbox.as_mut() else { continue };
                        if !Box::pin(write_batch(socket, frame, inbox, limit)).await {
                            return End::Gone;
                        }
                    }
                    Delivery::Flush => {
                        if !Box::pin(write_frames::<P::Frame>(socket, &[], limit)).await {
                            return End::Gone;
                        }
                    }
                },
                () = until(&mut join_timer) => {
                    return End::Close(close_code::JOIN_TIMEOUT, "no join in time");
                }
                _ = pings.tick() => {
                    if last_heard.elapsed() > config.ping_interval + config.pong_timeout {
                        tracing::info!("peer stopped answering pings; dropping it");
                        return End::Gone;
                    }
                    if !Box::pin(send(socket, Message::Ping(Default::default()), limit)).await {
                        return End::Gone;
                    }
                }
                incoming = socket.next() => {
                    last_heard = Instant::now();
                    // Scoped so that neither the frame nor the outcome is kept across the
                    // reply's write.
                    let (reply, end) = {
                        let turn = match incoming {
                            Some(Ok(Message::Text(text))) => {
                                let mut handling = Box::pin(connection.text(&text));
                                // Boxed, so that waiting on a store costs an idle connection
                                // no room in its task.
                                match (&mut handling).now_or_never() {
                                    Some(turn) => turn,
                                    None => match Box::pin(drain_while(socket, &mut inbox, handling, limit)).await {
                                        Ok(turn) => turn,
                                        Err(end) => return end,
                                    },
                                }
                            }
                            Some(Ok(Message::Binary(data))) => connection.binary(data),
                            Some(Ok(Message::Ping(_))) => connection.ping(),
                            Some(Ok(Message::Pong(_) | Message::Frame(_))) => Turn::Nothing,
                            Some(Ok(Message::Close(frame))) => {
                                connection.closed_by_peer(frame.map(|frame| u16::from(frame.code)));
                                return End::Answer;
                            }
                            None => return End::Gone,
                            Some(Err(err)) => return read_failure(&err),
                        };
                        match turn {
                            Turn::Nothing => (None, None),
                            Turn::Entered(new_inbox) => {
                                if let Some(wire) = socket.get_ref().shared_wire() {
                                    new_inbox.share_wire(wire);
                                }
                                inbox = Some(new_inbox);
                                (None, None)
                            }
                            Turn::Reply(reply) => (Some(reply), None),
                            Turn::Close { reply, code, reason } => {
                                (reply, Some(End::Close(code, reason)))
                            }
                        }
                    };
                    let sent = match reply {
                        Some(reply) => {
                            Box::pin(write_frames(socket, std::slice::from_ref(&reply), limit)).await
                        }
                        None => true,
                    };
                    match end {
                        // A closing reply is sent if it can be; the close follows either way.
                        Some(end) => return end,
                        None if !sent => return End::Gone,
                        None => {}
                    }
                }
            }
        }
    }
}

/// How a kick from the registry ends the connection.
fn kicked(kick: Kick) -> End {
    match kick {
        Kick::SlowConsumer => End::Close(
            close_code::SLOW_CONSUMER,
            "too slow to keep up with the room",
        ),
        Kick::Replaced => End::Close(close_code::REPLACED, "resumed on another connection"),
        Kick::Resync => End::Close(
            close_code::SERVICE_RESTART,
            "the relay lost touch with its cluster; resume",
        ),
        Kick::Removed => End::Close(close_code::REMOVED, "removed from the room by its owner"),
    }
}

/// How a failed read ends the connection: with the close code RFC 6455 gives the fault
/// (the socket can still send after a read error), or silently when the peer is gone.
fn read_failure(err: &WsError) -> End {
    tracing::debug!(%err, "read failed");
    match err {
        WsError::Capacity(CapacityError::MessageTooLong { .. }) => {
            End::Close(close_code::TOO_BIG, "message too big")
        }
        WsError::Utf8(_) => End::Close(close_code::INVALID_DATA, "text is not valid UTF-8"),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => End::Gone,
        WsError::Protocol(_) => End::Close(close_code::PROTOCOL_ERROR, "WebSocket protocol error"),
        _ => End::Gone,
    }
}

/// After the relay's Close went out: shuts the sending side and reads until the peer
/// closes too (or for at most [`CLOSE_LINGER`]), so unread input does not turn the end
/// into a reset that can destroy the Close in flight.
async fn linger(socket: &mut Socket) {
    let tcp = socket.get_mut();
    let _ = tcp.shutdown().await;
    let mut sink = [0u8; 1024];
    let drain = async { while let Ok(1..) = tcp.read(&mut sink).await {} };
    let _ = timeout(CLOSE_LINGER, drain).await;
}

/// The next thing from the registry, a kick before any queued frame; never resolves
/// before joining.
async fn from_registry<F: Payload>(inbox: &mut Option<Inbox<F>>) -> Delivery<F> {
    match inbox.as_mut() {
        Some(inbox) => inbox.next().await,
        None => std::future::pending().await,
    }
}

/// Writes `first` and whatever else is already queued (up to [`MAX_BATCH`]) with one
/// write (`frames`), then lets the room write to the socket directly again. Returns false
/// if the peer is gone or too slow to take it within `limit`. A lone frame (a quiet room)
/// goes out without a list.
async fn write_batch<F: Payload>(
    socket: &mut Socket,
    first: F,
    inbox: &mut Inbox<F>,
    limit: Duration,
) -> bool {
    let mut more = Vec::new();
    inbox.take_queued(&mut more, MAX_BATCH - 1);
    let written = if more.is_empty() {
        write_frames(socket, std::slice::from_ref(&first), limit).await
    } else {
        more.insert(0, first);
        write_frames(socket, &more, limit).await
    };
    if written {
        inbox.written();
    }
    written
}

/// Writes `batch` as data frames straight from their bytes (`frames`), after whatever
/// control frame tungstenite still holds. Returns false if the peer is gone or too slow
/// to take them within `limit`.
async fn write_frames<F: Payload>(socket: &mut Socket, batch: &[F], limit: Duration) -> bool {
    let written = async {
        socket.flush().await.is_ok() && frames::write_frames(socket.get_mut(), batch).await.is_ok()
    };
    let mut written = std::pin::pin!(written);
    // Nearly every write finishes at once: only one that has to wait gets a timer, which
    // spares the timer driver an insert and a removal per delivery.
    if let Some(done) = (&mut written).now_or_never() {
        return done;
    }
    matches!(timeout(limit, written).await, Ok(true))
}

/// Sends one control frame right away. Returns false if the peer is gone or too slow.
async fn send(socket: &mut Socket, message: Message, limit: Duration) -> bool {
    matches!(timeout(limit, socket.send(message)).await, Ok(Ok(())))
}

/// Waits for `handling` (the peer's answer to a frame) while still writing what the room
/// sends meanwhile. In memory mode the answer is ready at once; a store that waits (Redis,
/// up to its command timeout) must not stop the connection's outbox from draining, or a
/// busy room would fill it and evict the member for its own request's round trip. The
/// request always runs to its end (a `leave` must reach the store even though it ends the
/// queue it waits beside); `Err` is how the connection ends if a kick, the end of the
/// queue or the socket came first.
async fn drain_while<F: Payload, T>(
    socket: &mut Socket,
    inbox: &mut Option<Inbox<F>>,
    mut handling: Pin<Box<impl Future<Output = T>>>,
    limit: Duration,
) -> Result<T, End> {
    let end = loop {
        tokio::select! {
            biased;
            answer = &mut handling => return Ok(answer),
            event = from_registry(inbox) => match event {
                Delivery::Kicked(kick) => break kicked(kick),
                Delivery::Removed => break End::Close(close_code::NORMAL, "removed from the room"),
                Delivery::Frame(frame) => {
                    let Some(inbox) = inbox.as_mut() else { continue };
                    if !Box::pin(write_batch(socket, frame, inbox, limit)).await {
                        break End::Gone;
                    }
                }
                Delivery::Flush => {
                    if !Box::pin(write_frames::<F>(socket, &[], limit)).await {
                        break End::Gone;
                    }
                }
            },
        }
    };
    let answer = handling.await;
    // The queue ended because of the request itself (its own `leave`): its answer stands.
    if matches!(end, End::Close(code, _) if code == close_code::NORMAL) {
        return Ok(answer);
    }
    Err(end)
}

/// Resolves when `timer` fires; never while it is `None`.
async fn until(timer: &mut Option<Pin<Box<Sleep>>>) {
    match timer {
        Some(timer) => timer.await,
        None => std::future::pending().await,
    }
}
