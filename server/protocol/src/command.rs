//! The line grammar every Confab client shares: what a typed line asks for (a chat, an
//! action, a whisper, a slash command), and the one rule for "the same name".
//!
//! Owns the input syntax and name matching only. It sends nothing: the app's composer and
//! `confab-cli` turn a [`Command`] into [`crate::ClientMessage`]s their own way.
//!
//! - `text`: a chat, exactly as typed. `//text` sends `/text`.
//! - `/me waves`: an action, sent as a chat whose text starts with `/me ` (see
//!   [`action_text`]); clients draw it as "ann waves". No new wire type: older clients show
//!   the text as it is.
//! - `/w NAME text` (also `/whisper`, `/msg`): a whisper. `NAME` may have an `@` in front,
//!   may be quoted (`/w "ann lee" hi`), or, when the roster is known, may be a member's
//!   name with spaces written plainly (`/w ann lee hi`: the longest member name that the
//!   line starts with wins).
//! - `/away`, `/back`: your status. `/ignore NAME`, `/unignore NAME`: hide a member on
//!   your own screen. `/lock`, `/unlock`, `/remove NAME` (also `/kick`): the room owner's.
//! - `/who`, `/help`, `/quit`.
//! - `/attach PATH` (the rest of the line is the path, spaces included), `/save ID [PATH]`.
//! - `/reply SEQ text`, `/edit SEQ text`, `/delete SEQ`, `/react SEQ EMOJI` (and
//!   `/unreact SEQ EMOJI`): act on the kept message numbered `SEQ` (`#SEQ` also reads).

use crate::{Seq, Username, UsernameError};

