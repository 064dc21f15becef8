//! What a typed line asks for: a chat message, a whisper, or a slash command.
//!
//! Owns the input syntax only. It does not send anything or know the roster: the session
//! decides what to do with a [`Command`].

use confab_protocol::Username;

/// One line of input, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Say this to the room, exactly as typed.
    Chat(String),
    /// Say `text` to the member named `to` only (`/w NAME text`).
    Whisper {
        /// Who gets it.
        to: Username,
        /// What to say.
        text: String,
    },
    /// Print who is in the room, from the last roster the relay sent (`/who`).
    Who,
    /// Print the command summary (`/help`).
    Help,
    /// Leave the room and exit (`/quit`, or end of input).
    Quit,
    /// A blank line: nothing to send (the relay would refuse it as `empty_message`).
    Nothing,
}

/// Why a line was not understood. Nothing is sent; the text is shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// A `/word` that is not a command.
    #[error("unknown command /{0} (try /help; start a line with // to send a leading /)")]
    Unknown(String),
    /// `/w` without a name or without text.
    #[error("usage: /w NAME text   (quote a name with spaces: /w \"dev 🚀\" hi)")]
    WhisperUsage,
    /// `/w` with a name that breaks the name rules.
    #[error("{0}")]
    BadName(#[from] confab_protocol::UsernameError),
}

/// The command summary printed by `/help`.
pub const HELP: &str = "\
commands:
  /who              who is in the room
  /w NAME text      whisper to one member (quote names with spaces: /w \"dev 🚀\" hi)
  /quit             leave the room and exit (end of input does the same)
  //text            send a line that starts with /
anything else is sent to the room";

/// Understands one line of input (without its line ending).
pub fn parse(line: &str) -> Result<Command, CommandError> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.trim().is_empty() {
        return Ok(Command::Nothing);
    }
    if let Some(escaped) = line.strip_prefix("//") {
        return Ok(Command::Chat(format!("/{escaped}")));
    }
    let Some(command) = line.strip_prefix('/') else {
        return Ok(Command::Chat(line.to_owned()));
    };
    let (word, rest) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    match word {
        "who" | "names" => Ok(Command::Who),
        "help" | "?" => Ok(Command::Help),
        "quit" | "q" | "exit" => Ok(Command::Quit),
        "w" | "whisper" | "msg" => parse_whisper(rest),
        other => Err(CommandError::Unknown(other.to_owned())),
    }
}

/// Splits `NAME text` or `"NAME WITH SPACES" text` after `/w`.
fn parse_whisper(rest: &str) -> Result<Command, CommandError> {
    let rest = rest.trim_start();
    let (name, text) = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split_once('"').ok_or(CommandError::WhisperUsage)?
    } else {
        rest.split_once(char::is_whitespace)
            .ok_or(CommandError::WhisperUsage)?
    };
    let text = text.trim_start();
    if name.trim().is_empty() || text.trim().is_empty() {
        return Err(CommandError::WhisperUsage);
    }
    Ok(Command::Whisper {
        to: Username::parse(name)?,
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whisper(to: &str, text: &str) -> Command {
        Command::Whisper {
            to: Username::parse(to).expect("valid name"),
            text: text.to_owned(),
        }
    }

    #[test]
    fn plain_lines_are_chat_kept_exactly_as_typed() {
        assert_eq!(parse("hello"), Ok(Command::Chat("hello".into())));
        assert_eq!(
            parse("  two  spaces "),
            Ok(Command::Chat("  two  spaces ".into()))
        );
        assert_eq!(parse("crlf\r"), Ok(Command::Chat("crlf".into())));
    }

    #[test]
    fn blank_lines_send_nothing() {
        assert_eq!(parse(""), Ok(Command::Nothing));
        assert_eq!(parse(" \t "), Ok(Command::Nothing));
    }

    #[test]
    fn double_slash_sends_a_literal_slash() {
        assert_eq!(parse("//shrug"), Ok(Command::Chat("/shrug".into())));
    }

    #[test]
    fn slash_commands_and_their_aliases_are_recognized() {
        assert_eq!(parse("/who"), Ok(Command::Who));
        assert_eq!(parse("/quit"), Ok(Command::Quit));
        assert_eq!(parse("/q"), Ok(Command::Quit));
        assert_eq!(parse("/help"), Ok(Command::Help));
        assert_eq!(
            parse("/shout hi"),
            Err(CommandError::Unknown("shout".into()))
        );
    }

    #[test]
    fn whispers_take_a_name_then_the_rest_of_the_line() {
        assert_eq!(parse("/w bob hi there"), Ok(whisper("bob", "hi there")));
        assert_eq!(parse("/whisper  bob   hi"), Ok(whisper("bob", "hi")));
        assert_eq!(
            parse("/w \"dev 🚀\" ship it"),
            Ok(whisper("dev 🚀", "ship it"))
        );
    }

    #[test]
    fn whispers_without_a_name_or_text_show_the_usage() {
        for bad in ["/w", "/w bob", "/w bob   ", "/w \"bob hi", "/w \"\" hi"] {
            assert_eq!(parse(bad), Err(CommandError::WhisperUsage), "{bad:?}");
        }
    }

    #[test]
    fn whispers_to_invalid_names_are_refused_locally() {
        assert!(matches!(
            parse("/w a\u{200B}b hi"),
            Err(CommandError::BadName(_))
        ));
    }
}
