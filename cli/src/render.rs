//! How relay frames look in a terminal: `12:03:04 #7 <ann> hello` (`#7` names the message
//! for `/reply`, `/edit`, `/delete` and `/react`).
//!
//! Owns the pretty transcript format. Pure functions of a message, a clock reading and a
//! time zone, so tests pin the output with `chrono::Utc`. It must not write anywhere or
//! decide anything about the session.

use chrono::{TimeZone, Timelike};
use confab_protocol::{
    Attachment, ChatMessage, ErrorCode, ErrorMessage, Millis, PresenceChange, RoomCode,
    ServerMessage, Username, WelcomeMessage, WhisperMessage, close_code,
};

/// Width of `HH:MM:SS `: continuation lines of multi-line messages are indented by it.
const INDENT: &str = "         ";

/// The lines a person should see for one relay frame (none for typing hints, which would
/// only scroll the conversation away in a line-based terminal).
///
/// `you` tells own whispers from received ones; `now` stamps events the relay does not
/// timestamp (presence, errors).
pub fn frame_lines<Tz: TimeZone>(
    msg: &ServerMessage,
    you: Option<&Username>,
    now: Millis,
    zone: &Tz,
) -> Vec<String> {
    match msg {
        ServerMessage::Welcome(welcome) => {
            let WelcomeMessage {
                room,
                you,
                members,
                history,
                ..
            } = welcome.as_ref();
            let mut lines: Vec<String> = history.iter().map(|m| chat_line(m, zone)).collect();
            lines.extend(welcome_banner(room, you, members, &clock(now, zone)));
            lines
        }
        ServerMessage::MemberJoined { name, members } => {
            vec![format!(
                "{} * {name} joined ({} here)",
                clock(now, zone),
                members.len()
            )]
        }
        ServerMessage::MemberLeft {
            name,
            members,
            reconnecting,
        } => {
            vec![format!(
                "{} * {name} {} ({} here)",
                clock(now, zone),
                left_word(*reconnecting),
                members.len()
            )]
        }
        ServerMessage::Joined { name, count } => {
            vec![format!(
                "{} * {name} joined ({count} here)",
                clock(now, zone)
            )]
        }
        ServerMessage::Left {
            name,
            count,
            reconnecting,
        } => {
            vec![format!(
                "{} * {name} {} ({count} here)",
                clock(now, zone),
                left_word(*reconnecting)
            )]
        }
        ServerMessage::Presence { changes, count } => {
            let last = changes.len().saturating_sub(1);
            changes
                .iter()
                .enumerate()
                .map(|(i, change)| {
                    let (name, what) = match change {
                        PresenceChange::Joined(name) => (name, "joined"),
                        PresenceChange::Left(name) => (name, left_word(false)),
                        PresenceChange::Reconnecting(name) => (name, left_word(true)),
                    };
                    let here = if i == last {
                        format!(" ({count} here)")
                    } else {
                        String::new()
                    };
                    format!("{} * {name} {what}{here}", clock(now, zone))
                })
                .collect()
        }
        ServerMessage::Status { name, status } => {
            vec![format!(
                "{} * {name} is {}",
                clock(now, zone),
                status.label()
            )]
        }
        ServerMessage::RoomState(state) => {
            let owner = state
                .owner
                .as_ref()
                .map_or_else(|| "nobody".to_owned(), ToString::to_string);
            let lock = if state.locked { "locked" } else { "open" };
            vec![format!(
                "{} * the room is {lock}; its owner is {owner}",
                clock(now, zone)
            )]
        }
        ServerMessage::Roster { .. } => Vec::new(),
        ServerMessage::Chat(chat) => vec![chat_line(chat, zone)],
        ServerMessage::Whisper(whisper) => vec![whisper_line(whisper, you, zone)],
        ServerMessage::Typing { .. } => Vec::new(),
        ServerMessage::Edited { seq, text, .. } => {
            vec![format!(
                "{} * #{seq} now reads: {}",
                clock(now, zone),
                clean(text)
            )]
        }
        ServerMessage::Deleted { seq, by, .. } => {
            vec![format!("{} * #{seq} was deleted by {by}", clock(now, zone))]
        }
        ServerMessage::Reaction {
            seq,
            emoji,
            name,
            on,
        } => {
            let did = if *on { "reacted" } else { "took back" };
            vec![format!(
                "{} * {name} {did} {} on #{seq}",
                clock(now, zone),
                clean(emoji)
            )]
        }
        ServerMessage::Changed { messages } => {
            let mut lines = vec![format!(
                "{} * changed while you were away:",
                clock(now, zone)
            )];
            lines.extend(messages.iter().map(|m| chat_line(m, zone)));
            lines
        }
        // Transfers in progress: `attach` reports their ends.
        ServerMessage::UploadAck { .. } | ServerMessage::AttachmentChunk { .. } => Vec::new(),
        ServerMessage::Error(ErrorMessage {
            code,
            message,
            retry_after_ms,
            ..
        }) => {
            let retry = retry_after_ms
                .map(|ms| format!(" (retry in {ms} ms)"))
                .unwrap_or_default();
            vec![format!("! {}: {}{retry}", code_name(*code), clean(message))]
        }
        ServerMessage::Gap {
            after,
            resumed_from,
        } => vec![format!(
            "{} * messages #{} to #{} are no longer kept by the relay",
            clock(now, zone),
            after + 1,
            resumed_from.saturating_sub(1),
        )],
    }
}

