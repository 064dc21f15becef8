//! The web client's addresses: which relay a page talks to, which room its link names, and
//! what an invite link to it looks like.
//!
//! Pure string work over the page's `location.href`, so the rules are tested natively;
//! `web.rs` (wasm32 only) reads the real location and calls in here. It does not touch the
//! DOM, egui or sockets.
//!
//! The rules, for a page at `http(s)://HOST[:PORT]/PATH[?QUERY]#ROOM`:
//! - the relay is the page's own origin, `ws://HOST[:PORT]` (`wss://` under https), since
//!   the relay serves the page itself, unless the query names one:
//!   `?relay=ws://elsewhere:1234`;
//! - a room code after `#` opens the join screen with that code filled in;
//! - an invite is the page's own address with the room after `#`, so it carries `?relay=`
//!   along when there is one: `https://HOST/#K7Q-X2M-HDP`.

use confab_protocol::RoomCode;

use crate::ui::join::JoinForm;

/// The query parameter that names the relay explicitly (`?relay=wss://chat.example/ws`), for
/// pages not served by the relay they talk to (`trunk serve`, another web server).
pub const RELAY_PARAM: &str = "relay";

/// A page address split into the parts Confab reads. Borrowed from `location.href`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageUrl<'a> {
    /// `https:` (the relay is then `wss://`; the clipboard works).
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
    /// Splits an `http:` or `https:` address; `None` for anything else (`file:`, `data:`).
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
        if host.is_empty() || host.starts_with(':') {
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
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(key, _)| *key == RELAY_PARAM)
            .map(|(_, value)| percent_decode(value))
            .find(|relay| relay.starts_with("ws://") || relay.starts_with("wss://"))
    }

    /// The room this address invites to (`#K7Q-X2M-HDP`), if the fragment is a valid code.
    pub fn room(&self) -> Option<RoomCode> {
        let fragment = percent_decode(self.fragment);
        RoomCode::parse(&fragment).ok()
    }

    /// The invite link to `room` on this page: its address with the room after `#`.
    pub fn invite(&self, room: &RoomCode) -> String {
        format!("{}#{room}", self.base)
    }

    /// Fills the join form from the page at start-up. `saved` says whether `form` was
    /// restored from an earlier visit: a saved server is kept (it started as this page's
    /// relay, or the user typed it), unless the address names a room or a relay, which is
    /// what the person who shared the link meant.
    pub fn adopt(&self, form: &mut JoinForm, saved: bool) {
        let room = self.room();
        if !saved || room.is_some() || self.relay_param().is_some() {
            form.server = self.relay();
        }
        if let Some(room) = room {
            form.room = room.to_string();
        }
    }
}

/// Decodes `%XX` escapes (and `+` as a space, as forms encode it). Invalid escapes and
/// invalid UTF-8 are kept as they are (lossily), never an error: the result is only ever
/// validated again.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match bytes[i] {
            b'%' => {
                if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                    // Two hex digits make one byte: `hi * 16 + lo` is at most 255.
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
    }

    #[test]
    fn the_fragment_names_the_room() {
        assert_eq!(
            page("https://chat.example/#k7q-x2m-hdp").room(),
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
    fn other_schemes_are_not_pages() {
        assert_eq!(PageUrl::parse("file:///tmp/index.html"), None);
        assert_eq!(PageUrl::parse("about:blank"), None);
    }

    #[test]
    fn a_first_visit_takes_the_pages_relay() {
        let mut form = JoinForm::default();
        page("https://chat.example/").adopt(&mut form, false);
        assert_eq!(form.server, "wss://chat.example");
        assert_eq!(form.room, "");
    }

    #[test]
    fn a_saved_server_stays_unless_the_link_names_a_room() {
        let saved = JoinForm {
            server: "ws://typed.example:9001".into(),
            ..JoinForm::default()
        };
        let mut form = saved.clone();
        page("https://chat.example/").adopt(&mut form, true);
        assert_eq!(form.server, "ws://typed.example:9001");

        let mut form = saved;
        page("https://chat.example/#K7Q-X2M-HDP").adopt(&mut form, true);
        assert_eq!(form.server, "wss://chat.example");
        assert_eq!(form.room, "K7Q-X2M-HDP");
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
