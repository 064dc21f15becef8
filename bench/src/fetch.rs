//! The fetch run: one member uploads a file (default 4 MiB) to a new room, another fetches
//! it back again and again, chunk by chunk over the WebSocket (`fetch_attachment`), then
//! whole over HTTP (`GET /attachments/<id>` with its resume token). Reports the median,
//! fastest and slowest whole-file time of each.
//!
//! Point it at a cluster relay (`--redis`) to measure what the file's trip through Redis
//! costs per chunk; the uploader and the fetcher may be on different relays (`--fetch-from`).
//!
//! A connection may move 64 chunks a second after a burst of 64
//! (`server/src/attachments/transfer.rs`), so a whole 4 MiB fetch takes about a second
//! whatever the relay does; each chunk's round trip (asked to received, refused asks left
//! out) shows the relay's cost. Every round fetches on a fresh connection: the relay counts
//! each refusal as a strike, even when the client waits as told, and sustained fetching on
//! one connection would be closed as a flood.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use clap::Args;
use confab_protocol::{ClientMessage, RoomCode, ServerMessage, Username, WelcomeMessage};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::wire::{self, BoxError, Socket};

/// Longest wait for any one answer of the relay before the run fails.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// Most bytes read from one HTTP answer (its head and the file): a wrong `--file-bytes`
/// must not make the generator hold an unbounded answer.
const MAX_HTTP_ANSWER: usize = 64 * 1024 * 1024;

/// What to run.
#[derive(Debug, Clone, Args)]
pub struct FetchOptions {
    /// The relay the file is uploaded to.
    #[arg(long, default_value = "127.0.0.1:9101")]
    pub server: SocketAddr,
    /// The relay it is fetched from (another relay of the same cluster); `--server` if unset.
    #[arg(long)]
    pub fetch_from: Option<SocketAddr>,
    /// Size of the file.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    pub file_bytes: usize,
    /// Bytes per upload chunk (at most the relay's `max_chunk_bytes`).
    #[arg(long, default_value_t = 32 * 1024)]
    pub chunk_bytes: usize,
    /// Whole-file fetches of each kind.
    #[arg(long, default_value_t = 10)]
    pub rounds: usize,
}

/// What a fetch run measured.
#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    /// Always `"fetch"`.
    pub mode: &'static str,
    /// Bytes of the file.
    pub file_bytes: usize,
    /// Milliseconds the upload took (once).
    pub upload_ms: f64,
    /// `attachment_chunk`s per WebSocket fetch.
    pub chunks_per_fetch: usize,
    /// Whole-file WebSocket fetches, ms.
    pub ws: Spread,
    /// One chunk's round trip over the WebSocket (`fetch_attachment` to
    /// `attachment_chunk`, for asks that were not refused), ms.
    pub chunk_ms_median: f64,
    /// The 90th percentile of the same.
    pub chunk_ms_p90: f64,
    /// Whole-file HTTP downloads, ms.
    pub http: Spread,
    /// Why HTTP downloads stopped, if they did (a relay that serves none answers 404).
    pub http_error: Option<String>,
}

/// Median, fastest and slowest of some rounds, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Spread {
    /// Rounds measured.
    pub rounds: usize,
    /// Median.
    pub median_ms: f64,
    /// Fastest.
    pub min_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// The median as a transfer rate.
    pub median_mib_per_s: f64,
}

impl Spread {
    fn of(mut ms: Vec<f64>, bytes: usize) -> Self {
        ms.sort_by(f64::total_cmp);
        let median = ms.get(ms.len() / 2).copied().unwrap_or(f64::NAN);
        Self {
            rounds: ms.len(),
            median_ms: median,
            min_ms: ms.first().copied().unwrap_or(f64::NAN),
            max_ms: ms.last().copied().unwrap_or(f64::NAN),
            median_mib_per_s: bytes as f64 / (1024.0 * 1024.0) / (median / 1000.0),
        }
    }
}

/// Runs the upload, then the fetches.
pub async fn run(options: &FetchOptions) -> Result<FetchReport, BoxError> {
    let file: Vec<u8> = (0..options.file_bytes).map(|i| (i % 251) as u8).collect();
    let (mut ann, welcome) = enter(options.server, "ann", None).await?;
    let started = Instant::now();
    let id = upload(&mut ann, &file, options.chunk_bytes.max(1)).await?;
    let upload_ms = ms(started.elapsed());

    let from = options.fetch_from.unwrap_or(options.server);
    let mut ws_ms = Vec::new();
    let mut chunk_ms = Vec::new();
    let mut chunks_per_fetch = 0;
    for round in 0..options.rounds {
        let (mut bob, _) = enter(from, &format!("bob{round}"), Some(&welcome.room)).await?;
        let started = Instant::now();
        let (data, round_trips) = fetch(&mut bob, &id).await?;
        ws_ms.push(ms(started.elapsed()));
        if data != file {
            return Err("the fetched file differs from the upload".into());
        }
        chunks_per_fetch = round_trips.len();
        chunk_ms.extend(round_trips.into_iter().flatten());
        send(&mut bob, &ClientMessage::Leave).await?;
    }
    chunk_ms.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        let at = ((chunk_ms.len() as f64 * q) as usize).min(chunk_ms.len().saturating_sub(1));
        chunk_ms.get(at).copied().unwrap_or(f64::NAN)
    };
    let (_reader, bob_welcome) = enter(from, "reader", Some(&welcome.room)).await?;
    let mut http_ms = Vec::new();
    let mut http_error = None;
    for _ in 0..options.rounds {
        let started = Instant::now();
        match http_get(from, &id, &bob_welcome.resume_token).await {
            Ok(body) if body == file => http_ms.push(ms(started.elapsed())),
            Ok(_) => return Err("the downloaded file differs from the upload".into()),
            Err(err) => {
                http_error = Some(err.to_string());
                break;
            }
        }
    }
    drop(ann);
    Ok(FetchReport {
        mode: "fetch",
        file_bytes: file.len(),
        upload_ms,
        chunks_per_fetch,
        ws: Spread::of(ws_ms, file.len()),
        chunk_ms_median: quantile(0.5),
        chunk_ms_p90: quantile(0.9),
        http: Spread::of(http_ms, file.len()),
        http_error,
    })
}

