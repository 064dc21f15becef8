//! Data frames written straight from the shared frame bytes to the socket, a batch with
//! one vectored write: the relay keeps no write buffer of its own for a connection.
//!
//! Why not tungstenite's `feed` and `flush`: tungstenite copies every frame into a
//! per-connection `Vec` that keeps the capacity of the largest batch it ever held, and it
//! has no way to give that capacity back. An idle member of a 1,000-member room that once
//! got the full roster kept about 30 KB for it. Here a frame is its 2 to 10 header bytes
//! and the `Utf8Bytes` the room encoded once for every member, and nothing outlives the
//! batch.
//!
//! Only data frames go this way: text for a chat connection (its [`Payload`] is always
//! text, so its header needs no branch), text or binary for the conformance echo. Control frames (ping, pong, close) stay tungstenite's,
//! so the caller flushes tungstenite before a batch: bytes of two frames never interleave.
//! The bytes on the wire are the ones tungstenite would write: final, unmasked (a server
//! never masks), with the shortest length encoding (RFC 6455 section 5.2).

use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;

use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::payload::{Header, JOINED_FRAME_BYTES, Payload, joined};

/// Writes `frames` as data frames of their opcode, in order, with as few vectored writes
/// as the stream takes, then flushes the stream (TLS holds what it encrypted until then).
/// On an error the stream may have taken part of a frame: the connection must end.
pub async fn write_frames<S, F>(stream: &mut S, frames: &[F]) -> io::Result<()>
where
    S: AsyncWrite + Unpin,
    F: Payload,
{
    // One frame (a quiet room: nearly every write) needs no list of slices.
    if let [frame] = frames {
        let header = Header::new(frame.opcode(), frame.bytes().len());
        let mut slices = [IoSlice::new(header.as_slice()), IoSlice::new(frame.bytes())];
        let written = write_small(stream, header.as_slice(), frame.bytes()).await?;
        let mut rest = &mut slices[..];
        IoSlice::advance_slices(&mut rest, written);
        return write_all(stream, rest).await;
    }
    let headers: Vec<Header> = frames
        .iter()
        .map(|frame| Header::new(frame.opcode(), frame.bytes().len()))
        .collect();
    let mut slices: Vec<IoSlice<'_>> = headers
        .iter()
        .zip(frames)
        .flat_map(|(header, frame)| [IoSlice::new(header.as_slice()), IoSlice::new(frame.bytes())])
        .collect();
    write_all(stream, &mut slices).await
}

/// Writes `header` and `payload` with one plain write when together they fit in
/// [`JOINED_FRAME_BYTES`]; returns how many bytes the stream took (0 for a larger frame,
/// or a partial write: the caller writes the rest).
async fn write_small<S>(stream: &mut S, header: &[u8], payload: &[u8]) -> io::Result<usize>
where
    S: AsyncWrite + Unpin,
{
    if header.len() + payload.len() > JOINED_FRAME_BYTES {
        return Ok(0);
    }
    poll_fn(|cx| {
        // Joined at each poll, so the buffer is never part of the future.
        joined(header, payload, |frame| {
            Pin::new(&mut *stream).poll_write(cx, frame)
        })
        .unwrap_or(std::task::Poll::Ready(Ok(0)))
    })
    .await
}

/// Writes every byte of `slices`, vectored, then flushes.
async fn write_all<S>(stream: &mut S, slices: &mut [IoSlice<'_>]) -> io::Result<()>
where
    S: AsyncWrite + Unpin,
{
    let mut rest = slices;
    while !rest.is_empty() {
        let written = stream.write_vectored(rest).await?;
        if written == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut rest, written);
    }
    stream.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    use futures_util::StreamExt;
    use tokio_tungstenite::WebSocketStream;
    use tokio_tungstenite::tungstenite::protocol::Role;
    use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

    use crate::payload::{BINARY, Header, TEXT};

    /// A frame of `n` bytes.
    fn sized(n: usize) -> Utf8Bytes {
        Utf8Bytes::from("x".repeat(n))
    }

    #[test]
    fn headers_use_the_shortest_length_encoding_at_each_bound() {
        let cases: [(usize, &[u8]); 6] = [
            (0, &[0x81, 0]),
            (125, &[0x81, 125]),
            (126, &[0x81, 126, 0, 126]),
            (65_535, &[0x81, 126, 0xff, 0xff]),
            (65_536, &[0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]),
            (1 << 32, &[0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0]),
        ];
        for (len, expected) in cases {
            assert_eq!(
                Header::new(TEXT, len).as_slice(),
                expected,
                "payload of {len} bytes"
            );
        }
    }

    #[test]
    fn a_binary_header_differs_from_a_text_one_in_its_opcode_only() {
        for len in [0, 125, 126, 65_536] {
            let text = Header::new(TEXT, len);
            let binary = Header::new(BINARY, len);
            assert_eq!(binary.as_slice()[0], 0x82, "payload of {len} bytes");
            assert_eq!(binary.as_slice()[1..], text.as_slice()[1..]);
        }
    }

    /// Frames at every header bound, written through a pipe too small to take a batch in
    /// one write, read back by tungstenite as a client reads them.
    #[tokio::test]
    async fn a_batch_reads_back_as_the_same_text_frames_through_partial_writes() {
        let frames: Vec<Utf8Bytes> = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000, 3]
            .into_iter()
            .map(sized)
            .collect();
        let (mut relay_end, client_end) = tokio::io::duplex(1000);
        let expected = frames.clone();
        let reader = tokio::spawn(async move {
            let mut client = WebSocketStream::from_raw_socket(client_end, Role::Client, None).await;
            let mut got = Vec::new();
            while got.len() < expected.len() {
                match client.next().await {
                    Some(Ok(Message::Text(text))) => got.push(text),
                    other => panic!("expected a text frame, got {other:?}"),
                }
            }
            got
        });
        write_frames(&mut relay_end, &frames)
            .await
            .expect("written");
        let got = reader.await.expect("reader task");
        assert_eq!(got, frames);
    }

    /// A lone frame at each side of the one-write size (a payload over 125 bytes has a
    /// 4-byte header), through a pipe that takes 7 bytes at a time: the plain write is
    /// partial and the rest goes out vectored.
    #[tokio::test]
    async fn a_lone_frame_reads_back_whole_after_a_partial_plain_write() {
        for len in [
            0,
            5,
            125,
            JOINED_FRAME_BYTES - 4,
            JOINED_FRAME_BYTES - 3,
            600,
        ] {
            let frame = sized(len);
            let (mut relay_end, client_end) = tokio::io::duplex(7);
            let reader = tokio::spawn(async move {
                let mut client =
                    WebSocketStream::from_raw_socket(client_end, Role::Client, None).await;
                client.next().await
            });
            write_frames(&mut relay_end, std::slice::from_ref(&frame))
                .await
                .expect("written");
            match reader.await.expect("reader task") {
                Some(Ok(Message::Text(text))) => assert_eq!(text, frame, "{len} bytes"),
                other => panic!("expected a text frame of {len} bytes, got {other:?}"),
            }
        }
    }
}
