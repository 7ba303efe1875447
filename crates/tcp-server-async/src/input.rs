//! The input of a connection: `AsyncRead + AsyncBufRead` that holds no
//! buffer while it waits. It waits for readability first and allocates its
//! buffer only when data has arrived, and gives the buffer back once it is
//! drained and the socket has nothing more: an idle connection costs its
//! socket and a few words here, not 8 KiB.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use crate::token::Token;
use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf, ReadHalf};

use crate::pool;
use crate::socket::{ReadInto, Socket};
use crate::stream::BoxStream;
use crate::timeout::Timeout;

/// How much the input reads at once: allocated when data arrives, freed
/// when the input must wait again.
///
/// Scheme: none.
pub const DEFAULT_READ_BUFFER: usize = 8 * 1024;

pub(crate) enum ReadSide {
    Tcp(Arc<Socket>),
    Upgraded(ReadHalf<BoxStream>),
}

/// The input of a connection, from the client (server side) or the server
/// (from [`crate::connect`]): `AsyncRead + AsyncBufRead`, so
/// `AsyncBufReadExt::read_line`, `read_until` and `lines` work on it.
///
/// A read waits at most the read timeout (the server's idle timeout, or the
/// configuration's read timeout), and not past the connection's deadline;
/// then it fails with `TimedOut`, naming the peer.
///
/// # Memory
///
/// While the input waits, it holds no buffer: it waits for the socket to
/// be readable, takes a buffer of [`DEFAULT_READ_BUFFER`] bytes when data
/// is there, and gives it back once everything read was consumed and the
/// socket has no more. (Readiness can be reported falsely; a read that
/// would block then just waits again. A connection's first read, before
/// its socket is registered with the reactor, takes a buffer for the one
/// read that finds out, and gives it back if nothing came.) Over an
/// upgraded (TLS) stream the buffer is taken for each read that finds no
/// data in the TLS layer, and given back when it must wait. Each runtime
/// thread keeps a few given-back buffers for the next reads (at most 9 of
/// each default size, whatever the number of connections); a buffer is
/// zeroed once, when it is allocated, never between reads.
///
/// # Fairness
///
/// Each read that returns data takes a unit of the task's budget, as
/// tokio's own streams do: a connection whose data never runs out still
/// gives way to the runtime's other tasks. [`Output`](crate::Output)'s writes
/// do the same.
///
/// # Stopping
///
/// A handler that waits for a client's next request should not hold a
/// shutdown up: call [`Input::set_idle`]`(true)` before that wait and
/// `false` once a request has begun. When the server stops, an idle input
/// with nothing buffered reads as end-of-file, so the handler returns. (The
/// input must be polled by the handler's own future for this: the
/// connection's task wakes it.)
///
/// Scheme: the current input port the tcp-server egg binds (a CHICKEN
/// input port of `tcp-accept` or `tcp-connect`).
#[doc(alias("tcp-accept", "tcp-connect"))]
// In this order: what every read and wait of a busy connection touches
// comes first (56 bytes, then the timeout, a pointer that is null without
// a limit), the rest after it, and small: the timeout's state and the
// peer's address are boxed, so that the input (80 bytes), the output and
// the handler's own state sit in a few lines of the handler's future. A
// server of many connections misses the cache on each line of theirs it
// touches: with the two at 168 bytes each, an echo over 128 connections
// ran 0.7 % slower (BENCHMARKS.md).
#[repr(C)]
pub struct Input {
    side: ReadSide,
    /// The buffer while data flows, every byte initialized (see
    /// [`pool::take_read`]); empty while waiting.
    buf: Box<[u8]>,
    /// How much of `buf` the last read filled (at most `capacity`).
    filled: u32,
    pos: u32,
    stop: Option<Arc<Token>>,
    capacity: u32,
    idle: bool,
    timeout: Timeout,
    /// Boxed: read only for errors and `peer_addr` (see above).
    peer: Box<SocketAddr>,
}

impl Input {
    pub(crate) fn new(
        side: ReadSide,
        peer: SocketAddr,
        timeout: Timeout,
        stop: Option<Arc<Token>>,
    ) -> Input {
        Input {
            side,
            buf: Box::default(),
            filled: 0,
            pos: 0,
            capacity: DEFAULT_READ_BUFFER as u32,
            timeout,
            idle: false,
            stop,
            peer: Box::new(peer),
        }
    }

    /// The peer's address.
    ///
    /// Scheme: `tcp-addresses` (second value).
    #[doc(alias = "tcp-addresses")]
    pub fn peer_addr(&self) -> SocketAddr {
        *self.peer
    }

    /// Marks the input idle (waiting for the client's next request) or
    /// busy; see the type's doc. Marking it idle after the server stopped
    /// makes its next read with nothing buffered an end-of-file at once.
    ///
    /// Scheme: none.
    pub fn set_idle(&mut self, idle: bool) {
        self.idle = idle;
    }

