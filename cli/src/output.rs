//! [`Output`]: where frames and notices are written, pretty or as JSON lines.
//!
//! Owns stdout and stderr. In `--json` mode stdout carries only relay frames, one JSON
//! object per line, so scripts can parse it; everything else goes to stderr.

use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::Local;
use confab_protocol::{Millis, ServerMessage, Username};

use crate::error::CliError;
use crate::render;

/// The terminal (or pipe) the transcript goes to.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: raw frames on stdout, notices on stderr.
    json: bool,
}

impl Output {
    /// An output in pretty (`json == false`) or JSON-lines form.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether frames are printed as raw JSON lines (`--json`).
    pub fn is_json(self) -> bool {
        self.json
    }

    /// Shows one relay frame. `you` is our name once joined (for whisper direction).
    pub fn frame(
        self,
        raw: &str,
        msg: Option<&ServerMessage>,
        you: Option<&Username>,
    ) -> Result<(), CliError> {
        if self.json {
            // The relay writes compact JSON: never a raw line break inside one frame.
            return stdout_line(raw);
        }
        let Some(msg) = msg else {
            warn(&format!("? a frame this client does not understand: {raw}"));
            return Ok(());
        };
        for line in render::frame_lines(msg, you, now_millis(), &Local) {
            stdout_line(&line)?;
        }
        Ok(())
    }

    /// Shows something this client says (roster, help): part of the transcript in pretty
    /// mode, on stderr in JSON mode.
    pub fn notice(self, text: &str) -> Result<(), CliError> {
        if self.json {
            warn(text);
            Ok(())
        } else {
            stdout_line(text)
        }
    }
}

/// Writes a message for the person, never for scripts: always stderr.
pub fn warn(text: &str) {
    // If stderr itself is gone there is nobody left to tell.
    let _ = writeln!(io::stderr().lock(), "{text}");
}

fn stdout_line(line: &str) -> Result<(), CliError> {
    // Rust's stdout is line-buffered, so each line reaches a pipe as soon as it is written.
    writeln!(io::stdout().lock(), "{line}").map_err(CliError::Stdout)
}

/// The wall clock in milliseconds since the epoch, for events the relay does not stamp.
fn now_millis() -> Millis {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
        Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX)
    })
}
