//! The room rules both stores share and that touch no state: the `gap` and `changed` rule
//! for what a returning member missed, how a server message becomes a frame (once, shared
//! by every recipient), and what `welcome.limits` says. A leaf: it imports nothing from
//! either store.

use confab_protocol::{ChatMessage, Limits, Seq, ServerMessage};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::Config;
use crate::clock::millis;

/// What a joining client gets of a room's kept history: the `welcome.history`, and the
/// frames that follow the `welcome`.
#[derive(Debug, Default)]
pub struct Missed {
    /// The kept messages after the `last_seq` it saw (all of them for a fresh join).
    pub history: Vec<ChatMessage>,
    /// Announced first if some messages after `last_seq` are no longer kept.
    pub gap: Option<ServerMessage>,
    /// The kept messages at or below `last_seq` that changed since (see [`missed_since`]).
    pub changed: Option<ServerMessage>,
}

impl Missed {
    /// The frames that follow the `welcome`, in order: `gap`, then `changed`.
    pub fn after_welcome(&self) -> impl Iterator<Item = Utf8Bytes> + '_ {
        self.gap.iter().chain(&self.changed).map(encode)
    }
}

/// What a client that saw up to `after` (none: a fresh join) gets of `history` (the kept
/// messages, oldest first, each in its current form, in a room whose newest `seq` is
/// `newest`): the messages after `after`, the `gap` to announce first if some of those
/// are no longer kept, and a `changed` frame with the messages it had seen that changed
/// since.
///
/// "Changed since" is told by `changed_at`: for a kept message, the room's newest `seq`
/// when it last changed (none if it never did). A client that saw `after` heard live of
/// every change made before `after + 1` was sent, so a change stamped below `after` is
/// known to it; one stamped `after` or later may not be (it may have come after the
/// client went away) and is sent again, in the message's current form. At worst that
/// resends a change the client already has, which is harmless: the form is the same.
pub fn missed_since<'a>(
    history: impl IntoIterator<Item = &'a ChatMessage>,
    newest: Seq,
    after: Option<Seq>,
    changed_at: impl Fn(Seq) -> Option<Seq>,
) -> Missed {
    let history = history.into_iter();
    let Some(after) = after else {
        return Missed {
            history: history.cloned().collect(),
            ..Missed::default()
        };
    };
    let (missed, seen): (Vec<ChatMessage>, Vec<ChatMessage>) = history
        .filter(|m| m.seq > after || changed_at(m.seq).is_some_and(|at| at >= after))
        .cloned()
        .partition(|m| m.seq > after);
    let first_kept = missed.first().map_or(newest + 1, |m| m.seq);
    let gap = (after < newest && first_kept > after + 1).then_some(ServerMessage::Gap {
        after,
        resumed_from: first_kept,
    });
    let changed = (!seen.is_empty()).then_some(ServerMessage::Changed { messages: seen });
    Missed {
        history: missed,
        gap,
        changed,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocols_example_limits_are_what_a_relay_with_default_settings_announces() {
        let announced = limits_of(&Config::default());
        assert_eq!(
            Limits {
                attachments: announced.attachments,
                ..Limits::example()
            },
            announced
        );
    }
}
