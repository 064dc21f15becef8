//! [`TestClient`]: a real WebSocket client for driving the relay, one per simulated person:
//! connecting, sending and joining here; reading in [`crate::reading`].
//!
//! Owns the socket and the JSON framing on the test side. Every method that waits does so
//! under [`STEP`] and panics with what it was waiting for, so a misbehaving relay fails a
//! test with a reason instead of hanging it. Pings are answered by tungstenite while a
//! client is being read; a client that is not read does not answer them (which the
//! keepalive and slow-consumer tests rely on).

use std::net::{Ipv4Addr, SocketAddr};

use confab_protocol::{ClientId, ClientMessage, RoomCode, Seq};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::{STEP, WelcomeMessage, name, within};

/// The HTTP status of a refused handshake; panics if the handshake succeeded or failed
/// some other way.
pub fn refused_status(result: Result<TestClient, tungstenite::Error>) -> u16 {
    match result {
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected an HTTP refusal, but the handshake succeeded"),
    }
}

/// One WebSocket connection to the relay.
pub struct TestClient {
    pub(crate) ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The last `welcome` read by [`Self::recv_welcome`] (and so by `create`/`join`).
    pub(crate) last_welcome: Option<WelcomeMessage>,
    /// WebSocket pings from the relay seen so far (tungstenite answers them while reading).
    pub(crate) pings_seen: usize,
}

impl TestClient {
    /// Connects to `url`, panicking if the handshake fails.
    pub async fn connect(url: &str) -> Self {
        match Self::try_connect(url).await {
            Ok(client) => client,
            Err(err) => panic!("connecting to {url} failed: {err}"),
        }
    }

    /// Connects to `url`; a refused handshake is `Err(tungstenite::Error::Http(response))`.
    pub async fn try_connect(url: &str) -> Result<Self, tungstenite::Error> {
        Self::connect_with_headers(url, &[]).await
    }

