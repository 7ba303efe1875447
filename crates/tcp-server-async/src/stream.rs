//! The view of a connection the upgrade hook is given, and the type-erased
//! stream an upgrade makes.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::socket::Socket;

/// The accepted connection as the upgrade hook sees it: `AsyncRead +
/// AsyncWrite`, for `tokio_rustls::TlsAcceptor::accept` and the like. The
/// server keeps its own reference, to close the connection abruptly
/// whatever the upgraded stream does.
///
/// Scheme: the ports `tcp-accept` returns, as the openssl egg's
/// `ssl-accept` takes them.
#[doc(alias("tcp-accept", "ssl-accept"))]
pub struct TcpIo {
    socket: Arc<Socket>,
}

impl TcpIo {
    pub(crate) fn new(socket: Arc<Socket>) -> TcpIo {
        TcpIo { socket }
    }

    /// The TCP stream underneath (for its addresses and options; it is
    /// non-blocking, and reading or writing it directly would bypass the
    /// upgraded stream).
    ///
    /// Scheme: none.
    pub fn get_ref(&self) -> &std::net::TcpStream {
        self.socket.std()
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
            ready!(self.socket.poll_read_ready(cx))?;
            match self.socket.try_read(buf.initialize_unfilled()) {
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
            ready!(self.socket.poll_write_ready(cx))?;
            match self.socket.try_write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.socket.std().shutdown(Shutdown::Write))
    }
}

impl fmt::Debug for TcpIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpIo").field(&self.socket).finish()
    }
}

/// What an upgrade makes of a connection, its type erased.
pub(crate) trait AsyncStream: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> AsyncStream for T {}

pub(crate) type BoxStream = Box<dyn AsyncStream>;
