//! [`Peer`]: what the handler's loop asks of the connection logic it drives, and [`Turn`],
//! what that logic answers after each frame. The relay's one peer is the chat connection
//! (`connection::Connection`, adapted below); the other is the conformance echo (`echo`,
//! feature `conformance`), which runs through the same accept path, front door, limits,
//! read side and batched writer so that Autobahn's report speaks for them.
//!
//! Why a trait and not a flag: the loop, `front::serve` and the accept loop are generic over
//! their peer, and each peer type gets its own build of them. The chat relay's build is the
//! code it was before the seam (the same state, the same size per connection, no branch on
//! which peer it is), and without the feature no other build exists.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use tokio_tungstenite::tungstenite::{Bytes, Utf8Bytes};

use confab_protocol::ServerMessage;

use crate::conn::ConnId;
use crate::connection::Connection;
use crate::outbox::Inbox;
use crate::outcome::Outcome;
use crate::payload::Payload;
use crate::rooms::RoomStore;
use crate::shared::Shared;

/// The per-connection logic the handler's loop drives: it reads each data frame, and
/// answers with a [`Turn`] the loop carries out.
pub trait Peer: Send + Sized + 'static {
    /// The room store of the relay this peer runs in (the front door serves its files).
    type Store: RoomStore;
    /// What this peer's outbox holds and its writer frames.
    type Frame: Payload;

    /// The logic for a new connection from `ip`, numbered `conn`.
    fn open(shared: Arc<Shared<Self::Store>>, ip: IpAddr, conn: ConnId) -> Self;

    /// Whether the join deadline (`join_timeout`) still applies to this connection.
    fn awaits_join(&self) -> bool;

    /// Handles one text frame.
    fn text<'a>(
        &'a mut self,
        text: &'a Utf8Bytes,
    ) -> impl Future<Output = Turn<Self::Frame>> + Send + 'a;

    /// Handles one binary frame.
    fn binary(&mut self, data: Bytes) -> Turn<Self::Frame>;

    /// Handles a ping (tungstenite answers it with a pong by itself).
    fn ping(&mut self) -> Turn<Self::Frame>;

    /// The peer sent a Close with `code`; the handler answers it and ends the connection.
    fn closed_by_peer(&mut self, code: Option<u16>);
}

/// What the loop does after a frame: [`Outcome`] with its reply encoded and its inbox of
/// the peer's payload type.
#[derive(Debug)]
pub enum Turn<F: Payload> {
    /// Nothing to send.
    Nothing,
    /// Send this text frame to the client now.
    Reply(Utf8Bytes),
    /// Start writing frames from this inbox.
    Entered(Inbox<F>),
    /// Send `reply` (if any), then close with `code`.
    Close {
        /// A last text frame explaining the close.
        reply: Option<Utf8Bytes>,
        /// The WebSocket close code.
        code: u16,
        /// The close reason, for people.
        reason: &'static str,
    },
}

/// The chat connection: each call is `Connection`'s own, its outcome passed on as it is.
impl<S: RoomStore> Peer for Connection<S> {
    type Store = S;
    type Frame = Utf8Bytes;

    fn open(shared: Arc<Shared<S>>, ip: IpAddr, conn: ConnId) -> Self {
        Self::new(shared, ip, conn)
    }

    fn awaits_join(&self) -> bool {
        !self.is_joined()
    }

    async fn text<'a>(&'a mut self, text: &'a Utf8Bytes) -> Turn<Utf8Bytes> {
        turn_of(self.on_text(text).await)
    }

    fn binary(&mut self, _data: Bytes) -> Turn<Utf8Bytes> {
        turn_of(self.on_binary())
    }

    fn ping(&mut self) -> Turn<Utf8Bytes> {
        turn_of(self.on_ping())
    }

    fn closed_by_peer(&mut self, code: Option<u16>) {
        self.on_peer_close(code);
    }
}

/// `outcome` as the loop's [`Turn`]: the same step, its message encoded once.
fn turn_of(outcome: Outcome) -> Turn<Utf8Bytes> {
    match outcome {
        Outcome::Nothing => Turn::Nothing,
        Outcome::Reply(reply) => Turn::Reply(text_of(&reply)),
        Outcome::Entered(inbox) => Turn::Entered(inbox),
        Outcome::Close {
            reply,
            code,
            reason,
        } => Turn::Close {
            reply: reply.as_ref().map(text_of),
            code,
            reason,
        },
    }
}

fn text_of(message: &ServerMessage) -> Utf8Bytes {
    message.to_json().into()
}
