//! The room rules both stores share and that touch no state: the `gap` rule for what a
//! returning member missed, how a server message becomes a frame (once, shared by every
//! recipient), and what `welcome.limits` says. A leaf: it imports nothing from either store.

use confab_protocol::{ChatMessage, Limits, Seq, ServerMessage};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::Config;
use crate::clock::millis;

/// What a client that saw up to `after` (none: a fresh join) gets of `history` (the kept
/// messages, oldest first, in a room whose newest `seq` is `newest`): the messages after
/// `after`, and the `gap` to announce first if some of those are no longer kept.
pub fn missed_since<'a>(
    history: impl IntoIterator<Item = &'a ChatMessage>,
    newest: Seq,
    after: Option<Seq>,
) -> (Vec<ChatMessage>, Option<ServerMessage>) {
    let history = history.into_iter();
    let Some(after) = after else {
        return (history.cloned().collect(), None);
    };
    let missed: Vec<ChatMessage> = history.filter(|m| m.seq > after).cloned().collect();
    let first_kept = missed.first().map_or(newest + 1, |m| m.seq);
    let gap = (after < newest && first_kept > after + 1).then_some(ServerMessage::Gap {
        after,
        resumed_from: first_kept,
    });
    (missed, gap)
}

/// Encodes a message once into a shareable frame.
pub fn encode(message: &ServerMessage) -> Utf8Bytes {
    Utf8Bytes::from(message.to_json())
}

/// What `welcome.limits` tells clients about `config`.
pub fn limits_of(config: &Config) -> Limits {
    Limits {
        max_text_chars: config.max_text_chars,
        max_frame_bytes: config.max_frame_bytes,
        messages_per_second: config.messages_per_second,
        burst: config.burst,
        typing_ttl_ms: millis(config.typing_ttl),
        ping_interval_ms: millis(config.ping_interval),
        pong_timeout_ms: millis(config.pong_timeout),
        join_timeout_ms: millis(config.join_timeout),
        room_grace_ms: millis(config.room_grace),
        history_len: config.history_len,
        attachments: crate::attachments::limits_of(config),
    }
}
