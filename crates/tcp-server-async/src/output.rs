//! The output of a connection: `AsyncWrite` with a small buffer that exists
//! only while it holds bytes.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncWrite, WriteHalf};

use crate::pool;
use crate::socket::Socket;
use crate::stream::BoxStream;
use crate::timeout::Timeout;

/// How many bytes of small writes the output gathers before it sends them;
/// a write at least this long is sent directly.
///
/// Scheme: `tcp-buffer-size`, for the async layer.
#[doc(alias = "tcp-buffer-size")]
pub const DEFAULT_OUTPUT_BUFFER: usize = 1024;

pub(crate) enum WriteSide {
    Tcp(Arc<Socket>),
    Upgraded(WriteHalf<BoxStream>),
    /// Handed over to the connection's task (at drop).
    Gone,
}

/// Where a server's output goes when the handler drops it, for the server
/// to send what is left and close the connection normally.
pub(crate) type Leftover = Arc<Mutex<Option<(WriteSide, Vec<u8>)>>>;

/// The output of a connection, to the client (server side) or the server
/// (from [`crate::connect`]): `AsyncWrite`.
///
/// Small writes are gathered (up to [`DEFAULT_OUTPUT_BUFFER`] bytes) and
/// sent on `flush`, when the buffer fills, or, on a server connection, when
/// the handler returns `Ok`; the buffer is taken for them and given back
/// once sent (each runtime thread keeps a few for the next writes). A
/// write waits at most the write timeout for room, and not past the
/// connection's deadline; then it fails with `TimedOut`, naming the peer.
/// A handler whose every write is a whole message flushed at once (an
/// echo, a relay) can [`Output::set_output_buffer`]`(0)`: its writes then
/// go to the socket without being copied first.
///
/// A client-side output sends nothing more once dropped: flush (or
/// `shutdown`) it first, as with tokio's `BufWriter`.
///
/// Scheme: the current output port the tcp-server egg binds.
// In this order: what every write of a busy connection touches first,
// then the timeout's pointer; the peer's address boxed (see `Input`).
#[repr(C)]
pub struct Output {
    side: WriteSide,
    buf: Vec<u8>,
    capacity: usize,
    leftover: Option<Leftover>,
    timeout: Timeout,
    peer: Box<SocketAddr>,
}

impl Output {
    pub(crate) fn new(
        side: WriteSide,
        peer: SocketAddr,
        timeout: Timeout,
        leftover: Option<Leftover>,
    ) -> Output {
        Output {
            side,
            buf: Vec::new(),
            capacity: DEFAULT_OUTPUT_BUFFER,
            timeout,
            peer: Box::new(peer),
            leftover,
        }
    }

    pub(crate) fn resume(
        side: WriteSide,
        buf: Vec<u8>,
        peer: SocketAddr,
        timeout: Timeout,
    ) -> Output {
        Output {
            side,
            buf,
            capacity: DEFAULT_OUTPUT_BUFFER,
            timeout,
            peer: Box::new(peer),
            leftover: None,
        }
    }

    /// The peer's address.
    ///
    /// Scheme: `tcp-addresses` (second value).
    #[doc(alias = "tcp-addresses")]
    pub fn peer_addr(&self) -> SocketAddr {
        *self.peer
    }

    /// The write timeout: how long one write may wait for room (`None`: no
    /// limit).
    ///
    /// Scheme: `tcp-write-timeout` as captured by the port.
    #[doc(alias = "tcp-write-timeout")]
    pub fn write_timeout(&self) -> Option<Duration> {
        self.timeout.limit()
    }

    /// Changes the write timeout.
    ///
    /// Scheme: none (CHICKEN re-reads `tcp-write-timeout`; decision 3).
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout.set_limit(timeout);
    }

    /// How many bytes of small writes are gathered (default
    /// [`DEFAULT_OUTPUT_BUFFER`]; 0 sends every write at once).
    ///
    /// Scheme: `tcp-buffer-size`.
    #[doc(alias = "tcp-buffer-size")]
    pub fn set_output_buffer(&mut self, bytes: usize) {
        self.capacity = bytes;
    }

    /// Whether the output writes to the TCP stream itself (not upgraded).
    pub(crate) fn is_plain_tcp(&self) -> bool {
        matches!(self.side, WriteSide::Tcp(_))
    }

    /// How many bytes wait in the buffer.
    ///
    /// Scheme: none.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Writes `data` to the socket (or the upgraded stream) now.
    #[inline]
    fn poll_send(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let result = match &mut self.side {
            WriteSide::Tcp(socket) => socket.poll_write(cx, data),
            WriteSide::Upgraded(half) => Pin::new(half).poll_write(cx, data),
            WriteSide::Gone => Poll::Ready(Err(io::Error::from(io::ErrorKind::NotConnected))),
        };
        match result {
            Poll::Ready(Ok(n)) => {
                self.timeout.progress();
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(write_error(e, &self.peer))),
            Poll::Pending => self.timeout.poll_expired(cx, &self.peer).map(Err),
        }
    }

    /// Sends the whole buffer, then frees it.
    fn poll_send_buffer(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut sent = 0;
        let result = loop {
            if sent == self.buf.len() {
                break Poll::Ready(Ok(()));
            }
            let buf = std::mem::take(&mut self.buf);
            let step = self.poll_send(cx, &buf[sent..]);
            self.buf = buf;
            match step {
                Poll::Ready(Ok(0)) => break Poll::Ready(Err(write_zero(&self.peer))),
                Poll::Ready(Ok(n)) => sent += n,
                Poll::Ready(Err(e)) => break Poll::Ready(Err(e)),
                Poll::Pending => break Poll::Pending,
            }
        };
        self.buf.drain(..sent);
        if self.buf.is_empty() {
            // An idle connection keeps no output buffer either.
            pool::give_output(std::mem::take(&mut self.buf));
        }
        result
    }
}

