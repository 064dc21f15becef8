//! The processes a storm run owns: its own `redis-server` (cluster runs) and its relays,
//! on free loopback ports. It can kill, restart, stop and continue each of them by the PID
//! it holds, and kills whatever is left when dropped: a run never touches a process it did
//! not start.
//!
//! Relays get the benchmark limits of `bench/scripts/relay.sh` (per-address connections,
//! room size and the message rate lifted), so the generator's 2,000 connections from one
//! address are not refused for being one address.

use std::fs::OpenOptions;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Longest wait for a started process to accept connections.
const START_DEADLINE: Duration = Duration::from_secs(10);

/// The relay flags of `bench/scripts/relay.sh`: the generator is one address sending far
/// faster than a person.
const BENCH_LIMITS: [&str; 8] = [
    "--max-connections-per-ip",
    "200000",
    "--max-room-members",
    "100000",
    "--messages-per-second",
    "1000000",
    "--burst",
    "1000000",
];

/// What to start.
#[derive(Debug, Clone)]
pub struct FleetSpec {
    /// The relay binary.
    pub relay_bin: PathBuf,
    /// How many relays (more than one needs `redis_bin`).
    pub relays: usize,
    /// `redis-server`, for cluster runs.
    pub redis_bin: Option<PathBuf>,
    /// Extra relay flags (permanent rooms, `--relay-ttl`, ...).
    pub relay_args: Vec<String>,
    /// Where the processes' logs (and Redis's working directory) go.
    pub log_dir: PathBuf,
}

/// One owned process and how to start it again on the same port.
#[derive(Debug)]
struct Owned {
    program: PathBuf,
    args: Vec<String>,
    log: PathBuf,
    addr: SocketAddr,
    child: Option<Child>,
}

impl Owned {
    fn spawn(&mut self) -> io::Result<()> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        // Through `sh` to raise the open-files limit to the hard limit (as relay.sh does);
        // `exec` keeps the PID the relay's own.
        let child = Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@""#)
            .arg(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

/// The running processes.
#[derive(Debug)]
pub struct Fleet {
    redis: Option<Owned>,
    relays: Vec<Owned>,
}

impl Fleet {
    /// Starts Redis (if asked) and the relays, and waits until each accepts connections.
    pub async fn start(spec: &FleetSpec) -> io::Result<Self> {
        std::fs::create_dir_all(&spec.log_dir)?;
        let mut fleet = Self {
            redis: None,
            relays: Vec::new(),
        };
        let mut relay_args = spec.relay_args.clone();
        if let Some(bin) = &spec.redis_bin {
            let addr = free_addr()?;
            let dir = spec.log_dir.to_string_lossy().into_owned();
            let args = [
                "--port",
                &addr.port().to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                &dir,
                "--daemonize",
                "no",
            ];
            fleet.redis = Some(owned(bin, &args, &spec.log_dir, "redis", addr));
            relay_args.extend(["--redis".into(), format!("redis://{addr}")]);
        }
        for i in 0..spec.relays.max(1) {
            let addr = free_addr()?;
            let mut args: Vec<String> = vec!["--bind".into(), addr.to_string()];
            args.extend(BENCH_LIMITS.iter().map(|s| (*s).to_owned()));
            args.extend(relay_args.iter().cloned());
            let name = format!("relay{i}");
            fleet
                .relays
                .push(owned(&spec.relay_bin, &args, &spec.log_dir, &name, addr));
        }
        if fleet.redis.is_some() {
            fleet.start_redis().await?;
        }
        for i in 0..fleet.relays.len() {
            fleet.start_relay(i).await?;
        }
        Ok(fleet)
    }

    /// The relays' addresses, in order.
    pub fn relay_addrs(&self) -> Vec<SocketAddr> {
        self.relays.iter().map(|r| r.addr).collect()
    }

    /// Relay `i`'s PID while it runs.
    pub fn relay_pid(&self, i: usize) -> Option<u32> {
        self.relays.get(i).and_then(Owned::pid)
    }

    /// Redis's PID while it runs.
    pub fn redis_pid(&self) -> Option<u32> {
        self.redis.as_ref().and_then(Owned::pid)
    }

    /// Redis's address.
    pub fn redis_addr(&self) -> Option<SocketAddr> {
        self.redis.as_ref().map(|r| r.addr)
    }

    /// SIGKILLs relay `i`: no goodbye to its clients, no backdated heartbeat.
    pub fn kill_relay(&mut self, i: usize) {
        if let Some(relay) = self.relays.get_mut(i) {
            relay.kill();
        }
    }

    /// Starts relay `i` again on its port, with the same flags; returns once it accepts.
    pub async fn start_relay(&mut self, i: usize) -> io::Result<()> {
        let relay = self
            .relays
            .get_mut(i)
            .ok_or_else(|| io::Error::other("no such relay"))?;
        relay.spawn()?;
        wait_accepting(relay.addr).await
    }

    /// SIGKILLs Redis (it keeps nothing on disk: every room is gone).
    pub fn kill_redis(&mut self) {
        if let Some(redis) = self.redis.as_mut() {
            redis.kill();
        }
    }

    /// Starts Redis again on its port, empty; returns once it accepts.
    pub async fn start_redis(&mut self) -> io::Result<()> {
        let redis = self
            .redis
            .as_mut()
            .ok_or_else(|| io::Error::other("no redis in this run"))?;
        redis.spawn()?;
        wait_accepting(redis.addr).await
    }

    /// Runs `redis-cli` against this run's Redis and returns what it printed.
    pub fn redis_cli(&self, args: &[&str]) -> io::Result<String> {
        let addr = self
            .redis_addr()
            .ok_or_else(|| io::Error::other("no redis in this run"))?;
        let out = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &addr.port().to_string()])
            .args(args)
            .output()?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.relays.iter_mut().for_each(Owned::kill);
        if let Some(redis) = self.redis.as_mut() {
            redis.kill();
        }
    }
}

/// Sends `signal` (`STOP`, `CONT`) to `pid`, a process of this run's fleet.
pub fn signal(pid: u32, signal: &str) -> io::Result<()> {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("kill -{signal} {pid} failed")))
    }
}

fn owned<S: AsRef<str>>(
    program: &Path,
    args: &[S],
    dir: &Path,
    name: &str,
    addr: SocketAddr,
) -> Owned {
    Owned {
        program: program.to_owned(),
        args: args.iter().map(|s| s.as_ref().to_owned()).collect(),
        log: dir.join(format!("{name}.log")),
        addr,
        child: None,
    }
}

/// A loopback port nothing listens on right now.
fn free_addr() -> io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.local_addr()
}

async fn wait_accepting(addr: SocketAddr) -> io::Result<()> {
    let deadline = tokio::time::Instant::now() + START_DEADLINE;
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Err(io::Error::other(format!("{addr} did not start accepting")))
}
