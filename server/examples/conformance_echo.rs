//! The conformance echo relay (feature `conformance`): the relay with connections that echo
//! every frame back, for Autobahn|Testsuite. `scripts/autobahn.sh` runs it; see
//! `docs/conformance.md`.
//!
//! ```sh
//! cargo run -p confab-server --features conformance --example conformance_echo -- --bind 127.0.0.1:0
//! ```
//!
//! Prints `listening on ws://ADDR` (`wss://` with `--tls-cert`) on stdout once it accepts connections, and serves until
//! SIGINT or SIGTERM. Every relay flag (`--help`) applies: the limits are the relay's own.

use std::io::Write;
use std::net::SocketAddr;

use clap::Parser;
use confab_server::Config;
use tracing_subscriber::EnvFilter;

/// Confab's relay with echoing connections, for WebSocket conformance runs.
#[derive(Debug, Parser)]
#[command(about)]
struct Cli {
    /// Address to listen on (port 0 picks a free port; stdout says which).
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,

    #[command(flatten)]
    config: Config,
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = confab_server::bind(cli.bind)?;
        let addr = listener.local_addr()?;
        let scheme = if cli.config.tls_cert.is_some() {
            "wss"
        } else {
            "ws"
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on {scheme}://{addr}")?;
        stdout.flush()?;
        drop(stdout);
        confab_server::echo::run(listener, cli.config, shutdown_signal()).await
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
