//! The accepted TCP stream, shared by the connection's input, its output
//! and its task (which closes it abruptly when it must), and the view of it
//! the upgrade hook is given.

use std::fmt;
use std::io::{self, Read};
use std::mem::ManuallyDrop;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, FromRawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// `shutdown(2)` on a stream that others share: tokio offers it only
/// through `&mut` (`poll_shutdown`), and only for writing.
pub(crate) fn shutdown(stream: &TcpStream, how: Shutdown) -> io::Result<()> {
    with_std(stream, |std| std.shutdown(how))
}

/// One read from `stream` into `buf`, for a caller that has seen it
/// readable: the bytes read, and whether the read was short, which ends
/// the stream's readiness. tokio's own `poll_read` does the same on Linux,
/// since with edge-triggered epoll a short read shows that the socket is
/// drained, and more data brings a new edge. Without it, the next read
/// would spend a system call to learn `EAGAIN` (one more per request of an
/// echo server). `try_io` clears only the readiness it was called with,
/// never an edge that came during the read.
pub(crate) fn try_read_draining(stream: &TcpStream, buf: &mut [u8]) -> io::Result<(usize, bool)> {
    let room = buf.len();
    let mut short = None;
    let result = stream.try_io(Interest::READABLE, || {
        let n = with_std(stream, |std| (&*std).read(buf))?;
        if 0 < n && n < room {
            short = Some(n);
            // Makes try_io clear the readiness; the bytes are kept.
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    });
    match short {
        Some(n) => Ok((n, true)),
        None => result.map(|n| (n, false)),
    }
}

/// Whether tokio holds `stream` readable now: no system call, no waker
/// registered (`poll_read_ready` would do both when it is not).
pub(crate) fn readable_now(stream: &TcpStream) -> bool {
    stream.try_io(Interest::READABLE, || Ok(())).is_ok()
}

/// Runs `f` on `stream`'s socket as a std stream, for what tokio offers
/// only through `&mut` or only with its own readiness checks around it.
fn with_std<R>(stream: &TcpStream, f: impl FnOnce(&std::net::TcpStream) -> R) -> R {
    // SAFETY: the descriptor belongs to `stream`, which outlives this call;
    // `ManuallyDrop` keeps the borrowed std stream from closing it.
    let std = ManuallyDrop::new(unsafe { std::net::TcpStream::from_raw_fd(stream.as_raw_fd()) });
    f(&std)
}

/// The accepted connection as the upgrade hook sees it: `AsyncRead +
/// AsyncWrite`, for `tokio_rustls::TlsAcceptor::accept` and the like. The
/// server keeps its own reference, to close the connection abruptly
/// whatever the upgraded stream does.
///
/// Scheme: the ports `tcp-accept` returns, as the openssl egg's
/// `ssl-accept` takes them.
#[doc(alias("tcp-accept", "ssl-accept"))]
pub struct TcpIo {
    stream: Arc<TcpStream>,
}

impl TcpIo {
    pub(crate) fn new(stream: Arc<TcpStream>) -> TcpIo {
        TcpIo { stream }
    }

    /// The TCP stream underneath (for its addresses and options).
    ///
    /// Scheme: none.
    pub fn get_ref(&self) -> &TcpStream {
        &self.stream
    }
}

impl AsyncRead for TcpIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Bounded: each WouldBlock clears the readiness it came from, so the
        // next poll_read_ready is Pending until the kernel says otherwise.
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            match try_read_draining(&self.stream, buf.initialize_unfilled()) {
                Ok((n, _)) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for TcpIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(shutdown(&self.stream, Shutdown::Write))
    }
}

impl fmt::Debug for TcpIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpIo").field(&self.stream).finish()
    }
}

/// What an upgrade makes of a connection, its type erased.
pub(crate) trait AsyncStream: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> AsyncStream for T {}

pub(crate) type BoxStream = Box<dyn AsyncStream>;
