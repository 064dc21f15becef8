//! The only module that knows about sockets and JSON: [`Net`] opens one WebSocket at a
//! time (through `ewebsock`), encodes [`ClientMessage`]s and decodes relay frames into
//! [`NetEvent`]s.
//!
//! It never imports egui: the app passes in a wakeup closure that requests a repaint.
//! Sockets sit behind the small [`Transport`] seam so tests can script them.

use std::sync::Arc;

use confab_protocol::{ClientMessage, ServerMessage};
use ewebsock::{WsEvent, WsMessage};

/// Largest frame accepted from the relay. A `welcome` carries the room's backlog, so this
/// is well above the relay's own `max_frame_bytes` for client frames; it still stops a
/// hostile server from filling memory.
pub const MAX_INCOMING_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// What happened on the connection, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// The socket is open: messages may be sent now.
    Opened,
    /// A relay message.
    Message(ServerMessage),
    /// The connection ended or could not be made; the reason is for people.
    Closed(String),
}

/// One open (or opening) WebSocket. Implemented by `ewebsock`'s pair, and by scripts in tests.
pub trait Transport {
    /// Queues a text frame.
    fn send_text(&mut self, text: String);
    /// The next event, if one has arrived.
    fn try_recv(&mut self) -> Option<WsEvent>;
}

/// Opens a [`Transport`] to an address.
pub type Connector = Box<dyn FnMut(&str) -> Result<Box<dyn Transport>, String>>;

/// The connection to the relay: at most one socket at a time.
pub struct Net {
    connector: Connector,
    /// The current socket; exists only while connected or connecting, so events from an
    /// abandoned socket can never reach the model.
    link: Option<Box<dyn Transport>>,
}

impl Net {
    /// A `Net` that opens sockets with `connector` (tests pass a scripted one).
    pub fn new(connector: Connector) -> Self {
        Self {
            connector,
            link: None,
        }
    }

    /// A `Net` over real WebSockets; `wakeup` runs on every incoming event (pass a closure
    /// that requests a repaint, or the UI will not notice messages until the next input).
    pub fn websocket(wakeup: impl Fn() + Send + Sync + 'static) -> Self {
        let wakeup = Arc::new(wakeup);
        Self::new(Box::new(move |url| {
            let wakeup = Arc::clone(&wakeup);
            let options = ewebsock::Options {
                max_incoming_frame_size: MAX_INCOMING_FRAME_BYTES,
                ..ewebsock::Options::default()
            };
            let (tx, rx) = ewebsock::connect_with_wakeup(url, options, move || wakeup())?;
            Ok(Box::new(Ewebsock { tx, rx }) as Box<dyn Transport>)
        }))
    }

    /// Opens a socket to `url`, replacing any current one. A failure to even start comes
    /// back as a [`NetEvent::Closed`] from the next [`Self::poll`].
    pub fn connect(&mut self, url: &str) {
        self.link = Some(match (self.connector)(url) {
            Ok(link) => link,
            Err(why) => Box::new(Failed(Some(why))),
        });
    }

    /// Sends a message on the current socket (dropped silently when there is none: the
    /// model only sends while it believes it is connected, and reconnects otherwise).
    pub fn send(&mut self, msg: &ClientMessage) {
        if let Some(link) = &mut self.link {
            link.send_text(msg.to_json());
        }
    }

    /// Closes the current socket, if any.
    pub fn disconnect(&mut self) {
        self.link = None;
    }

    /// Whether a socket is open or opening.
    pub fn is_connected(&self) -> bool {
        self.link.is_some()
    }

    /// Drains every event that has arrived. After a [`NetEvent::Closed`] the socket is gone.
    pub fn poll(&mut self) -> Vec<NetEvent> {
        let mut events = Vec::new();
        while let Some(link) = &mut self.link {
            let Some(event) = link.try_recv() else { break };
            match decode(event) {
                Some(NetEvent::Closed(why)) => {
                    self.link = None;
                    events.push(NetEvent::Closed(why));
                }
                Some(event) => events.push(event),
                None => {}
            }
        }
        events
    }
}

