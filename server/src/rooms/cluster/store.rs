//! The cluster keeps the room contract: [`RoomStore`] for [`Cluster`], each operation a
//! script run in Redis (`scripts.rs`) and delivered by every relay from the bus.

use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use confab_protocol::{Attachment, ClientId, ErrorCode, MemberStatus, RoomCode, Seq, Username};
use hyper::body::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::attachments::{Claim, Stored};
use crate::rooms::RoomStore;
use crate::rooms::cluster::{Cluster, Membership};
use crate::rooms::types::{
    Arrival, Change, ChangeError, Departure, JoinError, OwnerError, Resume, SendError,
};
use crate::secrets;

/// Attachments copied out of Redis for HTTP downloads at once (each up to
/// `max_file_bytes`); further downloads wait for one to end.
pub const MAX_CLUSTER_DOWNLOADS: usize = 4;

static CLUSTER_DOWNLOADS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(MAX_CLUSTER_DOWNLOADS)));

/// A file copied out of Redis, with the permit that counts it, both held until the
/// response body is sent and dropped.
struct Copied {
    data: Vec<u8>,
    _permit: OwnedSemaphorePermit,
}

impl AsRef<[u8]> for Copied {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl RoomStore for Cluster {
    type Membership = Membership;

    fn create(
        self: &Arc<Self>,
        arrival: Arrival,
    ) -> impl Future<Output = Result<Membership, JoinError>> + Send {
        Cluster::create(self, secrets::room_code, arrival)
    }

    fn join(
        self: &Arc<Self>,
        code: &RoomCode,
        arrival: Arrival,
        resume: &Resume,
    ) -> impl Future<Output = Result<Membership, JoinError>> + Send {
        Cluster::join(self, code, arrival, resume)
    }

    fn chat(
        self: &Arc<Self>,
        membership: &Membership,
        client_id: ClientId,
        text: String,
        reply_to: Option<Seq>,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        Cluster::chat(self, membership, client_id, text, reply_to)
    }

    fn change(
        self: &Arc<Self>,
        membership: &Membership,
        change: Change,
    ) -> impl Future<Output = Result<(), ChangeError>> + Send {
        Cluster::change(self, membership, change)
    }

    fn typing(
        self: &Arc<Self>,
        membership: &Membership,
        active: bool,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        Cluster::typing(self, membership, active)
    }

    fn whisper(
        self: &Arc<Self>,
        membership: &Membership,
        to: &Username,
        client_id: ClientId,
        text: String,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        Cluster::whisper(self, membership, to, client_id, text)
    }

    fn roster(self: &Arc<Self>, membership: &Membership) {
        Cluster::roster(self, membership);
    }

    fn status(
        self: &Arc<Self>,
        membership: &Membership,
        status: MemberStatus,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        Cluster::status(self, membership, status)
    }

    fn set_locked(
        self: &Arc<Self>,
        membership: &Membership,
        locked: bool,
    ) -> impl Future<Output = Result<(), OwnerError>> + Send {
        Cluster::set_locked(self, membership, locked)
    }

    fn remove(
        self: &Arc<Self>,
        membership: &Membership,
        name: &Username,
    ) -> impl Future<Output = Result<(), OwnerError>> + Send {
        Cluster::remove(self, membership, name)
    }

    fn depart(self: &Arc<Self>, membership: &Membership, departure: Departure) {
        Cluster::depart(self, membership, departure);
    }

    fn leave(self: &Arc<Self>, membership: &Membership) -> impl Future<Output = ()> + Send {
        Cluster::leave(self, membership)
    }

    fn reserve_file(
        self: &Arc<Self>,
        membership: &Membership,
        size: u64,
    ) -> impl Future<Output = Result<Claim, ErrorCode>> + Send {
        Cluster::reserve_file(self, membership, size)
    }

    fn post_attachment(
        self: &Arc<Self>,
        membership: &Membership,
        client_id: ClientId,
        reservation: Claim,
        stored: Stored,
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        Cluster::post_attachment(self, membership, client_id, reservation, stored)
    }

    fn fetch_chunk(
        self: &Arc<Self>,
        membership: &Membership,
        id: &str,
        offset: u64,
        len: usize,
    ) -> impl Future<Output = Option<(u64, Vec<u8>)>> + Send {
        Cluster::fetch_file(self, membership, id, offset, len)
    }

    async fn download(
        self: &Arc<Self>,
        id: &str,
        token: &str,
        head_only: bool,
    ) -> Option<(Attachment, Bytes)> {
        if head_only {
            // A HEAD reads no bytes out of Redis, so it holds no download permit either.
            let (descriptor, _) = Cluster::download(self, id, token, true).await?;
            return Some((descriptor, Bytes::new()));
        }
        let permit = Arc::clone(&*CLUSTER_DOWNLOADS).acquire_owned().await.ok()?;
        let (descriptor, data) = Cluster::download(self, id, token, false).await?;
        let body = Bytes::from_owner(Copied {
            data,
            _permit: permit,
        });
        Some((descriptor, body))
    }

    fn shared_failed_joins(self: &Arc<Self>, ip: IpAddr) -> impl Future<Output = u32> + Send {
        Cluster::failed_joins(self, ip)
    }

    fn share_failed_join(self: &Arc<Self>, ip: IpAddr) {
        Cluster::record_failed_join(self, ip);
    }

    fn sweep(&self, _now: Instant) {
        // Redis expires rooms and reservations; the cluster's upkeep task does the rest.
    }

    fn stop(&self) -> impl Future<Output = ()> + Send {
        Cluster::stop(self)
    }
}
