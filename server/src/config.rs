//! [`Config`]: every limit and timing of the relay, with its default and what happens when
//! it is hit. Parsed from the command line (with `CONFAB_*` environment fallbacks) by
//! `main`, or built in code (`Config::default()`) by tests and the client's host mode.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// Parses one `--trusted-proxy` value (a network or a single address), for building a
/// [`Config`] in code.
pub use crate::proxy::parse_net;

/// Relay settings. Each field's doc says what happens when the limit is reached; the
/// integration tests in `tests/` show each outcome.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Permanent rooms to create at start (e.g. `lobby`). They never expire, even when empty.
    #[arg(long = "room", env = "CONFAB_ROOMS", value_delimiter = ',')]
    pub permanent_rooms: Vec<String>,

    /// Cluster mode: share rooms with every relay using this Redis
    /// (`redis://host:port/db`, `rediss://…`, `redis+unix:///path/redis.sock`). Without
    /// it, rooms live in this process only. docs/scaling.md says what is shared.
    #[arg(long = "redis", env = "CONFAB_REDIS")]
    pub redis: Option<String>,

    /// Cluster mode: a relay whose heartbeat is older than this is taken for dead, and
    /// the other relays drop its members (as dropped connections). Heartbeats go every
    /// third of it.
    #[arg(long, env = "CONFAB_RELAY_TTL", value_parser = parse_duration, default_value = "10s")]
    pub relay_ttl: Duration,

    /// Largest WebSocket message or frame in bytes. A larger one closes the connection with
    /// 1009 (message too big).
    #[arg(long, env = "CONFAB_MAX_FRAME_BYTES", default_value_t = defaults::MAX_FRAME_BYTES)]
    pub max_frame_bytes: usize,

    /// Most characters in one chat or whisper text. Longer texts get a `message_too_long`
    /// error; nothing is relayed.
    #[arg(long, env = "CONFAB_MAX_TEXT_CHARS", default_value_t = defaults::MAX_TEXT_CHARS)]
    pub max_text_chars: usize,

    /// Sustained requests per second per connection (token bucket refill); every request
    /// but `leave` counts (WebSocket pings too), from the first frame on. Requests beyond it get a `rate_limited`
    /// error with `retry_after_ms`; nothing is relayed.
    #[arg(long, env = "CONFAB_MESSAGES_PER_SECOND", default_value_t = defaults::MESSAGES_PER_SECOND)]
    pub messages_per_second: u32,

    /// Token bucket size: messages a connection may send in one quick burst.
    #[arg(long, env = "CONFAB_BURST", default_value_t = defaults::BURST)]
    pub burst: u32,

    /// Strike score at which a flooding connection is closed with 1008: each refused
    /// frame sent before the last refusal's `retry_after_ms` was up adds a point (a client
    /// that waits as told never gets one), and the score decays by `guards::STRIKE_DECAY_PER_SECOND`
    /// (1 a second), so sustained flooding is cut off even when some frames get through.
    #[arg(long, env = "CONFAB_MAX_RATE_STRIKES", default_value_t = defaults::MAX_RATE_STRIKES)]
    pub max_rate_strikes: u32,

    /// Bad frames (malformed JSON, unknown types, wrong fields, binary, messages before
    /// joining) a connection may send; the next one closes it with 1008. Each gets an error
    /// frame. A name or room code that breaks the rules is an answer, not a bad frame.
    #[arg(long, env = "CONFAB_MAX_BAD_FRAMES", default_value_t = defaults::MAX_BAD_FRAMES)]
    pub max_bad_frames: u32,

    /// Joins of unknown room codes one IP address may make per `failed_join_window`.
    /// Beyond it, every create or join from that address gets `too_many_failed_joins` and a
    /// 1008 close until the window has passed, so room codes cannot be guessed. Other
    /// refusals (a taken name, a full room) are a person's retries and are not counted.
    #[arg(long, env = "CONFAB_MAX_FAILED_JOINS", default_value_t = defaults::MAX_FAILED_JOINS)]
    pub max_failed_joins: u32,

    /// Joins of unknown room codes the whole relay accepts per `failed_join_window`, from
    /// all addresses together, so many addresses cannot guess codes faster than this.
    /// Beyond it, every join by code (creating a room still works) gets
    /// `too_many_failed_joins` with `retry_after_ms` until the window has passed; the
    /// connection stays open. docs/protocol.md has the arithmetic.
    #[arg(long, env = "CONFAB_MAX_FAILED_JOINS_RELAY", default_value_t = defaults::MAX_FAILED_JOINS_RELAY)]
    pub max_failed_joins_relay: u32,

    /// The window `max_failed_joins` and `max_failed_joins_relay` count in (e.g. `60s`).
    #[arg(long, env = "CONFAB_FAILED_JOIN_WINDOW", value_parser = parse_duration, default_value = "60s")]
    pub failed_join_window: Duration,

    /// Open connections in total. At the limit the relay stops accepting: new connections
    /// wait in the OS backlog until someone leaves.
    #[arg(long, env = "CONFAB_MAX_CONNECTIONS", default_value_t = defaults::MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Open connections per IP address. Beyond it the WebSocket handshake is refused with
    /// HTTP 429.
    #[arg(long, env = "CONFAB_MAX_CONNECTIONS_PER_IP", default_value_t = defaults::MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: usize,

    /// Members per room. Joining a full room gets `room_full`.
    #[arg(long, env = "CONFAB_MAX_ROOM_MEMBERS", default_value_t = defaults::MAX_ROOM_MEMBERS)]
    pub max_room_members: usize,

    /// Rooms in total (permanent ones included). Creating one more gets `too_many_rooms`.
    #[arg(long, env = "CONFAB_MAX_ROOMS", default_value_t = defaults::MAX_ROOMS)]
    pub max_rooms: usize,

    /// Chat messages each room keeps in memory for newcomers and resumes. Older ones are
    /// dropped; a resume from before them gets a `gap` notice.
    #[arg(long, env = "CONFAB_HISTORY_LEN", default_value_t = defaults::HISTORY_LEN)]
    pub history_len: usize,

    /// How long an empty room (and its messages and reserved names) survives, so a page
    /// refresh does not destroy it (e.g. `30s`).
    #[arg(long, env = "CONFAB_ROOM_GRACE", value_parser = parse_duration, default_value = "30s")]
    pub room_grace: Duration,

    /// How long a member the room's owner removed is kept out: a join under that name, or
    /// from that connection's address, gets `removed` until then (e.g. `10m`).
    #[arg(long, env = "CONFAB_REMOVAL_BAN", value_parser = parse_duration, default_value = "10m")]
    pub removal_ban: Duration,

    /// Time allowed for the WebSocket handshake after TCP connect; slower ones are dropped.
    #[arg(long, env = "CONFAB_HANDSHAKE_TIMEOUT", value_parser = parse_duration, default_value = "10s")]
    pub handshake_timeout: Duration,

    /// Time allowed between the handshake and a `create`/`join`; then close 4001.
    #[arg(long, env = "CONFAB_JOIN_TIMEOUT", value_parser = parse_duration, default_value = "30s")]
    pub join_timeout: Duration,

    /// How often the relay pings an idle connection.
    #[arg(long, env = "CONFAB_PING_INTERVAL", value_parser = parse_duration, default_value = "20s")]
    pub ping_interval: Duration,

    /// A connection silent for `ping_interval + pong_timeout` is dead and dropped (its
    /// member leaves). Also bounds how long one write to a client may take.
    #[arg(long, env = "CONFAB_PONG_TIMEOUT", value_parser = parse_duration, default_value = "20s")]
    pub pong_timeout: Duration,

    /// Frames queued for one client; beyond that, small frames up to this many KiB in all
    /// (and 16 times this many frames), so a burst of presence changes is no eviction. A
    /// client whose queue is full cannot keep up: it is removed from the room and closed
    /// with 4000, and the room never waits for it.
    #[arg(long, env = "CONFAB_OUTBOX_FRAMES", default_value_t = defaults::OUTBOX_FRAMES)]
    pub outbox_frames: usize,

    /// How long a typing hint lasts unless repeated (announced to clients in `welcome`).
    #[arg(long, env = "CONFAB_TYPING_TTL", value_parser = parse_duration, default_value = "6s")]
    pub typing_ttl: Duration,

    /// Allowed `Origin` header values (e.g. `https://chat.example`). Empty allows any; a
    /// handshake from another origin is refused with HTTP 403.
    #[arg(
        long = "allow-origin",
        env = "CONFAB_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Serve the web client from this directory on the relay's own port (e.g. `app/dist`
    /// after `scripts/web-build.sh`): `GET /` is the page, which talks to the relay on the
    /// same address. Read once at start. Without it (and without the `embed-web` build
    /// feature) the port answers page requests with 426.
    #[arg(long, env = "CONFAB_WEB_DIR")]
    pub web_dir: Option<PathBuf>,

    /// PEM certificate chain: serve `https://` and `wss://` instead of plain HTTP
    /// (needs `--tls-key`).
    #[arg(long, env = "CONFAB_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for `--tls-cert`.
    #[arg(long, env = "CONFAB_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// The page's public address (e.g. `https://chat.example/`), announced to clients as
    /// `welcome.page_url` for invite links. Default: made from each connection's `Host`
    /// header and scheme, when the relay serves a page. Set it behind a reverse proxy.
    #[arg(long, env = "CONFAB_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Peers that are your own proxies or load balancers (`10.0.0.0/8`, `192.0.2.10`;
    /// repeat the flag or separate with commas). Only these may name the client: with a
    /// PROXY protocol header (v1 or v2, before TLS) or, without one, in `Forwarded` or
    /// `X-Forwarded-For`. Every per-address limit, removal ban and log line then sees the
    /// client. Any other peer's headers are ignored. Default: none.
    #[arg(
        long = "trusted-proxy",
        env = "CONFAB_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::proxy::parse_net
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Largest attachment, in bytes. A larger `upload_start` gets `file_too_large`;
    /// nothing is stored. Announced as `welcome.limits.attachments.max_file_bytes`.
    #[arg(long, env = "CONFAB_MAX_FILE_BYTES", default_value_t = defaults::MAX_FILE_BYTES)]
    pub max_file_bytes: u64,

    /// Most bytes of attachments one room keeps (uploads under way count with their whole
    /// declared size). An `upload_start` that would pass it gets `room_attachments_full`;
    /// space comes back as attachments fall out of the room's history or the room expires.
    #[arg(long, env = "CONFAB_MAX_ROOM_ATTACHMENT_BYTES", default_value_t = defaults::MAX_ROOM_ATTACHMENT_BYTES)]
    pub max_room_attachment_bytes: u64,

    /// Most bytes of attachments the whole relay keeps, across rooms (in cluster mode,
    /// what Redis holds for the whole cluster). Beyond it, `upload_start` gets
    /// `relay_attachments_full`.
    #[arg(long, env = "CONFAB_MAX_RELAY_ATTACHMENT_BYTES", default_value_t = defaults::MAX_RELAY_ATTACHMENT_BYTES)]
    pub max_relay_attachment_bytes: u64,

    /// Most decoded bytes in one `upload_chunk` (a larger one gets `chunk_too_large` and
    /// the upload is dropped), and in each `attachment_chunk` sent. Base64 makes a chunk
    /// 4/3 larger, so keep `max_chunk_bytes * 4 / 3 + 200` under `max_frame_bytes`.
    #[arg(long, env = "CONFAB_MAX_CHUNK_BYTES", default_value_t = defaults::MAX_CHUNK_BYTES)]
    pub max_chunk_bytes: u32,

    /// Uploads one connection may have under way at once; another `upload_start` gets
    /// `upload_in_progress`.
    #[arg(long, env = "CONFAB_MAX_UPLOADS_IN_FLIGHT", default_value_t = defaults::MAX_UPLOADS_IN_FLIGHT)]
    pub max_uploads_in_flight: u32,

    /// An upload that gets no chunk for this long is dropped and its space freed; the
    /// client's next chunk gets `upload_timed_out`.
    #[arg(long, env = "CONFAB_UPLOAD_TIMEOUT", value_parser = parse_duration, default_value = "30s")]
    pub upload_timeout: Duration,
}