/// Turns a socket event into a [`NetEvent`]; `None` for frames with nothing to say.
pub fn decode(event: WsEvent) -> Option<NetEvent> {
    match event {
        WsEvent::Opened => Some(NetEvent::Opened),
        WsEvent::Message(WsMessage::Text(text)) => match ServerMessage::from_json(&text) {
            Ok(msg) => Some(NetEvent::Message(msg)),
            Err(err) => {
                // A newer relay may send message types this client does not know yet.
                log::warn!("ignoring an unreadable frame from the relay: {err}");
                None
            }
        },
        WsEvent::Message(_) => None,
        WsEvent::Error(why) => Some(NetEvent::Closed(why)),
        WsEvent::Closed => Some(NetEvent::Closed("the server closed the connection".into())),
    }
}

/// `ewebsock`'s sender and receiver, as one [`Transport`]. Dropping it closes the socket.
struct Ewebsock {
    tx: ewebsock::WsSender,
    rx: ewebsock::WsReceiver,
}

impl Transport for Ewebsock {
    fn send_text(&mut self, text: String) {
        self.tx.send(WsMessage::Text(text));
    }

    fn try_recv(&mut self) -> Option<WsEvent> {
        self.rx.try_recv()
    }
}

/// A socket that could not even be started: reports why, once.
struct Failed(Option<String>);

impl Transport for Failed {
    fn send_text(&mut self, _text: String) {}

    fn try_recv(&mut self) -> Option<WsEvent> {
        self.0.take().map(WsEvent::Error)
    }
}

#[cfg(test)]
pub mod script;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::script::Script;
    use super::*;

    #[test]
    fn frames_are_decoded_in_order_and_sends_are_json() {
        let script = Script::default();
        let mut net = Net::new(script.connector());
        net.connect("ws://relay");
        script.push(WsEvent::Opened);
        script.push_text(r#"{"type":"typing","name":"bob","active":true}"#);
        let events = net.poll();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0], NetEvent::Opened);
        assert!(matches!(
            &events[1],
            NetEvent::Message(ServerMessage::Typing { active: true, .. })
        ));
        net.send(&ClientMessage::Typing { active: false });
        assert_eq!(
            script.sent_json(),
            vec![json!({"type": "typing", "active": false})]
        );
        assert_eq!(*script.connects.borrow(), vec!["ws://relay".to_owned()]);
    }

    #[test]
    fn unreadable_and_binary_frames_are_skipped() {
        let script = Script::default();
        let mut net = Net::new(script.connector());
        net.connect("ws://relay");
        script.push_text(r#"{"type":"from_the_future"}"#);
        script.push(WsEvent::Message(WsMessage::Binary(vec![1, 2])));
        script.push_text(r#"{"type":"gap","after":1,"resumed_from":5}"#);
        assert_eq!(
            net.poll(),
            vec![NetEvent::Message(ServerMessage::Gap {
                after: 1,
                resumed_from: 5
            })]
        );
    }

    #[test]
    fn a_closed_socket_is_dropped_and_later_events_never_arrive() {
        let script = Script::default();
        let mut net = Net::new(script.connector());
        net.connect("ws://relay");
        script.push(WsEvent::Error("reset".into()));
        script.push(WsEvent::Opened);
        assert_eq!(net.poll(), vec![NetEvent::Closed("reset".into())]);
        assert!(!net.is_connected());
        assert_eq!(net.poll(), vec![]);
    }

    #[test]
    fn a_connector_failure_surfaces_as_a_closed_event() {
        let mut net = Net::new(Box::new(|_| Err("bad address".to_owned())));
        net.connect("nonsense");
        assert_eq!(net.poll(), vec![NetEvent::Closed("bad address".into())]);
    }
}
