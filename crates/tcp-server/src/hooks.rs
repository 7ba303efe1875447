//! The egg's three hook parameters, with accept split in two: a fast accept
//! on the accept loop, and an upgrade step (a TLS handshake) that runs on
//! the worker, inside the connection's slot, under its own deadline, so a
//! stalled handshake never holds up the accept loop.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use tcp_ports::{TcpConfig, TcpListener, TcpReader, TcpWriter};

use crate::{ConnectionHandle, StopSignal, TcpConnection};

/// Turns an accepted TCP connection into the stream the handler uses: a
/// TLS handshake, typically, with `rustls`. Runs on the worker thread,
/// inside the connection's slot (so the cap bounds handshakes too), with
/// the connection's deadline set to the upgrade timeout
/// ([`crate::ServerBuilder::upgrade_timeout`], 10 s by default).
///
/// Two steps, so that the server can put the connection's own deadline
/// back between them: [`Upgrade::handshake`] talks over the connection and
/// returns the session; [`Upgrade::wrap`] joins session and connection into
/// the stream. The handler reads the stream through a buffer, so it need
/// only be `Read + Write`.
///
/// With rustls (see `tests/tls.rs` and the examples for the whole of it):
///
/// ```
/// # use std::{io::{self, Write}, sync::Arc};
/// # use tcp_server::TcpConnection;
/// struct Tls(Arc<rustls::ServerConfig>);
///
/// impl tcp_server::Upgrade for Tls {
///     type Session = rustls::ServerConnection;
///     type Stream = rustls::StreamOwned<rustls::ServerConnection, TcpConnection>;
///
///     fn handshake(&self, conn: &mut TcpConnection) -> io::Result<Self::Session> {
///         let mut tls = rustls::ServerConnection::new(Arc::clone(&self.0)).map_err(io::Error::other)?;
///         while tls.is_handshaking() {
///             tls.complete_io(conn)?;
///         }
///         Ok(tls)
///     }
///     fn wrap(&self, tls: Self::Session, conn: TcpConnection) -> Self::Stream {
///         rustls::StreamOwned::new(tls, conn)
///     }
///     fn finish(&self, stream: &mut Self::Stream) -> io::Result<()> {
///         stream.conn.send_close_notify();
///         stream.flush()
///     }
/// }
/// # let _ = |config| tcp_server::ServerBuilder::new().upgrade(Tls(config));
/// ```
///
/// Scheme: the part of `tcp-server-accept-connection-procedure` that
/// follows `tcp-accept` (the openssl egg's `ssl-accept`).
#[doc(alias("tcp-server-accept-connection-procedure", "tcp-accept", "ssl-accept"))]
pub trait Upgrade: Send + Sync + 'static {
    /// What the handshake establishes (a TLS session).
    type Session: Send;
    /// The upgraded stream the handler reads and writes.
    type Stream: Read + Write + Send + 'static;

    /// Runs the handshake over `conn`. It reads and writes under the
    /// upgrade deadline: a client that stalls gets `TimedOut`.
    ///
    /// # Errors
    ///
    /// Any error rejects the connection: it is closed abruptly, counted as
    /// a rejected handshake, and the handler never runs.
    fn handshake(&self, conn: &mut TcpConnection) -> io::Result<Self::Session>;

    /// Joins the session and the connection into the handler's stream.
    fn wrap(&self, session: Self::Session, conn: TcpConnection) -> Self::Stream;

    /// Ends a served connection's stream before it is closed: flushes it,
    /// and for TLS, sends `close_notify` first. The default flushes.
    ///
    /// # Errors
    ///
    /// A failure to send: the connection counts as failed.
    fn finish(&self, stream: &mut Self::Stream) -> io::Result<()> {
        stream.flush()
    }
}

/// How the accept loop accepts: `Ok(None)` when `stop` fired. The default
/// is [`TcpListener::accept_with_or_stop`].
///
/// Scheme: `tcp-server-accept-connection-procedure` (default `tcp-accept`).
#[doc(alias("tcp-server-accept-connection-procedure", "tcp-accept"))]
pub type AcceptHook = dyn Fn(&TcpListener, &TcpConfig, &StopSignal) -> io::Result<Option<(TcpReader, TcpWriter)>>
    + Send
    + Sync;

