//! End to end: the real relay on `127.0.0.1:0`, this binary driven with `--json --send`.
//! Every wait is bounded, so a hang fails the test instead of stalling CI.

use std::process::Output;
use tokio::net::TcpListener;

mod common;
use common::{cli, relay, successful_json};

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every stdout line is one JSON object"))
        .collect()
}

#[tokio::test]
async fn scripted_messages_are_echoed_then_the_client_leaves_cleanly() {
    let (url, _stop) = relay().await;
    let out = cli(
        &url,
        &[
            "--name",
            "bot",
            "--room",
            "lobby",
            "--json",
            "--send",
            "hello",
            "--send",
            "/w bot me",
        ],
    )
    .await;
    let frames = successful_json(&out);
    assert_eq!(frames[0]["type"], "welcome");
    assert_eq!(frames[0]["room"], "LOBBY");
    let echo = frames
        .iter()
        .find(|f| f["type"] == "chat")
        .expect("chat echo");
    assert_eq!(
        (&echo["text"], &echo["client_id"], &echo["seq"]),
        (&"hello".into(), &1.into(), &1.into())
    );
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "whisper" && f["client_id"] == 2)
    );
}

#[tokio::test]
async fn a_refused_join_exits_with_failure_and_says_why() {
    let (url, _stop) = relay().await;
    let out = cli(
        &url,
        &["--name", "bot", "--room", "ZZZ-ZZZ-ZZZ", "--send", "x"],
    )
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("room_not_found"), "stderr: {stderr}");
}

#[tokio::test]
async fn refused_scripted_messages_make_the_run_fail() {
    let (url, _stop) = relay().await;
    let out = cli(
        &url,
        &[
            "--name",
            "bot",
            "--create",
            "--json",
            "--send",
            "/w nobody hi",
        ],
    )
    .await;
    assert!(!out.status.success());
    let frames = json_lines(&out);
    assert!(
        frames
            .iter()
            .any(|f| f["code"] == "no_such_member" && f["client_id"] == 1)
    );
}

#[tokio::test]
async fn an_unreachable_first_relay_is_skipped_for_the_next_one() {
    let (url, _stop) = relay().await;
    // A port that was just free: nothing listens there any more.
    let dead = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        format!("ws://{}", listener.local_addr().expect("bound address"))
    };
    let both = format!("{dead},{url}");
    let out = cli(
        &both,
        &["--name", "bot", "--room", "lobby", "--json", "--send", "hi"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stderr: {stderr}");
    assert!(stderr.contains("trying the next relay"), "stderr: {stderr}");
    assert_eq!(json_lines(&out)[0]["room"], "LOBBY");
}

#[tokio::test]
async fn away_reaches_the_relay_and_a_guest_cannot_lock_the_lobby() {
    let (url, _stop) = relay().await;
    let out = cli(
        &url,
        &[
            "--name", "bot", "--room", "lobby", "--json", "--send", "/away", "--send", "/lock",
            "--send", "marker",
        ],
    )
    .await;
    let frames = successful_json(&out);
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "status" && f["name"] == "bot" && f["status"] == "away"),
        "{frames:?}"
    );
    // A permanent room has no owner: nobody may lock it.
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "error" && f["code"] == "not_owner"),
        "{frames:?}"
    );
}
