//! The invite to the room: the one place the app decides what an invite says and where it
//! points (the relay others can reach, the page that opens it). `Invite::link` and
//! `Invite::message` (confab-protocol) write it out; the copy button, the QR code and the
//! browser test all read [`ConfabApp::invite_link`]. A private room's invite carries its
//! key after the code (`#CODE.<key>`) in every one of them.

use confab_protocol::{Invite, RoomCode};

use super::ConfabApp;

impl ConfabApp {
    /// The invite to `room` and the web page it opens on, if there is one: on the web this
    /// page (the link opens the app with the room filled in), else the page the relay
    /// serves (`welcome.page_url`). The one place the app decides what an invite says;
    /// [`Invite::link`] and [`Invite::message`] write it out.
    fn invite(&self, room: &RoomCode) -> (Invite, Option<String>) {
        let session = (self.model.room()).filter(|s| s.room == *room);
        let invite = Invite {
            relay: Some(self.share_server()),
            code: room.clone(),
            // A private room's key rides in the link's fragment, which browsers never
            // send to a server: without it, the code alone neither reads nor posts.
            key: session.and(self.model.room_key().cloned()),
        };
        let served = session.and_then(|s| s.page_url.clone());
        // On the web, this page: the link opens the app with the room filled in.
        let served = crate::platform::page_href().or(served);
        (invite, served)
    }

    /// The invite to `room` as it goes on the clipboard: a link that opens something, with
    /// the code and the server in words when the link is a `confab:` one.
    pub(super) fn invite_message(&self, room: &RoomCode) -> String {
        let (invite, page) = self.invite(room);
        invite.message(page.as_deref())
    }

    /// The invite link to the room you are in, if you are in one.
    pub fn invite_link(&self) -> Option<String> {
        let room = &self.model.room()?.room;
        let (invite, page) = self.invite(room);
        Some(invite.link(page.as_deref()))
    }

    /// The relay address others can reach: this app's, while it hosts.
    fn share_server(&self) -> String {
        if let Some(url) = self.host.share_url() {
            return url.to_owned();
        }
        // The relay in use: with several addresses, the one that answered.
        match self.model.relay() {
            Some(relay) => relay.to_owned(),
            None => self.prefs.form.server.trim().to_owned(),
        }
    }
}
