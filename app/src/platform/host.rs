//! Host mode (native, feature `host`): runs the Confab relay inside this process, on a
//! tokio runtime in a background thread, so a group on one network needs no separate
//! server. Every other build gets `no_host`'s slot, which hosts nothing.
//!
//! Starting is a one-shot answer (the bound address, or why binding failed), so it is a
//! `poll-promise` the app polls each frame. The relay stops when [`HostedRelay`] drops.
//! The address to tell others is worked out once, when the relay listens (it may ask the
//! system for a route and read the computer's name): never per frame.

use std::net::SocketAddr;
use std::sync::mpsc;

use confab_protocol::Username;
use eframe::egui;
use poll_promise::Promise;

/// A relay running in this process.
#[derive(Debug)]
pub struct HostedRelay {
    /// Where it listens (the real port, if port 0 was asked for).
    pub addr: SocketAddr,
    /// Dropping (or sending) this asks the relay to close every connection and stop.
    shutdown_tx: Option<tokio::sync::oneshot::Sender<()>>,
}

impl HostedRelay {
    /// The address this app should connect to: the loopback address when the relay
    /// listens on every interface.
    pub fn local_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("ws://{addr}")
    }

    /// The address to tell others. A relay listening on every interface is reachable at
    /// this computer's address on the local network (the one its default route uses), or
    /// else at its name; a specific address is used as-is. Asks the system (a UDP
    /// socket's route, `/etc/hostname`): call it once, not per frame.
    pub fn share_url(&self) -> String {
        if !self.addr.ip().is_unspecified() {
            return format!("ws://{}", self.addr);
        }
        if let Some(ip) = lan_ip() {
            return format!("ws://{ip}:{}", self.addr.port());
        }
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .unwrap_or_else(|| "this-computer".into());
        format!("ws://{host}:{}", self.addr.port())
    }
}

/// This computer's address on the network its default route leads to. "Connecting" a UDP
/// socket sends nothing; it only asks the system which local address it would use. `None`
/// without a route (then the computer's name is the best guess).
fn lan_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // A documentation address (TEST-NET-1): never a real peer, only a route lookup.
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

impl Drop for HostedRelay {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            // The relay may have stopped already; then there is nobody to tell.
            let _ = tx.send(());
        }
    }
}

/// Starts a relay listening on `bind`. The promise resolves once it listens (or failed
/// to); `wakeup` runs then, so the UI notices without waiting for input.
pub fn start(
    bind: String,
    wakeup: impl Fn() + Send + 'static,
) -> Promise<Result<HostedRelay, String>> {
    // The promise's own thread only waits for the relay thread's first answer, so the
    // promise is always fulfilled, even if the relay thread cannot start or panics.
    Promise::spawn_thread("confab-host-start", move || {
        let (ready_tx, ready_rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("confab-relay".into())
            .spawn(move || run_relay(&bind, &ready_tx));
        if let Err(e) = spawned {
            return Err(format!("could not start the relay thread: {e}"));
        }
        let answer = ready_rx
            .recv()
            .unwrap_or_else(|_| Err("the relay stopped while starting".into()));
        wakeup();
        answer
    })
}

fn run_relay(bind: &str, ready_tx: &mpsc::Sender<Result<HostedRelay, String>>) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready_tx.send(Err(format!("could not start the relay runtime: {e}")));
            return;
        }
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(bind).await {
            Ok(listener) => listener,
            Err(e) => {
                let _ = ready_tx.send(Err(listen_error(bind, &e)));
                return;
            }
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(e) => {
                let _ = ready_tx.send(Err(format!("could not read the listening address: {e}")));
                return;
            }
        };
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        if ready_tx
            .send(Ok(HostedRelay {
                addr,
                shutdown_tx: Some(shutdown_tx),
            }))
            .is_err()
        {
            return;
        }
        log::info!("hosting a relay on ws://{addr}");
        let shutdown = async {
            // Either an explicit stop or the HostedRelay being dropped ends the relay.
            let _ = shutdown_rx.await;
        };
        if let Err(e) =
            confab_server::run(listener, confab_server::Config::default(), shutdown).await
        {
            log::error!("the hosted relay stopped: {e}");
        }
    });
}

