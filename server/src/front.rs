//! The front door of every connection: a trusted proxy's PROXY header (when the peer is
//! one), TLS (when configured), then the first request head, all under the handshake
//! timeout; by then it knows who the client is. A WebSocket upgrade goes on to `handler`; any other
//! request (the page, `/healthz`, `/metrics`) to `web`; a refusal is counted by reason.
//!
//! It decides where a connection goes and nothing more: no frames, no files.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::Role;
use tracing::Instrument;

use crate::guards::{ConnectionsPerIp, IpSlot, Lease};
use crate::handler::{self, Peer, Socket};
use crate::proxy::{self, ProxyHeaderError, TrustedProxies};
use crate::rooms::RoomStore;
use crate::shared::Shared;
use crate::stream::{Counted, Stream};
use crate::upgrade::{Head, Policy, UpgradeError, upgrade};
use crate::web::{self, Site, page_url};

/// How the relay meets its connections: the parts of the front door that are the same for
/// every one of them.
pub struct Door<S> {
    /// Set for `https://` and `wss://`.
    pub tls: Option<TlsAcceptor>,
    /// The page, health and metrics answers.
    pub site: Arc<Site<S>>,
    /// `--public-url`: the page address announced in `welcome.page_url`, instead of one
    /// made from each request's `Host` header.
    pub public_url: Option<String>,
    /// `--trusted-proxy`: the peers that may name the client.
    pub trusted_proxies: TrustedProxies,
    /// Open connections per client address.
    pub per_ip: Arc<ConnectionsPerIp>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Door<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Door")
            .field("tls", &self.tls.is_some())
            .field("site", &self.site)
            .field("public_url", &self.public_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

/// What a connection turned out to be once its handshakes are done, each with the client's
/// slot under the per-address connection limit.
enum Opened {
    /// An upgraded WebSocket, with the page address to announce to it.
    Socket(Box<Socket>, Option<Arc<str>>, IpSlot),
    /// An HTTP request, with every byte read so far. Boxed: the stream is 64 bytes, and a
    /// WebSocket connection's task would keep room for it (and the head) all its life.
    Http(Box<(Stream, Vec<u8>)>, IpSlot),
}

/// Serves one TCP connection from accept to close, and then drops its `lease`. A client
/// whose address is over its connection limit has its request refused with HTTP 429.
///
/// The connection's span (its peer and id, prefixed to every line it logs) is a `debug`
/// span: at the default `info` level it is off, because a live span costs about 450 B per
/// connection for its life (BENCHMARKS.md, "Idle memory per connection"), a tenth of an
/// idle connection. `RUST_LOG=confab_server=debug` turns it on. It is attached by hand
/// rather than with `#[instrument]`, which would keep a second copy of the arguments.
///
/// A WebSocket is served by a `P`: the chat connection, or in conformance runs the echo.
pub fn serve<P: Peer>(
    tcp: TcpStream,
    peer: SocketAddr,
    conn: u64,
    lease: Lease,
    shared: Arc<Shared<P::Store>>,
    door: Arc<Door<P::Store>>,
    shutdown: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    let span =
        tracing::debug_span!("conn", peer = %peer, id = conn, client = tracing::field::Empty);
    // Made here, not in the block: the block then keeps the box (8 bytes) for its life
    // rather than room for the TCP stream it has long since handed on.
    let handshaking = Box::pin(handshakes(
        tcp,
        peer,
        Arc::clone(&shared),
        Arc::clone(&door),
        *shutdown.borrow(),
    ));
    async move {
        // Each box is unpacked by `unbox`, so that its memory is freed before the
        // connection is served rather than kept (empty) until it ends.
        match handshaking.await {
            // One future for every WebSocket, page or not: a second arm would give every
            // connection's task room for a second copy of the handler's state.
            Some(Opened::Socket(socket, url, client)) => {
                let ip = client.ip();
                if ip != peer.ip() {
                    tracing::Span::current().record("client", tracing::field::display(ip));
                }
                let connection = handler::serve::<P>(unbox(socket), ip, conn, shared, shutdown);
                page_url::scope(url, connection).await;
                drop(client);
            }
            Some(Opened::Http(request, client)) => {
                let (stream, head) = unbox(request);
                let site = Arc::clone(&door.site);
                let head_timeout = shared.config.handshake_timeout;
                // Boxed: hyper's connection state is several KiB, and held inline it would
                // make every connection's task (WebSockets too) that large.
                Box::pin(web::serve(stream, head, site, head_timeout, shutdown)).await;
                drop(client);
            }
            None => {}
        }
        drop(lease);
    }
    .instrument(span)
}

/// The value out of its box, the box freed.
#[expect(
    clippy::boxed_local,
    reason = "freeing the box here is the point: see `serve`"
)]
fn unbox<T>(boxed: Box<T>) -> T {
    *boxed
}

