//! [`Connection`]: the WebSocket to the relay, as typed frames in and out.
//!
//! Owns the socket and every network wait's time limit. It does not print or interpret
//! messages beyond decoding them; the session decides what they mean.

use std::time::Duration;

use confab_protocol::{ClientMessage, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::error::CliError;

/// Time allowed for TCP connect plus the WebSocket handshake: a relay that takes longer is
/// not there (or is drowning), and a person should hear about it rather than stare.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Time allowed for one outgoing frame to be written. Our frames are small, so a write
/// that takes this long means the relay stopped reading.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Time allowed to finish the closing handshake once either side started it.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// What arrived from the relay.
#[derive(Debug)]
pub enum Incoming {
    /// One text frame: its exact text, and its meaning if this client knows the type
    /// (`None` for a message from a newer relay).
    Frame {
        /// The JSON text as received (what `--json` prints).
        raw: String,
        /// The decoded message.
        msg: Option<ServerMessage>,
    },
    /// The connection ended: with the relay's close code and reason if it sent a close
    /// frame, `None` if the socket simply ended.
    Closed(Option<(u16, String)>),
}

/// An open connection to the relay.
pub struct Connection {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// When anything (frame, ping, pong) last arrived: the relay pings idle connections,
    /// so long silence means the relay or the network is gone.
    last_heard: Instant,
}

impl Connection {
    /// Opens a WebSocket to `url` within [`CONNECT_TIMEOUT`].
    /// Connects to the first of `urls` that answers, trying them in order (the relays of
    /// one cluster share rooms, so any will do). The error is the last one's.
    pub async fn connect_any(urls: &[&str]) -> Result<Self, CliError> {
        let mut last = CliError::Timeout("connecting to the relay: no address given");
        for url in urls {
            match Self::connect(url).await {
                Ok(conn) => return Ok(conn),
                Err(err) => {
                    if urls.len() > 1 {
                        crate::output::warn(&format!("{url}: {err}; trying the next relay"));
                    }
                    last = err;
                }
            }
        }
        Err(last)
    }

    /// Connects to one relay within [`CONNECT_TIMEOUT`].
    pub async fn connect(url: &str) -> Result<Self, CliError> {
        let (ws, _response) = timeout(CONNECT_TIMEOUT, connect_async(url))
            .await
            .map_err(|_| CliError::Timeout("connecting to the relay"))?
            .map_err(|source| CliError::Connect {
                url: url.to_owned(),
                source,
            })?;
        Ok(Self {
            ws,
            last_heard: Instant::now(),
        })
    }

    /// Sends one message as a text frame within [`SEND_TIMEOUT`].
    pub async fn send(&mut self, msg: &ClientMessage) -> Result<(), CliError> {
        self.send_frame(Message::text(msg.to_json())).await
    }

    /// Sends a WebSocket ping, so a dead relay is noticed even when the room is quiet.
    pub async fn ping(&mut self) -> Result<(), CliError> {
        self.send_frame(Message::Ping(Default::default())).await
    }

    async fn send_frame(&mut self, frame: Message) -> Result<(), CliError> {
        timeout(SEND_TIMEOUT, self.ws.send(frame))
            .await
            .map_err(|_| CliError::Timeout("sending to the relay"))?
            .map_err(CliError::Lost)
    }

    /// Waits for the next text frame or the end of the connection. Pings are answered by
    /// the WebSocket library while reading; binary frames (the relay sends none) are skipped.
    ///
    /// Cancel-safe: dropping the future loses no frame, so it can sit in a `select!`.
    pub async fn recv(&mut self) -> Result<Incoming, CliError> {
        loop {
            let frame = match self.ws.next().await {
                None
                | Some(Err(
                    tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed,
                )) => return Ok(Incoming::Closed(None)),
                Some(Err(err)) => return Err(CliError::Lost(err)),
                Some(Ok(frame)) => frame,
            };
            self.last_heard = Instant::now();
            match frame {
                Message::Text(text) => {
                    let raw = text.as_str().to_owned();
                    let msg = ServerMessage::from_json(&raw).ok();
                    return Ok(Incoming::Frame { raw, msg });
                }
                Message::Close(close) => {
                    // Send our half of the closing handshake (queued by the library) now,
                    // so the relay sees a clean close rather than a reset.
                    let _ = timeout(CLOSE_TIMEOUT, self.ws.flush()).await;
                    let close = close.map(|f| (u16::from(f.code), f.reason.as_str().to_owned()));
                    return Ok(Incoming::Closed(close));
                }
                Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// How long since anything arrived from the relay.
    pub fn silent_for(&self) -> Duration {
        self.last_heard.elapsed()
    }

    /// Closes the connection from our side, best effort and bounded in time: used when
    /// the relay did not close after `leave`.
    pub async fn close(&mut self) {
        let _ = timeout(CLOSE_TIMEOUT, self.ws.close(None)).await;
    }
}
