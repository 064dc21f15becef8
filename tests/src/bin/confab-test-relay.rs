//! A relay in its own process for the cluster tests: takes the relay's flags, listens on a
//! free loopback port, prints that address as its first line, and runs until killed.

use clap::Parser;
use tokio::net::TcpListener;

/// The relay's own settings, as `confab-server` takes them.
#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    config: confab_server::Config,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // The test reads this line to find the relay: the only output on stdout.
    #[allow(clippy::print_stdout)]
    {
        println!("{addr}");
    }
    confab_server::run(listener, cli.config, std::future::pending()).await
}