/// The handshakes under the handshake timeout; `None` (counted by reason) if they failed.
async fn handshakes<S: RoomStore>(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared<S>>,
    door: Arc<Door<S>>,
    draining: bool,
) -> Option<Opened> {
    let door = &*door;
    let config = &shared.config;
    let metrics = &shared.metrics;
    let policy = Policy {
        client: peer.ip(),
        forwarded_by: None,
        per_ip: &door.per_ip,
        allowed_origins: &config.allowed_origins,
        draining,
    };
    let opening = async {
        let (tcp, policy) = proxied(tcp, door, policy).await?;
        let counted = Counted::new(tcp, metrics.bytes_in.clone(), metrics.bytes_out.clone());
        open(counted, door, policy, config).await
    };
    match timeout(config.handshake_timeout, opening).await {
        Ok(Ok(opened)) => Some(opened),
        Ok(Err(Failure::Proxy(err))) => {
            tracing::debug!(%err, "PROXY header refused");
            metrics.refused("proxy_header");
            None
        }
        Ok(Err(Failure::Tls(err))) => {
            tracing::debug!(%err, "TLS handshake failed");
            metrics.refused("tls");
            None
        }
        Ok(Err(Failure::Upgrade(err))) => {
            tracing::debug!(%err, "handshake failed");
            if let UpgradeError::Refused(status) = err {
                metrics.refused(reason_of(status));
            }
            None
        }
        Err(_) => {
            tracing::debug!("handshake timed out");
            metrics.refused("timeout");
            None
        }
    }
}

/// Why a connection did not open.
enum Failure {
    Proxy(ProxyHeaderError),
    Tls(std::io::Error),
    Upgrade(UpgradeError),
}

/// A trusted proxy's PROXY header, if the peer is one and sent one: the client it names
/// goes into `policy`. A trusted peer without one may name the client in the request head.
async fn proxied<'a, S>(
    mut tcp: TcpStream,
    door: &'a Door<S>,
    mut policy: Policy<'a>,
) -> Result<(TcpStream, Policy<'a>), Failure> {
    if !door.trusted_proxies.trusts(policy.client) {
        return Ok((tcp, policy));
    }
    match proxy::read_header(&mut tcp).await.map_err(Failure::Proxy)? {
        Some(header) => {
            if let Some(client) = header.client {
                policy.client = client;
            }
        }
        None => policy.forwarded_by = Some(&door.trusted_proxies),
    }
    Ok((tcp, policy))
}

/// The TLS handshake (if any) and the first request head.
async fn open<S: RoomStore>(
    tcp: Counted,
    door: &Door<S>,
    policy: Policy<'_>,
    config: &crate::Config,
) -> Result<Opened, Failure> {
    let mut stream = match &door.tls {
        Some(tls) => Stream::Tls(Box::new(tls.accept(tcp).await.map_err(Failure::Tls)?)),
        None => Stream::Plain(tcp),
    };
    match upgrade(&mut stream, policy)
        .await
        .map_err(Failure::Upgrade)?
    {
        Head::Other(head, client) => Ok(Opened::Http(Box::new((stream, head)), client)),
        Head::Upgraded(upgraded) => {
            let serves_page = door.site.bundle.is_some() || door.public_url.is_some();
            let url = serves_page
                .then(|| {
                    page_url::for_request(
                        door.public_url.as_deref(),
                        upgraded.host.as_deref(),
                        door.tls.is_some(),
                    )
                })
                .flatten();
            let ws_config = handler::ws_config(config);
            let socket = WebSocketStream::from_partially_read(
                stream,
                upgraded.rest,
                Role::Server,
                Some(ws_config),
            )
            .await;
            Ok(Opened::Socket(Box::new(socket), url, upgraded.client))
        }
    }
}

/// The `confab_handshakes_refused_total` reason for an HTTP refusal status.
fn reason_of(status: u16) -> &'static str {
    match status {
        403 => "origin",
        426 => "upgrade_required",
        429 => "per_ip_limit",
        431 => "head_too_large",
        503 => "draining",
        _ => "bad_request",
    }
}
