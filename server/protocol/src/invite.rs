//! [`Invite`]: what a person pastes or clicks to join a room, read the same way by every
//! client, and the one place invite links are written.
//!
//! The forms read by [`Invite::parse`]:
//! - a bare code, in any case, with or without separators: `k7q-x2m-hdp`, `K7QX2MHDP`;
//! - a relay address with the room after `#`: `ws://10.0.0.5:9001/#K7Q-X2M-HDP`, `wss://…`;
//! - a web page link, whose relay follows [`PageUrl::relay`] (same host and port,
//!   `ws://` for `http://`, `wss://` for `https://`, or its `?relay=`):
//!   `https://chat.example/#K7Q-X2M-HDP`;
//! - a `confab:` link, for relays that serve no page:
//!   `confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2F10.0.0.5%3A9001` (the `relay` is optional
//!   and percent-encoded). Desktops hand these to the native app, which registers the scheme.
//!
//! A private room's link carries the room key after the code and a `.` in its fragment
//! (`https://chat.example/#K7Q-X2M-HDP.<43 characters>`, `confab://join/CODE?…#<key>`, or
//! `CODE.<key>` pasted alone): [`Invite::key`].
//!
//! Hand-parsed with `percent-encoding` and `form_urlencoded`, not the `url` crate: these
//! four shapes need only the scheme, the host, one query parameter and the fragment, and
//! `url` would add IDNA with ICU4X's Unicode tables to the web client's bundle.

use crate::page_url::{PageUrl, RELAY_PARAM, is_websocket_url, percent_decode, relay_param};
use crate::private::{RoomKey, RoomKeyError, split_fragment};
use crate::{RoomCode, RoomCodeError};

/// The scheme of links the native app opens (`x-scheme-handler/confab` on Linux).
pub const CONFAB_SCHEME: &str = "confab";

/// A room to join, and the relay it lives on when the invite names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The relay's WebSocket address (`ws://…` or `wss://…`, no trailing `/`); `None` for
    /// a bare code, which joins on whatever relay the client already uses.
    pub relay: Option<String>,
    /// The room.
    pub code: RoomCode,
    /// A private room's key, from the link's fragment; `None` for an open room (or a
    /// private one reached by code alone, which can then neither read nor post).
    pub key: Option<RoomKey>,
}

/// Why a pasted invite could not be read. The words are for people (shown on the join
/// screen and by the CLI).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    /// The code itself is not a room code.
    #[error("{0}")]
    Code(#[from] RoomCodeError),
    /// A private room's key that is not 43 characters of base64url.
    #[error("{0}")]
    Key(#[from] RoomKeyError),
    /// A link with no room code after `#` (or after `join/` in a `confab:` link).
    #[error("this link has no room code in it")]
    NoCode,
    /// A link with no host (`https:///#K7Q`, `ws://#K7Q`).
    #[error("this link names no server")]
    NoHost,
    /// A `confab:` link whose `relay=` is not a `ws://` or `wss://` address.
    #[error("this link's server is not a ws:// or wss:// address")]
    BadRelay,
    /// A link of some other kind (`ftp:`, `mailto:`, `javascript:`).
    #[error(
        "{0}: links are not Confab invites (paste a room code, or a https://, ws:// or confab: link)"
    )]
    Scheme(String),
}

impl Invite {
    /// Reads a pasted or clicked invite in any of the forms in the [module docs](self).
    /// Surrounding spaces are ignored; nothing panics, whatever the input.
    pub fn parse(text: &str) -> Result<Self, InviteError> {
        let text = text.trim();
        let Some(scheme) = scheme_of(text) else {
            let (code, key) = split_fragment(text);
            return Ok(Self {
                relay: None,
                code: RoomCode::parse(code)?,
                key: key.map(RoomKey::parse).transpose()?,
            });
        };
        match scheme.to_ascii_lowercase().as_str() {
            "ws" | "wss" => Self::parse_relay_link(text),
            "http" | "https" => {
                let page = PageUrl::parse(text).ok_or(InviteError::NoHost)?;
                let (code, key) = code_and_key(&page.fragment())?;
                Ok(Self {
                    relay: Some(page.relay()),
                    code,
                    key,
                })
            }
            CONFAB_SCHEME => Self::parse_confab_link(&text[scheme.len() + 1..]),
            _ => Err(InviteError::Scheme(scheme.to_owned())),
        }
    }

