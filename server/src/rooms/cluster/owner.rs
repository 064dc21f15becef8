//! The owner's commands in a cluster room: lock and remove, decided by the owner scripts.

use std::sync::Arc;

use confab_protocol::Username;

use crate::clock::{millis, now_millis};
use crate::rooms::cluster::scripts;
use crate::rooms::cluster::{Cluster, Membership};
use crate::rooms::types::OwnerError;

impl Cluster {
    /// The owner locks or unlocks the room.
    pub async fn set_locked(
        self: &Arc<Self>,
        membership: &Membership,
        locked: bool,
    ) -> Result<(), OwnerError> {
        let keys = &membership.keys;
        let reply: String = scripts::LOCK_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .arg(if locked { "1" } else { "0" })
            .arg(now_millis())
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|_| OwnerError::Unavailable)?;
        owner_reply(&reply)
    }

    /// The owner removes `name`: its relay closes it with 4003; name and address are kept
    /// out for `removal_ban`.
    pub async fn remove(
        self: &Arc<Self>,
        membership: &Membership,
        name: &Username,
    ) -> Result<(), OwnerError> {
        let keys = &membership.keys;
        let now = now_millis();
        let reply: String = scripts::REMOVE_SCRIPT
            .key(keys.all())
            .arg(&keys.channel)
            .arg(&membership.key)
            .arg(&self.relay)
            .arg(membership.conn.to_string())
            .arg(name.uniqueness_key())
            .arg(now + millis(self.config.removal_ban))
            .arg(now)
            .arg(millis(self.config.room_grace).max(1))
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|_| OwnerError::Unavailable)?;
        owner_reply(&reply)
    }
}

/// What an owner script's answer means.
fn owner_reply(reply: &str) -> Result<(), OwnerError> {
    match reply {
        "ok" => Ok(()),
        // This connection is on its way out: nothing to say, but nothing was done either.
        "not_member" => Err(OwnerError::NotInRoom),
        "not_owner" => Err(OwnerError::NotOwner),
        "yourself" => Err(OwnerError::Yourself),
        "no_such_member" => Err(OwnerError::NoSuchMember),
        other => {
            tracing::error!(?other, "unexpected answer from an owner script");
            Err(OwnerError::Unavailable)
        }
    }
}
