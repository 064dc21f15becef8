//! `confab-cli`: Confab's console client. Chat in a room from a terminal, or drive one from
//! a script (`--json` prints every relay frame as a JSON line, `--send` sends and leaves).
//!
//! ```text
//! confab-cli --name ann --create                 # prints the new room's code
//! confab-cli --name bob --room K7Q-X2M-HDP       # type lines; /who, /w NAME text, /quit
//! confab-cli --name ann --private                # prints the private room's invite link
//! confab-cli --name bob --invite "https://host/#K7Q-X2M-HDP.KEY"  # a private room's link
//! confab-cli --name bot --room lobby --json --send "hello" --send "/w ann hi"
//! ```
//!
//! # Layout
//! - `args`: the command line (names and codes validated with the protocol's rules).
//! - what a typed line means (`/who`, `/w`, `/me`, `/quit`, chat) is the protocol crate's
//!   `confab_protocol::command`, shared with the app.
//! - `session`: the order of events: connect, enter, select loop, leave.
//! - `connection`: the WebSocket as typed frames, every network wait bounded.
//! - `room`: roster and sent-message bookkeeping, updated from relay frames.
//! - `render`: how frames look in a terminal (`12:03:04 #7 <ann> hello`).
//! - `private`: private rooms: sealing what is sent, opening what comes, the safety code
//!   and the invite link.
//! - `output`: stdout/stderr, pretty or JSON lines.
//! - `error`: every way a session ends badly, with its message.

mod args;
mod attach;
mod connection;
mod error;
mod output;
mod private;
mod render;
mod room;
mod session;

use std::process::ExitCode;

use clap::Parser;

use crate::output::{Output, warn};

fn main() -> ExitCode {
    let args = args::Args::parse();
    let out = Output::new(args.json);
    // One connection needs no thread pool.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            warn(&format!(
                "confab-cli: could not start the async runtime: {err}"
            ));
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(session::run(&args, out));
    // Tokio reads stdin with a blocking read on a helper thread that cannot be cancelled;
    // waiting for it would hang the exit until the user pressed Enter.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            warn(&format!("confab-cli: {err}"));
            ExitCode::FAILURE
        }
    }
}
