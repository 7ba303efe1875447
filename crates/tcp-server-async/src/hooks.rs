//! The egg's hook parameters in async form, with accept split in two as in
//! tcp-server: a fast, synchronous accept hook on the accept loop, and an
//! upgrade step (a TLS handshake) on the connection's own task, inside its
//! slot, under its own deadline, so a stalled handshake never holds up the
//! accept loop.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use std::net::TcpStream;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::TcpIo;
use crate::stream::BoxStream;

/// Turns an accepted connection into the stream the handler reads and
/// writes: a TLS handshake, typically, with `tokio-rustls`. Runs on the
/// connection's task, inside its slot (so the cap bounds handshakes too),
/// under the upgrade timeout ([`crate::ServerBuilder::upgrade_timeout`],
/// 10 s by default); a failure or a timeout rejects the connection.
///
/// ```ignore
/// struct Tls(tokio_rustls::TlsAcceptor);
///
/// impl tcp_server_async::Upgrade for Tls {
///     type Stream = tokio_rustls::server::TlsStream<TcpIo>;
///
///     fn upgrade(&self, io: TcpIo) -> impl Future<Output = io::Result<Self::Stream>> + Send {
///         self.0.accept(io)
///     }
/// }
/// ```
///
/// The handler's output ends the stream with `poll_shutdown` when the
/// handler returns `Ok` (for TLS: `close_notify`, then FIN).
///
/// Scheme: the part of `tcp-server-accept-connection-procedure` that
/// follows `tcp-accept` (the openssl egg's `ssl-accept`).
#[doc(alias("tcp-server-accept-connection-procedure", "tcp-accept", "ssl-accept"))]
pub trait Upgrade: Send + Sync + 'static {
    /// The upgraded stream.
    type Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static;

    /// Runs the handshake over `io`.
    ///
    /// # Errors
    ///
    /// Any error rejects the connection: it is closed abruptly, counted as
    /// a rejected handshake, and the handler never runs.
    fn upgrade(&self, io: TcpIo) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

/// Runs right after `accept`, on the accept loop, before the connection
/// has a task: a fast, non-blocking step (socket options, a filter on the
/// peer's address). An error drops the connection and counts as a
/// per-connection accept error. The default returns the stream as it is.
///
/// The stream is std's, non-blocking (the server registers a connection
/// with tokio's reactor only once it has to wait); the one the hook returns
/// is made non-blocking, with `TCP_NODELAY`.
///
/// Unlike tcp-server's, the hook does not accept by itself: the server
/// owns the accept and its error policy, and the wait for a connection is
/// the runtime's.
///
/// Scheme: `tcp-server-accept-connection-procedure` (default `tcp-accept`).
#[doc(alias("tcp-server-accept-connection-procedure", "tcp-accept"))]
pub type AcceptHook = dyn Fn(TcpStream, SocketAddr) -> io::Result<TcpStream> + Send + Sync;

/// How a connection is closed abruptly: after a handler's error or panic,
/// a rejected upgrade, and at the drain deadline. It is given the TCP
/// stream (std's; the upgraded one may be in the handler's hands) and runs
/// just before the server drops its reference. The default sets a zero
/// linger ([`tcp_ports::reset_on_close`]), so the close is a reset (RST).
///
/// Scheme: `tcp-server-prepare-hard-close-procedure` (default
/// `tcp-abandon-port`).
#[doc(alias("tcp-server-prepare-hard-close-procedure", "tcp-abandon-port"))]
pub type HardCloseHook = dyn Fn(&TcpStream) -> io::Result<()> + Send + Sync;

/// How the server learns a connection's local and peer addresses, for the
/// diagnostics, the span and [`crate::Peer`], from the std stream. The
/// default gives what
/// `(stream.local_addr()?, stream.peer_addr()?)` would, without asking the
/// kernel again: the peer as accept returned it, and the listener's address
/// as the local one (`stream.local_addr()` when the listener is on a
/// wildcard address).
///
/// Scheme: `tcp-server-get-addresses-procedure` (default `tcp-addresses`).
#[doc(alias("tcp-server-get-addresses-procedure", "tcp-addresses"))]
pub type AddressesHook = dyn Fn(&TcpStream) -> io::Result<(SocketAddr, SocketAddr)> + Send + Sync;

#[derive(Clone)]
pub(crate) struct Hooks {
    pub(crate) accept: Option<Arc<AcceptHook>>,
    pub(crate) hard_close: Arc<HardCloseHook>,
    /// `None`: the default (see [`AddressesHook`]).
    pub(crate) addresses: Option<Arc<AddressesHook>>,
    pub(crate) upgrade: Option<Arc<dyn ErasedUpgrade>>,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            accept: None,
            hard_close: Arc::new(tcp_ports::reset_on_close),
            addresses: None,
            upgrade: None,
        }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("accept", &self.accept.is_some())
            .field("upgrade", &self.upgrade.is_some())
            .finish_non_exhaustive()
    }
}

pub(crate) type UpgradeFuture<'a> =
    Pin<Box<dyn Future<Output = io::Result<BoxStream>> + Send + 'a>>;

/// An [`Upgrade`] with its types erased, so the server is not generic.
pub(crate) trait ErasedUpgrade: Send + Sync {
    fn upgrade(&self, io: TcpIo) -> UpgradeFuture<'_>;
}

pub(crate) struct Erased<U>(pub(crate) U);

impl<U: Upgrade> ErasedUpgrade for Erased<U> {
    fn upgrade(&self, io: TcpIo) -> UpgradeFuture<'_> {
        Box::pin(async move {
            let stream = self.0.upgrade(io).await?;
            Ok(Box::new(stream) as BoxStream)
        })
    }
}
