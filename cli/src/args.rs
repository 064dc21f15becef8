//! Command-line arguments: which relay, which name, which room, and how to print.
//!
//! Owns parsing and validation of what the user typed on the command line (names and room
//! codes are checked here, with the protocol's own rules, before any connection is made).
//! It must not touch the network.

use clap::{ArgGroup, Parser};
use confab_protocol::{ClientMessage, RoomCode, Username};

/// Chat in a Confab room from a terminal, or drive one from a script.
///
/// Typed lines are sent as chat messages. Commands: `/who` lists who is here,
/// `/w NAME text` whispers, `/me text` is an action, `/quit` (or end of input) leaves,
/// `//text` sends a line that starts with `/`.
#[derive(Debug, Clone, Parser)]
#[command(name = "confab-cli", version, about, long_about = None)]
#[command(group(ArgGroup::new("target").required(true).args(["room", "create"])))]
pub struct Args {
    /// Relay to connect to (`ws://` only: this build has no TLS). Several relays of one
    /// cluster: repeat the flag or separate them with commas; they are tried in turn until
    /// one answers. `--relay` is the same flag.
    #[arg(
        long,
        alias = "relay",
        env = "CONFAB_SERVER",
        value_delimiter = ',',
        default_value = "ws://127.0.0.1:9001"
    )]
    pub server: Vec<String>,

    /// Name to appear under: 1 to 24 characters, no invisible characters.
    #[arg(long, env = "CONFAB_NAME", value_parser = parse_name)]
    pub name: Username,

    /// Join the room with this code (`K7Q-X2M-HDP`, `k7qx2mhdp`, `lobby`, or an invite link
    /// ending in `#K7Q-X2M-HDP`).
    #[arg(long, value_name = "CODE", value_parser = parse_room)]
    pub room: Option<RoomCode>,

    /// Create a new room and print its code to share.
    #[arg(long)]
    pub create: bool,

    /// Print every relay frame as one JSON line on stdout, for scripts; everything else
    /// (notices, `/who`) goes to stderr.
    #[arg(long)]
    pub json: bool,

    /// Send this line once joined (repeatable; `/w NAME text` whispers), wait until the
    /// relay has echoed or refused each, then leave. Standard input is not read. Exits
    /// non-zero if the relay refused any of them.
    #[arg(long = "send", value_name = "TEXT")]
    pub send: Vec<String>,
}

impl Args {
    /// The `create` or `join` message that enters the room these arguments name.
    pub fn entry_request(&self) -> ClientMessage {
        match &self.room {
            // Fresh joins only: this client keeps no state between runs to resume from.
            Some(room) if !self.create => ClientMessage::Join {
                name: self.name.clone(),
                room: room.clone(),
                resume_token: None,
                last_seq: None,
            },
            _ => ClientMessage::Create {
                name: self.name.clone(),
            },
        }
    }

    /// The relay addresses, in order, blanks dropped (`--server "ws://a, ws://b"`).
    pub fn relays(&self) -> Vec<&str> {
        self.server
            .iter()
            .flat_map(|s| s.split_whitespace())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Whether this run is scripted with `--send` (then stdin is left alone).
    pub fn is_scripted(&self) -> bool {
        !self.send.is_empty()
    }
}

/// Validates `--name` with the relay's own rules, so a bad name fails before connecting.
fn parse_name(raw: &str) -> Result<Username, String> {
    Username::parse(raw).map_err(|err| err.to_string())
}

/// Validates `--room` with the relay's own rules (case and separators ignored).
fn parse_room(raw: &str) -> Result<RoomCode, String> {
    RoomCode::parse(raw).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(argv: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("confab-cli").chain(argv.iter().copied()))
    }

    #[test]
    fn clap_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn room_codes_are_normalized_into_a_join() {
        let args = parse(&["--name", "ann", "--room", "k7q x2m-hdp"]).expect("valid args");
        let json = args.entry_request().to_json();
        assert_eq!(json, r#"{"type":"join","name":"ann","room":"K7Q-X2M-HDP"}"#);
        assert!(!args.is_scripted());
    }

    #[test]
    fn several_relays_come_from_repeated_flags_or_commas_in_order() {
        let args = parse(&[
            "--name",
            "ann",
            "--create",
            "--server",
            "ws://a:1, ws://b:2",
            "--relay",
            "ws://c:3",
        ])
        .expect("valid args");
        assert_eq!(args.relays(), ["ws://a:1", "ws://b:2", "ws://c:3"]);
        let one = parse(&["--name", "ann", "--create"]).expect("valid args");
        assert_eq!(one.relays(), ["ws://127.0.0.1:9001"]);
    }

    #[test]
    fn create_sends_a_create_request() {
        let args = parse(&["--name", "ann", "--create", "--send", "hi"]).expect("valid args");
        assert_eq!(
            args.entry_request().to_json(),
            r#"{"type":"create","name":"ann"}"#
        );
        assert!(args.is_scripted());
    }

    #[test]
    fn room_or_create_is_required_but_not_both() {
        assert!(parse(&["--name", "ann"]).is_err());
        assert!(parse(&["--name", "ann", "--create", "--room", "lobby"]).is_err());
    }

    #[test]
    fn invalid_names_and_codes_are_refused_before_connecting() {
        assert!(parse(&["--name", "a\u{200B}b", "--create"]).is_err());
        assert!(parse(&["--name", "ann", "--room", "no/pe"]).is_err());
    }
}