/// One line of input, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Say this to the room, exactly as typed.
    Chat(String),
    /// An action (`/me waves`): the text to send as a chat, `/me ` included.
    Me(String),
    /// Say `text` to the member named `to` only.
    Whisper {
        /// Who gets it: the roster's spelling when the roster was given.
        to: Username,
        /// What to say.
        text: String,
    },
    /// Who is in the room (`/who`).
    Who,
    /// Set your status (`/away`, `/back`).
    Status(crate::MemberStatus),
    /// Hide a member's messages, typing and whispers on this screen (`/ignore NAME`), or
    /// show them again (`/unignore NAME`, `ignore: false`).
    Ignore {
        /// Who.
        name: Username,
        /// Hide (`true`) or show again.
        ignore: bool,
    },
    /// The owner locks (`/lock`) or unlocks (`/unlock`) the room.
    Lock(bool),
    /// The owner removes a member (`/remove NAME`).
    Remove(Username),
    /// The command summary (`/help`).
    Help,
    /// Leave the room (`/quit`).
    Quit,
    /// A blank line: nothing to send (the relay would refuse it as `empty_message`).
    Nothing,
    /// Upload the file at this path to the room (`/attach PATH`).
    Attach(String),
    /// Answer message `seq` with `text` (`/reply SEQ text`).
    Reply {
        /// Which message.
        seq: Seq,
        /// What to say.
        text: String,
    },
    /// Change the text of your message `seq` (`/edit SEQ text`).
    Edit {
        /// Which message.
        seq: Seq,
        /// Its new text.
        text: String,
    },
    /// Take back message `seq` (`/delete SEQ`).
    Delete(Seq),
    /// Add (`/react SEQ EMOJI`) or take back (`/unreact SEQ EMOJI`) a reaction.
    React {
        /// Which message.
        seq: Seq,
        /// The emoji.
        emoji: String,
        /// Add or take back.
        on: bool,
    },
    /// Download attachment `id`, to `path` or under its own name (`/save ID [PATH]`).
    Save {
        /// The attachment's id, as its message shows it.
        id: String,
        /// Where to write it; `None` for its own (cleaned) name in the current directory.
        path: Option<String>,
    },
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
    /// `/me` without text.
    #[error("usage: /me does something")]
    MeUsage,
    /// `/remove`, `/ignore` or `/unignore` without a name.
    #[error("usage: /{0} NAME")]
    NameUsage(&'static str),
    /// `/attach` without a path, or `/save` without an id.
    #[error("usage: /attach PATH   or   /save ID [PATH]")]
    FileUsage,
    /// `/reply`, `/edit`, `/delete`, `/react` without a message number or the rest.
    #[error("usage: /reply SEQ text, /edit SEQ text, /delete SEQ, /react SEQ EMOJI")]
    MessageUsage,
    /// `/w` with a name that breaks the name rules.
    #[error("{0}")]
    BadName(#[from] UsernameError),
}

/// The command summary for `/help`.
pub const HELP: &str = "\
commands:
  /who              who is in the room
  /w NAME text      whisper to one member (quote names with spaces: /w \"dev 🚀\" hi)
  /me text          an action: \"/me waves\" shows as \"ann waves\"
  /away, /back      your status as others see it
  /ignore NAME      hide a member's messages on your screen (/unignore NAME: show again)
  /lock, /unlock    room owner: keep newcomers out, or let them in again
  /remove NAME      room owner: remove a member (kept out for a while)
  /attach PATH      upload a file to the room
  /save ID [PATH]   download a file shown in the room
  /reply N text     answer message #N
  /edit N text      change your message #N (/delete N: take it back)
  /react N 👍       react to message #N (/unreact N 👍: take it back)
  /quit             leave the room
  //text            send a line that starts with /
anything else is sent to the room";

/// What starts an action's chat text.
pub const ME_PREFIX: &str = "/me ";

/// Understands one line of input (without its line ending). `members` is the room's
/// roster when known (empty otherwise): it lets `/w` find a name with spaces unquoted, and
/// spells the recipient as the roster does.
pub fn parse(line: &str, members: &[Username]) -> Result<Command, CommandError> {
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
        "me" if rest.trim().is_empty() => Err(CommandError::MeUsage),
        "me" => Ok(Command::Me(format!("{ME_PREFIX}{}", rest.trim_start()))),
        "w" | "whisper" | "msg" => parse_whisper(rest, members),
        "away" => Ok(Command::Status(crate::MemberStatus::Away)),
        "back" => Ok(Command::Status(crate::MemberStatus::Online)),
        "lock" => Ok(Command::Lock(true)),
        "unlock" => Ok(Command::Lock(false)),
        "remove" | "kick" => Ok(Command::Remove(parse_name(rest, members, "remove")?)),
        "ignore" | "unignore" => Ok(Command::Ignore {
            name: parse_name(
                rest,
                members,
                if word == "ignore" {
                    "ignore"
                } else {
                    "unignore"
                },
            )?,
            ignore: word == "ignore",
        }),
        "attach" if rest.trim().is_empty() => Err(CommandError::FileUsage),
        "attach" => Ok(Command::Attach(rest.trim().to_owned())),
        "save" => {
            let mut words = rest.split_whitespace();
            let id = words.next().ok_or(CommandError::FileUsage)?.to_owned();
            let path = rest.trim_start().strip_prefix(id.as_str()).map(str::trim);
            let path = path.filter(|p| !p.is_empty()).map(str::to_owned);
            Ok(Command::Save { id, path })
        }
        "reply" | "edit" => {
            let (seq, text) = message_and_rest(rest)?;
            Ok(if word == "reply" {
                Command::Reply { seq, text }
            } else {
                Command::Edit { seq, text }
            })
        }
        "delete" => {
            let seq = rest.trim().trim_start_matches('#');
            seq.parse()
                .map(Command::Delete)
                .map_err(|_| CommandError::MessageUsage)
        }
        "react" | "unreact" => {
            let (seq, emoji) = message_and_rest(rest)?;
            Ok(Command::React {
                seq,
                emoji,
                on: word == "react",
            })
        }
        other => Err(CommandError::Unknown(other.to_owned())),
    }
}

/// `SEQ rest`: a message number (`#` allowed) and the non-empty rest of the line.
fn message_and_rest(rest: &str) -> Result<(Seq, String), CommandError> {
    let (seq, text) = rest
        .trim_start()
        .split_once(char::is_whitespace)
        .ok_or(CommandError::MessageUsage)?;
    let seq = seq
        .trim_start_matches('#')
        .parse()
        .map_err(|_| CommandError::MessageUsage)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(CommandError::MessageUsage);
    }
    Ok((seq, text.to_owned()))
}

