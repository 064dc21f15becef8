//! Reading from a [`TestClient`]: the next [`Event`], typed expectations about it
//! (`recv_*`, `expect_*`), and skipping what a test does not care about.
//!
//! Owns how relay frames are classified; panics carry what was expected and what came
//! instead. Every wait is bounded by [`crate::STEP`] (or by the explicit window given).

use std::time::Duration;

use confab_protocol::{ChatMessage, ServerMessage, Username};
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use crate::{ErrorMessage, TestClient, WelcomeMessage, error_of, welcome_of, within};

/// What reading the socket can yield.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A text frame, decoded.
    Message(ServerMessage),
    /// A close frame, with its code (`None` for a close frame without a payload).
    Close(Option<u16>),
    /// The connection ended without a close frame (EOF, reset, protocol error).
    Dropped(String),
}

impl TestClient {
    /// The next thing that happens on the socket (pings and pongs are skipped).
    pub async fn next_event(&mut self) -> Event {
        within("the next frame from the relay", self.read_event()).await
    }

    /// Like [`Self::next_event`], but waits at most `window` and returns `None` when nothing
    /// arrived in it.
    pub async fn next_event_within(&mut self, window: Duration) -> Option<Event> {
        tokio::time::timeout(window, self.read_event()).await.ok()
    }

    async fn read_event(&mut self) -> Event {
        loop {
            let frame = match self.ws.next().await {
                None => return Event::Dropped("end of stream".to_owned()),
                Some(Err(err)) => return Event::Dropped(err.to_string()),
                Some(Ok(frame)) => frame,
            };
            match frame {
                Message::Text(text) => match ServerMessage::from_json(&text) {
                    Ok(msg) => return Event::Message(msg),
                    Err(err) => panic!("the relay sent undecodable text {text:?}: {err}"),
                },
                Message::Close(frame) => return Event::Close(frame.map(|f| u16::from(f.code))),
                Message::Binary(bytes) => panic!("the relay sent a binary frame: {bytes:?}"),
                Message::Ping(_) => self.pings_seen += 1,
                Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// The next message; panics if the connection closes instead.
    pub async fn recv(&mut self) -> ServerMessage {
        match self.next_event().await {
            Event::Message(msg) => msg,
            other => panic!("expected a message, but the connection ended: {other:?}"),
        }
    }

    /// Reads messages until one matches `wanted`, and returns it (the others are dropped).
    pub async fn recv_until(
        &mut self,
        wanted: impl FnMut(&ServerMessage) -> bool,
    ) -> ServerMessage {
        let mut seen = self.collect_until(wanted).await;
        seen.pop()
            .expect("collect_until returns at least the match")
    }

    /// Reads messages until one matches `wanted`; returns all of them, the match last.
    pub async fn collect_until(
        &mut self,
        mut wanted: impl FnMut(&ServerMessage) -> bool,
    ) -> Vec<ServerMessage> {
        let mut seen = Vec::new();
        loop {
            let msg = match self.next_event().await {
                Event::Message(msg) => msg,
                other => panic!(
                    "connection ended ({other:?}) before the expected message; got {seen:#?}"
                ),
            };
            let done = wanted(&msg);
            seen.push(msg);
            if done {
                return seen;
            }
        }
    }

    /// The next message, which must be a `welcome`.
    pub async fn recv_welcome(&mut self, what: &str) -> WelcomeMessage {
        let msg = self.recv().await;
        let welcome =
            welcome_of(msg.clone()).unwrap_or_else(|| panic!("expected {what}, got {msg:?}"));
        self.last_welcome = Some(welcome.clone());
        welcome
    }

    /// The resume token from this connection's last `welcome`.
    pub fn welcome_token(&self) -> String {
        let welcome = self
            .last_welcome
            .as_ref()
            .expect("this client was welcomed");
        welcome.resume_token.clone()
    }

    /// The next message, which must be an `error`.
    pub async fn recv_error(&mut self) -> ErrorMessage {
        let msg = self.recv().await;
        error_of(msg.clone()).unwrap_or_else(|| panic!("expected an error frame, got {msg:?}"))
    }

    /// The next chat message. A `typing` hint with `active: false` before it is skipped:
    /// the relay sends one right before a chat whose sender had an active hint. Anything
    /// else first is a test failure.
    pub async fn recv_chat(&mut self) -> ChatMessage {
        loop {
            match self.recv().await {
                ServerMessage::Chat(chat) => return chat,
                ServerMessage::Typing { active: false, .. } => {}
                other => panic!("expected a chat message, got {other:?}"),
            }
        }
    }

    /// Reads until `member_joined` for `who` and returns its roster.
    pub async fn recv_member_joined(&mut self, who: &str) -> Vec<Username> {
        match self
            .recv_until(
                |m| matches!(m, ServerMessage::MemberJoined { name, .. } if name.as_str() == who),
            )
            .await
        {
            ServerMessage::MemberJoined { members, .. } => members,
            _ => unreachable!("recv_until returned a non-matching message"),
        }
    }

    /// Reads until `member_left` for `who` and returns its roster.
    pub async fn recv_member_left(&mut self, who: &str) -> Vec<Username> {
        match self
            .recv_until(
                |m| matches!(m, ServerMessage::MemberLeft { name, .. } if name.as_str() == who),
            )
            .await
        {
            ServerMessage::MemberLeft { members, .. } => members,
            _ => unreachable!("recv_until returned a non-matching message"),
        }
    }

    /// Reads until the connection ends and asserts it ended with a close frame carrying
    /// `code`. Returns the messages that arrived before the close.
    pub async fn expect_close(&mut self, code: u16) -> Vec<ServerMessage> {
        let (seen, end) = self.read_to_end().await;
        assert_eq!(
            end,
            Event::Close(Some(code)),
            "expected close {code}; messages before it: {seen:#?}"
        );
        seen
    }

    /// Reads until the connection ends and asserts it ended with close `code` or was
    /// dropped without a close frame. Returns the messages that arrived before.
    pub async fn expect_close_or_drop(&mut self, code: u16) -> Vec<ServerMessage> {
        let (seen, end) = self.read_to_end().await;
        assert!(
            matches!(end, Event::Dropped(_)) || end == Event::Close(Some(code)),
            "expected close {code} or a dropped connection, got {end:?}"
        );
        seen
    }

    /// Reads until the connection ends: the messages before, and how it ended.
    pub async fn read_to_end(&mut self) -> (Vec<ServerMessage>, Event) {
        let mut seen = Vec::new();
        loop {
            match self.next_event().await {
                Event::Message(msg) => seen.push(msg),
                end => return (seen, end),
            }
        }
    }
}
