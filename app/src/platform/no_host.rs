//! The hosting slot of a build that cannot host (the web, or a native build without the
//! `host` feature): it starts nothing, and the join screen offers no hosting.

use confab_protocol::Username;
use eframe::egui;

/// Hosts nothing: the same calls as the real slot, none of which does anything.
#[derive(Debug, Default)]
pub struct HostSlot {
    /// Nothing is held; a field keeps the slot built the same way as the real one
    /// (`HostSlot::default()`) without lints asking for a unit struct's literal.
    _nothing: (),
}

impl HostSlot {
    /// Nothing to start: the join screen never offers hosting here ([`HostSlot::note`]).
    pub fn start(&mut self, _ctx: &egui::Context, _name: Username, _bind: String) {}

    /// Nothing to stop.
    pub fn stop(&mut self) {}

    /// Never an answer: nothing was started.
    pub fn poll(&mut self) -> Option<(Username, Result<String, String>)> {
        None
    }

    /// Never hosting.
    pub fn share_url(&self) -> Option<&str> {
        None
    }

    /// `None`: this build cannot host, so the join screen offers no hosting.
    pub fn note(&self) -> Option<&str> {
        None
    }
}
