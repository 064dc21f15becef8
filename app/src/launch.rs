//! What the native app was started with: an invite as its first argument, which is how a
//! desktop hands it a clicked `confab:` link (`Exec=confab %u` in `assets/confab.desktop`).
//!
//! Pure: `main.rs` passes the arguments in, the join form takes the result. It reads
//! invites with the protocol's one parser and never connects by itself.

use confab_protocol::{Invite, InviteError};

/// The invite among the program's arguments (without the program's own name), if any: the
/// first argument, in any form [`Invite::parse`] reads (a `confab:` link, an `https://` or
/// `ws://` link, a bare code). Anything after it is ignored.
pub fn invite_argument<I>(args: I) -> Result<Option<Invite>, InviteError>
where
    I: IntoIterator<Item = String>,
{
    args.into_iter()
        .next()
        .filter(|arg| !arg.trim().is_empty())
        .map(|arg| Invite::parse(&arg))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn a_confab_link_as_the_first_argument_is_the_invite() {
        let link = "confab://join/QZS-KB2-45H?relay=ws%3A%2F%2F10.0.0.5%3A9001";
        let invite = invite_argument(args(&[link]))
            .expect("valid")
            .expect("given");
        assert_eq!(invite.code.to_string(), "QZS-KB2-45H");
        assert_eq!(invite.relay.as_deref(), Some("ws://10.0.0.5:9001"));
    }

    #[test]
    fn no_argument_is_no_invite_and_a_bad_one_says_why() {
        assert_eq!(invite_argument(args(&[])), Ok(None));
        assert_eq!(invite_argument(args(&[""])), Ok(None));
        assert!(invite_argument(args(&["mailto:ann@example.org"])).is_err());
    }
}
