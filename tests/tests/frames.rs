//! Frames the relay writes itself (text frames straight from the room's shared bytes, one
//! vectored write per batch, with tungstenite writing only control frames) and reads
//! through a small read buffer that grows for a big frame: every size arrives whole and in
//! order, with pongs between the text frames.

use confab_server::Config;
use confab_tests::{TestRelay, test_config};
use tokio_tungstenite::tungstenite::Message;

/// Payload bytes of the relay's text frames at each header bound (7-bit, 16-bit and 64-bit
/// lengths), and a client frame far past the relay's read buffer.
const TEXT_BYTES: [usize; 7] = [1, 60, 125, 126, 3_000, 65_535, 68_000];

#[tokio::test]
async fn chats_of_every_header_size_arrive_whole_and_in_order_between_pongs() {
    let relay = TestRelay::start(Config {
        max_text_chars: 70_000,
        max_frame_bytes: 128 * 1024,
        ..test_config()
    })
    .await;
    let (_, mut members) = relay.room_with(&["ann", "bob"]).await;
    let texts: Vec<String> = TEXT_BYTES.iter().map(|&n| "x".repeat(n)).collect();
    for (id, text) in (1..).zip(&texts) {
        // bob's ping makes tungstenite queue a pong between the text frames it gets.
        members[1]
            .try_send_frame(Message::Ping(vec![b'p'; 125].into()))
            .await
            .expect("ping sent");
        members[0].chat(id, text).await;
    }
    for reader in &mut members {
        for text in &texts {
            let chat = reader.recv_chat().await;
            assert_eq!(chat.text.len(), text.len());
            assert_eq!(&chat.text, text);
        }
    }
}