    /// Connects with extra request headers (e.g. `("Origin", "https://chat.example")`).
    pub async fn connect_with_headers(
        url: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Self, tungstenite::Error> {
        let mut request = url.into_client_request()?;
        for &(header, value) in headers {
            let value = HeaderValue::from_str(value).expect("a valid header value");
            request.headers_mut().insert(header, value);
        }
        // Boxed: the handshake future is large, and every test awaits it inside others.
        let handshake = Box::pin(tokio_tungstenite::connect_async(request));
        let (ws, _response) = within("the WebSocket handshake", handshake).await?;
        Ok(Self {
            ws,
            last_welcome: None,
            pings_seen: 0,
        })
    }

    /// Connects over a socket whose kernel receive buffer is about `recv_buffer_bytes`, so
    /// that a client which stops reading backs up the relay's writes quickly (instead of
    /// after megabytes of loopback buffering).
    pub async fn connect_with_small_buffer(url: &str, recv_buffer_bytes: u32) -> Self {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .set_recv_buffer_size(recv_buffer_bytes)
            .expect("setting SO_RCVBUF");
        Self::connect_over(url, socket).await
    }

    /// Connects from the loopback address `from` (any of 127.0.0.0/8: Linux routes them
    /// all to `lo`), so the relay sees a client of its own address: for rules kept per
    /// address (removal bans, connections per IP) with many clients on one machine.
    pub async fn connect_from(url: &str, from: Ipv4Addr) -> Self {
        assert!(
            from.is_loopback(),
            "tests only talk from loopback, not {from}"
        );
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(SocketAddr::from((from, 0)))
            .unwrap_or_else(|err| panic!("binding {from}:0 failed: {err}"));
        Self::connect_over(url, socket).await
    }

    /// Connects from the loopback address `from` as a proxy would: `prelude` (a PROXY
    /// protocol header, or nothing) goes out first, then the WebSocket handshake with
    /// `headers` added (`X-Forwarded-For`, ...). A refused handshake is
    /// `Err(tungstenite::Error::Http(response))`.
    pub async fn connect_via(
        url: &str,
        from: Ipv4Addr,
        prelude: &[u8],
        headers: &[(&'static str, &str)],
    ) -> Result<Self, tungstenite::Error> {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(SocketAddr::from((from, 0)))
            .unwrap_or_else(|err| panic!("binding {from}:0 failed: {err}"));
        let mut request = url.into_client_request()?;
        for &(header, value) in headers {
            let value = HeaderValue::from_str(value).expect("a valid header value");
            request.headers_mut().append(header, value);
        }
        Self::try_connect_over(request, socket, prelude).await
    }

    /// TCP-connects `socket` to `url`'s address (`ws://ip:port/`) and does the WebSocket
    /// handshake over it.
    async fn connect_over(url: &str, socket: TcpSocket) -> Self {
        let request = url.into_client_request().expect("a ws:// URL");
        Self::try_connect_over(request, socket, &[])
            .await
            .expect("the WebSocket handshake")
    }

    /// TCP-connects `socket` to the request's address, writes `prelude`, and does the
    /// WebSocket handshake.
    async fn try_connect_over(
        request: tungstenite::handshake::client::Request,
        socket: TcpSocket,
        prelude: &[u8],
    ) -> Result<Self, tungstenite::Error> {
        let uri = request.uri();
        let addr: SocketAddr = format!(
            "{}:{}",
            uri.host().expect("a host"),
            uri.port_u16().expect("a port")
        )
        .parse()
        .expect("a ws://ip:port/ URL");
        let mut stream = within("TCP connect", socket.connect(addr))
            .await
            .expect("TCP connect");
        within("writing the prelude", stream.write_all(prelude))
            .await
            .expect("the relay's socket is open");
        let (ws, _response) = within(
            "the WebSocket handshake",
            Box::pin(tokio_tungstenite::client_async(
                request,
                MaybeTlsStream::Plain(stream),
            )),
        )
        .await?;
        Ok(Self {
            ws,
            last_welcome: None,
            pings_seen: 0,
        })
    }

    // ----- sending -----

    /// Sends one client message as a text frame.
    pub async fn send(&mut self, msg: &ClientMessage) {
        self.send_text(msg.to_json()).await;
    }

    /// Sends one client message, reporting failure (e.g. the relay already closed).
    pub async fn try_send(&mut self, msg: &ClientMessage) -> Result<(), tungstenite::Error> {
        self.try_send_frame(Message::text(msg.to_json())).await
    }

    /// Sends a raw text frame (for malformed or hand-written JSON).
    pub async fn send_text(&mut self, text: impl Into<String>) {
        let text = text.into();
        if let Err(err) = self.try_send_frame(Message::text(text.clone())).await {
            panic!("sending {text:?} failed: {err}");
        }
    }

    /// Sends a raw binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        if let Err(err) = self.try_send_frame(Message::binary(bytes)).await {
            panic!("sending a binary frame failed: {err}");
        }
    }

    /// Sends any frame, reporting failure.
    pub async fn try_send_frame(&mut self, frame: Message) -> Result<(), tungstenite::Error> {
        within("sending a frame", self.ws.send(frame)).await
    }

    /// Sends `create` as `who`.
    pub async fn send_create(&mut self, who: &str) {
        self.send(&ClientMessage::Create { name: name(who) }).await;
    }

    /// Sends a plain `join` (no resume token) as `who`.
    pub async fn send_join(&mut self, who: &str, room: &RoomCode) {
        let msg = ClientMessage::Join {
            name: name(who),
            room: room.clone(),
            resume_token: None,
            last_seq: None,
        };
        self.send(&msg).await;
    }

    /// Sends a `chat`.
    pub async fn chat(&mut self, client_id: ClientId, text: &str) {
        self.send(&ClientMessage::Chat {
            reply_to: None,
            client_id,
            text: text.to_owned(),
        })
        .await;
    }

    /// Sends a `whisper` to `to`.
    pub async fn whisper(&mut self, to: &str, client_id: ClientId, text: &str) {
        let msg = ClientMessage::Whisper {
            to: name(to),
            client_id,
            text: text.to_owned(),
        };
        self.send(&msg).await;
    }

    /// Sends `typing`.
    pub async fn typing(&mut self, active: bool) {
        self.send(&ClientMessage::Typing { active }).await;
    }

    /// Sends `leave`.
    pub async fn leave(&mut self) {
        self.send(&ClientMessage::Leave).await;
    }

    // ----- joining -----

    /// Creates a room as `who`; panics unless the answer is a `welcome`.
    pub async fn create(&mut self, who: &str) -> WelcomeMessage {
        self.send_create(who).await;
        self.recv_welcome(&format!("welcome after create as {who:?}"))
            .await
    }

    /// Joins `room` as `who`; panics unless the answer is a `welcome`.
    pub async fn join(&mut self, who: &str, room: &RoomCode) -> WelcomeMessage {
        self.send_join(who, room).await;
        self.recv_welcome(&format!("welcome after join {room} as {who:?}"))
            .await
    }

    /// Sends `join` with a resume token and `last_seq`; panics unless the answer is a
    /// `welcome`.
    pub async fn resume(
        &mut self,
        who: &str,
        room: &RoomCode,
        resume_token: &str,
        last_seq: Option<Seq>,
    ) -> WelcomeMessage {
        let msg = ClientMessage::Join {
            name: name(who),
            room: room.clone(),
            resume_token: Some(resume_token.to_owned()),
            last_seq,
        };
        self.send(&msg).await;
        self.recv_welcome(&format!("welcome after resuming as {who:?}"))
            .await
    }

    /// How many WebSocket pings the relay has sent this client (counted while reading).
    pub fn pings_seen(&self) -> usize {
        self.pings_seen
    }

    /// Closes politely (close frame, then waits for the relay's answer or the end).
    pub async fn close(mut self) {
        let _ = within("sending a close frame", self.ws.close(None)).await;
        let _ = tokio::time::timeout(STEP, async { while self.ws.next().await.is_some() {} }).await;
    }

    /// Drops the TCP connection without a close frame or `leave` (a crashed tab, a lost
    /// network). Spelled out so tests read as what they do.
    pub fn drop_connection(self) {
        drop(self);
    }
}
