//! Command-line arguments: which relay, which name, which room, and how to print.
//!
//! Owns parsing and validation of what the user typed on the command line (names and room
//! codes are checked here, with the protocol's own rules, before any connection is made).
//! It must not touch the network.

use clap::{ArgGroup, Parser};
use confab_protocol::private::VerifyKey;
use confab_protocol::{ClientMessage, Invite, Username};

/// The relay when neither `--server` nor the invite names one: a relay on this computer.
pub const DEFAULT_RELAY: &str = "ws://127.0.0.1:9001";

/// Chat in a Confab room from a terminal, or drive one from a script.
///
/// Typed lines are sent as chat messages. Commands: `/who` lists who is here,
/// `/w NAME text` whispers, `/me text` is an action, `/quit` (or end of input) leaves,
/// `//text` sends a line that starts with `/`.
#[derive(Debug, Clone, Parser)]
#[command(name = "confab-cli", version, about, long_about = None)]
#[command(group(ArgGroup::new("target").required(true).args(["room", "create", "private"])))]
pub struct Args {
    /// Relay to connect to (`ws://` only: this build has no TLS). Several relays of one
    /// cluster: repeat the flag or separate them with commas; they are tried in turn until
    /// one answers. `--relay` is the same flag. Default: the relay the `--room` invite link
    /// names, else ws://127.0.0.1:9001.
    #[arg(long, alias = "relay", env = "CONFAB_SERVER", value_delimiter = ',')]
    pub server: Vec<String>,

    /// Name to appear under: 1 to 24 characters, no invisible characters.
    #[arg(long, env = "CONFAB_NAME", value_parser = parse_name)]
    pub name: Username,

    /// Join the room with this code (`K7Q-X2M-HDP`, `k7qx2mhdp`, `lobby`) or invite link
    /// (`https://chat.example/#K7Q-X2M-HDP`, `ws://host:9001/#K7Q-X2M-HDP`,
    /// `confab://join/K7Q-X2M-HDP?relay=…`), whose relay is used unless `--server` is given.
    /// A private room's link (`https://chat.example/#K7Q-X2M-HDP.<key>`) carries its key:
    /// messages are then sealed and opened here. `--invite` is the same flag.
    #[arg(long, alias = "invite", value_name = "CODE_OR_LINK", value_parser = parse_invite)]
    pub room: Option<Invite>,

    /// Create a new room and print its code to share.
    #[arg(long)]
    pub create: bool,

    /// Create a new private room (end-to-end encrypted: the relay sees only ciphertext)
    /// and print its invite link, which holds the room's key.
    #[arg(long)]
    pub private: bool,

    /// Print every relay frame as one JSON line on stdout, for scripts; everything else
    /// (notices, `/who`) goes to stderr.
    #[arg(long)]
    pub json: bool,

    /// Send this line once joined (repeatable; `/w NAME text` whispers), wait until the
    /// relay has echoed or refused each, then leave. Standard input is not read. Exits
    /// non-zero if the relay refused any of them.
    #[arg(long = "send", value_name = "TEXT")]
    pub send: Vec<String>,

    /// Take back a membership whose connection dropped (within the room's grace, 30 s by
    /// default): the `resume_token` its `welcome` gave (see `--json`). This client keeps
    /// nothing between runs, so a script passes it on. Needs `--room`.
    #[arg(long, requires = "room", conflicts_with_all = ["create", "private"], value_name = "TOKEN")]
    pub resume_token: Option<String>,

    /// With `--resume-token`: the last message number that membership saw. Only newer
    /// messages are shown, then the ones it saw that changed since ("changed while you
    /// were away").
    #[arg(long, requires = "resume_token", value_name = "SEQ")]
    pub last_seq: Option<u64>,
}

impl Args {
    /// The `create`, `create_private` or `join` message that enters the room these
    /// arguments name; `verify_key` is the new private room's (with `--private`).
    pub fn entry_request(&self, verify_key: Option<VerifyKey>) -> ClientMessage {
        match (&self.room, verify_key) {
            // A resume only when a script passes one on: this client keeps no state
            // between runs.
            (Some(invite), _) if !self.create && !self.private => ClientMessage::Join {
                name: self.name.clone(),
                room: invite.code.clone(),
                resume_token: self.resume_token.clone(),
                last_seq: self.last_seq,
            },
            (_, Some(verify_key)) if self.private => ClientMessage::CreatePrivate {
                name: self.name.clone(),
                verify_key,
            },
            _ => ClientMessage::Create {
                name: self.name.clone(),
            },
        }
    }

