//! The HTTP side of the WebSocket handshake (RFC 6455 section 4.2): reads the first request
//! head (bounded), and answers a WebSocket upgrade with either `101 Switching Protocols` or
//! an HTTP refusal with a short text body, so a bad upgrade never gets an empty reply. Any
//! other request (a page, `/healthz`) is handed back unanswered, for `web` to serve.
//!
//! It also settles who the client is (the peer, or whom a trusted proxy's `Forwarded` or
//! `X-Forwarded-For` names) and takes the client's slot under the per-address connection
//! limit, so every request is counted against the person making it.
//!
//! Parsing is `httparse`'s; this module only decides. It knows nothing of rooms or frames:
//! `front` turns an accepted upgrade into a WebSocket stream.

use std::net::IpAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use crate::guards::{ConnectionsPerIp, IpSlot};
use crate::proxy::{self, TrustedProxies};

/// The one subprotocol the relay speaks. A client may ask for it in
/// `Sec-WebSocket-Protocol`; the relay then echoes it. Asking only for others is refused.
pub const SUBPROTOCOL: &str = "confab.v1";

/// Largest request head the relay reads, in bytes. A longer one is refused with HTTP 431.
/// Browsers send well under 2 KiB; the buffer is fixed, never sized by what the peer claims.
pub const MAX_REQUEST_HEAD_BYTES: usize = 8 * 1024;

/// Most header lines parsed; more is treated like an oversized head (431).
const MAX_HEADERS: usize = 48;

/// Who the request comes from, and what the caller may still refuse after the request
/// itself was found well-formed.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// The client's address as far as the connection shows: the peer's, or the one a
    /// trusted proxy's PROXY header named.
    pub client: IpAddr,
    /// Set when the peer is a trusted proxy that sent no PROXY header: the request's
    /// `Forwarded` or `X-Forwarded-For` then names the client.
    pub forwarded_by: Option<&'a TrustedProxies>,
    /// Open connections per client address (over the limit: 429).
    pub per_ip: &'a Arc<ConnectionsPerIp>,
    /// Allowed `Origin` values; empty allows any (else 403).
    pub allowed_origins: &'a [String],
    /// Whether the relay is shutting down: upgrades are then refused with 503.
    pub draining: bool,
}

/// What the first request head turned out to be.
#[derive(Debug)]
pub enum Head {
    /// A WebSocket upgrade, answered with 101.
    Upgraded(Upgraded),
    /// Any other request, unanswered: every byte read so far (the head and perhaps more),
    /// for an HTTP server to read again, and the client's connection slot.
    Other(Vec<u8>, IpSlot),
}

/// An accepted upgrade: the bytes the peer sent after its request head (frames it did not
/// wait to send), to hand to the WebSocket layer.
#[derive(Debug)]
pub struct Upgraded {
    /// Bytes read past the request head.
    pub rest: Vec<u8>,
    /// The request's `Host` header, when it is a plain `host[:port]` (for `welcome.page_url`).
    pub host: Option<String>,
    /// The client's place under `--max-connections-per-ip`, naming its address.
    pub client: IpSlot,
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

/// Reads the first request head on `stream` and answers it if it is a WebSocket upgrade
/// (or comes from a client over its connection limit: 429 whatever it asks).
pub async fn upgrade<S>(stream: &mut S, policy: Policy<'_>) -> Result<Head, UpgradeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
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
            Ok(httparse::Status::Complete(head_len)) => {
                let client = policy
                    .forwarded_by
                    .and_then(|trusted| proxy::forwarded_client(request.headers, trusted))
                    .unwrap_or(policy.client);
                let slot = policy.per_ip.try_take(client);
                match (slot, wants_websocket(&request)) {
                    (Some(slot), false) => {
                        buf.truncate(filled);
                        return Ok(Head::Other(buf, slot));
                    }
                    (Some(slot), true) => match decide(&request, policy) {
                        Ok(accept) => {
                            stream.write_all(accept.as_bytes()).await?;
                            return Ok(Head::Upgraded(Upgraded {
                                rest: buf[head_len..filled].to_vec(),
                                host: host_of(&request),
                                client: slot,
                            }));
                        }
                        Err(refusal) => refusal,
                    },
                    (None, _) => Refusal {
                        status: 429,
                        text: "too many connections from your address",
                        extra: "",
                    },
                }
            }
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
            503 => "Service Unavailable",
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

/// The values of every header called `name`, that are text.
fn header<'r>(
    request: &'r httparse::Request<'_, '_>,
    name: &'static str,
) -> impl Iterator<Item = &'r str> {
    request
        .headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .filter_map(|h| std::str::from_utf8(h.value).ok())
}

/// Whether a header called `name` lists `token` (comma-separated, any case).
fn has_token(request: &httparse::Request<'_, '_>, name: &'static str, token: &str) -> bool {
    header(request, name).any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

/// Whether the request asks for a WebSocket at all (`Upgrade: websocket`); any other
/// request is an ordinary HTTP request for `web`.
fn wants_websocket(request: &httparse::Request<'_, '_>) -> bool {
    has_token(request, "upgrade", "websocket")
}

/// The `Host` header, if it is a plain `host[:port]` (letters, digits, `.-:[]`, at most 255
/// bytes), so it can be put in a URL as it is.
fn host_of(request: &httparse::Request<'_, '_>) -> Option<String> {
    let host = header(request, "host").next()?.trim();
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    plain.then(|| host.to_owned())
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
    let header = |name: &'static str| header(request, name);
    if !has_token(request, "connection", "upgrade") {
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
    if policy.draining {
        return Err(refuse(503, "the relay is shutting down; try again shortly"));
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
