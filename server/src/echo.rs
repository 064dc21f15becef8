//! The conformance echo (feature `conformance`): a relay whose WebSocket connections send
//! every data frame back, text as text and binary as binary, for Autobahn|Testsuite
//! (`scripts/autobahn.sh`, `docs/conformance.md`). Not part of the relay's API.
//!
//! Only the per-connection logic is the echo's own ([`Echo`], a `handler::Peer`). The rest
//! is the relay's code, run as a chat connection runs it: the accept loop and its connection
//! limits (`server`), the front door with TLS, the upgrade head, origins and the per-IP
//! limit (`front`, `upgrade`), the WebSocket settings and frame limits (`handler::ws_config`:
//! `max_frame_bytes`, a larger message closes with 1009), the read loop with its pings,
//! timeouts and close handshake (`handler`), and the write side: every echo is offered to an
//! outbox (`outbox`) and written from there in batches with vectored writes
//! (`handler::frames`), exactly as a room's deliveries are.
//!
//! What it leaves out is the chat protocol above frames: no room to join (so no join
//! deadline), no JSON, and no per-connection rate limit, which would turn Autobahn's bursts
//! of thousands of frames into 1008 closes that say nothing about the WebSocket layer.

use std::future::{Future, ready};
use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::{Bytes, Utf8Bytes};

use crate::Config;
use crate::conn::ConnId;
use crate::handler::{Peer, Turn};
use crate::outbox::{Inbox, Kick, Offer, Outbox, outbox_of};
use crate::payload::{BINARY, Payload, TEXT};
use crate::rooms::memory::Registry;
use crate::server;
use crate::shared::Shared;

/// Runs the echo relay on `listener` until `shutdown` resolves, then drains as the relay
/// does ([`crate::run`]). `config` is the relay's: its limits, timeouts and TLS files apply;
/// its room settings (and `redis`) have nothing to act on.
///
/// Errors as [`crate::run`] does.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let shared = Arc::new(Shared::new(config));
    server::serve::<Echo>(listener, None, shared, shutdown).await
}

/// One data frame to echo, of the kind it came as.
#[derive(Debug, Clone)]
pub enum Echoed {
    /// A text frame's payload (tungstenite has checked it is UTF-8).
    Text(Utf8Bytes),
    /// A binary frame's payload.
    Binary(Bytes),
}

impl Payload for Echoed {
    fn opcode(&self) -> u8 {
        match self {
            Self::Text(_) => TEXT,
            Self::Binary(_) => BINARY,
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Binary(data) => data,
        }
    }
}

/// One echo connection: its own outbox, which it feeds as a room feeds a member's.
#[derive(Debug)]
pub struct Echo {
    outbox: Outbox<Echoed>,
    /// The receiving end, until the first frame hands it to the handler's loop.
    inbox: Option<Inbox<Echoed>>,
}

impl Echo {
    /// Queues `frame` for the writer. A full queue is a peer that does not read what it is
    /// sent: it is closed with 4000, as a slow chat member is.
    fn echo(&mut self, frame: &Echoed) -> Turn<Echoed> {
        if self.outbox.offer(frame) == Offer::Refused {
            self.outbox.kick(Kick::SlowConsumer);
        }
        match self.inbox.take() {
            Some(inbox) => Turn::Entered(inbox),
            None => Turn::Nothing,
        }
    }
}

impl Peer for Echo {
    type Store = Registry;
    type Frame = Echoed;

    fn open(shared: Arc<Shared<Registry>>, _ip: IpAddr, _conn: ConnId) -> Self {
        let (outbox, inbox) = outbox_of(shared.config.outbox_frames);
        Self {
            outbox,
            inbox: Some(inbox),
        }
    }

    fn awaits_join(&self) -> bool {
        false
    }

    fn text<'a>(
        &'a mut self,
        text: &'a Utf8Bytes,
    ) -> impl Future<Output = Turn<Echoed>> + Send + 'a {
        ready(self.echo(&Echoed::Text(text.clone())))
    }

    fn binary(&mut self, data: Bytes) -> Turn<Echoed> {
        self.echo(&Echoed::Binary(data))
    }

    fn ping(&mut self) -> Turn<Echoed> {
        Turn::Nothing
    }

    fn closed_by_peer(&mut self, _code: Option<u16>) {}
}
