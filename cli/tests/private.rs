//! End to end: private rooms through the real relay with real `confab-cli` runs. A room
//! made with `--private` is read and written by whoever has its invite link, shows a
//! message that does not open as such, and is closed to whoever has only its code.
//! Every wait is bounded.

use std::process::Output;

use confab_protocol::private::{Post, RoomKey, Sealed};
use confab_protocol::{ClientMessage, Invite, ServerMessage, Username};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::{LIMIT, cli, relay, successful_json};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What follows `prefix` on a line of `text`.
fn after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|line| line.split_once(prefix).map(|(_, rest)| rest.trim()))
        .unwrap_or_else(|| panic!("no {prefix:?} in {text}"))
}

/// A raw WebSocket client that joins `code` as `who` and sends `post`: the relay's answer
/// (an error, or our own chat's echo).
async fn raw_post(
    url: &str,
    code: &str,
    who: &str,
    post: impl Fn(&str) -> ClientMessage,
) -> ServerMessage {
    let (mut ws, _) = timeout(LIMIT, connect_async(url))
        .await
        .expect("connected in time")
        .expect("connected");
    let join = format!(r#"{{"type":"join","name":"{who}","room":"{code}"}}"#);
    ws.send(Message::text(join)).await.expect("sent join");
    let mut room = None;
    loop {
        let frame = timeout(LIMIT, ws.next())
            .await
            .expect("a frame in time")
            .expect("the connection is open")
            .expect("a frame");
        let Message::Text(text) = frame else { continue };
        match ServerMessage::from_json(text.as_str()).expect("a relay message") {
            ServerMessage::Welcome(welcome) if room.is_none() => {
                room = Some(welcome.room.to_string());
                let post = post(&welcome.room.to_string());
                ws.send(Message::text(post.to_json()))
                    .await
                    .expect("sent post");
            }
            answer @ (ServerMessage::Error(_) | ServerMessage::Chat(_)) => return answer,
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_private_room_is_read_with_its_link_and_closed_to_its_code() {
    let (url, _stop) = relay().await;
    let ann = cli(
        &url,
        &[
            "--name",
            "ann",
            "--private",
            "--json",
            "--send",
            "meet at noon",
        ],
    )
    .await;
    let ann_frames = successful_json(&ann);
    assert_eq!(ann_frames[0]["type"], "welcome");
    assert!(
        ann_frames[0]["verify_key"].is_string(),
        "the relay says it is private"
    );
    let echo = ann_frames
        .iter()
        .find(|f| f["type"] == "chat")
        .expect("ann's echo");
    assert_eq!(
        echo["text"], "meet at noon",
        "ann's own client opens its echo"
    );
    let notes = stderr(&ann);
    let link = after(&notes, "share it privately):").to_owned();
    let safety = after(&notes, "safety code ").to_owned();
    let invite = Invite::parse(&link).expect("the printed link is an invite");
    let key = invite.key.clone().expect("the link holds the key");
    let code = invite.code.to_string();

    // Someone with only the code cannot post: the relay refuses with a typed error.
    let refused = raw_post(&url, &code, "mallory", |_| ClientMessage::Chat {
        client_id: 1,
        text: "spam".into(),
        reply_to: None,
    })
    .await;
    assert!(
        matches!(&refused, ServerMessage::Error(e) if e.code == confab_protocol::ErrorCode::NotSigned),
        "{refused:?}"
    );
    // A key holder's post that is signed but does not decrypt (tampered before signing).
    let tampered = raw_post(&url, &code, "trudy", |room| {
        let room = confab_protocol::RoomCode::parse(room).expect("a code");
        let who = Username::parse("trudy").expect("a name");
        let post = Post::chat(&room, &who, None);
        let sealed = key.seal(&post, "tampered").expect("randomness");
        let mut body = Sealed::parse(&sealed).expect("sealed").body;
        let last = body.len() - 1;
        body[last] ^= 1;
        ClientMessage::Chat {
            client_id: 1,
            text: key.sign(&post, body).encode(),
            reply_to: None,
        }
    })
    .await;
    assert!(matches!(tampered, ServerMessage::Chat(_)), "{tampered:?}");

    // Whoever has the link reads the history, sees the tampered one as such, and posts.
    let bob = cli(
        &url,
        &[
            "--name", "bob", "--invite", &link, "--json", "--send", "see you",
        ],
    )
    .await;
    let bob_frames = successful_json(&bob);
    let history = bob_frames[0]["history"].as_array().expect("history");
    let texts: Vec<&str> = history.iter().filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(
        texts,
        ["meet at noon", "[could not decrypt: tampered or wrong key]"]
    );
    assert!(
        bob_frames
            .iter()
            .any(|f| f["type"] == "chat" && f["text"] == "see you")
    );
    assert_eq!(
        after(&stderr(&bob), "safety code "),
        safety,
        "one key, one safety code"
    );

    // The code alone: the client says the room is private and neither reads nor posts.
    let cy = cli(
        &url,
        &[
            "--name", "cy", "--room", &code, "--json", "--send", "hello?",
        ],
    )
    .await;
    assert!(!cy.status.success());
    assert!(
        stderr(&cy).contains("this room is private: open it with its invite link"),
        "{}",
        stderr(&cy)
    );
    let leaked = String::from_utf8_lossy(&cy.stdout);
    assert!(
        !leaked.contains("meet at noon") && !leaked.contains("see you"),
        "{leaked}"
    );
}

#[tokio::test]
async fn a_key_from_another_room_opens_nothing() {
    let (url, _stop) = relay().await;
    let ann = cli(
        &url,
        &["--name", "ann", "--private", "--json", "--send", "x"],
    )
    .await;
    let link = after(&stderr(&ann), "share it privately):").to_owned();
    let invite = Invite::parse(&link).expect("an invite");
    let other = Invite {
        key: Some(RoomKey::generate().expect("randomness")),
        ..invite
    };
    let bob = cli(
        &url,
        &["--name", "bob", "--invite", &other.confab_link(), "--json"],
    )
    .await;
    assert!(!bob.status.success());
    assert!(
        stderr(&bob).contains("does not belong to this room"),
        "{}",
        stderr(&bob)
    );
}

#[tokio::test]
async fn a_reaction_in_a_private_room_goes_sealed_and_reads_as_its_emoji_with_the_link() {
    let (url, _stop) = relay().await;
    let ann = cli(
        &url,
        &["--name", "ann", "--private", "--json", "--send", "lunch?"],
    )
    .await;
    assert!(ann.status.success(), "{}", stderr(&ann));
    let link = after(&stderr(&ann), "share it privately):").to_owned();
    let bob = cli(
        &url,
        &["--name", "bob", "--invite", &link, "--send", "/react 1 👍"],
    )
    .await;
    let shown = String::from_utf8_lossy(&bob.stdout).into_owned();
    assert!(bob.status.success(), "{}", stderr(&bob));
    assert!(shown.contains("bob reacted 👍 on #1"), "{shown}");
    // A later reader with the link sees it on the message; the relay kept only a token.
    let cy = cli(
        &url,
        &["--name", "cy", "--invite", &link, "--json", "--send", "hi"],
    )
    .await;
    let frames = successful_json(&cy);
    let kept = &frames[0]["history"][0]["reactions"][0];
    assert_eq!(
        (kept["emoji"].as_str(), kept["names"][0].as_str()),
        (Some("👍"), Some("bob"))
    );
}
