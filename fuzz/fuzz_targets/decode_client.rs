//! Fuzz target `decode_client`: the relay runs [`decode_client`] on every text frame a
//! stranger sends, so it must never panic, and whatever it accepts must survive the trip
//! back to JSON unchanged (otherwise the relay and a client could disagree about what a
//! message said, e.g. about a normalized name or room code).
//!
//! Invariants checked for any UTF-8 input:
//! - `decode_client` returns instead of panicking;
//! - a refusal carries a human-readable message;
//! - an accepted message re-encodes with `to_json` to text that decodes to the same value,
//!   and encoding is stable (encode(decode(encode(m))) == encode(m)).

#![no_main]

use confab_protocol::decode_client;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        // The relay only decodes text frames, which tungstenite has already checked are UTF-8.
        return;
    };
    match decode_client(text) {
        Ok(message) => {
            let encoded = message.to_json();
            let again = decode_client(&encoded)
                .unwrap_or_else(|err| panic!("{encoded:?} (from {text:?}) does not decode: {err}"));
            assert_eq!(
                again, message,
                "{text:?} changed on a round trip through {encoded:?}"
            );
            assert_eq!(
                again.to_json(),
                encoded,
                "encoding of {text:?} is not stable"
            );
        }
        Err(err) => assert!(!err.message.is_empty(), "{text:?} refused without a reason"),
    }
});
