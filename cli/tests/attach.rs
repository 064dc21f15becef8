//! End to end: `/attach PATH` uploads a file from one `confab-cli`, `/save ID PATH` fetches
//! it from another, both against the real relay on `127.0.0.1:0`.

use std::path::PathBuf;
use std::process::Output;

use tokio::process::Command;
use tokio::time::timeout;

mod common;
use common::{LIMIT, relay};

async fn cli(url: &str, name: &str, line: &str) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_confab-cli"))
        .args([
            "--server", url, "--name", name, "--room", "lobby", "--json", "--send", line,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn confab-cli");
    let out = timeout(LIMIT, child.wait_with_output())
        .await
        .expect("confab-cli finished in time")
        .expect("confab-cli ran");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A directory of its own under the system's temporary directory.
fn scratch() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir =
        std::env::temp_dir().join(format!("confab-cli-attach-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("make a scratch directory");
    dir
}

#[tokio::test]
async fn a_file_attached_by_one_client_is_saved_by_another() {
    let (url, _stop) = relay().await;
    let dir = scratch();
    let original = dir.join("notes.bin");
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&original, &data).expect("write the file");

    let sent = cli(&url, "ann", &format!("/attach {}", original.display())).await;
    let frames: Vec<serde_json::Value> = String::from_utf8_lossy(&sent.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    let echo = frames
        .iter()
        .find(|f| f["type"] == "chat" && f["client_id"] == 1)
        .expect("the attachment's message");
    assert_eq!(echo["attachment"]["name"], "notes.bin");
    assert_eq!(echo["attachment"]["size"], 100_000);
    let id = echo["attachment"]["id"].as_str().expect("an id").to_owned();

    let copy = dir.join("copy.bin");
    cli(&url, "bob", &format!("/save {id} {}", copy.display())).await;
    assert_eq!(std::fs::read(&copy).expect("saved"), data);
    let _ = std::fs::remove_dir_all(&dir);
}
