//! Attachments on the wire: the descriptor a room's message carries, the limits a relay
//! announces, and the file-name rule both sides apply.
//!
//! The bytes travel base64-encoded inside ordinary JSON text frames (`upload_chunk` from
//! the client, `attachment_chunk` from the relay), so a client needs no second framing;
//! `docs/protocol.md` ("Attachments") says why. This module holds only types and pure
//! helpers: no encoding of bytes (clients and relay bring their own base64), no sockets.

use serde::{Deserialize, Serialize};

/// Longest file name kept, in bytes of UTF-8; longer names are cut at a character boundary.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// What a room's message says about a file that was uploaded to it.
///
/// The bytes themselves stay on the relay; a member fetches them by `id` (over its
/// WebSocket with `fetch_attachment`, or `GET /attachments/<id>` on the relay's port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Unguessable (128 random bits as 32 hex digits) and bound to the room it was
    /// uploaded to: knowing it is not enough to fetch it, membership is checked too.
    pub id: String,
    /// The file name as the uploader declared it, reduced by [`clean_file_name`].
    pub name: String,
    /// The MIME type as the uploader declared it (`application/octet-stream` if it gave
    /// none). Not trusted: show `sniffed_mime` when it disagrees.
    pub mime: String,
    /// The MIME type the relay recognised from the first bytes, when it recognised one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sniffed_mime: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Pixel width, for images whose header says it (read from the header only: the relay
    /// never decodes an image). Absent for other files or an unreadable header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Pixel height, with `width`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// The attachment limits a relay enforces, in `welcome.limits.attachments`, so a client
/// can refuse a file before uploading it. All zero ("not said") from a relay without
/// attachments; such a relay answers `upload_start` with `malformed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentLimits {
    /// Largest file, in bytes (`file_too_large` beyond).
    pub max_file_bytes: u64,
    /// Most bytes of attachments one room keeps at once (`room_attachments_full`).
    pub max_room_bytes: u64,
    /// Most bytes of attachments the whole relay keeps at once (`relay_attachments_full`).
    pub max_relay_bytes: u64,
    /// Most decoded bytes in one `upload_chunk` (`chunk_too_large`), and in each
    /// `attachment_chunk` the relay sends.
    pub max_chunk_bytes: u32,
    /// Uploads one connection may have under way at once (`upload_in_progress`).
    pub max_uploads_in_flight: u32,
    /// An upload with no chunk for this long is dropped (`upload_timed_out`), in ms.
    pub upload_timeout_ms: u64,
}

impl AttachmentLimits {
    /// Whether the relay said nothing about attachments (an older relay).
    pub fn is_unset(&self) -> bool {
        *self == Self::default()
    }
}

