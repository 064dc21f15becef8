//! What the console client's end-to-end tests share: a real relay on `127.0.0.1:0` with a
//! permanent room `lobby`, and the bound on every run of the binary. Included with
//! `mod common;` by each test file.

use std::process::Output;
use std::time::Duration;

use confab_server::Config;
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::oneshot;
use tokio::time::timeout;

/// Generous for a debug build on a busy 2-core machine; a healthy run takes milliseconds.
pub const LIMIT: Duration = Duration::from_secs(20);

/// Starts a relay with permanent room `lobby`; returns its URL and the shutdown trigger.
#[allow(
    dead_code,
    reason = "tests/conversation.rs starts confab-tests' relay, for its WebSocket members"
)]
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

/// Runs `confab-cli --server URL ARGS...` with no input and no name from the environment,
/// and waits (at most [`LIMIT`]) for it to finish.
#[allow(
    dead_code,
    reason = "not every test file runs the client with arguments only"
)]
pub async fn cli(url: &str, args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_confab-cli"))
        .arg("--server")
        .arg(url)
        .args(args)
        .env_remove("CONFAB_NAME")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn confab-cli");
    timeout(LIMIT, child.wait_with_output())
        .await
        .expect("confab-cli finished in time")
        .expect("confab-cli ran")
}

/// The JSON lines of a run that must have succeeded (its stderr shown if not).
#[allow(
    dead_code,
    reason = "not every test file reads the client's JSON lines"
)]
pub fn successful_json(output: &Output) -> Vec<serde_json::Value> {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every stdout line is one JSON object"))
        .collect()
}
