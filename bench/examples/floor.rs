//! The floor under the churn run's join rate: a WebSocket server that does nothing a relay
//! does. It accepts, answers every `create` or `join` with the same one-line `welcome`,
//! ignores everything else and holds the connection until the client goes. No rooms, no
//! roster, no presence, no logging.
//!
//! Run against it, the churn run measures what the TCP and WebSocket handshakes and the
//! generator cost on this machine, which no relay can go below:
//!
//! ```sh
//! cargo build --release -p confab-bench --example floor
//! target/release/examples/floor 127.0.0.1:PORT &
//! target/release/confab-bench churn --server 127.0.0.1:PORT --server-pid $! \
//!     --members 10000 --rooms 100 --join-concurrency 128
//! ```

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The reply to `create` and `join`: what the churn run needs (`type` and `room`).
const WELCOME: &str = r#"{"type":"welcome","room":"AAA-AAA-AAA","members":[],"history":[]}"#;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9101".to_owned())
        .parse()
        .map_err(std::io::Error::other)?;
    // The relay's own listener and backlog, so the comparison is fair.
    let listener = confab_server::bind(address)?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(serve(stream));
    }
}

/// Holds one connection: a `welcome` for every `create` or `join`, nothing else.
async fn serve(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    // Small buffers, as the relay keeps: tungstenite's 128 KiB defaults are zero-filled
    // on first use, which would make the floor dearer than the relay.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    while let Some(Ok(frame)) = ws.next().await {
        let Message::Text(text) = frame else {
            continue;
        };
        if (text.contains(r#""type":"create""#) || text.contains(r#""type":"join""#))
            && ws.send(Message::Text(WELCOME.into())).await.is_err()
        {
            return;
        }
    }
}
