//! The web client's start: the join form filled from the page's address.
//!
//! The address rules themselves (which relay a page talks to, which room its link names,
//! what an invite to it looks like) are [`PageUrl`]'s, in the protocol crate, so every
//! client reads invite links the same way. Pure: `web.rs` (wasm32 only) reads the real
//! location and calls in here, so this is tested natively. It does not touch the DOM, egui
//! or sockets.

use confab_protocol::PageUrl;
use confab_protocol::private::{RoomKey, split_fragment};

use crate::ui::join::JoinForm;

/// Fills the join form from the page at start-up. `saved` says whether `form` was restored
/// from an earlier visit: a saved server is kept (it started as this page's relay, or the
/// user typed it), unless the address names a room or a relay, which is what the person
/// who shared the link meant.
pub fn adopt(page: &PageUrl<'_>, form: &mut JoinForm, saved: bool) {
    let room = page.room();
    if !saved || room.is_some() || page.relay_param().is_some() {
        form.server = page.relay();
    }
    if let Some(room) = room {
        // A private room's key after the code (`#CODE.<key>`) stays with it: Join reads
        // it from the field. The fragment never reaches a server.
        let fragment = page.fragment();
        let key = split_fragment(&fragment)
            .1
            .and_then(|k| RoomKey::parse(k).ok());
        form.room = match key {
            Some(key) => format!("{room}.{}", key.encode()),
            None => room.to_string(),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(href: &str) -> PageUrl<'_> {
        PageUrl::parse(href).expect("an http(s) address")
    }

    #[test]
    fn a_private_rooms_link_keeps_its_key_for_join() {
        let key = RoomKey::from_bytes([3; 32]).encode();
        let href = format!("https://chat.example/#K7Q-X2M-HDP.{key}");
        let mut form = JoinForm::default();
        adopt(&page(&href), &mut form, false);
        let invite = confab_protocol::Invite::parse(&form.room).expect("the field parses");
        assert_eq!(invite.code.to_string(), "K7Q-X2M-HDP");
        assert_eq!(invite.key.map(|k| k.encode()), Some(key));
    }

    #[test]
    fn a_first_visit_takes_the_pages_relay() {
        let mut form = JoinForm::default();
        adopt(&page("https://chat.example/"), &mut form, false);
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
        adopt(&page("https://chat.example/"), &mut form, true);
        assert_eq!(form.server, "ws://typed.example:9001");

        let mut form = saved;
        adopt(&page("https://chat.example/#K7Q-X2M-HDP"), &mut form, true);
        assert_eq!(form.server, "wss://chat.example");
        assert_eq!(form.room, "K7Q-X2M-HDP");
    }
}
