//! The naive relay Confab is measured against: tokio-tungstenite's own broadcast server
//! (`examples/server.rs`), taught just enough of the protocol for the load tool. Each
//! connection is split into a sink and a stream; every member of a room has an unbounded
//! channel that a task of its own forwards to its sink; a chat is encoded once and its frame
//! cloned into every member's channel. No limits, no history, no presence, no ping, no
//! shutdown: what a relay costs without any of what makes Confab a product.
//!
//! ```sh
//! cargo build --release -p confab-bench --example naive
//! target/release/examples/naive 127.0.0.1:PORT &
//! target/release/confab-bench load --server 127.0.0.1:PORT --server-pid $! \
//!     --clients 1000 --rooms 1 --senders 1 --rate 10 --size 64 --duration 10
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use confab_protocol::{ChatMessage, ClientMessage, RoomCode, ServerMessage, Username};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// A room: its members' channels by connection, and its chat counter.
#[derive(Default)]
struct Room {
    members: HashMap<u64, UnboundedSender<Message>>,
    seq: u64,
}

type Rooms = Arc<Mutex<HashMap<String, Room>>>;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9102".to_owned())
        .parse()
        .map_err(std::io::Error::other)?;
    // The relay's own listener and backlog, so the comparison is fair.
    let listener = confab_server::bind(address)?;
    let rooms = Rooms::default();
    let next_conn = AtomicU64::new(1);
    loop {
        let (stream, _) = listener.accept().await?;
        let conn = next_conn.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(serve(stream, conn, Arc::clone(&rooms)));
    }
}

/// One connection: join a room, then relay its chats to everyone in it.
async fn serve(stream: TcpStream, conn: u64, rooms: Rooms) {
    let _ = stream.set_nodelay(true);
    // A 4 KiB read buffer and no write buffer, as the relay keeps.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let Ok(ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let (mut outgoing, mut incoming) = ws.split();
    let (tx, mut rx) = unbounded_channel::<Message>();
    let forward = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if outgoing.send(message).await.is_err() {
                break;
            }
        }
    });
    let mut joined: Option<(String, Username)> = None;
    while let Some(Ok(Message::Text(text))) = incoming.next().await {
        let Ok(message) = confab_protocol::decode_client(&text) else {
            continue;
        };
        match (message, &joined) {
            (ClientMessage::Create { name }, None) => {
                joined = Some(enter(&rooms, &code_of(conn), name, conn, &tx));
            }
            (ClientMessage::Join { name, room, .. }, None) => {
                joined = Some(enter(&rooms, &room.to_string(), name, conn, &tx));
            }
            (
                ClientMessage::Chat {
                    client_id, text, ..
                },
                Some((code, name)),
            ) => {
                let mut rooms = rooms.lock().expect("rooms");
                let Some(room) = rooms.get_mut(code) else {
                    continue;
                };
                room.seq += 1;
                let mut chat = ChatMessage {
                    reply_to: None,
                    changes: Default::default(),
                    seq: room.seq,
                    from: name.clone(),
                    text,
                    ts: 0,
                    client_id: None,
                    attachment: None,
                };
                let everyone = Message::Text(ServerMessage::Chat(chat.clone()).to_json().into());
                chat.client_id = Some(client_id);
                let own = Message::Text(ServerMessage::Chat(chat).to_json().into());
                for (&member, peer) in &room.members {
                    let frame = if member == conn { &own } else { &everyone };
                    let _ = peer.send(frame.clone());
                }
            }
            _ => {}
        }
    }
    if let Some((code, _)) = joined
        && let Some(room) = rooms.lock().expect("rooms").get_mut(&code)
    {
        room.members.remove(&conn);
    }
    forward.abort();
}

/// Adds the connection to room `code` and sends it a `welcome`; the room and name it is in.
fn enter(
    rooms: &Rooms,
    code: &str,
    name: Username,
    conn: u64,
    tx: &UnboundedSender<Message>,
) -> (String, Username) {
    let welcome = format!(r#"{{"type":"welcome","room":"{code}","members":[],"history":[]}}"#);
    let _ = tx.send(Message::Text(welcome.into()));
    let mut rooms = rooms.lock().expect("rooms");
    rooms
        .entry(code.to_owned())
        .or_default()
        .members
        .insert(conn, tx.clone());
    (code.to_owned(), name)
}

/// A room code made from the creator's connection number, in the codes' alphabet.
fn code_of(mut conn: u64) -> String {
    let alphabet = RoomCode::ALPHABET;
    let base = alphabet.len() as u64;
    let mut code = String::new();
    while code.len() < 9 {
        code.push(char::from(alphabet[(conn % base) as usize]));
        conn /= base;
    }
    RoomCode::parse(&code).map_or(code, |code| code.to_string())
}
