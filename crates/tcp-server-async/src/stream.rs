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
        let n = ready!(self.socket.poll_read(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for TcpIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.socket.poll_write(cx, buf)
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