fn ms(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}

/// Connects to `server` and creates a room (`room` `None`) or joins one; the welcome.
async fn enter(
    server: SocketAddr,
    name: &str,
    room: Option<&RoomCode>,
) -> Result<(Socket, WelcomeMessage), BoxError> {
    let mut ws = wire::connect(server, None).await?;
    let name = Username::parse(name)?;
    let message = match room {
        None => ClientMessage::Create { name },
        Some(room) => ClientMessage::Join {
            name,
            room: room.clone(),
            resume_token: None,
            last_seq: None,
        },
    };
    send(&mut ws, &message).await?;
    loop {
        match next(&mut ws).await? {
            ServerMessage::Welcome(welcome) => return Ok((ws, *welcome)),
            ServerMessage::Error(error) => return Err(format!("refused: {error:?}").into()),
            _ => {}
        }
    }
}

async fn send(ws: &mut Socket, message: &ClientMessage) -> Result<(), BoxError> {
    ws.send(Message::Text(message.to_json().into())).await?;
    Ok(())
}

/// The next message from the relay, within [`ANSWER_TIMEOUT`].
async fn next(ws: &mut Socket) -> Result<ServerMessage, BoxError> {
    loop {
        let frame = tokio::time::timeout(ANSWER_TIMEOUT, ws.next())
            .await
            .map_err(|_| BoxError::from("the relay did not answer in time"))?
            .ok_or("the relay closed the connection")??;
        if let Message::Text(text) = frame {
            return Ok(ServerMessage::from_json(&text)?);
        }
    }
}

/// Waits `retry_after_ms` when the relay says so; any other error ends the run.
async fn pause_or_fail(message: ServerMessage) -> Result<(), BoxError> {
    match message {
        ServerMessage::Error(error) => match error.retry_after_ms {
            Some(wait) => {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                Ok(())
            }
            None => Err(format!("refused: {error:?}").into()),
        },
        _ => Ok(()),
    }
}

/// Uploads `file` chunk by chunk, each after the relay's ack; the attachment's id.
async fn upload(ws: &mut Socket, file: &[u8], chunk_bytes: usize) -> Result<String, BoxError> {
    let start = ClientMessage::UploadStart {
        client_id: 1,
        file_name: "bench.bin".into(),
        mime: "application/octet-stream".into(),
        size: file.len() as u64,
    };
    send(ws, &start).await?;
    let mut from = 0;
    loop {
        let message = next(ws).await?;
        match message {
            ServerMessage::UploadAck { received, .. } => {
                from = usize::try_from(received)?;
            }
            ServerMessage::Chat(chat) if chat.client_id == Some(1) => {
                let attachment = chat.attachment.ok_or("the upload's message has no file")?;
                return Ok(attachment.id);
            }
            ServerMessage::Error(_) => pause_or_fail(message).await?,
            _ => continue,
        }
        let to = (from + chunk_bytes).min(file.len());
        let chunk = ClientMessage::UploadChunk {
            offset: from as u64,
            data: BASE64.encode(&file[from..to]),
        };
        send(ws, &chunk).await?;
    }
}

/// Fetches attachment `id` chunk by chunk: its bytes, and per chunk its round trip in ms
/// (`None` for a chunk that was refused first and asked again after the wait).
async fn fetch(ws: &mut Socket, id: &str) -> Result<(Vec<u8>, Vec<Option<f64>>), BoxError> {
    let mut data = Vec::new();
    let mut round_trips = Vec::new();
    let mut refused = false;
    loop {
        let ask = ClientMessage::FetchAttachment {
            id: id.into(),
            offset: data.len() as u64,
        };
        let asked = Instant::now();
        send(ws, &ask).await?;
        loop {
            let message = next(ws).await?;
            match message {
                ServerMessage::AttachmentChunk {
                    size, data: chunk, ..
                } => {
                    let took = ms(asked.elapsed());
                    round_trips.push((!std::mem::take(&mut refused)).then_some(took));
                    data.extend(BASE64.decode(chunk)?);
                    if data.len() as u64 >= size {
                        return Ok((data, round_trips));
                    }
                    break;
                }
                ServerMessage::Error(_) => {
                    refused = true;
                    pause_or_fail(message).await?;
                    break;
                }
                _ => {}
            }
        }
    }
}

/// `GET /attachments/<id>` with `token`, on a connection of its own; the body.
async fn http_get(server: SocketAddr, id: &str, token: &str) -> Result<Vec<u8>, BoxError> {
    let mut stream = TcpStream::connect(server).await?;
    let request = format!(
        "GET /attachments/{id} HTTP/1.1\r\nHost: {server}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    let mut bounded = (&mut stream).take(MAX_HTTP_ANSWER as u64);
    let read = bounded.read_to_end(&mut answer);
    tokio::time::timeout(ANSWER_TIMEOUT, read)
        .await
        .map_err(|_| BoxError::from("the HTTP answer did not come in time"))??;
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no HTTP head")?;
    if !answer.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "HTTP answered {}",
            String::from_utf8_lossy(&answer[..head_end.min(40)])
        )
        .into());
    }
    Ok(answer.split_off(head_end + 4))
}
