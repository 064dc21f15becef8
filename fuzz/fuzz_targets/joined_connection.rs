//! Feeds arbitrary frames to a joined connection's handler (the relay's session logic):
//! nothing may panic, and every frame the relay queues for anyone must decode.
//! The input is split on newlines into several frames, so sequences get explored too.

#![no_main]

use confab_server::fuzzing::JoinedConnection;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(mut connection) = JoinedConnection::new() else {
        panic!("could not set up a joined connection");
    };
    for frame in data.split(|&b| b == b'\n') {
        if let Ok(text) = std::str::from_utf8(frame) {
            connection.feed(text);
        }
    }
});
