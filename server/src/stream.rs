//! The byte streams a connection runs over: [`Stream`] (plain TCP, or TLS over TCP),
//! [`Counted`] (TCP, through its shared [`Wire`], that counts its bytes for
//! `confab_bytes_*_total`) and [`Rewound`] (a
//! stream that first replays bytes already read, for handing a request head to hyper).
//!
//! These only move bytes; what they carry is `front`'s, `handler`'s and `web`'s business.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use prometheus::IntCounter;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::wire::Wire;

/// Bytes a connection counts locally before it adds them to the relay-wide counter: one
/// atomic add per 4 KiB (a few dozen chat frames) instead of one per read, so counting
/// costs nothing measurable per delivery. The remainder is added on close. (Written bytes
/// are counted by the [`Wire`], which the fan-out writes through too.)
const FLUSH_BYTES: u64 = 4096;

/// A connection's byte stream, after accept: the one type `handler` and `web` see.
#[derive(Debug)]
pub enum Stream {
    /// `ws://` and `http://`.
    Plain(Counted),
    /// `wss://` and `https://`. Boxed: a TLS session is a few KiB, and plain connections
    /// should not pay for it.
    Tls(Box<TlsStream<Counted>>),
}

impl Stream {
    /// The socket the room's fan-out may write to directly: a plain connection's only (a
    /// TLS session is written by its own task alone).
    pub fn shared_wire(&self) -> Option<Arc<Wire>> {
        match self {
            Stream::Plain(counted) => Some(Arc::clone(&counted.wire)),
            Stream::Tls(_) => None,
        }
    }
}

/// A TCP stream that counts the bytes it reads and writes into two relay-wide counters.
#[derive(Debug)]
pub struct Counted {
    wire: Arc<Wire>,
    /// Read but not yet added to `bytes_in`.
    read: u64,
    bytes_in: IntCounter,
}

impl Counted {
    /// Wraps `tcp`, counting into `bytes_in` and `bytes_out`.
    pub fn new(tcp: TcpStream, bytes_in: IntCounter, bytes_out: IntCounter) -> Self {
        Self {
            wire: Arc::new(Wire::new(tcp, bytes_out)),
            read: 0,
            bytes_in,
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.bytes_in.inc_by(self.read);
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = ready!(this.wire.poll_read(cx, buf))?;
        this.read += n as u64;
        if this.read >= FLUSH_BYTES {
            this.bytes_in.inc_by(this.read);
            this.read = 0;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.wire.poll_write(cx, &[io::IoSlice::new(data)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.wire.poll_write(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.wire.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.wire.poll_shutdown(cx)
    }
}

/// Delegates every `AsyncRead`/`AsyncWrite` method to whichever stream `$self` holds.
macro_rules! either {
    ($self:ident, $stream:ident => $call:expr) => {
        match $self.get_mut() {
            Stream::Plain($stream) => {
                let $stream = Pin::new($stream);
                $call
            }
            Stream::Tls($stream) => {
                let $stream = Pin::new(&mut **$stream);
                $call
            }
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        either!(self, s => s.poll_write(cx, data))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        either!(self, s => s.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_shutdown(cx))
    }
}

/// A stream that yields `head` before reading from `inner`: the request head the relay
/// already read to tell an upgrade from a page request, handed to hyper as if unread.
#[derive(Debug)]
pub struct Rewound<S> {
    head: Vec<u8>,
    /// How much of `head` has been read again.
    at: usize,
    inner: S,
}

impl<S> Rewound<S> {
    /// `inner`, with `head` read first.
    pub fn new(head: Vec<u8>, inner: S) -> Self {
        Self { head, at: 0, inner }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewound<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.at < this.head.len() {
            let rest = &this.head[this.at..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.at += n;
            if this.at == this.head.len() {
                this.head = Vec::new();
                this.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewound<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
