//! [`RedisServer`]: a real `redis-server` per test, on a unix socket in a fresh directory,
//! with no persistence (nothing touches disk but the socket), stopped by its PID.
//!
//! Cluster tests need the Debian `redis-server` on `PATH` (`scripts/setup.sh` installs it).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::eventually;

/// One `redis-server` process, killed when dropped.
pub struct RedisServer {
    dir: PathBuf,
    child: Option<Child>,
    /// With TLS: the loopback port it serves `rediss://` on (no plain port, no socket).
    tls_port: Option<u16>,
}

impl RedisServer {
    /// Starts `redis-server` on a unix socket in a new directory and waits until it answers.
    pub async fn start() -> Self {
        let mut server = Self {
            dir: fresh_dir(),
            child: None,
            tls_port: None,
        };
        server.launch().await;
        server
    }

    /// Starts `redis-server` speaking only TLS on a free loopback port, with a
    /// self-signed certificate made for the test (relays connect with `#insecure`).
    pub async fn start_tls() -> Self {
        let dir = fresh_dir();
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("a test certificate");
        std::fs::write(dir.join("cert.pem"), made.cert.pem()).expect("writing the cert");
        std::fs::write(dir.join("key.pem"), made.signing_key.serialize_pem())
            .expect("writing the key");
        // A port the OS just handed out and took back: free unless someone races for it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = Self {
            dir,
            child: None,
            tls_port: Some(port),
        };
        server.launch().await;
        server
    }

    /// The URL relays are given (`--redis`).
    pub fn url(&self) -> String {
        match self.tls_port {
            Some(port) => format!("rediss://127.0.0.1:{port}/#insecure"),
            None => format!("redis+unix://{}", self.socket().display()),
        }
    }

    /// Kills the server (SIGKILL: it forgets everything, having no persistence) and starts a
    /// new one on the same socket.
    pub async fn restart(&mut self) {
        self.kill();
        self.launch().await;
    }

    /// Stops the server from running (SIGSTOP) until [`Self::resume`]: clients' commands
    /// wait, as with an overloaded or stalled Redis.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused server run again (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let status = Command::new("kill")
                .arg(signal)
                .arg(child.id().to_string())
                .status()
                .expect("kill runs");
            assert!(status.success(), "kill {signal} failed");
        }
    }

    /// The unix socket it listens on.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("redis.sock")
    }

    async fn launch(&mut self) {
        let _ = std::fs::remove_file(self.socket());
        let mut command = Command::new("redis-server");
        command.args(["--port", "0"]);
        match self.tls_port {
            Some(port) => {
                let (cert, key) = (self.dir.join("cert.pem"), self.dir.join("key.pem"));
                command
                    .args(["--bind", "127.0.0.1", "--tls-port", &port.to_string()])
                    .arg("--tls-cert-file")
                    .arg(&cert)
                    .arg("--tls-key-file")
                    .arg(&key)
                    .arg("--tls-ca-cert-file")
                    .arg(&cert)
                    .args(["--tls-auth-clients", "no"]);
            }
            None => {
                command.arg("--unixsocket").arg(self.socket());
            }
        }
        let child = command
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(["--dir"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts (scripts/setup.sh installs it)");
        self.child = Some(child);
        let (socket, tls_port) = (self.socket(), self.tls_port);
        eventually(
            "redis-server to accept connections",
            Duration::from_millis(20),
            || {
                let socket = socket.clone();
                async move {
                    let up = match tls_port {
                        Some(port) => tokio::net::TcpStream::connect(("127.0.0.1", port))
                            .await
                            .is_ok(),
                        None => tokio::net::UnixStream::connect(&socket).await.is_ok(),
                    };
                    up.then_some(())
                }
            },
        )
        .await;
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new, empty directory for one server's files.
fn fresh_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "confab-redis-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a directory for the Redis socket");
    dir
}

/// A relay in a process of its own (`confab-test-relay`), so a test can kill it with
/// SIGKILL: no goodbye to Redis, no close frames, exactly like a crashed machine.
pub struct RelayProcess {
    child: Option<Child>,
    /// Where it listens.
    pub addr: std::net::SocketAddr,
}

impl RelayProcess {
    /// Starts `binary` (the test's `env!("CARGO_BIN_EXE_confab-test-relay")`) with relay
    /// flags `args`, and reads the address it listens on from its first line of output.
    pub async fn start(binary: &str, args: &[String]) -> Self {
        Self::start_with_env(binary, args, &[]).await
    }

    /// [`Self::start`] with `env` added to the process's environment.
    pub async fn start_with_env(binary: &str, args: &[String], env: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        let mut child = Command::new(binary)
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the test relay starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            line
        });
        let line = crate::within("the relay process to print its address", line)
            .await
            .expect("reading the relay's output");
        let addr = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the relay printed {line:?}, not an address"));
        Self {
            child: Some(child),
            addr,
        }
    }

    /// The relay's WebSocket URL.
    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// The process id, while it runs (for reading its memory from `/proc`).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the process from running (SIGSTOP) until [`Self::resume`].
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused process run again (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.pid().expect("the relay runs");
        let status = Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} failed");
    }

    /// SIGKILL, and waits for the process to be gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

impl RedisServer {
    /// Every key's value, whatever its type, as one text (`key=values`, a line each): for
    /// probes that look for a string anywhere in Redis.
    pub fn dump_every_key(&self) -> String {
        self.cli(&["EVAL", DUMP_EVERY_KEY, "0"])
    }

    /// Runs one command with `redis-cli` against this server; its output.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = Command::new("redis-cli")
            .arg("-s")
            .arg(self.socket())
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// The Lua script of [`RedisServer::dump_every_key`].
const DUMP_EVERY_KEY: &str = r"
local out = {}
for _, key in ipairs(redis.call('KEYS', '*')) do
  local kind = redis.call('TYPE', key).ok
  local values
  if kind == 'string' then values = {redis.call('GET', key)}
  elseif kind == 'hash' then values = redis.call('HGETALL', key)
  elseif kind == 'list' then values = redis.call('LRANGE', key, 0, -1)
  elseif kind == 'set' then values = redis.call('SMEMBERS', key)
  elseif kind == 'zset' then values = redis.call('ZRANGE', key, 0, -1)
  else values = {} end
  out[#out + 1] = key .. '=' .. table.concat(values, ' ')
end
return table.concat(out, '\n')
";
