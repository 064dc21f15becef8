//! What a storm member is told: its place (room, relays, sending schedule, reconnect
//! schedule) and the run's phase, which every member follows.

use std::net::SocketAddr;
use std::time::Duration;

use super::backoff::BackoffPolicy;

/// Where the run is; members follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Joining and settling: nobody sends.
    Setup,
    /// Senders send on their schedule.
    Sending,
    /// Senders stop; everyone keeps reading until the stragglers catch up.
    Quiet,
    /// Close and report.
    Stop,
}

/// How a member enters its room the first time.
#[derive(Debug, Clone)]
pub enum Entry {
    /// `create` a room (its code goes back through the first-welcome channel).
    Create,
    /// `join` the room with this code.
    Join(String),
}

/// One member's part in the run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Its index (its name is `m{index}`).
    pub index: usize,
    /// Its room's index.
    pub room: usize,
    /// How it enters first.
    pub entry: Entry,
    /// Every relay; it starts at `index mod n` and moves to the next after each drop.
    pub relays: Vec<SocketAddr>,
    /// How often it sends; `None` for a silent member.
    pub send_every: Option<Duration>,
    /// When its first send is due, after the sending starts.
    pub send_offset: Duration,
    /// Bytes per chat text.
    pub size: usize,
    /// Its reconnect schedule.
    pub policy: BackoffPolicy,
    /// Most chats it has unconfirmed at once: at that many, a turn to send passes.
    pub max_unconfirmed: u64,
}