    /// The relay addresses, in order, blanks dropped (`--server "ws://a, ws://b"`); without
    /// `--server`, the relay the invite names, else [`DEFAULT_RELAY`].
    pub fn relays(&self) -> Vec<&str> {
        let given: Vec<&str> = self
            .server
            .iter()
            .flat_map(|s| s.split_whitespace())
            .filter(|s| !s.is_empty())
            .collect();
        if !given.is_empty() {
            return given;
        }
        let invited = self.room.as_ref().and_then(|i| i.relay.as_deref());
        vec![invited.unwrap_or(DEFAULT_RELAY)]
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

/// Reads `--room` as every client reads an invite ([`Invite::parse`]): a code, checked with
/// the relay's own rules (case and separators ignored), or a link naming the relay too.
fn parse_invite(raw: &str) -> Result<Invite, String> {
    Invite::parse(raw).map_err(|err| err.to_string())
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
        let json = args.entry_request(None).to_json();
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
            args.entry_request(None).to_json(),
            r#"{"type":"create","name":"ann"}"#
        );
        assert!(args.is_scripted());
    }

    #[test]
    fn private_creates_a_private_room_and_invite_is_room() {
        let args = parse(&["--name", "ann", "--private"]).expect("valid args");
        let key = confab_protocol::private::RoomKey::from_bytes([7; 32]).verify_key();
        assert_eq!(
            args.entry_request(Some(key)),
            ClientMessage::CreatePrivate {
                name: Username::parse("ann").expect("valid"),
                verify_key: key,
            }
        );
        assert!(parse(&["--name", "ann", "--private", "--room", "lobby"]).is_err());
        let invite = parse(&["--name", "ann", "--invite", "k7q-x2m-hdp"]).expect("valid args");
        assert_eq!(
            invite.entry_request(None).to_json(),
            r#"{"type":"join","name":"ann","room":"K7Q-X2M-HDP"}"#
        );
    }

    #[test]
    fn a_resume_passes_its_token_and_last_seq_into_the_join() {
        let args = parse(&[
            "--name",
            "ann",
            "--room",
            "lobby",
            "--resume-token",
            "abc",
            "--last-seq",
            "7",
        ])
        .expect("valid args");
        assert_eq!(
            args.entry_request(None).to_json(),
            r#"{"type":"join","name":"ann","room":"LOBBY","resume_token":"abc","last_seq":7}"#
        );
        assert!(parse(&["--name", "ann", "--room", "lobby", "--last-seq", "7"]).is_err());
        assert!(parse(&["--name", "ann", "--create", "--resume-token", "abc"]).is_err());
    }

    #[test]
    fn room_or_create_is_required_but_not_both() {
        assert!(parse(&["--name", "ann"]).is_err());
        assert!(parse(&["--name", "ann", "--create", "--room", "lobby"]).is_err());
    }

    #[test]
    fn an_invite_link_names_the_room_and_the_relay_unless_the_server_is_given() {
        let page = parse(&[
            "--name",
            "ann",
            "--room",
            "https://chat.example/#k7q-x2m-hdp",
        ])
        .expect("valid args");
        assert_eq!(page.relays(), ["wss://chat.example"]);
        assert_eq!(
            page.entry_request(None).to_json(),
            r#"{"type":"join","name":"ann","room":"K7Q-X2M-HDP"}"#
        );
        let link = "confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2F10.0.0.5%3A9001";
        let confab = parse(&["--name", "ann", "--room", link]).expect("valid args");
        assert_eq!(confab.relays(), ["ws://10.0.0.5:9001"]);
        let given = parse(&["--name", "ann", "--room", link, "--server", "ws://mine:1"])
            .expect("valid args");
        assert_eq!(given.relays(), ["ws://mine:1"]);
    }

    #[test]
    fn invalid_names_and_codes_are_refused_before_connecting() {
        assert!(parse(&["--name", "a\u{200B}b", "--create"]).is_err());
        assert!(parse(&["--name", "ann", "--room", "no/pe"]).is_err());
        let refused =
            parse(&["--name", "ann", "--room", "ftp://x/#K7Q"]).expect_err("not an invite");
        assert!(
            refused.to_string().contains("not Confab invites"),
            "{refused}"
        );
    }
}