/// Why the relay could not listen on `bind`, in words that say what to do.
fn listen_error(bind: &str, error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let port = bind.rsplit_once(':').map_or(bind, |(_, port)| port);
    match error.kind() {
        ErrorKind::AddrInUse => format!(
            "another program on this computer (perhaps another Confab) already uses port \
             {port}. Close it, or under Advanced change \"Host on address\" to another port, \
             such as 0.0.0.0:9002."
        ),
        ErrorKind::PermissionDenied => format!(
            "this computer does not let Confab use port {port} (ports below 1024 need \
             administrator rights). Under Advanced, choose a port above 1024, such as \
             0.0.0.0:9001."
        ),
        ErrorKind::AddrNotAvailable => format!(
            "{bind} is not an address of this computer. Under Advanced, use 0.0.0.0:{port} \
             to listen on all of its addresses."
        ),
        _ => format!(
            "{bind} cannot be listened on ({error}). Under Advanced, check \"Host on \
             address\": an address and a port, such as 0.0.0.0:9001."
        ),
    }
}

/// The app's hosting state: nothing, starting (a promise), or running.
#[derive(Default)]
pub struct HostSlot {
    /// Who to create the room as once the relay listens.
    name: Option<Username>,
    starting: Option<Promise<Result<HostedRelay, String>>>,
    running: Option<Running>,
}

/// A relay this app runs, with what the app says about it, worked out once.
struct Running {
    /// Dropping it stops the relay.
    _relay: HostedRelay,
    /// [`HostedRelay::share_url`], asked once when it started listening.
    share_url: String,
    /// What the join screen says about it.
    note: String,
}

impl HostSlot {
    /// Starts a relay on `bind` (stopping any current one); `name` creates a room on it.
    pub fn start(&mut self, ctx: &egui::Context, name: Username, bind: String) {
        self.stop();
        let ctx = ctx.clone();
        self.name = Some(name);
        self.starting = Some(start(bind, move || ctx.request_repaint()));
    }

    /// Stops the hosted relay, if any (everyone in its rooms is disconnected).
    pub fn stop(&mut self) {
        self.name = None;
        self.starting = None;
        self.running = None;
    }

    /// Once the relay listens (or failed to), returns who to join as and where, once.
    pub fn poll(&mut self) -> Option<(Username, Result<String, String>)> {
        let result = self
            .starting
            .take_if(|p| p.ready().is_some())?
            .block_and_take();
        let name = self.name.take()?;
        Some(match result {
            Ok(relay) => {
                let url = relay.local_url();
                let share_url = relay.share_url();
                self.running = Some(Running {
                    note: format!("Hosting: others join at {share_url}"),
                    share_url,
                    _relay: relay,
                });
                (name, Ok(url))
            }
            Err(why) => (name, Err(why)),
        })
    }

    /// The address others should use, while hosting.
    pub fn share_url(&self) -> Option<&str> {
        self.running.as_ref().map(|r| r.share_url.as_str())
    }

    /// What the join screen says about hosting (empty when there is nothing to say);
    /// `Some` because this build can host.
    pub fn note(&self) -> Option<&str> {
        Some(match (&self.starting, &self.running) {
            (Some(_), _) => "Starting the relay…",
            (None, Some(running)) => &running.note,
            (None, None) => "",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relay_started_on_port_zero_reports_its_real_address() {
        let promise = start("127.0.0.1:0".into(), || {});
        let relay = promise.block_and_take().expect("relay starts");
        assert_eq!(relay.addr.ip(), std::net::Ipv4Addr::LOCALHOST);
        assert_ne!(relay.addr.port(), 0);
        assert_eq!(relay.local_url(), format!("ws://{}", relay.addr));
        assert_eq!(relay.share_url(), relay.local_url());
    }

    #[test]
    fn a_port_in_use_says_so_in_words_and_what_to_do() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let bind = taken.local_addr().expect("bound").to_string();
        let port = bind.rsplit_once(':').expect("a port").1.to_owned();
        let err = start(bind, || {}).block_and_take().expect_err("in use");
        assert!(err.contains(&format!("already uses port {port}")), "{err}");
        assert!(err.contains("Host on address"), "{err}");
        assert!(!err.contains("os error"), "no raw system text: {err}");
    }

    #[test]
    fn an_address_that_cannot_be_bound_is_reported() {
        let promise = start("256.0.0.1:1".into(), || {});
        let err = promise.block_and_take().expect_err("cannot bind");
        assert!(err.contains("256.0.0.1:1"), "{err}");
    }
}
