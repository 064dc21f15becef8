//! `confab-server`: runs the Confab relay until SIGINT or SIGTERM.

use std::net::SocketAddr;

use clap::Parser;
use confab_server::Config;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Confab's WebSocket relay: rooms, presence and chat in memory, nothing on disk.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    after_help = "Logging: RUST_LOG=info (the default) logs no room codes and no names: a room \
                  appears as an 8-digit hex tag, stable for the relay's life. RUST_LOG=debug \
                  adds codes and names (confab_server=debug for the relay alone)."
)]
struct Cli {
    /// Address to listen on (port 0 picks a free port; the log says which).
    #[arg(long, env = "CONFAB_BIND", default_value = "127.0.0.1:9001")]
    bind: SocketAddr,

    /// Also serve Prometheus metrics at `http://ADDR/metrics` (bind it to a private or
    /// loopback address: it is not meant to be public). Off by default.
    #[arg(long, env = "CONFAB_METRICS_BIND")]
    metrics_bind: Option<SocketAddr>,

    /// Worker threads of the async runtime (default: one per core). Rooms do not wait for
    /// each other, so deliveries per second grow with this up to the core count.
    #[arg(long, env = "CONFAB_WORKER_THREADS")]
    worker_threads: Option<usize>,

    #[command(flatten)]
    config: Config,
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = cli.worker_threads {
        runtime.worker_threads(threads.max(1));
    }
    runtime.enable_all().build()?.block_on(serve(cli))
}

/// Binds and runs the relay until a shutdown signal.
async fn serve(cli: Cli) -> std::io::Result<()> {
    let listener = confab_server::bind(cli.bind)?;
    let metrics_listener = match cli.metrics_bind {
        Some(addr) => {
            let listener = TcpListener::bind(addr).await?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, "metrics at http://{addr}/metrics");
            Some(listener)
        }
        None => None,
    };
    confab_server::run_with_metrics(listener, metrics_listener, cli.config, shutdown_signal()).await
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