/// What happened to someone who is gone: left, or dropped and reconnecting.
fn left_word(reconnecting: bool) -> &'static str {
    if reconnecting {
        "lost their connection (their name is kept for a moment)"
    } else {
        "left"
    }
}

/// The room code, shown big enough to read out and share, then who is here.
fn welcome_banner(
    room: &RoomCode,
    you: &Username,
    members: &[Username],
    time: &str,
) -> Vec<String> {
    vec![
        String::new(),
        format!("    room code: {room}"),
        format!("    (others join with: confab-cli --name NAME --room {room})"),
        String::new(),
        format!("{time} * you are {you} in room {room}"),
        format!("{time} * {}", roster_line(members, you)),
    ]
}

/// `here (2): bob, ann (you)`: the roster in joining order.
pub fn roster_line(members: &[Username], you: &Username) -> String {
    let names: Vec<String> = members
        .iter()
        .map(|m| {
            if m == you {
                format!("{m} (you)")
            } else {
                m.to_string()
            }
        })
        .collect();
    format!("here ({}): {}", members.len(), names.join(", "))
}

/// `12:03:04 #7 <ann> hello`, or `12:03:04 #7 * ann waves` for an action (`/me waves`);
/// a reply shows `↪#N` before its text, and a kept message what happened to it since
/// (`(edited)`, `[message deleted]`, `[👍 2]`).
fn chat_line<Tz: TimeZone>(chat: &ChatMessage, zone: &Tz) -> String {
    let head = format!("{} #{}", clock(chat.ts, zone), chat.seq);
    let reply = chat
        .reply_to
        .map(|seq| format!("↪#{seq} "))
        .unwrap_or_default();
    let changes = &chat.changes;
    let body = if changes.deleted {
        format!("<{}> [message deleted]", chat.from)
    } else if let Some(file) = &chat.attachment {
        format!("<{}> {reply}{}", chat.from, describe(file))
    } else if let Some(action) = confab_protocol::command::action_text(&chat.text) {
        format!("* {} {reply}{}", chat.from, clean(action))
    } else {
        format!(
            "<{}> {reply}{}",
            chat.from,
            clean(&terminal_text(&chat.text))
        )
    };
    let edited = if changes.edited { " (edited)" } else { "" };
    let reactions: Vec<String> = changes
        .reactions
        .iter()
        .map(|r| format!("{} {}", clean(&r.emoji), r.names.len()))
        .collect();
    let reactions = if reactions.is_empty() {
        String::new()
    } else {
        format!("  [{}]", reactions.join(", "))
    };
    format!("{head} {body}{edited}{reactions}")
}