/// Default values of the numeric limits, shared by the CLI and [`Config::default`].
pub mod defaults {
    /// 64 KiB: room for the longest text plus JSON escaping.
    pub const MAX_FRAME_BYTES: usize = 64 * 1024;
    /// About two screens of text.
    pub const MAX_TEXT_CHARS: usize = 4000;
    /// Faster than anyone types; slow enough to stop scripted floods.
    pub const MESSAGES_PER_SECOND: u32 = 5;
    /// Lets a person paste a few lines in quick succession.
    pub const BURST: u32 = 20;
    /// A second of flooding at 5x the default rate, or about five seconds at 2x.
    pub const MAX_RATE_STRIKES: u32 = 20;
    /// A buggy client gets a few errors to notice; a fuzzer does not get to keep going.
    pub const MAX_BAD_FRAMES: u32 = 10;
    /// Enough for typos, far too few to guess a 44-bit code.
    pub const MAX_FAILED_JOINS: u32 = 10;
    /// Ten a second from everyone together: one live room in 8.4 years with 10,000 rooms.
    pub const MAX_FAILED_JOINS_RELAY: u32 = 600;
    /// Fits the 100k-connection target with room to spare.
    pub const MAX_CONNECTIONS: usize = 200_000;
    /// A household or office behind one NAT address.
    pub const MAX_CONNECTIONS_PER_IP: usize = 64;
    /// A busy public room; the benchmark raises it.
    pub const MAX_ROOM_MEMBERS: usize = 1000;
    /// Bounds memory: at most `MAX_ROOMS * HISTORY_LEN` stored messages.
    pub const MAX_ROOMS: usize = 10_000;
    /// About a screenful or three of backlog.
    pub const HISTORY_LEN: usize = 200;
    /// About 1 s of a busy room: short enough to keep memory small per client.
    pub const OUTBOX_FRAMES: usize = 256;
    /// 4 MiB: a phone photo or a document; the relay holds files in memory.
    pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
    /// 32 MiB: eight full-size files per room.
    pub const MAX_ROOM_ATTACHMENT_BYTES: u64 = 32 * 1024 * 1024;
    /// 256 MiB: what a small relay can spare for files without risking its chat.
    pub const MAX_RELAY_ATTACHMENT_BYTES: u64 = 256 * 1024 * 1024;
    /// 32 KiB: about 44 KiB of base64 per frame, within the default 64 KiB frame limit.
    pub const MAX_CHUNK_BYTES: u32 = 32 * 1024;
    /// One upload at a time: a client has no reason for more, and it bounds reservations.
    pub const MAX_UPLOADS_IN_FLIGHT: u32 = 1;
}