/// The line that would send `text` to `to` as a whisper, quoting a name with spaces: what a
/// refused whisper puts back into the draft.
pub fn whisper_line(to: &Username, text: &str) -> String {
    if to.as_str().contains(char::is_whitespace) {
        format!("/w \"{to}\" {text}")
    } else {
        format!("/w {to} {text}")
    }
}

/// The action in a chat's text (`/me waves` → `waves`), if it is one.
pub fn action_text(text: &str) -> Option<&str> {
    text.strip_prefix(ME_PREFIX)
        .filter(|t| !t.trim().is_empty())
}

/// The comparison key of any text under the name rule: what [`Username::uniqueness_key`]
/// gives for a valid name (case, accents and look-alike letters ignored). Also for text
/// that is not a whole valid name, such as a prefix being completed.
pub fn name_key(text: &str) -> String {
    match Username::parse(text) {
        Ok(name) => name.uniqueness_key(),
        // Not a valid name on its own (empty, say): compare it as it is, lower-cased.
        Err(_) => text.to_lowercase(),
    }
}

/// Whether `text` names `member` under the relay's rule (the one that keeps two members
/// from sharing a name): `BOB`, `bob` and `bоb` (Cyrillic о) all name `bob`.
pub fn same_name(text: &str, member: &Username) -> bool {
    name_key(text) == member.uniqueness_key()
}

/// Whether `prefix` starts `member`'s name under the name rule (for completion).
pub fn name_starts_with(member: &Username, prefix: &str) -> bool {
    member.uniqueness_key().starts_with(&name_key(prefix))
}

/// The name after a command: `NAME`, `@NAME` or `"NAME"`, a member's name with spaces,
/// spelled as the roster does when it is known.
fn parse_name(
    rest: &str,
    members: &[Username],
    command: &'static str,
) -> Result<Username, CommandError> {
    let rest = rest.trim();
    let rest = rest.strip_prefix('@').unwrap_or(rest);
    let rest = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(rest);
    if rest.is_empty() {
        return Err(CommandError::NameUsage(command));
    }
    let name = Username::parse(rest)?;
    Ok(members
        .iter()
        .find(|m| m.uniqueness_key() == name.uniqueness_key())
        .cloned()
        .unwrap_or(name))
}

/// Splits `NAME text`, `@NAME text`, `"NAME WITH SPACES" text` or, with a roster,
/// `MEMBER NAME WITH SPACES text` after `/w`.
fn parse_whisper(rest: &str, members: &[Username]) -> Result<Command, CommandError> {
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('@').unwrap_or(rest);
    let (to, text) = if let Some(quoted) = rest.strip_prefix('"') {
        let (name, text) = quoted.split_once('"').ok_or(CommandError::WhisperUsage)?;
        (Username::parse(name)?, text)
    } else if let Some((member, text)) = member_prefix(rest, members) {
        (member.clone(), text)
    } else {
        let (name, text) = rest
            .split_once(char::is_whitespace)
            .ok_or(CommandError::WhisperUsage)?;
        (Username::parse(name)?, text)
    };
    let text = text.trim_start();
    if text.trim().is_empty() {
        return Err(CommandError::WhisperUsage);
    }
    let to = members
        .iter()
        .find(|m| m.uniqueness_key() == to.uniqueness_key())
        .cloned()
        .unwrap_or(to);
    Ok(Command::Whisper {
        to,
        text: text.to_owned(),
    })
}

