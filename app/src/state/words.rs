//! What the relay's refusals and the connection's state mean, in words for people.

use confab_protocol::{ErrorCode, RoomCode, Username};

/// Explains an `error` frame. `message` is the relay's own text, used where ours would
/// say less.
pub fn describe_error(code: ErrorCode, message: &str, retry_after_ms: Option<u64>) -> String {
    match code {
        ErrorCode::NameTaken => {
            "Someone in this room already has that name (or one that looks the same). Pick another."
                .into()
        }
        ErrorCode::RoomNotFound => {
            "There is no room with that code. Check it, or create a new room.".into()
        }
        ErrorCode::RoomFull => "That room is full. Try again later.".into(),
        ErrorCode::TooManyRooms => {
            "The server has as many rooms as it allows. Try again later.".into()
        }
        ErrorCode::TooManyFailedJoins => {
            "Too many failed joins from your address. Wait a minute, then try again.".into()
        }
        ErrorCode::RateLimited => match retry_after_ms {
            // Whole seconds, rounded up: a short wait never reads "Wait 0.0 s".
            Some(ms) => format!(
                "You are sending too fast. Wait {} s, then try again.",
                ms.div_ceil(1000).max(1)
            ),
            None => "You are sending too fast. Wait a moment, then try again.".into(),
        },
        ErrorCode::InvalidName => format!("The server refused that name: {message}."),
        ErrorCode::InvalidRoomCode => format!("The server refused that room code: {message}."),
        ErrorCode::EmptyMessage => "Empty messages are not sent.".into(),
        ErrorCode::MessageTooLong => format!("That message is too long: {message}."),
        ErrorCode::NoSuchMember => "Nobody with that name is in the room.".into(),
        ErrorCode::NotOwner => "Only the room's owner can lock it or remove people.".into(),
        ErrorCode::RoomLocked => {
            "That room is locked: its owner is not letting anyone new in right now.".into()
        }
        ErrorCode::Removed => {
            "You were removed from that room a short while ago. Try again later.".into()
        }
        ErrorCode::Unavailable => {
            "The server is briefly unable to deliver messages. Try again in a moment.".into()
        }
        ErrorCode::Malformed
        | ErrorCode::BinaryFrame
        | ErrorCode::NotJoined
        | ErrorCode::AlreadyJoined
        | ErrorCode::Internal
        // Private rooms (the app does not open them yet): the relay's words say it.
        | ErrorCode::NotSigned
        | ErrorCode::BadSignature
        | ErrorCode::BadKey
        | ErrorCode::Other => format!("The server said: {message}"),
        ErrorCode::FileTooLarge => format!("the file is larger than this server takes ({message})."),
        ErrorCode::RoomAttachmentsFull => {
            "this room holds as many files as it can; older ones make room as they leave the history."
                .into()
        }
        ErrorCode::RelayAttachmentsFull => {
            "the server holds as many files as it can right now. Try again later.".into()
        }
        ErrorCode::ChunkTooLarge | ErrorCode::BadChunk => {
            format!("the upload went wrong on the way ({message}). Attach it again.")
        }
        ErrorCode::UploadInProgress => "another file is still going up. Try again after it.".into(),
        ErrorCode::UploadTimedOut => "the upload stalled and the server gave up. Attach it again.".into(),
        ErrorCode::AttachmentNotFound => {
            "That file is no longer in the room (it left the history or the room ended).".into()
        }
        ErrorCode::NoSuchMessage => "That message is no longer in the room's history.".into(),
        ErrorCode::NotAuthor => {
            "Only its author can change that message (or, to delete it, the room's owner).".into()
        }
        ErrorCode::TooManyReactions => super::conversation::too_many_reactions(),
    }
}

