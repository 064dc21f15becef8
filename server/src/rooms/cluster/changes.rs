//! Changes to a kept message in cluster mode: the `EDIT`, `DELETE` and `REACT` scripts
//! decide and record them beside the history (`scripts/changes.rs`) and publish them;
//! a `welcome` reads the recorded changes and gives each kept message as it is now.

use std::collections::HashMap;
use std::sync::Arc;

use confab_protocol::{Changes, ChatMessage, MAX_REACTION_KINDS, MAX_REACTIONS_PER_MEMBER, Seq};
use serde::Deserialize;

use crate::rooms::cluster::bus::Event;
use crate::rooms::cluster::scripts;
use crate::rooms::cluster::{Cluster, Membership};
use crate::rooms::types::{Change, ChangeError, SendError};

/// What happened to one kept message, as the scripts record it.
#[derive(Debug, Default, Deserialize)]
pub struct Recorded {
    /// Its text now, if its author edited it.
    #[serde(default)]
    text: Option<String>,
    /// Edited, deleted, reactions.
    #[serde(flatten)]
    changes: Changes,
    /// The room's newest `seq` when it last changed (see `frames::missed_since`). Absent
    /// in what a relay from before it was recorded wrote: such a change is taken as new to
    /// every resume, which at worst sends a message's current form once too often.
    #[serde(default)]
    at: Option<Seq>,
}

/// When the message `seq` last changed, as `changes` recorded it (see [`Recorded::at`]).
pub fn changed_at(changes: &HashMap<Seq, Recorded>, seq: Seq) -> Option<Seq> {
    changes.get(&seq).map(|r| r.at.unwrap_or(Seq::MAX))
}

/// The recorded changes in a join's reply (a JSON object by seq); none if unreadable
/// (the messages are then given as they were sent, never a broken welcome).
pub fn parse(json: &str) -> HashMap<Seq, Recorded> {
    serde_json::from_str::<HashMap<String, Recorded>>(json)
        .unwrap_or_else(|err| {
            tracing::warn!(%err, "skipping unreadable message changes");
            HashMap::new()
        })
        .into_iter()
        .filter_map(|(seq, recorded)| Some((seq.parse().ok()?, recorded)))
        .collect()
}

/// `message` as it is now, after what `changes` recorded for it.
pub fn apply(mut message: ChatMessage, changes: &HashMap<Seq, Recorded>) -> ChatMessage {
    let Some(recorded) = changes.get(&message.seq) else {
        return message;
    };
    if recorded.changes.deleted {
        Changes::delete(&mut message);
        return message;
    }
    if let Some(text) = &recorded.text {
        message.text.clone_from(text);
    }
    message.changes = recorded.changes.clone();
    message
}

impl Cluster {
    /// Runs the script for `change` (see `scripts/changes.rs`): decided and recorded in
    /// Redis, and published to every relay of the room.
    pub async fn change(
        self: &Arc<Self>,
        membership: &Membership,
        change: Change,
    ) -> Result<(), ChangeError> {
        let keys = &membership.keys;
        let origin = self.origin(membership.conn);
        let (script, invocation) = match change {
            Change::Edit {
                client_id,
                seq,
                text,
            } => {
                let body = Event::Edited {
                    seq,
                    text: text.clone(),
                    client_id,
                    origin,
                }
                .to_body();
                let mut call = scripts::EDIT_SCRIPT.key(keys.all());
                call.arg(&keys.channel)
                    .arg(&membership.key)
                    .arg(&self.relay)
                    .arg(membership.conn.to_string())
                    .arg(seq)
                    .arg(text)
                    .arg(body);
                ("edit", call)
            }
            Change::Delete { client_id, seq } => {
                let body = Event::Deleted {
                    seq,
                    by: membership.name.clone(),
                    client_id,
                    origin,
                }
                .to_body();
                let mut call = scripts::DELETE_SCRIPT.key(keys.all());
                call.arg(&keys.channel)
                    .arg(&membership.key)
                    .arg(&self.relay)
                    .arg(membership.conn.to_string())
                    .arg(seq)
                    .arg(body);
                ("delete", call)
            }
            Change::React { seq, emoji, on } => {
                let body = Event::Reaction {
                    seq,
                    emoji: emoji.clone(),
                    name: membership.name.clone(),
                    on,
                }
                .to_body();
                let mut call = scripts::REACT_SCRIPT.key(keys.all());
                call.arg(&keys.channel)
                    .arg(&membership.key)
                    .arg(&self.relay)
                    .arg(membership.conn.to_string())
                    .arg(seq)
                    .arg(emoji)
                    .arg(if on { "1" } else { "0" })
                    .arg(body)
                    .arg(MAX_REACTION_KINDS)
                    .arg(MAX_REACTIONS_PER_MEMBER);
                ("react", call)
            }
        };
        let answer: String = invocation
            .invoke_async(&mut self.redis.clone())
            .await
            .map_err(|err| {
                tracing::warn!(%err, script, "a message change could not reach Redis");
                SendError::Unavailable
            })?;
        match answer.as_str() {
            "ok" => Ok(()),
            "not_member" => Err(SendError::MembershipLost.into()),
            "no_such_message" => Err(ChangeError::NoSuchMessage),
            "not_author" => Err(ChangeError::NotAuthor),
            "too_many" => Err(ChangeError::TooManyReactions),
            other => {
                tracing::error!(other, "unexpected answer from a message change script");
                Err(SendError::Unavailable.into())
            }
        }
    }
}