/// The member whose name (as many words as it has) starts `rest`, longest name first, and
/// the text after it. The name must be followed by white space: `/w ann` alone is no
/// whisper, and `annie` does not start with `ann`.
fn member_prefix<'m, 'r>(
    rest: &'r str,
    members: &'m [Username],
) -> Option<(&'m Username, &'r str)> {
    members
        .iter()
        .filter_map(|m| {
            let words = m.as_str().split_whitespace().count();
            let end = word_end(rest, words)?;
            let (name, text) = rest.split_at(end);
            (text.starts_with(char::is_whitespace) && same_name(name, m)).then_some((m, text))
        })
        .max_by_key(|(m, _)| m.as_str().chars().count())
}

/// The byte offset just after the `words`-th word of `text`.
fn word_end(text: &str, words: usize) -> Option<usize> {
    let mut seen = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), in_word) {
            (true, true) => {
                in_word = false;
                seen += 1;
                if seen == words {
                    return Some(i);
                }
            }
            (false, false) => in_word = true,
            _ => {}
        }
    }
    (in_word && seen + 1 == words).then_some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attach_takes_the_rest_of_the_line_and_save_an_id_and_an_optional_path() {
        assert_eq!(
            parse("/attach my cat.png", &[]),
            Ok(Command::Attach("my cat.png".into()))
        );
        assert_eq!(parse("/attach  ", &[]), Err(CommandError::FileUsage));
        assert_eq!(
            parse("/save abc12", &[]),
            Ok(Command::Save {
                id: "abc12".into(),
                path: None
            })
        );
        assert_eq!(
            parse("/save abc12 out/my file.png", &[]),
            Ok(Command::Save {
                id: "abc12".into(),
                path: Some("out/my file.png".into())
            })
        );
        assert_eq!(parse("/save", &[]), Err(CommandError::FileUsage));
    }

    fn name(s: &str) -> Username {
        Username::parse(s).expect("valid name")
    }

    #[test]
    fn status_ignore_and_owner_commands_take_a_whole_name() {
        let members = [name("ann lee"), name("Bob")];
        assert_eq!(
            parse("/away", &members),
            Ok(Command::Status(crate::MemberStatus::Away))
        );
        assert_eq!(
            parse("/back", &members),
            Ok(Command::Status(crate::MemberStatus::Online))
        );
        assert_eq!(parse("/lock", &members), Ok(Command::Lock(true)));
        assert_eq!(parse("/unlock", &members), Ok(Command::Lock(false)));
        assert_eq!(
            parse("/remove ann lee", &members),
            Ok(Command::Remove(name("ann lee")))
        );
        assert_eq!(
            parse("/kick @bob", &members),
            Ok(Command::Remove(name("Bob")))
        );
        assert_eq!(
            parse("/ignore \"ANN LEE\"", &members),
            Ok(Command::Ignore {
                name: name("ann lee"),
                ignore: true
            })
        );
        assert_eq!(
            parse("/unignore bob", &members),
            Ok(Command::Ignore {
                name: name("Bob"),
                ignore: false
            })
        );
        assert_eq!(
            parse("/remove", &members),
            Err(CommandError::NameUsage("remove"))
        );
    }

    fn whisper(to: &str, text: &str) -> Command {
        Command::Whisper {
            to: name(to),
            text: text.to_owned(),
        }
    }

    #[test]
    fn plain_lines_are_chat_kept_exactly_as_typed() {
        assert_eq!(parse("hello", &[]), Ok(Command::Chat("hello".into())));
        assert_eq!(
            parse("  two  spaces ", &[]),
            Ok(Command::Chat("  two  spaces ".into()))
        );
        assert_eq!(parse("crlf\r", &[]), Ok(Command::Chat("crlf".into())));
        assert_eq!(parse(" \t ", &[]), Ok(Command::Nothing));
        assert_eq!(parse("//shrug", &[]), Ok(Command::Chat("/shrug".into())));
    }

    #[test]
    fn slash_commands_and_their_aliases_are_recognized() {
        assert_eq!(parse("/who", &[]), Ok(Command::Who));
        assert_eq!(parse("/q", &[]), Ok(Command::Quit));
        assert_eq!(parse("/help", &[]), Ok(Command::Help));
        assert_eq!(
            parse("/shout hi", &[]),
            Err(CommandError::Unknown("shout".into()))
        );
    }

    #[test]
    fn me_is_an_action_sent_as_chat_text() {
        assert_eq!(parse("/me waves", &[]), Ok(Command::Me("/me waves".into())));
        assert_eq!(parse("/me  ", &[]), Err(CommandError::MeUsage));
        assert_eq!(action_text("/me waves"), Some("waves"));
        assert_eq!(action_text("/meh"), None);
        assert_eq!(action_text("/me "), None);
    }

    #[test]
    fn whispers_take_a_name_then_the_rest_of_the_line() {
        assert_eq!(
            parse("/w bob hi there", &[]),
            Ok(whisper("bob", "hi there"))
        );
        assert_eq!(parse("/whisper  @bob   hi", &[]), Ok(whisper("bob", "hi")));
        assert_eq!(
            parse("/w \"dev 🚀\" ship it", &[]),
            Ok(whisper("dev 🚀", "ship it"))
        );
        for bad in ["/w", "/w bob", "/w bob   ", "/w \"bob hi", "/w \"\" hi"] {
            assert!(parse(bad, &[]).is_err(), "{bad:?}");
        }
        assert!(matches!(
            parse("/w a\u{200B}b hi", &[]),
            Err(CommandError::BadName(_))
        ));
    }

    #[test]
    fn a_member_name_with_a_space_is_whisperable_unquoted() {
        let members = [name("Ann Lee"), name("ann"), name("bob")];
        assert_eq!(
            parse("/w ann lee are you there", &members),
            Ok(whisper("Ann Lee", "are you there"))
        );
        assert_eq!(parse("/w ann hi", &members), Ok(whisper("ann", "hi")));
        assert_eq!(
            parse("/w @Ann Lee hi", &members),
            Ok(whisper("Ann Lee", "hi"))
        );
        // The recipient is spelled the way the roster spells it.
        assert_eq!(parse("/w BOB hi", &members), Ok(whisper("bob", "hi")));
        assert_eq!(parse("/w annie hi", &members), Ok(whisper("annie", "hi")));
    }

    #[test]
    fn the_same_name_rule_is_the_relays_uniqueness_key() {
        let bob = name("bob");
        assert!(same_name("BOB", &bob));
        assert!(same_name("b\u{043E}b", &bob), "Cyrillic о looks the same");
        assert!(!same_name("bobby", &bob));
        assert!(name_starts_with(&name("Bobby"), "bO"));
        assert!(!name_starts_with(&name("Bobby"), "x"));
    }

    #[test]
    fn a_refused_whisper_goes_back_as_a_line_that_parses_again() {
        for to in ["bob", "dev 🚀"] {
            let line = whisper_line(&name(to), "hi");
            assert_eq!(parse(&line, &[]), Ok(whisper(to, "hi")), "{line}");
        }
    }

    #[test]
    fn message_commands_name_a_message_by_its_number() {
        assert_eq!(
            parse("/reply #12 yes, that", &[]),
            Ok(Command::Reply {
                seq: 12,
                text: "yes, that".into()
            })
        );
        assert_eq!(
            parse("/edit 3 fixed", &[]),
            Ok(Command::Edit {
                seq: 3,
                text: "fixed".into()
            })
        );
        assert_eq!(parse("/delete #7", &[]), Ok(Command::Delete(7)));
        assert_eq!(
            parse("/unreact 7 👍", &[]),
            Ok(Command::React {
                seq: 7,
                emoji: "👍".into(),
                on: false
            })
        );
        for bad in ["/reply", "/reply 3", "/edit x hi", "/delete", "/react 3"] {
            assert_eq!(parse(bad, &[]), Err(CommandError::MessageUsage), "{bad}");
        }
    }
}