/// A size in bytes for people: `512 B`, `48.2 KiB`, `8 MiB`.
pub fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() < 0.05 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Explains why a room ended for a session whose resume was refused for good (see
/// [`ends_session`]). It names the room and says what happened on the relay's side: the
/// person typed nothing wrong, so nothing here asks them to check a code.
pub fn describe_ended(code: ErrorCode, room: &RoomCode, me: &Username, message: &str) -> String {
    match code {
        ErrorCode::RoomNotFound => format!(
            "{room} no longer exists on the server; it was probably restarted. \
             The conversation stays here to read, but nobody else can see it now."
        ),
        ErrorCode::NameTaken => format!(
            "While you were away, someone else in {room} took the name {me} \
             (or one that looks the same)."
        ),
        ErrorCode::RoomFull => format!("{room} filled up while you were away."),
        ErrorCode::Removed => format!("The owner of {room} removed you from the room."),
        ErrorCode::RoomLocked => format!("{room} was locked by its owner while you were away."),
        ErrorCode::TooManyFailedJoins => {
            "The server is refusing joins from your address for a while.".into()
        }
        _ => format!("The server no longer lets you back into {room}: {message}."),
    }
}

/// Why no connection to `place` (an address, or "any of" several) could be made, in words
/// for a person. `raw` is the socket library's own text ("Connect: IO error: Connection
/// refused (os error 111)"): it only picks the likely cause and belongs in the log.
pub fn unreachable(place: &str, raw: &str) -> String {
    let raw = raw.to_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| raw.contains(w));
    let cause = if says(&["refused"]) {
        Some("nothing is accepting connections there")
    } else if says(&[
        "lookup",
        "resolve",
        "name or service",
        "no such host",
        "nodename",
    ]) {
        Some("no computer by that name was found")
    } else if says(&["timed out", "timeout"]) {
        Some("it did not answer in time")
    } else if says(&["tls", "certificate", "ssl"]) {
        Some("a secure (wss://) connection could not be set up")
    } else if says(&["http", "handshake", "upgrade"]) {
        Some("something answered, but not a Confab server")
    } else if says(&["url", "parse"]) {
        Some("that is not an address the app can use (it looks like ws://host:9001)")
    } else if says(&["unreachable", "no route", "network"]) {
        Some("this device has no way to that network")
    } else {
        None
    };
    let cause = cause.map(|c| format!(" ({c})")).unwrap_or_default();
    format!(
        "Could not reach the server at {place}{cause}. Is the address right and the server \
         running?"
    )
}

/// `text` with its first letter upper-case, for a message that starts a sentence.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Whether a refused resume means the room is gone for us, so reconnecting is pointless.
pub fn ends_session(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::RoomNotFound
            | ErrorCode::NameTaken
            | ErrorCode::RoomFull
            | ErrorCode::RoomLocked
            | ErrorCode::Removed
            | ErrorCode::TooManyFailedJoins
            | ErrorCode::InvalidName
            | ErrorCode::InvalidRoomCode
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_told_in_plain_words_without_the_library_text() {
        let cases = [
            (
                "Connect: IO error: Connection refused (os error 111)",
                "nothing is accepting connections there",
            ),
            (
                "Connect: IO error: failed to lookup address information: Name or service \
                 not known",
                "no computer by that name was found",
            ),
            ("Connect: HTTP error: 404 Not Found", "not a Confab server"),
            (
                "Connect: IO error: Connection timed out (os error 110)",
                "in time",
            ),
            ("Unknown error", "Is the address right"),
        ];
        for (raw, plain) in cases {
            let said = unreachable("ws://chat.example:9001", raw);
            assert!(said.contains(plain), "{raw}: {said}");
            assert!(said.starts_with("Could not reach the server at ws://chat.example:9001"));
            for jargon in [
                "os error",
                "IO error",
                "Connect:",
                "HTTP error",
                "Unknown error",
            ] {
                assert!(!said.contains(jargon), "{raw}: {said}");
            }
        }
    }

    #[test]
    fn join_refusals_are_explained_in_words() {
        assert!(describe_error(ErrorCode::NameTaken, "x", None).contains("already has that name"));
        assert!(describe_error(ErrorCode::RoomNotFound, "x", None).contains("no room"));
        assert!(describe_error(ErrorCode::RateLimited, "x", Some(1500)).contains("Wait 2 s"));
        assert!(describe_error(ErrorCode::RateLimited, "x", Some(40)).contains("Wait 1 s"));
        assert!(describe_error(ErrorCode::RateLimited, "x", Some(0)).contains("Wait 1 s"));
        assert!(describe_error(ErrorCode::Other, "brand new", None).contains("brand new"));
    }

    #[test]
    fn sizes_read_in_human_units() {
        assert_eq!(file_size(512), "512 B");
        assert_eq!(file_size(48213), "47.1 KiB");
        assert_eq!(file_size(8 * 1024 * 1024), "8 MiB");
    }

    #[test]
    fn a_vanished_room_is_explained_by_its_code_without_blaming_the_typing() {
        let room = RoomCode::parse("RKUPCN427").expect("valid code");
        let me = Username::parse("ann").expect("valid name");
        let why = describe_ended(ErrorCode::RoomNotFound, &room, &me, "gone");
        assert!(why.starts_with("RKU-PCN-427 no longer exists"), "{why}");
        assert!(why.contains("restarted"), "{why}");
        assert!(!why.contains("Check"), "{why}");
    }
}