    /// `ws(s)://HOST[:PORT][/PATH]#CODE`: the relay is everything before `#`.
    fn parse_relay_link(text: &str) -> Result<Self, InviteError> {
        let (base, fragment) = text.split_once('#').unwrap_or((text, ""));
        let relay = base.trim_end_matches('/');
        if !is_websocket_url(relay) {
            return Err(InviteError::NoHost);
        }
        let (scheme, rest) = relay.split_once("://").ok_or(InviteError::NoHost)?;
        let (code, key) = code_and_key(&percent_decode(fragment))?;
        Ok(Self {
            relay: Some(format!("{}://{rest}", scheme.to_ascii_lowercase())),
            code,
            key,
        })
    }

    /// What follows `confab:`: `//join/CODE[?relay=…][#KEY]` (the `//` may be missing).
    fn parse_confab_link(rest: &str) -> Result<Self, InviteError> {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (rest, key) = rest.split_once('#').unwrap_or((rest, ""));
        let key = Some(key).filter(|key| !key.is_empty());
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let code = path
            .get(..5)
            .filter(|join| join.eq_ignore_ascii_case("join/"))
            .map(|_| &path[5..])
            .ok_or(InviteError::NoCode)?;
        let names_relay =
            form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == RELAY_PARAM);
        let relay = if names_relay {
            Some(relay_param(query).ok_or(InviteError::BadRelay)?)
        } else {
            None
        };
        Ok(Self {
            relay,
            code: code_in(&percent_decode(code.trim_end_matches('/')))?,
            key: key.map(RoomKey::parse).transpose()?,
        })
    }

    /// The link to share: the web page's invite (`page` with the room after `#`) when there
    /// is a page (the relay serves one, or this client is that page), since it opens in any
    /// browser; else the [`Self::confab_link`].
    pub fn link(&self, page: Option<&str>) -> String {
        match (page.and_then(PageUrl::parse), &self.key) {
            (Some(page), None) => page.invite(&self.code),
            (Some(page), Some(key)) => format!("{}.{}", page.invite(&self.code), key.encode()),
            (None, _) => self.confab_link(),
        }
    }

    /// `confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2F10.0.0.5%3A9001`: opens the native app
    /// (which registers the scheme) in the room, on this relay; a private room's key
    /// follows after `#`.
    pub fn confab_link(&self) -> String {
        let mut link = format!("{CONFAB_SCHEME}://join/{}", self.code);
        if let Some(relay) = &self.relay {
            link.push_str("?relay=");
            link.extend(form_urlencoded::byte_serialize(relay.as_bytes()));
        }
        if let Some(key) = &self.key {
            link.push('#');
            link.push_str(&key.encode());
        }
        link
    }

    /// The text to copy for others: the [`Self::link`], and, when that is a `confab:` link
    /// (which opens nothing without the app), the code and the server in words below it,
    /// for typing into any client.
    pub fn message(&self, page: Option<&str>) -> String {
        let link = self.link(page);
        if !link.starts_with(CONFAB_SCHEME) {
            return link;
        }
        match &self.relay {
            Some(relay) => format!("{link}\nRoom code: {}\nServer: {relay}", self.code),
            None => format!("{link}\nRoom code: {}", self.code),
        }
    }
}

/// The scheme of `text` (`https` in `https://…`), if it starts with one: a letter, then
/// letters, digits, `+`, `-` or `.`, then `:`. A room code never has a `:`.
fn scheme_of(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// The room code a link's fragment carries, and a private room's key after it.
fn code_and_key(fragment: &str) -> Result<(RoomCode, Option<RoomKey>), InviteError> {
    let (code, key) = split_fragment(fragment);
    Ok((code_in(code)?, key.map(RoomKey::parse).transpose()?))
}

/// The room code a link carries, or [`InviteError::NoCode`] when it carries none.
fn code_in(text: &str) -> Result<RoomCode, InviteError> {
    match RoomCode::parse(text) {
        Err(RoomCodeError::Empty) => Err(InviteError::NoCode),
        parsed => Ok(parsed?),
    }
}

#[cfg(test)]
mod tests;
