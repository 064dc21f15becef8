//! `GET /attachments/<id>`: a whole attachment over plain HTTP, for a current member of
//! its room, who proves it with the resume token from its `welcome`:
//! `Authorization: Bearer <resume_token>`.
//!
//! The token goes in a header, never the query: URLs end up in logs, browser history and
//! `Referer` headers, and the token is the member's identity for a resume. Every refusal
//! (no token, a wrong one, a member of another room, an unknown or expired id) is the same
//! 404, so the answer tells nothing about which ids exist.
//!
//! The file is always served as a download (`Content-Disposition: attachment`) under a
//! sandboxing `Content-Security-Policy`, and only the plain image types are given their
//! own content type: a member's upload never runs as a page of the relay's origin.
//!
//! In cluster mode the file, and the check that the token is a current member's, come from
//! Redis (`rooms/cluster/attachments.rs`), so every relay of the cluster serves every file. The
//! bytes are then a copy held for the response's life, so at most
//! `MAX_CLUSTER_DOWNLOADS` (`rooms/cluster/store.rs`) are held at once; further requests wait for one to end. A
//! `HEAD` makes the same checks but reads only the descriptor (size, type), never the bytes.

use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};

use confab_protocol::Attachment;

use crate::rooms::RoomStore;
use crate::shared::Shared;

/// The path prefix this module answers.
pub const PREFIX: &str = "/attachments/";

/// Content types served as themselves; everything else is `application/octet-stream`.
const INLINE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The answer to `GET` (or `HEAD`, then `head_only`) of `/attachments/<id>`.
pub async fn answer<S: RoomStore>(
    shared: &Arc<Shared<S>>,
    id: &str,
    headers: &HeaderMap,
    head_only: bool,
) -> Response<Full<Bytes>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    let Some(token) = token else {
        return not_found();
    };
    let found = shared.rooms.download(id, token, head_only).await;
    let Some((descriptor, data)) = found else {
        return not_found();
    };
    file_response(&descriptor, data, head_only)
}

/// The token of an `Authorization: Bearer TOKEN` value; the scheme's name is
/// case-insensitive (RFC 7235), so `bearer` and `BEARER` count too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The file as a download, with the headers that keep it from running as a page.
fn file_response(descriptor: &Attachment, data: Bytes, head_only: bool) -> Response<Full<Bytes>> {
    let content_type = INLINE_TYPES
        .into_iter()
        .find(|t| descriptor.sniffed_mime.as_deref() == Some(*t))
        .unwrap_or("application/octet-stream");
    // A HEAD's `data` may be empty (cluster mode reads no bytes for it): the descriptor's
    // size is the file's, and the same as a GET's body length.
    let (length, body) = if head_only {
        (descriptor.size, Bytes::new())
    } else {
        (data.len() as u64, data)
    };
    let mut response = Response::new(Full::new(body));
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(disposition) = HeaderValue::from_str(&disposition(&descriptor.name)) {
        out.insert(header::CONTENT_DISPOSITION, disposition);
    }
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// `attachment; filename*=UTF-8''<name, percent-encoded>` (RFC 6266 / RFC 8187).
fn disposition(name: &str) -> String {
    let mut out = String::from("attachment; filename*=UTF-8''");
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn not_found() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(
        b"no such attachment in your room\n",
    )));
    *response.status_mut() = StatusCode::NOT_FOUND;
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_percent_encoded_in_the_disposition() {
        assert_eq!(
            disposition("a b\"é.png"),
            "attachment; filename*=UTF-8''a%20b%22%C3%A9.png"
        );
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case_and_nothing_else_is() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }
}
