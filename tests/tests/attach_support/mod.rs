//! What the attachment tests share: building files, uploading them chunk by chunk after
//! each `upload_ack`, and fetching them back over the WebSocket. Included with
//! `mod attach_support;` by `attachments.rs`, `cluster_attachments.rs` and
//! `attachment_memory.rs` (a test file cannot import another's).

// Each test file uses only some of these.
#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use confab_protocol::{
    Attachment, ChatMessage, ClientId, ClientMessage, ErrorCode, ErrorMessage, ServerMessage,
};
use confab_tests::TestClient;

/// A PNG signature and IHDR chunk saying `width` × `height`, then `extra` bytes of filler.
pub fn png(width: u32, height: u32, extra: usize) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&13u32.to_be_bytes());
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
    bytes.extend((0..extra).map(|i| (i % 251) as u8));
    bytes
}

pub fn start(client_id: ClientId, file_name: &str, size: usize) -> ClientMessage {
    ClientMessage::UploadStart {
        client_id,
        file_name: file_name.into(),
        mime: "image/png".into(),
        size: size as u64,
    }
}

pub fn chunk(offset: usize, bytes: &[u8]) -> ClientMessage {
    ClientMessage::UploadChunk {
        offset: offset as u64,
        data: BASE64.encode(bytes),
    }
}

/// The next message that is not presence or typing.
pub async fn next_relevant(client: &mut TestClient) -> ServerMessage {
    loop {
        match client.recv().await {
            ServerMessage::MemberJoined { .. }
            | ServerMessage::MemberLeft { .. }
            | ServerMessage::Typing { .. } => {}
            other => return other,
        }
    }
}

pub fn refusal(msg: ServerMessage) -> ErrorMessage {
    match msg {
        ServerMessage::Error(error) => error,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Uploads `data` in chunks of `chunk_bytes`, each after the relay's ack, and returns the
/// sender's copy of the room message announcing it.
pub async fn upload(
    client: &mut TestClient,
    client_id: ClientId,
    file_name: &str,
    data: &[u8],
    chunk_bytes: usize,
) -> ChatMessage {
    client.send(&start(client_id, file_name, data.len())).await;
    let mut from = 0;
    loop {
        match next_relevant(client).await {
            ServerMessage::UploadAck { received, .. } => {
                from = usize::try_from(received).expect("small");
                let to = (from + chunk_bytes).min(data.len());
                client.send(&chunk(from, &data[from..to])).await;
            }
            // As the protocol says: wait, then send the same chunk again.
            ServerMessage::Error(ErrorMessage {
                code: ErrorCode::RateLimited,
                retry_after_ms: Some(wait),
                ..
            }) => {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                let to = (from + chunk_bytes).min(data.len());
                client.send(&chunk(from, &data[from..to])).await;
            }
            ServerMessage::Chat(chat) if chat.client_id == Some(client_id) => return chat,
            // Others' chat goes on meanwhile.
            ServerMessage::Chat(chat) if chat.client_id.is_none() => {}
            other => panic!("unexpected during upload: {other:?}"),
        }
    }
}

/// Fetches attachment `id` chunk by chunk over the WebSocket.
pub async fn download(client: &mut TestClient, id: &str) -> Result<Vec<u8>, ErrorMessage> {
    let mut data = Vec::new();
    let mut ask = true;
    loop {
        if std::mem::take(&mut ask) {
            client
                .send(&ClientMessage::FetchAttachment {
                    id: id.into(),
                    offset: data.len() as u64,
                })
                .await;
        }
        match next_relevant(client).await {
            ServerMessage::AttachmentChunk {
                offset,
                size,
                data: chunk,
                ..
            } => {
                assert_eq!(offset, data.len() as u64);
                data.extend(BASE64.decode(chunk).expect("valid base64"));
                if data.len() as u64 >= size {
                    return Ok(data);
                }
                ask = true;
            }
            ServerMessage::Error(ErrorMessage {
                code: ErrorCode::RateLimited,
                retry_after_ms: Some(wait),
                ..
            }) => {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                ask = true;
            }
            ServerMessage::Error(error) => return Err(error),
            ServerMessage::Chat(chat) if chat.client_id.is_none() => {}
            other => panic!("unexpected during download: {other:?}"),
        }
    }
}

pub fn attachment_of(chat: &ChatMessage) -> &Attachment {
    chat.attachment
        .as_ref()
        .expect("the message carries an attachment")
}
