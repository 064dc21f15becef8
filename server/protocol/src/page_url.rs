//! [`PageUrl`]: a web page's address as Confab reads it, which relay the page talks to and
//! which room its link names.
//!
//! The one home of the rule "a page at `http(s)://HOST[:PORT]/…` talks to the relay at
//! `ws(s)://HOST[:PORT]`": the web client reads its own address with it, and every client
//! reads pasted `https://…/#CODE` invites with it (`invite.rs`). Pure string work: no
//! DOM, no sockets.
//!
//! The rules, for a page at `http(s)://HOST[:PORT]/PATH[?QUERY]#ROOM`:
//! - the relay is the page's own origin, `ws://HOST[:PORT]` (`wss://` under https), since
//!   the relay serves the page itself, unless the query names one:
//!   `?relay=ws://elsewhere:1234`;
//! - a room code after `#` names the room;
//! - an invite is the page's own address with the room after `#`, so it carries `?relay=`
//!   along when there is one: `https://HOST/#K7Q-X2M-HDP`.

use std::borrow::Cow;

use crate::RoomCode;

/// The query parameter that names the relay explicitly (`?relay=wss://chat.example/ws`), for
/// pages not served by the relay they talk to (`trunk serve`, another web server), and in
/// `confab:` links.
pub const RELAY_PARAM: &str = "relay";

/// A page address split into the parts Confab reads. Borrowed from the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageUrl<'a> {
    /// `https:` (the relay is then `wss://`).
    secure: bool,
    /// The host and port as the address has them, without user info (`chat.example`,
    /// `127.0.0.1:9001`, `[::1]:8080`).
    host: &'a str,
    /// What follows `?` up to `#`, without either.
    query: &'a str,
    /// The whole address before `#`: the base of an invite link.
    base: &'a str,
    /// What follows `#`.
    fragment: &'a str,
}

impl<'a> PageUrl<'a> {
    /// Splits an `http:` or `https:` address (scheme in any case); `None` for anything else
    /// (`file:`, `data:`) and for an address without a host.
    pub fn parse(href: &'a str) -> Option<Self> {
        let (base, fragment) = href.split_once('#').unwrap_or((href, ""));
        let (scheme, rest) = base.split_once("://")?;
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.is_empty() || host.starts_with(':') || host.contains(char::is_whitespace) {
            return None;
        }
        let query = rest[authority_end..]
            .split_once('?')
            .map_or("", |(_, query)| query);
        Some(Self {
            secure,
            host,
            query,
            base,
            fragment,
        })
    }

    /// The relay this page talks to: `?relay=` if it names a `ws://` or `wss://` address,
    /// else the page's own origin (the relay serves the page), `wss://` when the page is
    /// https (a browser refuses plain `ws://` from an https page).
    pub fn relay(&self) -> String {
        self.relay_param().unwrap_or_else(|| {
            let scheme = if self.secure { "wss" } else { "ws" };
            format!("{scheme}://{}", self.host)
        })
    }

    /// The relay named by `?relay=`, percent-decoded, if it is a WebSocket address.
    pub fn relay_param(&self) -> Option<String> {
        relay_param(self.query)
    }

    /// The room this address invites to (`#K7Q-X2M-HDP`, or a private room's
    /// `#K7Q-X2M-HDP.<key>`), if the fragment is a valid code.
    pub fn room(&self) -> Option<RoomCode> {
        let fragment = percent_decode(self.fragment);
        RoomCode::parse(crate::private::split_fragment(&fragment).0).ok()
    }

    /// What follows `#`, percent-decoded (empty when there is no `#`).
    pub fn fragment(&self) -> Cow<'a, str> {
        percent_decode(self.fragment)
    }

    /// The invite link to `room` on this page: its address with the room after `#`. Only
    /// `Invite::link` (`invite.rs`) calls this: invite links are written in one place.
    pub(crate) fn invite(&self, room: &RoomCode) -> String {
        format!("{}#{room}", self.base)
    }
}

/// The `ws://` or `wss://` address named by `relay=` in `query` (the part after `?`),
/// decoded as browsers encode forms (`%XX`, `+` for a space). Any other value is ignored,
/// so a link cannot point a client at `javascript:` or a file.
pub fn relay_param(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == RELAY_PARAM)
        .map(|(_, value)| value.into_owned())
        .find(|relay| is_websocket_url(relay))
}

