//! The HTTP side of the WebSocket handshake (RFC 6455 section 4.2): reads the request head
//! (bounded), checks it, and answers either `101 Switching Protocols` or an HTTP refusal
//! with a short text body, so a bad upgrade never gets an empty reply.
//!
//! Parsing is `httparse`'s; this module only decides. It knows nothing of rooms or frames:
//! the handler turns an accepted upgrade into a WebSocket stream.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// The one subprotocol the relay speaks. A client may ask for it in
/// `Sec-WebSocket-Protocol`; the relay then echoes it. Asking only for others is refused.
pub const SUBPROTOCOL: &str = "confab.v1";

/// Largest request head the relay reads, in bytes. A longer one is refused with HTTP 431.
/// Browsers send well under 2 KiB; the buffer is fixed, never sized by what the peer claims.
pub const MAX_REQUEST_HEAD_BYTES: usize = 8 * 1024;

/// Most header lines parsed; more is treated like an oversized head (431).
const MAX_HEADERS: usize = 48;

/// What the caller may still refuse after the request itself was found well-formed.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// Whether the peer's address is within its connection limit (else 429).
    pub within_ip_limit: bool,
    /// Allowed `Origin` values; empty allows any (else 403).
    pub allowed_origins: &'a [String],
}

/// An accepted upgrade: the bytes the peer sent after its request head (frames it did not
/// wait to send), to hand to the WebSocket layer.
#[derive(Debug)]
pub struct Upgraded {
    /// Bytes read past the request head.
    pub rest: Vec<u8>,
}

/// Why the upgrade did not happen.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    /// The relay answered with this HTTP status and closed.
    #[error("refused with HTTP {0}")]
    Refused(u16),
    /// The peer went away or the socket failed.
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads and answers the upgrade request on `stream`.
pub async fn upgrade(stream: &mut TcpStream, policy: Policy<'_>) -> Result<Upgraded, UpgradeError> {
    let mut buf = vec![0u8; MAX_REQUEST_HEAD_BYTES];
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        filled += n;
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        let verdict = match request.parse(&buf[..filled]) {
            Ok(httparse::Status::Complete(head_len)) => match decide(&request, policy) {
                Ok(accept) => {
                    stream.write_all(accept.as_bytes()).await?;
                    return Ok(Upgraded {
                        rest: buf[head_len..filled].to_vec(),
                    });
                }
                Err(refusal) => refusal,
            },
            Ok(httparse::Status::Partial) if filled < buf.len() => continue,
            Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => Refusal {
                status: 431,
                text: "request header fields too large",
                extra: "",
            },
            Err(_) => Refusal {
                status: 400,
                text: "not an HTTP request",
                extra: "",
            },
        };
        stream.write_all(verdict.response().as_bytes()).await?;
        let _ = stream.shutdown().await;
        return Err(UpgradeError::Refused(verdict.status));
    }
}

/// An HTTP refusal: status, a one-line body, and extra header lines (each ending CRLF).
#[derive(Debug)]
struct Refusal {
    status: u16,
    text: &'static str,
    extra: &'static str,
}

impl Refusal {
    fn response(&self) -> String {
        let reason = match self.status {
            400 => "Bad Request",
            403 => "Forbidden",
            426 => "Upgrade Required",
            429 => "Too Many Requests",
            431 => "Request Header Fields Too Large",
            _ => "Error",
        };
        format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n{}\r\n{}\n",
            self.status,
            self.text.len() + 1,
            self.extra,
            self.text
        )
    }
}

/// Checks a complete request head; `Ok` is the 101 response to send.
fn decide(request: &httparse::Request<'_, '_>, policy: Policy<'_>) -> Result<String, Refusal> {
    let refuse = |status, text| Refusal {
        status,
        text,
        extra: "",
    };
    if request.method != Some("GET") {
        return Err(refuse(
            400,
            "this is a WebSocket relay: send a GET upgrade request",
        ));
    }
    let header = |name: &'static str| {
        request
            .headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .filter_map(|h| std::str::from_utf8(h.value).ok())
    };
    let has_token = |name: &'static str, token: &str| {
        header(name).any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    if !has_token("upgrade", "websocket") || !has_token("connection", "upgrade") {
        return Err(Refusal {
            status: 426,
            text: "this is a WebSocket relay: upgrade to websocket",
            extra: "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n",
        });
    }
    if !header("sec-websocket-version").any(|v| v.trim() == "13") {
        return Err(Refusal {
            status: 426,
            text: "only WebSocket version 13 is supported",
            extra: "Sec-WebSocket-Version: 13\r\n",
        });
    }
    let Some(key) = header("sec-websocket-key").next() else {
        return Err(refuse(400, "missing Sec-WebSocket-Key"));
    };
    if !policy.within_ip_limit {
        return Err(refuse(429, "too many connections from your address"));
    }
    if !policy.allowed_origins.is_empty() {
        let origin = header("origin").next().unwrap_or("");
        if !policy
            .allowed_origins
            .iter()
            .any(|allowed| allowed == origin)
        {
            return Err(refuse(403, "origin not allowed"));
        }
    }
    let asked: Vec<&str> = header("sec-websocket-protocol")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let echo = if asked.is_empty() {
        ""
    } else if asked.contains(&SUBPROTOCOL) {
        "Sec-WebSocket-Protocol: confab.v1\r\n"
    } else {
        return Err(refuse(
            400,
            "unsupported subprotocol: this relay speaks confab.v1",
        ));
    };
    Ok(format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{echo}\r\n",
        derive_accept_key(key.trim().as_bytes())
    ))
}