impl Default for Config {
    fn default() -> Self {
        use defaults::*;
        Self {
            permanent_rooms: Vec::new(),
            max_frame_bytes: MAX_FRAME_BYTES,
            max_text_chars: MAX_TEXT_CHARS,
            messages_per_second: MESSAGES_PER_SECOND,
            burst: BURST,
            max_rate_strikes: MAX_RATE_STRIKES,
            max_bad_frames: MAX_BAD_FRAMES,
            max_failed_joins: MAX_FAILED_JOINS,
            max_failed_joins_relay: MAX_FAILED_JOINS_RELAY,
            failed_join_window: Duration::from_secs(60),
            max_connections: MAX_CONNECTIONS,
            max_connections_per_ip: MAX_CONNECTIONS_PER_IP,
            max_room_members: MAX_ROOM_MEMBERS,
            max_rooms: MAX_ROOMS,
            history_len: HISTORY_LEN,
            room_grace: Duration::from_secs(30),
            removal_ban: Duration::from_secs(600),
            handshake_timeout: Duration::from_secs(10),
            join_timeout: Duration::from_secs(30),
            ping_interval: Duration::from_secs(20),
            pong_timeout: Duration::from_secs(20),
            outbox_frames: OUTBOX_FRAMES,
            typing_ttl: Duration::from_secs(6),
            allowed_origins: Vec::new(),
            redis: None,
            relay_ttl: Duration::from_secs(10),
            web_dir: None,
            tls_cert: None,
            tls_key: None,
            public_url: None,
            trusted_proxies: Vec::new(),
            max_file_bytes: MAX_FILE_BYTES,
            max_room_attachment_bytes: MAX_ROOM_ATTACHMENT_BYTES,
            max_relay_attachment_bytes: MAX_RELAY_ATTACHMENT_BYTES,
            max_chunk_bytes: MAX_CHUNK_BYTES,
            max_uploads_in_flight: MAX_UPLOADS_IN_FLIGHT,
            upload_timeout: Duration::from_secs(30),
        }
    }
}

/// Parses `250ms`, `10s`, `2m` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((text, "s"), |at| text.split_at(at));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text:?}"))?;
    let secs = match unit.trim() {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?} (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 fortnights").is_err());
    }

    #[test]
    fn command_line_defaults_match_config_default() {
        let parsed = Cli::parse_from(["confab-server"]).config;
        assert_eq!(format!("{parsed:?}"), format!("{:?}", Config::default()));
    }
}