/// The name a file is shown and saved under: the last path component of `declared`
/// (after `/` or `\`), without control or format characters, trimmed, at most
/// [`MAX_FILE_NAME_BYTES`] bytes; `file` when nothing is left, and never `.` or `..`.
/// The relay applies it on arrival, and a client saving a file applies it again.
pub fn clean_file_name(declared: &str) -> String {
    let last = declared.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .collect();
    name = name.trim().to_owned();
    if name.len() > MAX_FILE_NAME_BYTES {
        let mut end = MAX_FILE_NAME_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    if name.is_empty() || name == "." || name == ".." {
        "file".to_owned()
    } else {
        name
    }
}

/// Most characters of a declared type kept ([`clean_mime`]).
pub const MAX_MIME_CHARS: usize = 127;

/// The type a file is announced with: `declared` without control or format characters
/// (no line breaks, no direction overrides), trimmed, at most [`MAX_MIME_CHARS`]
/// characters; `application/octet-stream` when nothing is left. Still only what the
/// uploader claims: `sniffed_mime` is what the relay recognised.
pub fn clean_mime(declared: &str) -> String {
    let kept: String = declared
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .collect();
    let kept: String = kept.trim().chars().take(MAX_MIME_CHARS).collect();
    if kept.is_empty() {
        "application/octet-stream".to_owned()
    } else {
        kept
    }
}

/// Invisible characters that can disguise a name (bidi overrides, zero-width ones).
fn is_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_paths_and_invisible_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\ann\\cat.png"), "cat.png");
        assert_eq!(clean_file_name("evil\u{202E}gnp.exe"), "evilgnp.exe");
        assert_eq!(clean_file_name(" \n"), "file");
        assert_eq!(clean_file_name("dir/.."), "file");
        let long = "é".repeat(200);
        let cut = clean_file_name(&long);
        assert!(cut.len() <= MAX_FILE_NAME_BYTES && cut.chars().all(|c| c == 'é'));
    }

    #[test]
    fn an_attachment_has_a_pinned_json_form() {
        let attachment = Attachment {
            id: "0123456789abcdef0123456789abcdef".into(),
            name: "cat.png".into(),
            mime: "image/png".into(),
            sniffed_mime: Some("image/png".into()),
            size: 12345,
            width: Some(640),
            height: Some(480),
        };
        let json = serde_json::to_value(&attachment).expect("encodes");
        assert_eq!(
            json,
            serde_json::json!({"id": "0123456789abcdef0123456789abcdef", "name": "cat.png",
                "mime": "image/png", "sniffed_mime": "image/png", "size": 12345,
                "width": 640, "height": 480})
        );
        let back: Attachment = serde_json::from_value(json).expect("decodes");
        assert_eq!(back, attachment);
    }

    #[test]
    fn transfer_messages_have_a_pinned_json_form() {
        use crate::{ClientMessage, ServerMessage};
        let client = [
            (
                ClientMessage::UploadStart {
                    client_id: 5,
                    file_name: "cat.png".into(),
                    mime: "image/png".into(),
                    size: 48213,
                },
                r#"{"type":"upload_start","client_id":5,"file_name":"cat.png","mime":"image/png","size":48213}"#,
            ),
            (
                ClientMessage::UploadChunk {
                    offset: 0,
                    data: "iVBO".into(),
                },
                r#"{"type":"upload_chunk","offset":0,"data":"iVBO"}"#,
            ),
            (ClientMessage::UploadCancel, r#"{"type":"upload_cancel"}"#),
            (
                ClientMessage::FetchAttachment {
                    id: "ab".into(),
                    offset: 7,
                },
                r#"{"type":"fetch_attachment","id":"ab","offset":7}"#,
            ),
        ];
        for (message, json) in client {
            assert_eq!(message.to_json(), json);
            assert_eq!(crate::decode_client(json), Ok(message));
        }
        let server = [
            (
                ServerMessage::UploadAck {
                    client_id: 5,
                    received: 32768,
                },
                r#"{"type":"upload_ack","client_id":5,"received":32768}"#,
            ),
            (
                ServerMessage::AttachmentChunk {
                    id: "ab".into(),
                    offset: 0,
                    size: 3,
                    data: "AAAA".into(),
                },
                r#"{"type":"attachment_chunk","id":"ab","offset":0,"size":3,"data":"AAAA"}"#,
            ),
        ];
        for (message, json) in server {
            assert_eq!(message.to_json(), json);
            assert_eq!(ServerMessage::from_json(json).ok(), Some(message));
        }
        let no_mime = r#"{"type":"upload_start","client_id":1,"file_name":"f","size":0}"#;
        assert!(matches!(
            crate::decode_client(no_mime),
            Ok(ClientMessage::UploadStart { mime, .. }) if mime.is_empty()
        ));
    }

    #[test]
    fn limits_from_an_older_relay_are_unset() {
        let limits: AttachmentLimits = serde_json::from_str("{}").expect("decodes");
        assert!(limits.is_unset());
    }

    #[test]
    fn a_declared_type_loses_line_breaks_and_direction_overrides_and_is_cut() {
        assert_eq!(clean_mime(" image/png\r\n"), "image/png");
        assert_eq!(clean_mime("text/\u{202E}lmth"), "text/lmth");
        assert_eq!(
            clean_mime(&"x".repeat(50_000)).chars().count(),
            MAX_MIME_CHARS
        );
        assert_eq!(clean_mime(" \n "), "application/octet-stream");
    }
}
