//! [`Relays`]: the relay addresses a session may use, tried in turn.
//!
//! A cluster of relays shares rooms (Redis behind them), so a client given several
//! addresses can carry on at any of them: a connection that fails or drops moves on to the
//! next address, and the resume (token and `last_seq`) goes to whichever relay answers.
//! Pure: the model decides when to rotate; this only keeps the list and the position.

/// The relay addresses, in the order given, and the one in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relays {
    /// At least one address.
    list: Vec<String>,
    /// Index into `list` of the address in use.
    current: usize,
}

impl Relays {
    /// Reads one address or several, separated by commas and/or white space
    /// (`ws://a:9001, ws://b:9001`). `None` when there is no address at all.
    pub fn parse(text: &str) -> Option<Self> {
        let list: Vec<String> = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        (!list.is_empty()).then_some(Self { list, current: 0 })
    }

    /// The address in use.
    pub fn current(&self) -> &str {
        &self.list[self.current]
    }

    /// Moves on to the next address (after the last, the first again) and returns it.
    pub fn rotate(&mut self) -> &str {
        self.current = (self.current + 1) % self.list.len();
        self.current()
    }

    /// How many addresses there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Never true: a `Relays` has at least one address (for clippy's `len` rule).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every address, for messages ("could not reach a, b").
    pub fn all(&self) -> String {
        self.list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_split_on_commas_and_white_space() {
        let relays = Relays::parse(" ws://a:1, ws://b:2\tws://c:3,,").expect("three");
        assert_eq!(relays.len(), 3);
        assert_eq!(relays.all(), "ws://a:1, ws://b:2, ws://c:3");
        assert_eq!(relays.current(), "ws://a:1");
        assert_eq!(Relays::parse(" , "), None);
    }

    #[test]
    fn rotation_goes_round_in_order() {
        let mut relays = Relays::parse("ws://a ws://b").expect("two");
        assert_eq!(relays.rotate(), "ws://b");
        assert_eq!(relays.rotate(), "ws://a");
        let mut one = Relays::parse("ws://only").expect("one");
        assert_eq!(one.rotate(), "ws://only");
    }
}
