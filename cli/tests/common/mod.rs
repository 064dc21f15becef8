//! What the console client's end-to-end tests share: a real relay on `127.0.0.1:0` with a
//! permanent room `lobby`, and the bound on every run of the binary. Included with
//! `mod common;` by each test file.

use std::time::Duration;

use confab_server::Config;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Generous for a debug build on a busy 2-core machine; a healthy run takes milliseconds.
pub const LIMIT: Duration = Duration::from_secs(20);

/// Starts a relay with permanent room `lobby`; returns its URL and the shutdown trigger.
pub async fn relay() -> (String, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let url = format!("ws://{}", listener.local_addr().expect("bound address"));
    let config = Config {
        permanent_rooms: vec!["lobby".into()],
        ..Config::default()
    };
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    tokio::spawn(confab_server::run(listener, config, async {
        let _ = stop_rx.await;
    }));
    (url, stop_tx)
}
