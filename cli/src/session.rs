//! One visit to a room: enter, then relay typed lines and print frames until the user
//! leaves or the connection ends.
//!
//! Owns the order of events and every timeout around them. Input syntax lives in
//! `confab_protocol::command`, room bookkeeping in `room`, the socket in `connection`, printing in `output`.

use std::time::Duration;

use confab_protocol::private::RoomKey;
use confab_protocol::{ClientId, ClientMessage, ErrorMessage, ServerMessage, WelcomeMessage};
use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep_until, timeout_at};

use crate::args::Args;
use crate::attach::{Files, Step};
use crate::connection::{Connection, Incoming};
use crate::error::CliError;
use crate::output::{Output, warn};
use crate::private::{self, Sealing};
use crate::render::{code_name, roster_line};
use crate::room::Room;
use confab_protocol::command::{self, Command};

/// Time allowed between sending `create`/`join` and the relay's answer.
pub const JOIN_REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Time allowed between `leave` and the relay's close; after it we close ourselves.
pub const LEAVE_TIMEOUT: Duration = Duration::from_secs(5);

/// How often we ping the relay. The relay pings us too (every 20 s by default); ours
/// make a dead link show up even if the relay's pings are configured rarer.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// Silence after which the relay counts as gone: a few missed keepalives.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(60);

/// Connects, enters the room named by `args`, and runs until the user leaves (or, with
/// `--send`, until every scripted message was answered).
pub async fn run(args: &Args, out: Output) -> Result<(), CliError> {
    // A new private room's key is drawn here; a private room's invite link carries it.
    let key = if args.private {
        Some(RoomKey::generate().map_err(|err| CliError::Random(err.to_string()))?)
    } else {
        args.room.as_ref().and_then(|invite| invite.key.clone())
    };
    let relays = args.relays();
    let mut conn = Connection::connect_any(&relays).await?;
    conn.send(&args.entry_request(key.as_ref().map(RoomKey::verify_key)))
        .await?;
    let (mut room, welcome, mut sealing) = enter(&mut conn, out, key.as_ref()).await?;
    let created = args
        .private
        .then(|| (relays[0], welcome.page_url.as_deref()));
    for line in private::notices(&sealing, created) {
        out.notice(&line)?;
    }
    let mut files = Files::new(&welcome);

    let mut input = (!args.is_scripted()).then(|| BufReader::new(tokio::io::stdin()).lines());
    let mut leaving: Option<Instant> = None;
    for line in &args.send {
        if perform(
            command::parse(line, &room.members),
            &mut conn,
            (&mut room, &sealing),
            &mut files,
            out,
        )
        .await?
        {
            break;
        }
    }
    if args.is_scripted() && room.all_answered() && files.idle() {
        leaving = Some(leave(&mut conn).await?);
    }

    let mut keepalive = interval_at(Instant::now() + KEEPALIVE_INTERVAL, KEEPALIVE_INTERVAL);
    keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            incoming = conn.recv() => match incoming? {
                Incoming::Frame { raw, msg } => {
                    let (raw, msg) = reveal(&mut sealing, raw, msg);
                    // An ignored member's words are not printed (JSON mode prints all).
                    if out.is_json() || !msg.as_ref().is_some_and(|m| room.hides(m)) {
                        out.frame(&raw, msg.as_ref(), Some(&room.you))?;
                    }
                    if let Some(msg) = &msg {
                        room.observe(msg);
                        carry_on(files.observe(msg), &mut conn, out).await?;
                    }
                    if args.is_scripted() && leaving.is_none() && room.all_answered() && files.idle() {
                        leaving = Some(leave(&mut conn).await?);
                    }
                }
                Incoming::Closed(close) if leaving.is_some() => {
                    if let Some((code, reason)) = close.filter(|(code, _)| *code != 1000) {
                        warn(&format!("note: the relay closed with {code} {reason}"));
                    }
                    return outcome(&room, args.is_scripted());
                }
                Incoming::Closed(close) => {
                    let (code, reason) = close.map_or((None, String::new()), |(c, r)| (Some(c), r));
                    return Err(CliError::Closed { code, reason });
                }
            },
            line = next_line(&mut input), if leaving.is_none() => {
                let wants_out = match line.map_err(CliError::Stdin)? {
                    Some(line) => perform(command::parse(&line, &room.members), &mut conn, (&mut room, &sealing), &mut files, out).await?,
                    None => true, // end of input: leave like /quit
                };
                if wants_out {
                    leaving = Some(leave(&mut conn).await?);
                }
            },
            _ = keepalive.tick() => {
                if conn.silent_for() > SILENCE_LIMIT {
                    return Err(CliError::Silent(SILENCE_LIMIT.as_secs()));
                }
                conn.ping().await?;
            },
            () = sleep_until_some(leaving) => {
                warn("the relay did not close the connection after leave; closing it");
                conn.close().await;
                return outcome(&room, args.is_scripted());
            },
        }
    }
}

/// `raw` and `msg` as a person (or script) should see them: in a private room with every
/// sealed text opened (the JSON line re-encoded from the opened message).
fn reveal(
    sealing: &mut Sealing,
    raw: String,
    msg: Option<ServerMessage>,
) -> (String, Option<ServerMessage>) {
    match (sealing.is_private(), msg) {
        (true, Some(msg)) => {
            let opened = sealing.open(msg, private::UNREADABLE);
            (opened.to_json(), Some(opened))
        }
        (_, msg) => (raw, msg),
    }
}

