//! `confab-server`: runs the Confab relay until SIGINT or SIGTERM.

use std::net::SocketAddr;

use clap::Parser;
use confab_server::Config;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Confab's WebSocket relay: rooms, presence and chat in memory, nothing on disk.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on (port 0 picks a free port; the log says which).
    #[arg(long, env = "CONFAB_BIND", default_value = "127.0.0.1:9001")]
    bind: SocketAddr,

    #[command(flatten)]
    config: Config,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let listener = TcpListener::bind(cli.bind).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening on ws://{addr}");
    confab_server::run(listener, cli.config, shutdown_signal()).await
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
