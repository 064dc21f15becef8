//! The model's side of attachments: files queued or refused, downloads asked for or
//! cancelled, and what [`super::Attachments`] reports turned into [`Effect`]s and problems
//! (errors in the room, some with an offer to send a smaller copy).
//! Part of [`Model`]'s reducer; no I/O.

use confab_protocol::{Attachment, ClientId};

use super::{ConnectionState, Effect, Model, Now, Purpose, Transfer};

impl Model {
    /// Queues a file to upload to the room (the 📎 button, a drop, a paste). A file the
    /// relay would refuse for its size is refused here, with the limit in words.
    pub fn attach(&mut self, name: &str, mime: &str, bytes: Vec<u8>, now: Now) -> Vec<Effect> {
        if self.room.is_none() {
            return vec![];
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        let online = self.status == ConnectionState::Online;
        match self.attachments.attach(id, name, mime, bytes, online) {
            Ok(transfers) => self.transfers(transfers, now),
            Err(why) => self.transfers(vec![Transfer::Problem(why)], now),
        }
    }

    /// A file was refused by its size before it was read (over
    /// [`Attachments::max_file_bytes`]): says why in the room, in the same words as
    /// [`Model::attach`]. `shrinkable`: the app can make a smaller copy of it (a picture
    /// it can read again); then, if the relay takes files at all, the room offers to send
    /// one, and the offer's number is returned (see [`Model::take_smaller`]).
    pub fn refuse_file(
        &mut self,
        name: &str,
        size: u64,
        shrinkable: bool,
        now: Now,
    ) -> Option<u64> {
        let why = self.attachments.refusal(name, size)?;
        let offer = shrinkable && self.attachments.max_file_bytes() > 0;
        let text = if offer {
            let name = confab_protocol::clean_file_name(name);
            format!(
                "Not sent: {name} is {}, and this server takes files up to {}.",
                super::words::file_size(size),
                super::words::file_size(self.attachments.max_file_bytes())
            )
        } else {
            why
        };
        let at = self.clock.ms(now);
        let id = self.room.as_mut()?.timeline.push_problem(text, offer, at);
        offer.then_some(id)
    }

    /// The person asked for a smaller copy through offer `offer`: true the first time
    /// (the offer is then withdrawn, so a second click sends nothing more).
    pub fn take_smaller(&mut self, offer: u64) -> bool {
        (self.room.as_mut()).is_some_and(|s| s.timeline.take_offer(offer))
    }

    /// Stops the upload `client_id` (in flight or waiting).
    pub fn cancel_upload(&mut self, client_id: ClientId, now: Now) -> Vec<Effect> {
        let transfers = self.attachments.cancel(client_id);
        self.transfers(transfers, now)
    }

    /// Fetches an attachment's bytes, to show or to save.
    pub fn fetch(&mut self, attachment: &Attachment, purpose: Purpose, now: Now) -> Vec<Effect> {
        let online = self.status == ConnectionState::Online;
        let (id, name) = (&attachment.id, &attachment.name);
        let mut transfers = self
            .attachments
            .fetch(id, name, attachment.size, purpose, online);
        if matches!(self.status, ConnectionState::Ended { .. }) {
            // Nothing comes down from an ended room: fail at once rather than wait.
            transfers.extend(self.attachments.fail_downloads());
        }
        self.transfers(transfers, now)
    }

    /// Carries out what the attachment bookkeeping asked for: notices go to the room.
    pub(super) fn transfers(&mut self, transfers: Vec<Transfer>, now: Now) -> Vec<Effect> {
        let mut effects = Vec::new();
        for transfer in transfers {
            match transfer {
                Transfer::Send(msg) => effects.push(Effect::Send(msg)),
                Transfer::Problem(text) => self.problem(text, now),
                Transfer::Fetched {
                    id,
                    name,
                    purpose,
                    bytes,
                } => effects.push(Effect::Fetched {
                    id,
                    name,
                    purpose,
                    bytes,
                }),
                // The view reads the failure from `attachments` (a card with Retry); a
                // Save the person is waiting on is also told in words.
                Transfer::FetchFailed {
                    name,
                    purpose: Purpose::Save,
                } => {
                    let text = format!("Could not download {name}: the server no longer has it.");
                    self.problem(text, now);
                }
                Transfer::FetchFailed { .. } => {}
            }
        }
        effects
    }
}