impl Output {
    /// A step of the upgraded stream (its flush, its close): an error names
    /// the peer, a wait is bounded by the write timeout.
    fn timed(&mut self, cx: &mut Context<'_>, step: Poll<io::Result<()>>) -> Poll<io::Result<()>> {
        match step {
            Poll::Ready(Ok(())) => {
                self.timeout.progress();
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(write_error(e, &self.peer))),
            Poll::Pending => self.timeout.poll_expired(cx, &self.peer).map(Err),
        }
    }
}

/// How much of what a server's handler left could go out at once.
pub(crate) enum SentNow {
    /// All of it, over plain TCP; the buffer went back to the pool.
    All,
    /// Not all (the socket is full, or the stream is upgraded): the rest,
    /// for an output that waits.
    Rest((WriteSide, Vec<u8>)),
    Failed(io::Error),
}

/// Sends what a server's handler left in its output, if a plain TCP socket
/// takes it without waiting: nearly always, since a handler that returns
/// leaves at most one buffer, and then the connection's end needs no
/// future of its own.
pub(crate) fn send_now(side: WriteSide, mut buf: Vec<u8>, peer: &SocketAddr) -> SentNow {
    let WriteSide::Tcp(stream) = &side else {
        return SentNow::Rest((side, buf));
    };
    let mut sent = 0;
    while sent < buf.len() {
        match stream.try_write(&buf[sent..]) {
            Ok(0) => return SentNow::Failed(write_zero(peer)),
            Ok(n) => sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return SentNow::Failed(write_error(e, peer)),
        }
    }
    buf.drain(..sent);
    if buf.is_empty() {
        pool::give_output(buf);
        SentNow::All
    } else {
        SentNow::Rest((side, buf))
    }
}

fn write_error(e: io::Error, peer: &SocketAddr) -> io::Error {
    io::Error::new(e.kind(), format!("write to {peer}: {e}"))
}

fn write_zero(peer: &SocketAddr) -> io::Error {
    io::Error::new(
        io::ErrorKind::WriteZero,
        format!("write to {peer}: the stream took no bytes"),
    )
}

impl Output {
    /// [`AsyncWrite::poll_flush`] with something to send first, or over an
    /// upgraded stream: out of line, so that the plain socket's flush, after
    /// every write of a handler that flushes each one, stays a test.
    #[inline(never)]
    fn poll_flush_held(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.buf.is_empty() {
            ready!(self.poll_send_buffer(cx))?;
        }
        match &mut self.side {
            WriteSide::Upgraded(half) => {
                let flushed = Pin::new(half).poll_flush(cx);
                self.timed(cx, flushed)
            }
            _ => {
                self.timeout.progress();
                Poll::Ready(Ok(()))
            }
        }
    }
}

impl AsyncWrite for Output {
    #[inline]
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if !this.buf.is_empty() && this.buf.len() + data.len() > this.capacity {
            ready!(this.poll_send_buffer(cx))?;
        }
        if data.len() >= this.capacity {
            return this.poll_send(cx, data);
        }
        if this.buf.capacity() == 0 {
            this.buf = pool::take_output(this.capacity);
        }
        this.buf.extend_from_slice(data);
        Poll::Ready(Ok(data.len()))
    }

    #[inline]
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // A socket holds nothing back: with nothing buffered, flushed.
        if this.buf.is_empty() && !matches!(this.side, WriteSide::Upgraded(_)) {
            this.timeout.progress();
            return Poll::Ready(Ok(()));
        }
        this.poll_flush_held(cx)
    }

    /// Flushes, then ends the output: a TLS stream sends `close_notify`, and
    /// the TCP connection's writing is shut down (the peer reads EOF); the
    /// input can still read.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flush(cx))?;
        let this = self.get_mut();
        let result = match &mut this.side {
            WriteSide::Tcp(socket) => Poll::Ready(socket.std().shutdown(Shutdown::Write)),
            WriteSide::Upgraded(half) => Pin::new(half).poll_shutdown(cx),
            WriteSide::Gone => Poll::Ready(Ok(())),
        };
        this.timed(cx, result)
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // A server connection's output goes back to its task, which sends
        // what is left and ends the stream if the handler succeeded.
        if let Some(leftover) = self.leftover.take() {
            let side = std::mem::replace(&mut self.side, WriteSide::Gone);
            let buf = std::mem::take(&mut self.buf);
            *leftover.lock().unwrap_or_else(PoisonError::into_inner) = Some((side, buf));
        }
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("peer", &self.peer)
            .field("buffered", &self.buf.len())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
