//! The accept loop: connection limits, one task per connection, a janitor for expired
//! rooms, and graceful shutdown that waits for every connection to close.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};

use crate::Config;
use crate::guards::{AcceptErrors, ConnectionsPerIp};
use crate::handler;
use crate::metrics_endpoint;
use crate::shared::Shared;

/// How long shutdown waits for connections to say goodbye before returning anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// How often the janitor looks for expired rooms and reservations.
const SWEEP_EVERY: Duration = Duration::from_millis(250);

/// Runs the relay on `listener` until `shutdown` resolves, then closes every connection
/// with 1001 and returns once they are gone (or after a few seconds).
///
/// Errors only if accepting fails in a way that retrying cannot fix.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    run_with_metrics(listener, None, config, shutdown).await
}

/// [`run`], and `GET /metrics` (Prometheus text) on `metrics_listener` when there is one.
pub async fn run_with_metrics(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let shared = Arc::new(Shared::start(config).await?);
    // Aborted on return: the endpoint lives exactly as long as the relay.
    let metrics_task = metrics_listener.map(|listener| {
        let metrics = Arc::clone(&shared.metrics);
        AbortOnDrop(tokio::spawn(metrics_endpoint::serve(listener, metrics)))
    });
    // Every connection task holds a receiver; sending `true` tells them all to close.
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    // Every connection task holds a sender; when all are dropped, every task has finished.
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    let janitor = tokio::spawn(sweep_forever(Arc::clone(&shared)));
    tokio::select! {
        result = accept_loop(&listener, &shared, &shutdown_rx, &done_tx) => {
            janitor.abort();
            result?;
        }
        () = shutdown => tracing::info!("shutting down"),
    }
    janitor.abort();
    let _ = shutdown_tx.send(true);
    drop(done_tx);
    if tokio::time::timeout(SHUTDOWN_GRACE, done_rx.recv())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not close in time");
    }
    if let Some(cluster) = shared.rooms.cluster() {
        cluster.stop().await;
    }
    drop(metrics_task);
    Ok(())
}

/// Aborts a background task when dropped, whichever way its owner returns.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Accepts connections forever, a permit from the connection limit taken *before* each
/// accept, so at the limit new peers wait in the OS backlog instead of costing memory.
async fn accept_loop(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    shutdown_rx: &watch::Receiver<bool>,
    done_tx: &mpsc::Sender<()>,
) -> std::io::Result<()> {
    let limit = Arc::new(Semaphore::new(shared.config.max_connections));
    let per_ip = ConnectionsPerIp::new(shared.config.max_connections_per_ip);
    let next_id = AtomicU64::new(1);
    let mut accept_errors = AcceptErrors::new();
    loop {
        let permit = Arc::clone(&limit)
            .acquire_owned()
            .await
            .map_err(std::io::Error::other)?;
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                // Usually out of file descriptors: back off instead of spinning.
                accept_errors.log(&err);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let ip_slot = per_ip.try_take(peer.ip());
        let conn = next_id.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::clone(shared);
        let shutdown_rx = shutdown_rx.clone();
        let done_tx = done_tx.clone();
        tokio::spawn(async move {
            let open = shared.metrics.connections_open.clone();
            open.inc();
            handler::serve(stream, peer, conn, ip_slot, shared, shutdown_rx).await;
            open.dec();
            drop(permit);
            drop(done_tx);
        });
    }
}

async fn sweep_forever(shared: Arc<Shared>) {
    let mut ticks = tokio::time::interval(SWEEP_EVERY);
    loop {
        ticks.tick().await;
        let now = std::time::Instant::now();
        shared.rooms.sweep(now);
        shared.failed_joins.sweep(now);
    }
}
