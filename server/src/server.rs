//! The accept loop: connection limits, one task per connection, a janitor for expired
//! rooms, and graceful shutdown that drains (still answering, with 503) while it waits for
//! every connection to close. Also reads what the front door needs at start (the web
//! bundle, TLS files) and says where the relay listens.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

use crate::Config;
use crate::connection::Connection;
use crate::front::{self, Door};
use crate::guards::{AcceptErrors, ConnectionsPerIp, Lease};
use crate::handler::Peer;
use crate::metrics_endpoint;
use crate::proxy::TrustedProxies;
use crate::rooms::RoomStore;
use crate::shared::Shared;
use crate::tls;
use crate::web::{self, Bundle, Site};

/// How long shutdown waits for connections to say goodbye before returning anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// How often the janitor looks for expired rooms and reservations.
const SWEEP_EVERY: Duration = Duration::from_millis(250);

/// Connections the OS may queue for the relay before it accepts them (the `listen(2)`
/// backlog; the kernel caps it at `net.core.somaxconn`). tokio's `TcpListener::bind`
/// asks for 128 here, which a few hundred people joining at once overflow: the kernel
/// then drops their SYNs and each waits a full second to retry (measured: 14 of 1,000
/// joins at 256 at a time, and the room took 1.26 s to fill instead of 0.3 s).
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds the relay's listener on `addr` with [`LISTEN_BACKLOG`].
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As `TcpListener::bind` does: a restarted relay can listen while old sockets linger.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Runs the relay on `listener` until `shutdown` resolves, then drains: `/healthz` answers
/// 503, new WebSocket upgrades get 503, every connection is closed with 1001, and it
/// returns once they are gone (or after a few seconds).
///
/// Errors if the web bundle or the TLS files in `config` cannot be read, or if accepting
/// fails in a way that retrying cannot fix.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    run_with_metrics(listener, None, config, shutdown).await
}

/// [`run`], and `GET /metrics` (Prometheus text) on `metrics_listener` when there is one;
/// without one, `/metrics` is served on the main port.
pub async fn run_with_metrics(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    match config.redis.clone() {
        None => {
            let shared = Arc::new(Shared::new(config));
            serve::<Connection<_>>(listener, metrics_listener, shared, shutdown).await
        }
        Some(url) => {
            let shared = Arc::new(Shared::cluster(config, &url).await?);
            serve::<Connection<_>>(listener, metrics_listener, shared, shutdown).await
        }
    }
}

/// [`run_with_metrics`] with the relay's state made: one build of the accept loop, the
/// connection tasks and the janitor per room store (and per [`Peer`]: the chat connection,
/// or in conformance runs the echo), so none of them dispatches at run time.
pub(crate) async fn serve<P: Peer>(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shared: Arc<Shared<P::Store>>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let metrics_here = metrics_listener.is_none();
    let door = Arc::new(door_for(&shared, metrics_here)?);
    announce(&listener, &door)?;
    // Aborted on return: the endpoint lives exactly as long as the relay.
    let metrics_task = metrics_listener.map(|listener| {
        let metrics = Arc::clone(&shared.metrics);
        AbortOnDrop(tokio::spawn(metrics_endpoint::serve(listener, metrics)))
    });
    let janitor = AbortOnDrop(tokio::spawn(sweep_forever(Arc::clone(&shared))));
    // Every connection task holds a receiver; sending `true` tells them all to close.
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    // Every connection task holds a sender; when all are dropped, every task has finished.
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    let mut acceptor = Acceptor::new(&shared.config);
    let spawn = |accepted: Accepted, done_tx: Option<mpsc::Sender<()>>| {
        let open = shared.metrics.connections_open.clone();
        let lease = Lease::new(accepted.permit, open, done_tx);
        // The connection's future is spawned as it is, not inside another block: a block
        // around it would keep a second copy of its arguments for the connection's life.
        tokio::spawn(front::serve::<P>(
            accepted.stream,
            accepted.peer,
            accepted.conn,
            lease,
            Arc::clone(&shared),
            Arc::clone(&door),
            shutdown_rx.clone(),
        ));
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = acceptor.accept(&listener) => spawn(accepted?, Some(done_tx.clone())),
        }
    }
    tracing::info!("shutting down");
    let _ = shutdown_tx.send(true);
    drop(done_tx);
    // Draining: still accepting, so a load balancer's health check sees 503 rather than a
    // refused connection, and a reconnecting client gets a 503 it can back off from. These
    // late connections are not waited for: each gets one answer and closes.
    let deadline = tokio::time::sleep(SHUTDOWN_GRACE);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            biased;
            _ = done_rx.recv() => break,
            () = &mut deadline => {
                tracing::warn!("some connections did not close in time");
                break;
            }
            accepted = acceptor.accept(&listener) => spawn(accepted?, None),
        }
    }
    shared.rooms.stop().await;
    drop(janitor);
    drop(metrics_task);
    Ok(())
}

