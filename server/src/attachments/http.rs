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

use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};

use crate::shared::Shared;

/// The path prefix this module answers.
pub const PREFIX: &str = "/attachments/";

/// Content types served as themselves; everything else is `application/octet-stream`.
const INLINE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The answer to `GET` (or `HEAD`, then `head_only`) of `/attachments/<id>`.
pub async fn answer(
    shared: &Arc<Shared>,
    id: &str,
    headers: &HeaderMap,
    head_only: bool,
) -> Response<Full<Bytes>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let (Some(token), Some(store)) = (token, shared.rooms.attachments()) else {
        return not_found();
    };
    let Some(room) = store.room_of(id) else {
        return not_found();
    };
    if !shared.rooms.is_current_member(&room, token).await {
        return not_found();
    }
    let Some(stored) = store.fetch(&room, id) else {
        return not_found();
    };
    let content_type = INLINE_TYPES
        .into_iter()
        .find(|t| stored.descriptor.sniffed_mime.as_deref() == Some(*t))
        .unwrap_or("application/octet-stream");
    let length = stored.data.len();
    let body = if head_only {
        Bytes::new()
    } else {
        Bytes::from_owner(stored.data)
    };
    let mut response = Response::new(Full::new(body));
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(disposition) = HeaderValue::from_str(&disposition(&stored.descriptor.name)) {
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
}