    /// Whether the input is marked idle.
    ///
    /// Scheme: none.
    pub fn is_idle(&self) -> bool {
        self.idle
    }

    /// The read timeout: how long one read may wait for data (`None`: no
    /// limit).
    ///
    /// Scheme: `tcp-read-timeout` as captured by the port.
    #[doc(alias = "tcp-read-timeout")]
    pub fn read_timeout(&self) -> Option<Duration> {
        self.timeout.limit()
    }

    /// Changes the read timeout.
    ///
    /// Scheme: none (CHICKEN re-reads `tcp-read-timeout`; decision 3).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout.set_limit(timeout);
    }

    /// How many bytes the input reads at once, once data has arrived
    /// (default [`DEFAULT_READ_BUFFER`]; at least 1, at most 4 GiB − 1).
    ///
    /// Scheme: none.
    pub fn set_read_buffer(&mut self, bytes: usize) {
        self.capacity = u32::try_from(bytes).unwrap_or(u32::MAX).max(1);
    }

    /// Whether the input holds a buffer now (for tests and measurements).
    ///
    /// Scheme: none.
    pub fn holds_buffer(&self) -> bool {
        !self.buf.is_empty()
    }

    fn stopped_while_idle(&self) -> bool {
        self.idle && self.stop.as_ref().is_some_and(|stop| stop.is_cancelled())
    }

    /// Fills the empty buffer: `Ready(Ok(n))`, 0 at end-of-file.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        self.filled = 0;
        let mut into = Pooled {
            buf: &mut self.buf,
            capacity: self.capacity as usize,
        };
        let polled = match &mut self.side {
            ReadSide::Tcp(socket) => socket.poll_read(cx, &mut into),
            ReadSide::Upgraded(half) => poll_read_upgraded(half, cx, &mut into),
        };
        match polled {
            Poll::Ready(Ok(n)) => Poll::Ready(Ok(n)),
            Poll::Ready(Err(e)) => Poll::Ready(Err(read_error(e, &self.peer))),
            Poll::Pending => {
                release(&mut self.buf);
                self.timeout.poll_expired(cx, &self.peer).map(Err)
            }
        }
    }
}

/// The input's buffer for a read: taken from this thread's pool only when
/// the read is about to be made (for [`Socket::poll_read`], once the socket
/// is readable).
struct Pooled<'a> {
    buf: &'a mut Box<[u8]>,
    capacity: usize,
}

impl ReadInto for Pooled<'_> {
    fn buffer(&mut self) -> &mut [u8] {
        if self.buf.is_empty() {
            *self.buf = pool::take_read(self.capacity);
        }
        self.buf
    }
}

/// Gives the buffer back, if the input holds one: the input is about to
/// wait, or is done. Inline: an idle input (a chat client's, polled at
/// every message the others send) holds none, and finds so in one test.
#[inline]
fn release(buf: &mut Box<[u8]>) {
    if !buf.is_empty() {
        pool::give_read(std::mem::take(buf));
    }
}

/// A read of an upgraded stream: out of line, so that the plain socket's
/// read, on every request, keeps a small frame.
#[inline(never)]
fn poll_read_upgraded(
    half: &mut ReadHalf<BoxStream>,
    cx: &mut Context<'_>,
    into: &mut Pooled<'_>,
) -> Poll<io::Result<usize>> {
    let mut read = ReadBuf::new(into.buffer());
    Pin::new(half)
        .poll_read(cx, &mut read)
        .map_ok(|()| read.filled().len())
}

#[cold]
#[inline(never)]
fn read_error(e: io::Error, peer: &SocketAddr) -> io::Error {
    io::Error::new(e.kind(), format!("read from {peer}: {e}"))
}

impl AsyncBufRead for Input {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.pos >= this.filled {
            if this.stopped_while_idle() {
                release(&mut this.buf);
                return Poll::Ready(Ok(&[]));
            }
            let n = ready!(this.poll_fill(cx))?;
            this.timeout.progress();
            this.pos = 0;
            // At most the buffer's length, which `capacity` (a u32) set.
            this.filled = n as u32;
            if n == 0 {
                // End-of-file: nothing more will come to fill a buffer.
                release(&mut this.buf);
                return Poll::Ready(Ok(&[]));
            }
        }
        Poll::Ready(Ok(&this.buf[this.pos as usize..this.filled as usize]))
    }

    #[inline]
    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        // Clamped to what is buffered (a u32), so the cast keeps it whole;
        // none is buffered while a read waits (`filled` is 0 then).
        this.pos += amt.min(this.filled.saturating_sub(this.pos) as usize) as u32;
    }
}

impl AsyncRead for Input {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let data = ready!(self.as_mut().poll_fill_buf(cx))?;
        let n = data.len().min(out.remaining());
        out.put_slice(&data[..n]);
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Input")
            .field("peer", &self.peer)
            .field("buffered", &(self.filled - self.pos.min(self.filled)))
            .field("idle", &self.idle)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