/// How a connection is closed abruptly: after a handler's error or panic,
/// a rejected upgrade, and at the drain deadline. The default is
/// [`ConnectionHandle::abort`] (a reset). It is given a handle, not the
/// connection, because at the drain deadline the connection is in another
/// thread's hands.
///
/// Scheme: `tcp-server-prepare-hard-close-procedure` (default
/// `tcp-abandon-port`).
#[doc(alias("tcp-server-prepare-hard-close-procedure", "tcp-abandon-port"))]
pub type HardCloseHook = dyn Fn(&ConnectionHandle) -> io::Result<()> + Send + Sync;

/// How the server learns a connection's local and peer addresses, for the
/// diagnostics, the span and [`crate::Connection::peer_addr`]. Runs on the
/// worker before the upgrade, and may read from the connection (a PROXY
/// protocol header, say). The default is
/// `(conn.local_addr(), conn.peer_addr())`.
///
/// Scheme: `tcp-server-get-addresses-procedure` (default `tcp-addresses`).
#[doc(alias("tcp-server-get-addresses-procedure", "tcp-addresses"))]
pub type AddressesHook =
    dyn Fn(&mut TcpConnection) -> io::Result<(SocketAddr, SocketAddr)> + Send + Sync;

/// The hooks a server runs with; [`crate::ServerBuilder`] sets them.
#[derive(Clone)]
pub(crate) struct Hooks {
    pub(crate) accept: Arc<AcceptHook>,
    pub(crate) hard_close: Arc<HardCloseHook>,
    pub(crate) addresses: Arc<AddressesHook>,
    pub(crate) upgrade: Option<Arc<dyn ErasedUpgrade>>,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            accept: Arc::new(|listener, config, stop| listener.accept_with_or_stop(config, stop)),
            hard_close: Arc::new(ConnectionHandle::abort),
            addresses: Arc::new(|conn| Ok((conn.local_addr(), conn.peer_addr()))),
            upgrade: None,
        }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("upgrade", &self.upgrade.is_some())
            .finish_non_exhaustive()
    }
}

/// An [`Upgrade`] with its types erased, so the server is not generic.
pub(crate) trait ErasedUpgrade: Send + Sync {
    /// Handshakes over `conn`, calls `between` on it (the server puts the
    /// connection's own deadline back), then wraps it. A failed handshake
    /// gives the connection back, still open, to be closed abruptly.
    fn upgrade(
        &self,
        conn: TcpConnection,
        between: &mut dyn FnMut(&mut TcpConnection),
    ) -> Result<Box<dyn Transport>, (io::Error, Box<TcpConnection>)>;
}

/// The upgraded stream as the handler sees it: buffered for `BufRead`.
pub(crate) trait Transport: io::BufRead + Write + Send {
    fn finish(&mut self) -> io::Result<()>;
}

pub(crate) struct Erased<U>(pub(crate) Arc<U>);

struct Upgraded<U: Upgrade> {
    upgrade: Arc<U>,
    stream: io::BufReader<U::Stream>,
}

impl<U: Upgrade> ErasedUpgrade for Erased<U> {
    fn upgrade(
        &self,
        mut conn: TcpConnection,
        between: &mut dyn FnMut(&mut TcpConnection),
    ) -> Result<Box<dyn Transport>, (io::Error, Box<TcpConnection>)> {
        let session = match self.0.handshake(&mut conn) {
            Ok(session) => session,
            Err(e) => return Err((e, Box::new(conn))),
        };
        between(&mut conn);
        Ok(Box::new(Upgraded {
            upgrade: Arc::clone(&self.0),
            stream: io::BufReader::new(self.0.wrap(session, conn)),
        }))
    }
}

impl<U: Upgrade> Read for Upgraded<U> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buf)
    }
}

impl<U: Upgrade> io::BufRead for Upgraded<U> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.stream.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.stream.consume(amt);
    }
}

impl<U: Upgrade> Write for Upgraded<U> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.get_mut().write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.stream.get_mut().write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.get_mut().flush()
    }
}

impl<U: Upgrade> Transport for Upgraded<U> {
    fn finish(&mut self) -> io::Result<()> {
        self.upgrade.finish(self.stream.get_mut())
    }
}
