//! Making a server: the egg's `make-tcp-server` arguments, and what a
//! production server needs beyond them, with every default spelled out.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tcp_ports::{TcpConfig, TcpListener, TcpReader, TcpWriter};

use crate::hooks::{Erased, Hooks};
use crate::server::Settings;
use crate::{
    Connection, ConnectionHandle, Diagnostics, Server, StopSignal, TcpConnection, Upgrade,
};

/// The most worker threads when there is no cap (tokio's blocking pool has
/// the same): also how many connections are handled at once then.
///
/// Scheme: none.
pub const DEFAULT_MAX_THREADS: usize = 512;

/// How long a worker thread waits for work before it exits (tokio's
/// blocking pool: 10 s).
///
/// Scheme: none.
pub const DEFAULT_THREAD_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the upgrade step (a TLS handshake) may take (axum-server's
/// default).
///
/// Scheme: none.
pub const DEFAULT_UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a whole connection may last, from accept to close, unless
/// [`ServerBuilder::deadline`] says otherwise: long enough for any ordinary
/// exchange, short enough that a client dripping a byte just inside the
/// read timeout cannot hold a slot for ever.
///
/// Scheme: none.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);

/// How long a shutdown lets running handlers finish before it closes them
/// abruptly (actix's default).
///
/// Scheme: none.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// How to make a [`Server`]: the cap, the pool, the timeouts, the
/// diagnostics and the hooks. [`Server::new`] is its shortcut with every
/// default:
///
/// ```
/// use std::time::Duration;
/// use tcp_ports::TcpConfig;
/// use tcp_server::{Connection, Diagnostics, ServerBuilder};
///
/// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// let handler = |_: &mut Connection| Ok(());
/// // Server::new(listener, handler) is this:
/// let server = ServerBuilder::new()
///     .max_requests(None)                                   // no cap but the pool's
///     .max_threads(tcp_server::DEFAULT_MAX_THREADS)         // 512
///     .thread_idle_timeout(Duration::from_secs(10))
///     .stack_size(None)                                     // std's default (2 MiB)
///     .config(TcpConfig::new())                             // write timeout 60 s
///     .idle_timeout(Some(Duration::from_secs(60)))          // the read timeout
///     .deadline(Some(Duration::from_secs(300)))             // a whole connection
///     .upgrade_timeout(Duration::from_secs(10))
///     .drain_timeout(Duration::from_secs(30))
///     .diagnostics(Diagnostics::off())
///     .build(listener, handler)?;
/// # drop(server);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: the arguments of `make-tcp-server` and the egg's parameters.
#[derive(Clone, Debug)]
#[doc(alias = "make-tcp-server")]
pub struct ServerBuilder {
    max_requests: Option<usize>,
    max_threads: usize,
    thread_idle_timeout: Duration,
    stack_size: Option<usize>,
    config: TcpConfig,
    idle_timeout: Option<Option<Duration>>,
    deadline: Option<Duration>,
    upgrade_timeout: Duration,
    drain_timeout: Duration,
    diagnostics: Diagnostics,
    hooks: Hooks,
}

impl Default for ServerBuilder {
    fn default() -> ServerBuilder {
        ServerBuilder::new()
    }
}

impl ServerBuilder {
    /// Every default (see the type's example).
    ///
    /// Scheme: `make-tcp-server` without `MAXREQUESTS`.
    #[doc(alias("make-tcp-server", "MAXREQUESTS"))]
    pub fn new() -> ServerBuilder {
        ServerBuilder {
            max_requests: None,
            max_threads: DEFAULT_MAX_THREADS,
            thread_idle_timeout: DEFAULT_THREAD_IDLE_TIMEOUT,
            stack_size: None,
            config: TcpConfig::new(),
            idle_timeout: None,
            deadline: Some(DEFAULT_DEADLINE),
            upgrade_timeout: DEFAULT_UPGRADE_TIMEOUT,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            diagnostics: Diagnostics::off(),
            hooks: Hooks::default(),
        }
    }

    /// The cap: at most `n` connections are handled at once, their upgrade
    /// (TLS handshake) included; `None` leaves only the pool's maximum
    /// ([`ServerBuilder::max_threads`]).
    ///
    /// The server takes a slot *before* it accepts. While every slot is
    /// taken it accepts nothing, so a further client waits in the kernel's
    /// accept queue (the listener's backlog): its `connect` succeeds at
    /// once, what it sends is buffered by the kernel, and it hears nothing
    /// until a slot frees up; then it is accepted and served, in the order
    /// the clients connected. A client that gives up meanwhile is accepted
    /// and finds its connection closed. Once the backlog is full, the
    /// kernel drops further connection attempts, and those clients retry
    /// their SYN (their `connect` takes seconds) or time out.
    ///
    /// A cap of 0 is refused by [`ServerBuilder::build`].
    ///
    /// Scheme: `MAXREQUESTS` of `make-tcp-server`.
    #[doc(alias("MAXREQUESTS", "make-tcp-server"))]
    pub fn max_requests(mut self, n: impl Into<Option<usize>>) -> ServerBuilder {
        self.max_requests = n.into();
        self
    }

    /// The most worker threads (default [`DEFAULT_MAX_THREADS`]) and so the
    /// most connections handled at once when there is no cap; with a cap,
    /// the pool grows to the cap instead. Never a thread per connection
    /// beyond that.
    ///
    /// Scheme: none.
    pub fn max_threads(mut self, n: usize) -> ServerBuilder {
        self.max_threads = n;
        self
    }

    /// How long a worker thread with nothing to do waits before it exits
    /// (default [`DEFAULT_THREAD_IDLE_TIMEOUT`]); the pool grows again on
    /// demand.
    ///
    /// Scheme: none.
    pub fn thread_idle_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.thread_idle_timeout = timeout;
        self
    }

    /// The stack size of worker threads in bytes; `None` for std's default.
    ///
    /// Scheme: none.
    pub fn stack_size(mut self, bytes: impl Into<Option<usize>>) -> ServerBuilder {
        self.stack_size = bytes.into();
        self
    }

    /// The configuration of accepted connections: write timeout and output
    /// buffer size (the read timeout is [`ServerBuilder::idle_timeout`]'s
    /// when that is set; the accept timeout is not used). Default:
    /// [`TcpConfig::new`].
    ///
    /// Scheme: `tcp-write-timeout`, `tcp-buffer-size` … in force when the
    /// egg's server accepts.
    #[doc(alias("tcp-write-timeout", "tcp-buffer-size"))]
    pub fn config(mut self, config: TcpConfig) -> ServerBuilder {
        self.config = config;
        self
    }

    /// How long a connection may wait for its client to send anything: the
    /// read timeout of every connection (`None`: no limit). Default: the
    /// configuration's read timeout, 60 s.
    ///
    /// Scheme: `tcp-read-timeout` in force when the egg's server accepts.
    #[doc(alias = "tcp-read-timeout")]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> ServerBuilder {
        self.idle_timeout = Some(timeout);
        self
    }

    /// How long a whole connection may last, from accept to close; after
    /// it, every read and write fails with `TimedOut`, so a client that
    /// drips a byte just inside the idle timeout is still closed. `None`:
    /// no limit (a chat server's long-lived clients). Default:
    /// [`DEFAULT_DEADLINE`].
    ///
    /// Scheme: none.
    pub fn deadline(mut self, deadline: Option<Duration>) -> ServerBuilder {
        self.deadline = deadline;
        self
    }

    /// How long the upgrade step may take (default
    /// [`DEFAULT_UPGRADE_TIMEOUT`]); a client that stalls its handshake is
    /// rejected then, and meanwhile holds one slot only.
    ///
    /// Scheme: none.
    pub fn upgrade_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.upgrade_timeout = timeout;
        self
    }

    /// How long a shutdown waits for running handlers before it closes
    /// them abruptly (default [`DEFAULT_DRAIN_TIMEOUT`]).
    ///
    /// Scheme: none.
    pub fn drain_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.drain_timeout = timeout;
        self
    }

    /// Diagnostic lines on standard error (default: off).
    ///
    /// Scheme: the optional argument of the server procedure.
    pub fn diagnostics(mut self, diagnostics: Diagnostics) -> ServerBuilder {
        self.diagnostics = diagnostics;
        self
    }

    /// Replaces how connections are accepted. It must return `Ok(None)`
    /// promptly once the stop signal fires.
    ///
    /// Scheme: `tcp-server-accept-connection-procedure`.
    #[doc(alias = "tcp-server-accept-connection-procedure")]
    pub fn accept_hook<F>(mut self, accept: F) -> ServerBuilder
    where
        F: Fn(&TcpListener, &TcpConfig, &StopSignal) -> io::Result<Option<(TcpReader, TcpWriter)>>
            + Send
            + Sync
            + 'static,
    {
        self.hooks.accept = Arc::new(accept);
        self
    }

    /// Replaces how connections are closed abruptly (default
    /// [`ConnectionHandle::abort`]).
    ///
    /// Scheme: `tcp-server-prepare-hard-close-procedure`.
    #[doc(alias = "tcp-server-prepare-hard-close-procedure")]
    pub fn hard_close_hook<F>(mut self, hard_close: F) -> ServerBuilder
    where
        F: Fn(&ConnectionHandle) -> io::Result<()> + Send + Sync + 'static,
    {
        self.hooks.hard_close = Arc::new(hard_close);
        self
    }

    /// Replaces how the local and peer addresses are learnt.
    ///
    /// Scheme: `tcp-server-get-addresses-procedure`.
    #[doc(alias = "tcp-server-get-addresses-procedure")]
    pub fn addresses_hook<F>(mut self, addresses: F) -> ServerBuilder
    where
        F: Fn(&mut TcpConnection) -> io::Result<(SocketAddr, SocketAddr)> + Send + Sync + 'static,
    {
        self.hooks.addresses = Arc::new(addresses);
        self
    }

    /// Upgrades every connection (a TLS handshake) on its worker before the
    /// handler runs; see [`Upgrade`].
    ///
    /// Scheme: the openssl egg's `ssl-accept` in
    /// `tcp-server-accept-connection-procedure`.
    #[doc(alias("ssl-accept", "tcp-server-accept-connection-procedure"))]
    pub fn upgrade<U: Upgrade>(mut self, upgrade: U) -> ServerBuilder {
        self.hooks.upgrade = Some(Arc::new(Erased(Arc::new(upgrade))));
        self
    }

    /// Makes the server; [`Server::run`] starts it.
    ///
    /// Scheme: `make-tcp-server`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a cap or a maximum of threads of 0, or a buffer
    /// size above [`tcp_ports::MAX_BUFFER_SIZE`]; the error of making the
    /// stop signal (out of descriptors).
    #[doc(alias = "make-tcp-server")]
    pub fn build<H>(self, listener: TcpListener, handler: H) -> io::Result<Server>
    where
        H: Fn(&mut Connection) -> io::Result<()> + Send + Sync + 'static,
    {
        if self.max_requests == Some(0) {
            return Err(invalid_input(
                "max_requests 0: a server that may handle no connection at all serves nothing; use at least 1, or None for no cap",
            ));
        }
        if self.max_threads == 0 {
            return Err(invalid_input(
                "max_threads 0: a pool needs at least 1 thread",
            ));
        }
        if self.config.buffer_size > tcp_ports::MAX_BUFFER_SIZE {
            return Err(invalid_input(format!(
                "buffer size {} is larger than the maximum of {} bytes",
                self.config.buffer_size,
                tcp_ports::MAX_BUFFER_SIZE
            )));
        }
        let mut accept_config = self.config;
        if let Some(idle) = self.idle_timeout {
            accept_config.read_timeout = idle;
        }
        // The accept loop waits for the stop signal, never for a timeout.
        accept_config.accept_timeout = None;
        let settings = Settings {
            limit: self.max_requests.unwrap_or(self.max_threads),
            thread_idle_timeout: self.thread_idle_timeout,
            stack_size: self.stack_size,
            accept_config,
            deadline: self.deadline,
            upgrade_timeout: self.upgrade_timeout,
            drain_timeout: self.drain_timeout,
        };
        Server::from_parts(
            listener,
            settings,
            self.hooks,
            self.diagnostics,
            Arc::new(handler),
        )
    }
}

fn invalid_input(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
}
