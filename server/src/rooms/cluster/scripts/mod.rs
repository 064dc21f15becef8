//! The Lua scripts that change a room's shared state. Redis runs each one atomically, so
//! every check and its update happen together (two relays racing for one name admit exactly
//! one), and the events a script publishes are numbered in the order they happened.
//!
//! Every script takes the same keys, one room's ([`RoomKeys`]), and publishes on the room's
//! bus channel (first argument). An event is a JSON object whose first field is `ev`, the
//! room's event number; a chat also carries `seq`. Names are stored JSON-encoded (by the
//! relay, from validated [`confab_protocol::Username`]s), so a script can splice them into
//! an event without encoding anything itself.
//!
//! Time is Redis's: every script reads Redis's clock (`TIME`) for now, reservation ends,
//! bans and heartbeats. Where a relay still passes its `now ms` beside an end, only the
//! end's distance from that `now` counts, so a relay whose clock is wrong can neither reap
//! the others nor end a reservation or a ban early.

mod changes;
mod members;
mod owner;
mod prelude;
mod relays;

use std::sync::LazyLock;

use confab_protocol::RoomCode;
use redis::Script;

use self::changes::{CHANGES_PRELUDE, DELETE, EDIT, REACT};
use self::members::{
    CHAT, DEPART, EVENT, FORWARD, JOIN, PERMANENT, REAP, RESTORE, ROSTER, SETTLE, STATUS, WHISPER,
};
use self::owner::{LOCK, OWNER_CHECK, REMOVE};
use self::prelude::PRELUDE;
use self::relays::{BEAT, CLOCK, DEAD};

/// The keys of one room. All share the hash tag `{CODE}`, so they live on one shard.
#[derive(Debug, Clone)]
pub struct RoomKeys {
    /// The bus channel every relay with members in the room subscribes to.
    pub channel: String,
    keys: [String; 18],
}

impl RoomKeys {
    /// The keys of `code`.
    pub fn of(code: &RoomCode) -> Self {
        let key = |part: &str| format!("confab:{{{code}}}:{part}");
        Self {
            channel: key("bus"),
            keys: [
                key("room"),     // 1: exists while the room does ("1", or "p" if permanent)
                key("seq"),      // 2: the last chat's seq
                key("ev"),       // 3: the last event's number
                key("history"),  // 4: list of the last history_len chat events
                key("members"),  // 5: hash: name key -> {"token","relay","conn"}
                key("reserved"), // 6: hash: name key -> {"token","exp"} of dropped members
                key("order"),    // 7: sorted set: name key by joining order
                key("ordinal"),  // 8: the last joining ordinal
                key("names"),    // 9: hash: name key -> the name, JSON-encoded
                key("owner"),    // 10: {"token","key"}: the owner's resume token and name key
                key("locked"),   // 11: exists while the room is locked
                // 12: hash: name key or "ip:ADDR" -> "END:COUNT", the latest ban end (ms)
                // among the `removals` that name it, and how many do. (Not "bans": that
                // hash held bare end times, which a relay of this version cannot read.)
                key("banned"),
                key("away"),     // 13: hash: name key -> "1" for members who are away
                key("removals"), // 14: list: the removals kept out, oldest first
                key("tokens"),   // 15: hash: resume token -> name key, of members now in
                // 16: the newest seq any relay had seen when Redis lost the room, once a
                // relay gave it back (RESTORE): chats numbered after it are new.
                key("restored"),
                // 17: hash: seq -> what happened to that kept message since (edits,
                // deletion, reactions), as JSON; dropped as the history lets it go.
                key("changes"),
                // Always the last (the prelude's `file_keys` finds it from the end):
                key("filemeta"), // 18: hash: attachment id -> "seq:size", "_bytes" -> bytes held
            ],
        }
    }

    /// The keys, in the order every script expects them.
    pub fn all(&self) -> &[String] {
        &self.keys
    }
}

/// A script of `body` after the shared helpers (for scripts kept beside what they serve).
pub fn with_prelude(body: &str) -> Script {
    script(body)
}

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}

fn owner_script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{OWNER_CHECK}{body}"))
}

fn changes_script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{CHANGES_PRELUDE}{body}"))
}

/// [`JOIN`].
pub static JOIN_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(JOIN));
/// [`CHAT`].
pub static CHAT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(CHAT));
/// [`EVENT`].
pub static EVENT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(EVENT));
/// [`WHISPER`].
pub static WHISPER_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(WHISPER));
/// [`DEPART`].
pub static DEPART_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(DEPART));
/// [`SETTLE`].
pub static SETTLE_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(SETTLE));
/// [`STATUS`].
pub static STATUS_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(STATUS));
/// [`LOCK`].
pub static LOCK_SCRIPT: LazyLock<Script> = LazyLock::new(|| owner_script(LOCK));
/// [`REMOVE`].
pub static REMOVE_SCRIPT: LazyLock<Script> = LazyLock::new(|| owner_script(REMOVE));
/// [`REAP`].
pub static REAP_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(REAP));
/// [`RESTORE`].
pub static RESTORE_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(RESTORE));
/// [`PERMANENT`].
/// [`EDIT`].
pub static EDIT_SCRIPT: LazyLock<Script> = LazyLock::new(|| changes_script(EDIT));
/// [`DELETE`].
pub static DELETE_SCRIPT: LazyLock<Script> = LazyLock::new(|| changes_script(DELETE));
/// [`REACT`].
pub static REACT_SCRIPT: LazyLock<Script> = LazyLock::new(|| changes_script(REACT));
/// [`FORWARD`].
pub static FORWARD_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(FORWARD));
/// [`ROSTER`].
pub static ROSTER_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(ROSTER));
pub static PERMANENT_SCRIPT: LazyLock<Script> = LazyLock::new(|| script(PERMANENT));

/// This relay's heartbeat by Redis's clock (see `relays.rs`).
pub static BEAT_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(&format!("{CLOCK}{BEAT}")));

/// The relays whose heartbeat is too old by Redis's clock.
pub static DEAD_RELAYS_SCRIPT: LazyLock<Script> =
    LazyLock::new(|| Script::new(&format!("{CLOCK}{DEAD}")));
