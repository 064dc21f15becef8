//! `confab-bench`: runs one benchmark against a Confab relay and prints a table and one
//! JSON line. See `confab-bench --help`, and BENCHMARKS.md for the exact commands.

use std::io::Write;

use clap::{Parser, Subcommand};
use confab_bench::{churn, fetch, idle, load, report, startup, storm};

/// Load generator for the Confab relay.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Generator worker threads (the relay shares the machine).
    #[arg(long, global = true, default_value_t = 2)]
    threads: usize,
    #[command(subcommand)]
    command: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Fan-out latency and throughput: clients in rooms, some of them sending.
    Load(load::LoadOptions),
    /// Joined, silent connections: the relay's memory per connection.
    Idle(idle::IdleOptions),
    /// Mass joins, then mass leaves: joins/s, presence bytes, slow-consumer evictions.
    Churn(churn::ChurnOptions),
    /// Spawn the relay binary: time to first accept and idle RSS.
    Startup(startup::StartupOptions),
    /// Upload a file, then fetch it whole over the WebSocket and over HTTP, many times.
    Fetch(fetch::FetchOptions),
    /// Relays and Redis killed, paused or slowed under a steady chat (or a soak): what
    /// every member saw, accepts per second, the processes' memory and open files.
    Storm(storm::StormOptions),
}

fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.threads.max(1))
        .enable_all()
        .build()?;
    let (table, json) = match cli.command {
        Mode::Load(options) => {
            let result = runtime.block_on(load::run(&options));
            (report::table(&result), report::json_line(&result))
        }
        Mode::Idle(options) => {
            let result = runtime.block_on(idle::run(&options));
            (report::table(&result), report::json_line(&result))
        }
        Mode::Churn(options) => {
            let result = runtime.block_on(churn::run(&options));
            (report::table(&result), report::json_line(&result))
        }
        Mode::Startup(options) => {
            let result = startup::run(&options);
            (report::table(&result), report::json_line(&result))
        }
        Mode::Fetch(options) => {
            let result = runtime
                .block_on(fetch::run(&options))
                .map_err(|err| std::io::Error::other(err.to_string()))?;
            (report::table(&result), report::json_line(&result))
        }
        Mode::Storm(options) => {
            let result = runtime.block_on(storm::run(&options))?;
            (report::table(&result), report::json_line(&result))
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{table}")?;
    writeln!(out, "{json}")?;
    // Idle runs may hold tens of thousands of sockets: do not wait for their tasks.
    runtime.shutdown_background();
    Ok(())
}