/// A message's text for a terminal: formatting marks (`*bold*`, `_italic_`, `` `code` ``,
/// `> quote`, lists) stay as typed, which reads well in any terminal and copies back as
/// typed; fenced code blocks lose their fences and have each line set off with a bar, so
/// code stands apart from the chat around it (see `confab_protocol::markup`).
pub fn terminal_text(text: &str) -> String {
    let lines = confab_protocol::markup::lines(text);
    if !lines.iter().any(|(code, _)| *code) {
        return text.to_owned();
    }
    let shown: Vec<String> = lines
        .into_iter()
        .map(|(code, line)| {
            if code {
                format!("  │ {line}")
            } else {
                line.to_owned()
            }
        })
        .collect();
    shown.join("\n")
}

/// `12:03:06 [whisper from bob] hi`, or `[whisper to bob]` for the echo of your own.
fn whisper_line<Tz: TimeZone>(w: &WhisperMessage, you: Option<&Username>, zone: &Tz) -> String {
    let time = clock(w.ts, zone);
    if you == Some(&w.from) {
        format!("{time} [whisper to {}] {}", w.to, clean(&w.text))
    } else {
        format!("{time} [whisper from {}] {}", w.from, clean(&w.text))
    }
}

/// `HH:MM:SS` of a relay timestamp in `zone`.
pub fn clock<Tz: TimeZone>(ms: Millis, zone: &Tz) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(|ms| zone.timestamp_millis_opt(ms).single())
        .map_or_else(
            || "--:--:--".to_owned(),
            |t| format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        )
}

/// `[file cat.png, image/png, 12.1 KiB, 640x480] (/save 0123…)`: what a message carrying
/// an attachment shows. The name is cleaned like any text from other people.
pub fn describe(file: &Attachment) -> String {
    let kind = file.sniffed_mime.as_deref().unwrap_or(&file.mime);
    let size = human_size(file.size);
    let pixels = match (file.width, file.height) {
        (Some(w), Some(h)) => format!(", {w}x{h}"),
        _ => String::new(),
    };
    format!(
        "[file {}, {}, {size}{pixels}] (/save {})",
        clean(&confab_protocol::clean_file_name(&file.name)),
        clean(kind),
        file.id
    )
}

/// `812 B`, `12.1 KiB`, `4.0 MiB`.
pub fn human_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // Shown to one decimal: precision is not needed.
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    }
}

/// Makes text from other people safe to print: control characters (which could move the
/// cursor, recolour or clear the terminal) become `�`, and line breaks continue indented
/// under the message instead of looking like a new line from someone else.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => {
                out.push('\n');
                out.push_str(INDENT);
            }
            '\t' => out.push(c),
            c if c.is_control() => out.push(char::REPLACEMENT_CHARACTER),
            c => out.push(c),
        }
    }
    out
}

/// The wire name of an error code (`name_taken`), as the protocol page lists it.
pub fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{code:?}"),
    }
}

/// What a close code means, for the message printed when the relay hangs up.
pub fn close_meaning(code: u16) -> &'static str {
    match code {
        close_code::NORMAL => "normal close",
        close_code::GOING_AWAY => "the relay is shutting down",
        close_code::POLICY => "policy violation: flooding, bad frames or failed joins",
        close_code::TOO_BIG => "a message was too big",
        close_code::SLOW_CONSUMER => "this client could not keep up with the room",
        close_code::JOIN_TIMEOUT => "no create/join in time",
        close_code::REPLACED => "the same member connected again elsewhere",
        close_code::REMOVED => "the room's owner removed you from the room",
        _ => "unexpected close code",
    }
}

#[cfg(test)]
mod tests;