/// Whether `text` is a `ws://` or `wss://` address with something after the `//`.
pub fn is_websocket_url(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, rest)| {
        let scheme = scheme.to_ascii_lowercase();
        (scheme == "ws" || scheme == "wss")
            && !rest.is_empty()
            && !rest.starts_with(['/', '?', '#'])
            && !rest.contains(char::is_whitespace)
    })
}

/// Decodes `%XX` escapes. Invalid escapes and invalid UTF-8 are kept as they are (lossily),
/// never an error: the result is only ever validated again.
pub(crate) fn percent_decode(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(href: &str) -> PageUrl<'_> {
        PageUrl::parse(href).expect("an http(s) address")
    }

    #[test]
    fn the_relay_is_the_pages_own_origin() {
        assert_eq!(page("http://chat.example/").relay(), "ws://chat.example");
        assert_eq!(
            page("http://127.0.0.1:9001/index.html").relay(),
            "ws://127.0.0.1:9001"
        );
        assert_eq!(page("http://[::1]:8080/").relay(), "ws://[::1]:8080");
        assert_eq!(page("http://ann@host:1/").relay(), "ws://host:1");
    }

    #[test]
    fn an_https_page_talks_to_a_wss_relay() {
        assert_eq!(
            page("https://chat.example/#ABC").relay(),
            "wss://chat.example"
        );
        assert_eq!(page("HTTPS://chat.example").relay(), "wss://chat.example");
    }

    #[test]
    fn the_query_can_name_the_relay() {
        let p = page("http://127.0.0.1:8080/?relay=ws%3A%2F%2F127.0.0.1%3A4567#ABC");
        assert_eq!(p.relay(), "ws://127.0.0.1:4567");
        let p = page("https://chat.example/?x=1&relay=wss://chat.example/ws");
        assert_eq!(p.relay(), "wss://chat.example/ws");
    }

    #[test]
    fn a_relay_param_that_is_not_a_websocket_is_ignored() {
        let p = page("http://chat.example:9001/?relay=javascript:alert(1)");
        assert_eq!(p.relay(), "ws://chat.example:9001");
        let p = page("http://chat.example:9001/?relay=ws://");
        assert_eq!(p.relay(), "ws://chat.example:9001");
    }

    #[test]
    fn the_fragment_names_the_room() {
        assert_eq!(
            page("https://chat.example/#k7q-x2m-hdp").room(),
            RoomCode::parse("K7QX2MHDP").ok()
        );
        assert_eq!(
            page("https://chat.example/#k7q%2Dx2m%20hdp").room(),
            RoomCode::parse("K7QX2MHDP").ok()
        );
        assert_eq!(page("https://chat.example/").room(), None);
        assert_eq!(page("https://chat.example/#").room(), None);
        assert_eq!(page("https://chat.example/#not/a/code").room(), None);
    }

    #[test]
    fn an_invite_is_the_page_with_the_room_after_the_hash() {
        let room = RoomCode::parse("K7QX2MHDP").expect("valid");
        assert_eq!(
            page("https://chat.example/#OLD").invite(&room),
            "https://chat.example/#K7Q-X2M-HDP"
        );
        assert_eq!(
            page("http://127.0.0.1:8080/?relay=ws://127.0.0.1:4567").invite(&room),
            "http://127.0.0.1:8080/?relay=ws://127.0.0.1:4567#K7Q-X2M-HDP"
        );
    }

    #[test]
    fn an_invite_round_trips_to_the_same_relay_and_room() {
        let room = RoomCode::parse("lobby").expect("valid");
        let first = page("https://chat.example/app/?relay=wss://relay.example");
        let invite = first.invite(&room);
        let second = page(&invite);
        assert_eq!(second.room(), Some(room));
        assert_eq!(second.relay(), first.relay());
    }

    #[test]
    fn other_schemes_and_hostless_addresses_are_not_pages() {
        assert_eq!(PageUrl::parse("file:///tmp/index.html"), None);
        assert_eq!(PageUrl::parse("about:blank"), None);
        assert_eq!(PageUrl::parse("https:///#ABC"), None);
        assert_eq!(PageUrl::parse("https://:80/"), None);
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
