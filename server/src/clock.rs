//! Durations and timestamps as the protocol writes them: whole milliseconds. A leaf (std
//! only) for the engines, the attachments and the limits sent in `welcome`.

use std::time::{SystemTime, UNIX_EPOCH};

/// A duration in whole milliseconds, for `welcome.limits`.
pub fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The relay's clock for message timestamps (milliseconds since the Unix epoch).
pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
