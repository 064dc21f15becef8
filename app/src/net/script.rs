//! A scripted [`Transport`] for tests: events are queued by the test, sent frames recorded.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use ewebsock::{WsEvent, WsMessage};

use super::{Connector, Transport};

/// The test's side of a scripted socket.
#[derive(Clone, Default)]
pub struct Script {
    /// Events the client will receive, in order.
    pub incoming: Rc<RefCell<VecDeque<WsEvent>>>,
    /// Every text frame the client sent.
    pub sent: Rc<RefCell<Vec<String>>>,
    /// Every address the client connected to.
    pub connects: Rc<RefCell<Vec<String>>>,
}

impl Script {
    /// A connector whose sockets all share this script.
    pub fn connector(&self) -> Connector {
        let script = self.clone();
        Box::new(move |url| {
            script.connects.borrow_mut().push(url.to_owned());
            Ok(Box::new(script.clone()) as Box<dyn Transport>)
        })
    }

    /// Queues a text frame from the relay.
    pub fn push_text(&self, json: &str) {
        self.incoming
            .borrow_mut()
            .push_back(WsEvent::Message(WsMessage::Text(json.into())));
    }

    /// Queues any socket event.
    pub fn push(&self, event: WsEvent) {
        self.incoming.borrow_mut().push_back(event);
    }

    /// The frames sent so far, parsed as JSON.
    pub fn sent_json(&self) -> Vec<serde_json::Value> {
        self.sent
            .borrow()
            .iter()
            .filter_map(|s| serde_json::from_str(s).ok())
            .collect()
    }
}

impl Transport for Script {
    fn send_text(&mut self, text: String) {
        self.sent.borrow_mut().push(text);
    }

    fn try_recv(&mut self) -> Option<WsEvent> {
        self.incoming.borrow_mut().pop_front()
    }
}
