//! The in-memory registry keeps the room contract: [`RoomStore`] for [`Registry`]. Nothing
//! here waits, so every answer is ready when asked for.

use std::future::{Future, ready};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use confab_protocol::{Attachment, ClientId, ErrorCode, MemberStatus, RoomCode, Seq, Username};
use hyper::body::Bytes;

use crate::attachments::{Claim, Stored};
use crate::rooms::RoomStore;
use crate::rooms::memory::{self, Membership, Registry};
use crate::rooms::types::{
    Arrival, Change, ChangeError, Departure, JoinError, OwnerError, Resume, SendError,
};
use crate::secrets;

impl RoomStore for Registry {
    type Membership = Membership;

    fn create(
        self: &Arc<Self>,
        arrival: Arrival,
    ) -> impl Future<Output = Result<Membership, JoinError>> + Send {
        ready(Registry::create(self, secrets::room_code, arrival))
    }

    fn join(
        self: &Arc<Self>,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
    ) -> impl Future<Output = Result<Membership, JoinError>> + Send {
        ready(Registry::join(self, code, arrival, resume))
    }

    fn chat(
        self: &Arc<Self>,
        membership: &Membership,
        client_id: ClientId,
        text: String,
        reply_to: Option<Seq>,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        ready(Registry::chat(self, membership, client_id, text, reply_to))
    }

    fn change(
        self: &Arc<Self>,
        membership: &Membership,
        change: Change,
    ) -> impl Future<Output = Result<(), ChangeError>> + Send {
        ready(Registry::change(self, membership, change))
    }

    fn typing(
        self: &Arc<Self>,
        membership: &Membership,
        active: bool,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        ready(Registry::typing(self, membership, active))
    }

    fn whisper(
        self: &Arc<Self>,
        membership: &Membership,
        to: &Username,
        client_id: ClientId,
        text: String,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        ready(Registry::whisper(self, membership, to, client_id, text))
    }

    fn roster(self: &Arc<Self>, membership: &Membership) {
        Registry::roster(self, membership);
    }

    fn status(
        self: &Arc<Self>,
        membership: &Membership,
        status: MemberStatus,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        ready(Registry::status(self, membership, status))
    }

    fn set_locked(
        self: &Arc<Self>,
        membership: &Membership,
        locked: bool,
    ) -> impl Future<Output = Result<(), OwnerError>> + Send {
        ready(Registry::set_locked(self, membership, locked))
    }

    fn remove(
        self: &Arc<Self>,
        membership: &Membership,
        name: &Username,
    ) -> impl Future<Output = Result<(), OwnerError>> + Send {
        ready(Registry::remove(self, membership, name))
    }

    fn depart(self: &Arc<Self>, membership: &Membership, departure: Departure) {
        Registry::depart(self, membership, departure);
    }

    fn leave(self: &Arc<Self>, membership: &Membership) -> impl Future<Output = ()> + Send {
        Registry::depart(self, membership, Departure::Left);
        ready(())
    }

    fn reserve_file(
        self: &Arc<Self>,
        membership: &Membership,
        size: u64,
    ) -> impl Future<Output = Result<Claim, ErrorCode>> + Send {
        ready(self.attachments().reserve(&membership.code(), size))
    }

    fn post_attachment(
        self: &Arc<Self>,
        membership: &Membership,
        client_id: ClientId,
        reservation: Claim,
        stored: Stored,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        ready(Registry::post_attachment(
            self,
            membership,
            client_id,
            reservation,
            stored,
        ))
    }

    fn fetch_chunk(
        self: &Arc<Self>,
        membership: &Membership,
        id: &str,
        offset: u64,
        len: usize,
    ) -> impl Future<Output = Option<(u64, Vec<u8>)>> + Send {
        let chunk = self
            .attachments()
            .fetch(&membership.code(), id)
            .map(|stored| {
                let size = stored.data.len();
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(size);
                let end = start.saturating_add(len).min(size);
                (size as u64, stored.data[start..end].to_vec())
            });
        ready(chunk)
    }

    fn download(
        self: &Arc<Self>,
        id: &str,
        token: &str,
        _head_only: bool,
    ) -> impl Future<Output = Option<(Attachment, Bytes)>> + Send {
        // The stored bytes are shared with the response, not copied, so a HEAD costs the
        // same as a GET here.
        let file = (|| {
            let store = self.attachments();
            let room = store.room_of(id)?;
            if !self.is_current_member(&room, token) {
                return None;
            }
            let stored = store.fetch(&room, id)?;
            Some((stored.descriptor, Bytes::from_owner(stored.data)))
        })();
        ready(file)
    }

    fn shared_failed_joins(self: &Arc<Self>, _ip: IpAddr) -> impl Future<Output = u32> + Send {
        // No other relay shares these rooms: this relay's own count is all there is.
        ready(0)
    }

    fn share_failed_join(self: &Arc<Self>, _ip: IpAddr) {
        // No other relay to tell.
    }

    fn sweep(&self, _now: Instant) {
        // By this store's own clock, which set every end it compares with: the janitor's
        // `now` is the process's, which a test that pauses tokio's clock cannot move.
        Registry::sweep(self, memory::now());
    }

    fn stop(&self) -> impl Future<Output = ()> + Send {
        ready(())
    }
}
