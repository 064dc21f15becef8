//! [`TestRelay`]: one relay per test, on its own port, stopped when the test ends.
//!
//! Owns starting and stopping the server; it knows nothing about the protocol beyond the
//! convenience constructors that hand back joined [`TestClient`]s.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use confab_protocol::RoomCode;
use confab_server::Config;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{TestClient, WelcomeMessage, init_tracing, within};

/// The baseline config for tests: the relay's defaults with the limits that would get in
/// the way of ordinary tests (rate limits, failed-join counting) opened up. A test that is
/// about a limit narrows exactly that one: `Config { max_room_members: 2, ..test_config() }`.
pub fn test_config() -> Config {
    Config {
        // A test sends its messages back to back; the default 5/s would throttle it.
        messages_per_second: 10_000,
        burst: 10_000,
        // Every client of a test comes from 127.0.0.1, so failures add up across clients.
        max_failed_joins: 10_000,
        max_failed_joins_relay: 10_000,
        ..Config::default()
    }
}

/// A relay serving on `127.0.0.1:<free port>` in a task of the test's runtime.
///
/// Dropping it drops the shutdown sender, which also tells the relay to stop, so a failing
/// test never leaves a server behind (the runtime ends with the test in any case).
pub struct TestRelay {
    /// Where the relay listens.
    pub addr: SocketAddr,
    /// Where it serves `/metrics`, when started with [`Self::start_with_metrics`].
    pub metrics_addr: Option<SocketAddr>,
    /// Resolving this (sending or dropping) is the relay's shutdown signal.
    shutdown_tx: Option<oneshot::Sender<()>>,
    /// The task running [`confab_server::run`]; it ends when `run` returns.
    task: JoinHandle<io::Result<()>>,
}

impl TestRelay {
    /// Binds a free port on the loopback interface and starts `confab_server::run` on it.
    pub async fn start(config: Config) -> Self {
        Self::start_serving(config, false).await
    }

    /// Like [`Self::start`], with `/metrics` on a second free loopback port.
    pub async fn start_with_metrics(config: Config) -> Self {
        Self::start_serving(config, true).await
    }

    async fn start_serving(config: Config, with_metrics: bool) -> Self {
        init_tracing();
        let listener = bind_loopback().await;
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let metrics_listener = if with_metrics {
            Some(bind_loopback().await)
        } else {
            None
        };
        let metrics_addr = metrics_listener
            .as_ref()
            .map(|l| l.local_addr().expect("a bound listener has an address"));
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let shutdown = async move {
            // A dropped sender means the test is over: stop as well.
            let _ = shutdown_rx.await;
        };
        let task = tokio::spawn(Box::pin(confab_server::run_with_metrics(
            listener,
            metrics_listener,
            config,
            shutdown,
        )));
        Self {
            addr,
            metrics_addr,
            shutdown_tx: Some(shutdown_tx),
            task,
        }
    }

    /// Starts a relay with [`test_config`].
    pub async fn start_default() -> Self {
        Self::start(test_config()).await
    }

    /// The WebSocket URL of the relay (any path is accepted; this uses `/`).
    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// The relay's page address (`http://127.0.0.1:PORT/`), for relays given a `web_dir`.
    pub fn page_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Whether `run` has returned (normally only after shutdown).
    pub fn has_stopped(&self) -> bool {
        self.task.is_finished()
    }

    /// Sends the shutdown signal without waiting for the relay to finish.
    pub fn begin_shutdown(&mut self) {
        if let Some(shutdown_tx) = self.shutdown_tx.take() {
            let _ = shutdown_tx.send(());
        }
    }

    /// Waits (at most [`crate::STEP`]) for `run` to return after [`Self::begin_shutdown`],
    /// and gives back its result.
    pub async fn stopped(mut self) -> io::Result<()> {
        within("the relay's run() to return", &mut self.task)
            .await
            .expect("the relay task did not panic")
    }

    /// Signals shutdown and waits for `run` to return.
    pub async fn stop(mut self) -> io::Result<()> {
        self.begin_shutdown();
        self.stopped().await
    }

    /// Opens a WebSocket connection that has not joined anything yet.
    pub async fn client(&self) -> TestClient {
        TestClient::connect(&self.url()).await
    }

    /// Opens a WebSocket connection from the loopback address `from` (see
    /// [`TestClient::connect_from`]) that has not joined anything yet.
    pub async fn client_from(&self, from: Ipv4Addr) -> TestClient {
        TestClient::connect_from(&self.url(), from).await
    }

    /// Connects, creates a room as `who`, and returns the client with its welcome.
    pub async fn creator(&self, who: &str) -> (TestClient, WelcomeMessage) {
        let mut client = self.client().await;
        let welcome = client.create(who).await;
        (client, welcome)
    }

    /// Connects and joins `room` as `who`, returning the client with its welcome.
    pub async fn member(&self, who: &str, room: &RoomCode) -> (TestClient, WelcomeMessage) {
        let mut client = self.client().await;
        let welcome = client.join(who, room).await;
        (client, welcome)
    }

    /// Creates a room with members `names` (the first creates it, the others join in
    /// order). Every member has read all `member_joined` notices up to the last join, so
    /// each client's next message is whatever the test does next.
    pub async fn room_with(&self, names: &[&str]) -> (RoomCode, Vec<TestClient>) {
        let (first, rest) = names.split_first().expect("at least one member");
        let (creator, welcome) = self.creator(first).await;
        let mut clients = vec![creator];
        for (joined, who) in rest.iter().enumerate() {
            let (client, _) = self.member(who, &welcome.room).await;
            // The members already in the room each see exactly this one join.
            for earlier in clients.iter_mut().take(joined + 1) {
                earlier.recv_member_joined(who).await;
            }
            clients.push(client);
        }
        (welcome.room, clients)
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}

/// A listener on a free loopback port.
async fn bind_loopback() -> TcpListener {
    within("binding 127.0.0.1:0", TcpListener::bind("127.0.0.1:0"))
        .await
        .expect("a free loopback port")
}
