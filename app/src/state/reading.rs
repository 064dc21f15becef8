//! What the model shows, read-only, for the app and its views (the fields stay private),
//! and the join screen's word on hosting, which the app reports. Part of [`Model`].

use super::{Attachments, ConnectionState, Model, MyStatus, Room};

/// What the model shows: read-only views for the app and its views. Every change goes
/// through the reducer's methods, so no glue code can put the model into a state its
/// rules never make.
impl Model {
    /// Where the connection is at.
    pub fn status(&self) -> &ConnectionState {
        &self.status
    }

    /// Why the last create/join (or hosting) failed, for the join screen.
    pub fn join_error(&self) -> Option<&str> {
        self.join_error.as_deref()
    }

    /// The room you are in (kept while reconnecting).
    pub fn room(&self) -> Option<&Room> {
        self.room.as_ref()
    }

    /// Messages from others since the window lost focus (for the title).
    pub fn unread(&self) -> usize {
        self.unread
    }

    /// Your own status (online, away by choice or after idling).
    pub fn my_status(&self) -> &MyStatus {
        &self.my_status
    }

    /// Files going up and coming down.
    pub fn attachments(&self) -> &Attachments {
        &self.attachments
    }

    /// This app is starting a relay of its own to host a room: an earlier join error no
    /// longer applies.
    pub fn hosting_started(&mut self) {
        self.join_error = None;
    }

    /// Hosting a room failed before any room existed: the join screen says `why`.
    pub fn hosting_failed(&mut self, why: &str) {
        self.join_error = Some(format!("Could not host a room: {why}"));
    }
}
