//! [`RawClient`]: a WebSocket peer written byte by byte over a plain TCP socket, for the
//! tests that must send what a well-behaved library refuses to (bad UTF-8, reserved bits,
//! ping floods) and see exactly what the relay answers.
//!
//! Owns the raw frame layout (RFC 6455 section 5.2) on the test side, nothing else.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::within;

/// The fixed key of RFC 6455's example handshake; the relay's answer is not checked here.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// A frame as the relay sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// The opcode (1 text, 8 close, 9 ping, 10 pong, ...).
    pub opcode: u8,
    /// The unmasked payload.
    pub payload: Vec<u8>,
}

impl RawFrame {
    /// The close code of a close frame, if it carries one.
    pub fn close_code(&self) -> Option<u16> {
        (self.opcode == 8 && self.payload.len() >= 2)
            .then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }
}

/// A raw TCP connection to the relay.
pub struct RawClient {
    /// The socket, for tests that write or read bytes of their own.
    pub tcp: TcpStream,
}

impl RawClient {
    /// Connects over TCP without any handshake.
    pub async fn tcp(addr: SocketAddr) -> Self {
        let tcp = within("a TCP connect", TcpStream::connect(addr))
            .await
            .expect("the relay accepts TCP");
        Self { tcp }
    }

    /// Connects over TCP from the loopback address `from`, without any handshake.
    pub async fn tcp_from(addr: SocketAddr, from: std::net::Ipv4Addr) -> Self {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(SocketAddr::from((from, 0)))
            .unwrap_or_else(|err| panic!("binding {from}:0 failed: {err}"));
        let tcp = within("a TCP connect", socket.connect(addr))
            .await
            .expect("the relay accepts TCP");
        Self { tcp }
    }

    /// Connects with a small kernel receive buffer (so a peer that never reads fills it
    /// soon) and performs the WebSocket handshake.
    pub async fn upgraded_with_small_buffer(addr: SocketAddr, recv_buffer_bytes: u32) -> Self {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .set_recv_buffer_size(recv_buffer_bytes)
            .expect("setting SO_RCVBUF");
        let tcp = within("a TCP connect", socket.connect(addr))
            .await
            .expect("the relay accepts TCP");
        let mut client = Self { tcp };
        client.handshake().await;
        client
    }

    /// Connects and performs the WebSocket handshake.
    pub async fn upgraded(addr: SocketAddr) -> Self {
        let mut client = Self::tcp(addr).await;
        client.handshake().await;
        client
    }

    async fn handshake(&mut self) {
        let request = format!(
            "GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        self.write(request.as_bytes()).await;
        let head = self.read_http_head().await;
        assert!(
            head.starts_with("HTTP/1.1 101"),
            "expected 101 Switching Protocols, got {head:?}"
        );
    }

    /// Writes bytes as they are.
    pub async fn write(&mut self, bytes: &[u8]) {
        within("writing to the relay", self.tcp.write_all(bytes))
            .await
            .expect("the relay's socket is open");
    }

    /// Reads an HTTP response head (up to the blank line), byte by byte so nothing after
    /// it is consumed.
    pub async fn read_http_head(&mut self) -> String {
        let mut head = Vec::new();
        within("an HTTP response head", async {
            while !head.ends_with(b"\r\n\r\n") {
                match self.tcp.read_u8().await {
                    Ok(byte) => head.push(byte),
                    Err(_) => break,
                }
            }
        })
        .await;
        String::from_utf8_lossy(&head).into_owned()
    }

    /// Sends one masked client frame. `first_byte` holds FIN, the reserved bits and the
    /// opcode, so a test can set whatever bits it likes.
    pub async fn send_frame(&mut self, first_byte: u8, payload: &[u8]) {
        self.write(&encode(first_byte, payload)).await;
    }

    /// Reads one frame from the relay, or `None` when the connection ends first.
    pub async fn read_frame(&mut self) -> Option<RawFrame> {
        within("a frame from the relay", async {
            let mut header = [0u8; 2];
            self.tcp.read_exact(&mut header).await.ok()?;
            let len = match header[1] & 0x7f {
                126 => u64::from(self.tcp.read_u16().await.ok()?),
                127 => self.tcp.read_u64().await.ok()?,
                short => u64::from(short),
            };
            let mut payload = vec![0u8; usize::try_from(len).ok()?];
            self.tcp.read_exact(&mut payload).await.ok()?;
            Some(RawFrame {
                opcode: header[0] & 0x0f,
                payload,
            })
        })
        .await
    }

    /// Reads frames until a close frame, skipping others; `None` if the connection ends
    /// without one.
    pub async fn read_close(&mut self) -> Option<RawFrame> {
        loop {
            let frame = self.read_frame().await?;
            if frame.opcode == 8 {
                return Some(frame);
            }
        }
    }
}

/// Encodes a masked client frame with the given first byte.
pub fn encode(first_byte: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![first_byte];
    match payload.len() {
        len @ 0..=125 => frame.push(0x80 | u8::try_from(len).unwrap_or(125)),
        len @ 126..=0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
        }
        len => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    frame
}
