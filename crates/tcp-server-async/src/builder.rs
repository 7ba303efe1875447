//! Making a server: the same settings as tcp-server's builder, where they
//! apply to tasks, with every default spelled out.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::net::TcpStream;
use tcp_ports::TcpConfig;

use crate::hooks::{Erased, Hooks};
use crate::server::Settings;
use crate::{
    DEFAULT_DEADLINE, DEFAULT_DRAIN_TIMEOUT, DEFAULT_UPGRADE_TIMEOUT, Diagnostics, Input,
    IntoListener, Output, Peer, Server, Upgrade,
};

/// How to make a [`Server`]: the cap, the timeouts, the diagnostics and the
/// hooks, named as in tcp-server's `ServerBuilder`. [`Server::new`] is its
/// shortcut with every default:
///
/// ```
/// use std::time::Duration;
/// use tcp_ports::TcpConfig;
/// use tcp_server_async::{Diagnostics, Input, Output, Peer, ServerBuilder};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// let handler = |_: Input, _: Output, _: Peer| async { Ok(()) };
/// // Server::new(listener, handler) is this:
/// let server = ServerBuilder::new()
///     .max_requests(None)                                   // no cap
///     .config(TcpConfig::new())                             // write timeout 60 s
///     .idle_timeout(Some(Duration::from_secs(60)))          // the read timeout
///     .deadline(Some(Duration::from_secs(300)))             // a whole connection
///     .upgrade_timeout(Duration::from_secs(10))
///     .drain_timeout(Duration::from_secs(30))
///     .diagnostics(Diagnostics::off())
///     .build(listener, handler)?;
/// # drop(server);
/// # Ok(())
/// # }
/// ```
///
/// Scheme: the arguments of `make-tcp-server` and the egg's parameters.
#[derive(Clone, Debug)]
#[doc(alias = "make-tcp-server")]
pub struct ServerBuilder {
    max_requests: Option<usize>,
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
    /// (TLS handshake) included; `None` (the default): no cap but the
    /// descriptor limit.
    ///
    /// The server takes a slot *before* it accepts. While every slot is
    /// taken it accepts nothing, so a further client waits in the kernel's
    /// accept queue (the listener's backlog): its `connect` succeeds, what
    /// it sends is buffered by the kernel, and it is served once a slot
    /// frees up, in the order the clients connected. A slot is given back
    /// however its connection ends: served, failed, panicked, rejected,
    /// forced, or its task cancelled.
    ///
    /// A cap of 0 is refused by [`ServerBuilder::build`].
    ///
    /// Scheme: `MAXREQUESTS` of `make-tcp-server`.
    #[doc(alias("MAXREQUESTS", "make-tcp-server"))]
    pub fn max_requests(mut self, n: impl Into<Option<usize>>) -> ServerBuilder {
        self.max_requests = n.into();
        self
    }

    /// The configuration of accepted connections: write timeout and output
    /// buffer size (0: [`crate::DEFAULT_OUTPUT_BUFFER`]); the read timeout
    /// is [`ServerBuilder::idle_timeout`]'s when that is set. Default:
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
    /// rejected then, and meanwhile holds one slot and its own task only.
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

    /// Diagnostic lines on standard error (default: off), as tcp-server
    /// writes them.
    ///
    /// Scheme: the optional argument of the server procedure.
    pub fn diagnostics(mut self, diagnostics: Diagnostics) -> ServerBuilder {
        self.diagnostics = diagnostics;
        self
    }

    /// Runs `accept` on every accepted connection before it gets a task;
    /// see [`crate::AcceptHook`].
    ///
    /// Scheme: `tcp-server-accept-connection-procedure`.
    #[doc(alias = "tcp-server-accept-connection-procedure")]
    pub fn accept_hook<F>(mut self, accept: F) -> ServerBuilder
    where
        F: Fn(TcpStream, SocketAddr) -> io::Result<TcpStream> + Send + Sync + 'static,
    {
        self.hooks.accept = Some(Arc::new(accept));
        self
    }

    /// Replaces how connections are closed abruptly (default: a zero
    /// linger, so the close is a reset); see [`crate::HardCloseHook`].
    ///
    /// Scheme: `tcp-server-prepare-hard-close-procedure`.
    #[doc(alias = "tcp-server-prepare-hard-close-procedure")]
    pub fn hard_close_hook<F>(mut self, hard_close: F) -> ServerBuilder
    where
        F: Fn(&TcpStream) -> io::Result<()> + Send + Sync + 'static,
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
        F: Fn(&TcpStream) -> io::Result<(SocketAddr, SocketAddr)> + Send + Sync + 'static,
    {
        self.hooks.addresses = Some(Arc::new(addresses));
        self
    }

    /// Upgrades every connection (a TLS handshake) on its own task before
    /// the handler runs; see [`Upgrade`].
    ///
    /// Scheme: the openssl egg's `ssl-accept` in
    /// `tcp-server-accept-connection-procedure`.
    #[doc(alias("ssl-accept", "tcp-server-accept-connection-procedure"))]
    pub fn upgrade<U: Upgrade>(mut self, upgrade: U) -> ServerBuilder {
        self.hooks.upgrade = Some(Arc::new(Erased(upgrade)));
        self
    }

    /// Makes the server on `listener` (a tcp-ports listener, a tokio or std
    /// one); [`Server::run`] starts it. Call it on the runtime that will
    /// run the server.
    ///
    /// The handler is called for each connection with its input, its
    /// output and its [`Peer`]; the future it returns is the connection's
    /// work. What it wrote is sent, and the connection closed normally,
    /// when the future returns `Ok`; an error or a panic closes it
    /// abruptly.
    ///
    /// Scheme: `make-tcp-server`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a cap of 0 or a buffer size above
    /// [`tcp_ports::MAX_BUFFER_SIZE`]; `Other` outside a tokio runtime
    /// with I/O enabled; the errors of [`IntoListener::into_listener`] and
    /// of registering the listener with the runtime's reactor.
    #[doc(alias = "make-tcp-server")]
    pub fn build<L, H, F>(self, listener: L, handler: H) -> io::Result<Server>
    where
        L: IntoListener,
        H: Fn(Input, Output, Peer) -> F + Send + Sync + 'static,
        F: Future<Output = io::Result<()>> + Send + 'static,
    {
        if self.max_requests == Some(0) {
            return Err(invalid_input(
                "max_requests 0: a server that may handle no connection at all serves nothing; use at least 1, or None for no cap",
            ));
        }
        if self.config.buffer_size > tcp_ports::MAX_BUFFER_SIZE {
            return Err(invalid_input(format!(
                "buffer size {} is larger than the maximum of {} bytes",
                self.config.buffer_size,
                tcp_ports::MAX_BUFFER_SIZE
            )));
        }
        let listener = listener.into_listener()?;
        let settings = Settings {
            max_requests: self.max_requests,
            read_timeout: self.idle_timeout.unwrap_or(self.config.read_timeout),
            write_timeout: self.config.write_timeout,
            output_buffer: match self.config.buffer_size {
                0 => crate::DEFAULT_OUTPUT_BUFFER,
                n => n,
            },
            deadline: self.deadline,
            upgrade_timeout: self.upgrade_timeout,
            drain_timeout: self.drain_timeout,
        };
        Server::from_parts(
            listener,
            settings,
            self.hooks,
            self.diagnostics,
            crate::serve::spawner(handler),
        )
    }
}

fn invalid_input(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
}