/// Waits for `welcome` (printing what comes before it). A refused entry ends the session,
/// and so does a private room this client holds no key for: it could neither read nor post.
async fn enter(
    conn: &mut Connection,
    out: Output,
    key: Option<&RoomKey>,
) -> Result<(Room, WelcomeMessage, Sealing), CliError> {
    let deadline = Instant::now() + JOIN_REPLY_TIMEOUT;
    loop {
        let incoming = timeout_at(deadline, conn.recv())
            .await
            .map_err(|_| CliError::Timeout("waiting for the relay to let us in"))??;
        let (raw, msg) = match incoming {
            Incoming::Frame { raw, msg } => (raw, msg),
            Incoming::Closed(close) => {
                let (code, reason) = close.map_or((None, String::new()), |(c, r)| (Some(c), r));
                return Err(CliError::Closed { code, reason });
            }
        };
        match msg {
            Some(ServerMessage::Error(ErrorMessage { code, message, .. })) => {
                // In pretty mode the refusal is the final error message; no `!` line twice.
                if out.is_json() {
                    out.frame(&raw, None, None)?;
                }
                return Err(CliError::JoinRefused {
                    code: code_name(code),
                    message,
                });
            }
            Some(msg) => {
                if let ServerMessage::Welcome(welcome) = &msg
                    && let Some(room) = Room::from_welcome(&msg)
                {
                    let mut sealing = Sealing::for_welcome(welcome, key)?;
                    let welcome = welcome.as_ref().clone();
                    let (raw, msg) = reveal(&mut sealing, raw, Some(msg));
                    out.frame(&raw, msg.as_ref(), Some(&room.you))?;
                    return Ok((room, welcome, sealing));
                }
                out.frame(&raw, Some(&msg), None)?;
            }
            None => out.frame(&raw, None, None)?,
        }
    }
}

/// Carries out one line of input. Returns whether the user wants to leave.
async fn perform(
    parsed: Result<Command, command::CommandError>,
    conn: &mut Connection,
    (room, sealing): (&mut Room, &Sealing),
    files: &mut Files,
    out: Output,
) -> Result<bool, CliError> {
    let command = match parsed {
        Ok(command) => command,
        Err(err) => {
            warn(&format!("! {err}"));
            return Ok(false);
        }
    };
    match command {
        Command::Quit => return Ok(true),
        Command::Who => out.notice(&roster_line(&room.members, &room.you))?,
        Command::Help => out.notice(command::HELP)?,
        Command::Ignore { name, ignore } => out.notice(&room.ignore(&name, ignore))?,
        Command::Attach(path) => {
            let client_id = room.upload_id();
            let start = files.start_upload(&path, client_id).and_then(|start| {
                (sealing.seal(start, &room.members)).map_err(|err| err.to_string())
            });
            match start {
                Ok(start) => conn.send(&start).await?,
                Err(why) => refuse_here(room, Some(client_id), &why),
            }
        }
        Command::Save { id, path } => match files.start_download(&id, path.as_deref()) {
            Ok(fetch) => conn.send(&fetch).await?,
            Err(why) => warn(&format!("! {why}")),
        },
        other => {
            if let Some(msg) = room.request(other) {
                let client_id = msg.client_id();
                match sealing.seal(msg, &room.members) {
                    Ok(msg) => conn.send(&msg).await?,
                    Err(why) => refuse_here(room, client_id, &why.to_string()),
                }
            }
        }
    }
    Ok(false)
}

/// A request this client will not send: counted as refused, like a refusal from the
/// relay, and shown as one.
fn refuse_here(room: &mut Room, client_id: Option<ClientId>, why: &str) {
    room.observe(&ServerMessage::Error(ErrorMessage {
        code: confab_protocol::ErrorCode::Other,
        message: why.to_owned(),
        client_id,
        retry_after_ms: None,
    }));
    warn(&format!("! {why}"));
}

/// Carries out what a transfer needs next: its next request (after the relay's wait, if
/// it asked for one) and a line for the user.
async fn carry_on(step: Step, conn: &mut Connection, out: Output) -> Result<(), CliError> {
    if let Some(note) = &step.note {
        out.notice(note)?;
    }
    if let Some(wait) = step.wait {
        tokio::time::sleep(wait).await;
    }
    if let Some(request) = &step.send {
        conn.send(request).await?;
    }
    Ok(())
}

/// Sends `leave` and returns the deadline for the relay's close.
async fn leave(conn: &mut Connection) -> Result<Instant, CliError> {
    conn.send(&ClientMessage::Leave).await?;
    Ok(Instant::now() + LEAVE_TIMEOUT)
}

/// How a session that left on purpose ends: failure if the relay refused scripted lines
/// (a person saw the `!` lines already and chose to leave, so that is a success).
fn outcome(room: &Room, scripted: bool) -> Result<(), CliError> {
    match room.tally() {
        (refused, sent) if scripted && refused > 0 => Err(CliError::Refused { refused, sent }),
        _ => Ok(()),
    }
}

/// The next line of standard input; never resolves when stdin is not read (`--send`).
async fn next_line(input: &mut Option<Lines<BufReader<Stdin>>>) -> std::io::Result<Option<String>> {
    match input {
        // `Lines::next_line` is cancel-safe, so this can sit in a `select!`.
        Some(lines) => lines.next_line().await,
        None => std::future::pending().await,
    }
}

/// Sleeps until `deadline`; never resolves without one.
async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