/// The front door `config` asks for: the web bundle, TLS, the public page address, and
/// `/metrics` on the main port when `metrics_here`.
fn door_for<S: RoomStore>(shared: &Arc<Shared<S>>, metrics_here: bool) -> std::io::Result<Door<S>> {
    let config = &shared.config;
    let bundle = match &config.web_dir {
        Some(dir) => {
            let bundle = Bundle::load(dir).map_err(|err| {
                std::io::Error::new(err.kind(), format!("web bundle {}: {err}", dir.display()))
            })?;
            tracing::info!(dir = %dir.display(), files = bundle.file_count(), "serving the web client");
            Some(bundle)
        }
        None => web::embedded(),
    };
    if bundle.as_ref().is_some_and(|b| !b.has_index()) {
        tracing::warn!("the web bundle has no index.html: GET / will be 404");
    }
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        (None, None) => None,
        _ => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "TLS needs both a certificate and a key",
            ));
        }
    };
    let site = Site {
        bundle,
        metrics: metrics_here.then(|| Arc::clone(&shared.metrics)),
        shared: Some(Arc::clone(shared)),
    };
    Ok(Door {
        tls,
        site: Arc::new(site),
        public_url: config.public_url.clone(),
        trusted_proxies: TrustedProxies::new(&config.trusted_proxies),
        per_ip: ConnectionsPerIp::new(config.max_connections_per_ip),
    })
}

/// Logs where the relay listens and, when it serves the page, the address to open.
fn announce<S: RoomStore>(listener: &TcpListener, door: &Door<S>) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let (ws, http) = if door.tls.is_some() {
        ("wss", "https")
    } else {
        ("ws", "http")
    };
    tracing::info!(%addr, "listening on {ws}://{addr}");
    if door.site.bundle.is_some() {
        let url = door.public_url.clone().unwrap_or_else(|| {
            // A wildcard address is not one a browser can open; loopback always is.
            let mut local = addr;
            if local.ip().is_unspecified() {
                local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("{http}://{local}/")
        });
        tracing::info!("open {url} in a browser");
    }
    Ok(())
}

/// Aborts a background task when dropped, whichever way its owner returns.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One accepted connection, with what it holds of the relay's limits.
struct Accepted {
    stream: TcpStream,
    peer: SocketAddr,
    conn: u64,
    permit: OwnedSemaphorePermit,
}

/// Accepts connections, a permit from the connection limit taken *before* each accept, so
/// at the limit new peers wait in the OS backlog instead of costing memory.
struct Acceptor {
    limit: Arc<Semaphore>,
    next_id: u64,
    errors: AcceptErrors,
}

impl Acceptor {
    fn new(config: &Config) -> Self {
        Self {
            limit: Arc::new(Semaphore::new(config.max_connections)),
            next_id: 1,
            errors: AcceptErrors::new(),
        }
    }

    /// The next connection. Cancel-safe: a permit taken for an accept that is dropped
    /// unfinished is given back.
    async fn accept(&mut self, listener: &TcpListener) -> std::io::Result<Accepted> {
        let permit = Arc::clone(&self.limit)
            .acquire_owned()
            .await
            .map_err(std::io::Error::other)?;
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let conn = self.next_id;
                    self.next_id += 1;
                    return Ok(Accepted {
                        stream,
                        peer,
                        conn,
                        permit,
                    });
                }
                Err(err) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    self.errors.log(&err);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

async fn sweep_forever<S: RoomStore>(shared: Arc<Shared<S>>) {
    let mut ticks = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticks.tick().await;
        let now = std::time::Instant::now();
        shared.rooms.sweep(now);
        shared.failed_joins.sweep(now);
    }
}
