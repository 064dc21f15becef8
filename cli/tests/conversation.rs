//! End to end across clients: members on real `confab-cli` processes and on raw WebSocket
//! clients reply, react, edit and delete in one room, and a member who was away comes
//! back through the console client and is shown each message as it is now.

use confab_protocol::{ClientMessage, ServerMessage};
use confab_tests::{TestClient, TestRelay};

mod common;
use common::cli;

/// Waits until `client` has seen chat `seq`.
async fn saw_chat(client: &mut TestClient, seq: u64) {
    client
        .recv_until(|m| matches!(m, ServerMessage::Chat(c) if c.seq == seq))
        .await;
}

/// The stdout of a `confab-cli` run that must have succeeded (its stderr shown if not).
fn transcript(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn console_and_websocket_members_change_messages_and_a_returning_member_sees_them_as_they_are()
 {
    let relay = TestRelay::start_default().await;
    let url = relay.url();
    let (mut ann, welcome) = relay.creator("ann").await;
    let room = welcome.room.to_string();
    let (mut dee, _) = relay.member("dee", &welcome.room).await;
    ann.recv_member_joined("dee").await;

    ann.chat(1, "helo all").await;
    ann.chat(2, "lunch at noon?").await;
    // bob, on the console client, answers message 2 and reacts to it.
    let bob = cli(
        &url,
        &[
            "--name",
            "bob",
            "--room",
            &room,
            "--send",
            "/reply 2 count me in",
            "--send",
            "/react 2 👍",
        ],
    )
    .await;
    let bob = transcript(&bob);
    assert!(bob.contains("#3 <bob> ↪#2 count me in"), "{bob}");
    assert!(bob.contains("bob reacted 👍 on #2"), "{bob}");
    saw_chat(&mut dee, 3).await;
    let token = dee.welcome_token();
    dee.drop_connection();
    ann.recv_member_left("dee").await;

    // While dee is away: ann fixes her typo, bob takes his answer back, cy reacts too,
    // and ann says something new.
    ann.send(&ClientMessage::Edit {
        client_id: 3,
        seq: 1,
        text: "hello all".into(),
    })
    .await;
    let bob = cli(
        &url,
        &["--name", "bob", "--room", &room, "--send", "/delete 3"],
    )
    .await;
    assert!(transcript(&bob).contains("#3 was deleted by bob"));
    let cy = cli(
        &url,
        &["--name", "cy", "--room", &room, "--send", "/react 2 👍"],
    )
    .await;
    assert!(transcript(&cy).contains("cy reacted 👍 on #2"));
    ann.chat(4, "see you there").await;

    // dee comes back on the console client, resuming the membership it had.
    let dee = cli(
        &url,
        &[
            "--name",
            "dee",
            "--room",
            &room,
            "--resume-token",
            &token,
            "--last-seq",
            "3",
            "--send",
            "back",
        ],
    )
    .await;
    let dee = transcript(&dee);
    let after = |line: &str| {
        dee.find(line)
            .unwrap_or_else(|| panic!("{line:?} not shown:\n{dee}"))
    };
    assert!(
        !dee.contains("#1 <ann> helo all"),
        "only what dee missed is new:\n{dee}"
    );
    let new = after("#4 <ann> see you there");
    let heading = after("* changed while you were away:");
    assert!(new < heading, "{dee}");
    assert!(heading < after("#1 <ann> hello all (edited)"), "{dee}");
    assert!(heading < after("#2 <ann> lunch at noon?  [👍 2]"), "{dee}");
    assert!(heading < after("#3 <bob> [message deleted]"), "{dee}");
    assert!(after("#5 <dee> back") > heading, "{dee}");

    // And a WebSocket member who joins now is given the same state in its welcome.
    let (_, late) = relay.member("eve", &welcome.room).await;
    let shown: Vec<(u64, &str, bool, bool, usize)> = (late.history.iter())
        .map(|m| {
            let c = &m.changes;
            (
                m.seq,
                m.text.as_str(),
                c.edited,
                c.deleted,
                c.reactions.iter().map(|r| r.names.len()).sum(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (1, "hello all", true, false, 0),
            (2, "lunch at noon?", false, false, 2),
            (3, "", false, true, 0),
            (4, "see you there", false, false, 0),
            (5, "back", false, false, 0),
        ]
    );
}
