//! Unguessable values from the operating system's RNG: room codes and resume tokens.

use std::fmt::Write as _;

use confab_protocol::RoomCode;

/// Bytes of randomness in a resume token (128 bits).
const TOKEN_BYTES: usize = 16;

/// A fresh room code (about 44.6 bits from the OS RNG).
pub fn room_code() -> Result<RoomCode, getrandom::Error> {
    // Rejection sampling discards 8 of 256 byte values, so 32 bytes almost always suffice;
    // the closure refills if they do not.
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf)?;
    let mut next = 0;
    let mut failed = None;
    let code = RoomCode::generate(|| {
        if next == buf.len() {
            if let Err(err) = getrandom::fill(&mut buf) {
                failed = Some(err);
            }
            next = 0;
        }
        next += 1;
        buf[next - 1]
    });
    failed.map_or(Ok(code), Err)
}

/// A fresh resume token: 128 random bits as 32 hex digits.
pub fn resume_token() -> Result<String, getrandom::Error> {
    let mut buf = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut buf)?;
    let mut token = String::with_capacity(TOKEN_BYTES * 2);
    for byte in buf {
        let _ = write!(token, "{byte:02x}");
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_tokens_differ_between_draws() {
        let codes: std::collections::HashSet<_> =
            (0..100).filter_map(|_| room_code().ok()).collect();
        assert_eq!(codes.len(), 100);
        let a = resume_token().ok();
        assert_eq!(a.as_ref().map(String::len), Some(32));
        assert_ne!(a, resume_token().ok());
    }
}
