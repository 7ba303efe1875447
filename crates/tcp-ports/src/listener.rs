//! The listener: `tcp-listen` and what can be asked of and done with it.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use netprim::{Domain, Protocol, SockAddr, Socket, Type};

use crate::conn::netprim_addr;
use crate::error::{invalid_input, network_error, timed_out};
use crate::ports::make_ports;
use crate::target::resolve_host;
use crate::timeouts::Deadline;
use crate::{StopSignal, TcpConfig, TcpReader, TcpWriter, default_backlog};

/// Listens for TCP connections on `port` of every IPv4 interface
/// (`0.0.0.0`), as CHICKEN does without a host; 0 picks a free port (see
/// [`TcpListener::port`]). Backlog: [`default_backlog`]. Accepts with the
/// current configuration of the accepting thread ([`TcpConfig::current`]).
///
/// Calling `listen(port)` is equivalent to:
///
/// ```
/// # let port = 0;
/// let listener = tcp_ports::ListenOptions::new(port).listen()?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: `(tcp-listen TCPPORT)`.
///
/// # Errors
///
/// As [`ListenOptions::listen`].
#[doc(alias = "tcp-listen")]
pub fn listen(port: u16) -> io::Result<TcpListener> {
    ListenOptions::new(port).listen()
}

/// Listens for TCP connections on `port` of the interface whose name or IP
/// address is `host` (`"127.0.0.1"`, `"::1"`, `"[::1]"`, `"localhost"`,
/// `"::"` for every IPv6 interface, IPv6 only); 0 picks a free port.
///
/// Calling `listen_on(host, port)` is equivalent to:
///
/// ```
/// # let (host, port) = ("::1", 0);
/// let listener = tcp_ports::ListenOptions::new(port).host(host).listen()?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: `(tcp-listen TCPPORT #f HOST)`.
///
/// # Errors
///
/// As [`ListenOptions::listen`].
#[doc(alias = "tcp-listen")]
pub fn listen_on(host: &str, port: u16) -> io::Result<TcpListener> {
    ListenOptions::new(port).host(host).listen()
}

/// How to listen: the port, and optionally the backlog, the host, dual
/// stack, and the configuration accepted connections get. A builder;
/// [`listen`] and [`listen_on`] are its shortcuts.
///
/// ```
/// use std::time::Duration;
/// use tcp_ports::{ListenOptions, TcpConfig};
///
/// // (tcp-listen 0 16 "::") with both IPv6 and IPv4 clients, and a read
/// // timeout of 5 s for every connection it accepts.
/// let listener = ListenOptions::new(0)
///     .backlog(16)
///     .host("::")
///     .dual_stack(true)
///     .config(TcpConfig::new().with_read_timeout(Some(Duration::from_secs(5))))
///     .listen()?;
/// assert_ne!(listener.port(), 0);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: the arguments of `tcp-listen` (`TCPPORT [BACKLOG [HOST]]`).
#[derive(Debug, Clone)]
#[doc(alias("tcp-listen", "TCPPORT"))]
pub struct ListenOptions {
    port: u16,
    backlog: Option<u32>,
    host: Option<String>,
    dual_stack: bool,
    config: Option<TcpConfig>,
}

impl ListenOptions {
    /// Listening on `port` (0: a free one) of every IPv4 interface, with the
    /// default backlog, IPv6 only for an IPv6 host, accepting with the
    /// accepting thread's current configuration.
    ///
    /// Scheme: `TCPPORT` of `tcp-listen`.
    #[doc(alias("TCPPORT", "tcp-listen"))]
    pub fn new(port: u16) -> ListenOptions {
        ListenOptions {
            port,
            backlog: None,
            host: None,
            dual_stack: false,
            config: None,
        }
    }

    /// How many connections may wait to be accepted (at most `i32::MAX`;
    /// the kernel caps it at somaxconn). Default: [`default_backlog`].
    ///
    /// Scheme: `BACKLOG` of `tcp-listen`.
    #[doc(alias("BACKLOG", "tcp-listen"))]
    pub fn backlog(mut self, backlog: u32) -> ListenOptions {
        self.backlog = Some(backlog);
        self
    }

    /// Only accept connections to this host name or IP address (IPv6 with
    /// or without brackets). A name is looked up and its first address
    /// used. Default: `0.0.0.0`, every IPv4 interface.
    ///
    /// Scheme: `HOST` of `tcp-listen`.
    #[doc(alias("HOST", "tcp-listen"))]
    pub fn host(mut self, host: impl Into<String>) -> ListenOptions {
        self.host = Some(host.into());
        self
    }

    /// For an IPv6 host, also accept IPv4 clients (`IPV6_V6ONLY` off; they
    /// appear as IPv4 addresses). Default: `false`, IPv6 only, so that an
    /// IPv4 listener can share the port.
    ///
    /// Scheme: none (CHICKEN's tcp unit is IPv4 only; see [the
    /// differences](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md#ipv6)).
    pub fn dual_stack(mut self, dual_stack: bool) -> ListenOptions {
        self.dual_stack = dual_stack;
        self
    }

    /// The configuration [`TcpListener::accept`] uses for this listener,
    /// instead of the accepting thread's current one.
    ///
    /// Scheme: none (CHICKEN reads the parameters at each `tcp-accept`).
    pub fn config(mut self, config: TcpConfig) -> ListenOptions {
        self.config = Some(config);
        self
    }

    /// Makes the listener: a TCP socket with `SO_REUSEADDR` (a restarted
    /// server rebinds at once), bound and listening.
    ///
    /// Scheme: `tcp-listen`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a backlog above `i32::MAX`, an empty host, or dual
    /// stack with an IPv4 host; a failed lookup of the host name; `AddrInUse`
    /// when the port is taken, `AddrNotAvailable` for an address that is not
    /// local, `PermissionDenied` for a privileged port. Network errors name
    /// the address.
    #[doc(alias = "tcp-listen")]
    pub fn listen(&self) -> io::Result<TcpListener> {
        let backlog = match self.backlog {
            None => default_backlog(),
            Some(b) if b > i32::MAX as u32 => {
                return Err(invalid_input(format!(
                    "backlog {b} is larger than the maximum of {}",
                    i32::MAX
                )));
            }
            Some(b) => b,
        };
        let addr = match &self.host {
            None => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), self.port),
            Some(host) => first_address(host, self.port)?,
        };
        if self.dual_stack && addr.is_ipv4() {
            return Err(invalid_input(format!(
                "dual stack needs an IPv6 host, not {}",
                addr.ip()
            )));
        }
        let socket = bind(addr, self.dual_stack, backlog as i32)
            .map_err(|e| network_error(e, "listen on", &addr))?;
        let local = netprim_addr(socket.local_addr()?)?;
        Ok(TcpListener {
            socket,
            local,
            config: self.config,
        })
    }
}

fn first_address(host: &str, port: u16) -> io::Result<SocketAddr> {
    let addrs = resolve_host(host, port)?;
    addrs.first().copied().ok_or_else(|| {
        network_error(
            io::Error::new(io::ErrorKind::NotFound, "no address"),
            "look up",
            &host,
        )
    })
}

fn bind(addr: SocketAddr, dual_stack: bool, backlog: i32) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        // Before bind: it decides which port space the socket takes.
        socket.set_only_v6(!dual_stack)?;
    }
    socket.bind(&SockAddr::from(addr))?;
    socket.listen(backlog)?;
    prepare(&socket)?;
    Ok(socket)
}

/// What a listening socket needs before the first accept.
fn prepare(socket: &Socket) -> io::Result<()> {
    // Accepting waits in poll(2), with the accept timeout and beside a stop
    // signal, never in accept(2).
    socket.set_nonblocking(true)?;
    // Accepted sockets inherit it, which saves a call per connection: ports
    // send what they are given at once.
    socket.set_nodelay(true)
}

/// A TCP socket listening for connections.
///
/// Whether a value is a listener is for the type system to say: there is
/// no `tcp-listener?` to call. Closing consumes it ([`TcpListener::close`],
/// or a drop), so a closed listener cannot be used (see [the
/// differences](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md#closed-listener)).
///
/// ```
/// use std::io::{BufRead, Write};
///
/// let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
/// let (mut i, mut o) = tcp_ports::connect(("127.0.0.1", listener.port()))?;
/// let (mut si, mut so) = listener.accept()?;
/// writeln!(so, "Hello!")?;
/// let mut line = String::new();
/// i.read_line(&mut line)?;
/// assert_eq!(line, "Hello!\n");
/// # let _ = (&mut si, &mut o);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Scheme: the listener object of `tcp-listen`.
#[doc(alias = "tcp-listen")]
pub struct TcpListener {
    socket: Socket,
    local: SocketAddr,
    config: Option<TcpConfig>,
}

impl TcpListener {
    /// The port it listens on: the one the system chose when it was asked
    /// for port 0.
    ///
    /// Scheme: `tcp-listener-port`.
    #[doc(alias = "tcp-listener-port")]
    pub fn port(&self) -> u16 {
        self.local.port()
    }

    /// The address it listens on, as it prints in `listening on ADDR`.
    ///
    /// Scheme: none (`tcp-listener-port` gives the port only).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Whether a connection is waiting, so that [`TcpListener::accept`]
    /// would not wait. Does not wait itself.
    ///
    /// Scheme: `tcp-accept-ready?`.
    ///
    /// # Errors
    ///
    /// Errors of `poll(2)`.
    #[doc(alias = "tcp-accept-ready?")]
    pub fn accept_ready(&self) -> io::Result<bool> {
        self.socket
            .accept_ready()
            .map_err(|e| network_error(e, "poll", &self.local))
    }

    /// The configuration [`TcpListener::accept`] uses, if the listener was
    /// given one ([`ListenOptions::config`]); `None` means the accepting
    /// thread's current one.
    ///
    /// Scheme: none.
    pub fn config(&self) -> Option<TcpConfig> {
        self.config
    }

    /// Sets (or with `None`, removes) the configuration
    /// [`TcpListener::accept`] uses.
    ///
    /// Scheme: none.
    pub fn set_config(&mut self, config: Option<TcpConfig>) {
        self.config = config;
    }

    /// Waits for a connection and returns its input and output ports.
    /// Uses the listener's configuration if it has one, else the accepting
    /// thread's current one ([`TcpConfig::current`]), as CHICKEN reads its
    /// parameters at each `tcp-accept`: the accept timeout bounds the wait,
    /// and the ports take the read and write timeouts and buffer size.
    ///
    /// Calling `listener.accept()` is equivalent to:
    ///
    /// ```
    /// # let listener = tcp_ports::listen_on("127.0.0.1", 0)?;
    /// # let _client = tcp_ports::connect(listener.local_addr())?;
    /// let config = listener.config().unwrap_or_else(tcp_ports::TcpConfig::current);
    /// let (input, output) = listener.accept_with(&config)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Scheme: `tcp-accept`.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::accept_with`].
    #[doc(alias = "tcp-accept")]
    pub fn accept(&self) -> io::Result<(TcpReader, TcpWriter)> {
        self.accept_with(&self.config.unwrap_or_else(TcpConfig::current))
    }

    /// [`TcpListener::accept`] with the configuration `config`.
    ///
    /// Several threads may accept on one listener at once; each connection
    /// goes to one of them.
    ///
    /// Scheme: `(parameterize ((tcp-accept-timeout …) …) (tcp-accept l))`.
    ///
    /// # Errors
    ///
    /// `TimedOut` when no connection came within `config.accept_timeout`;
    /// `InvalidInput` for a buffer size above [`crate::MAX_BUFFER_SIZE`].
    /// Errors that concern one connection (`ConnectionAborted`: it was reset
    /// before it was accepted) and resource limits (`EMFILE`, `ENFILE`,
    /// `ENOBUFS`: too many open sockets) leave the listener usable: accept
    /// again (after a pause, for the latter). Others mean the listener is
    /// broken. All name the listener's address.
    #[doc(alias = "parameterize")]
    pub fn accept_with(&self, config: &TcpConfig) -> io::Result<(TcpReader, TcpWriter)> {
        self.accept_until(config, None)?
            .ok_or_else(|| io::Error::other("accept without a stop signal cannot be stopped"))
    }

    /// [`TcpListener::accept`], or `Ok(None)` as soon as `stop` fires (at
    /// once if it has fired already, even with connections waiting; at
    /// once too for every thread already waiting here). A server's accept
    /// loop is `while let Some((input, output)) = listener.accept_or_stop(&stop)? { … }`;
    /// see [`StopSignal`].
    ///
    /// Scheme: `tcp-accept`, in a loop that another thread can end.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::accept_with`].
    #[doc(alias = "tcp-accept")]
    pub fn accept_or_stop(&self, stop: &StopSignal) -> io::Result<Option<(TcpReader, TcpWriter)>> {
        self.accept_with_or_stop(&self.config.unwrap_or_else(TcpConfig::current), stop)
    }

    /// [`TcpListener::accept_or_stop`] with the configuration `config`.
    ///
    /// Scheme: `tcp-accept` with parameters, in a loop that another thread
    /// can end.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::accept_with`].
    #[doc(alias = "tcp-accept")]
    pub fn accept_with_or_stop(
        &self,
        config: &TcpConfig,
        stop: &StopSignal,
    ) -> io::Result<Option<(TcpReader, TcpWriter)>> {
        self.accept_until(config, Some(stop))
    }

    fn accept_until(
        &self,
        config: &TcpConfig,
        stop: Option<&StopSignal>,
    ) -> io::Result<Option<(TcpReader, TcpWriter)>> {
        config.validate()?;
        let deadline = Deadline::after(config.accept_timeout);
        // The local address of an accepted socket is the listener's, unless
        // it listens on every interface.
        let local = (!self.local.ip().is_unspecified()).then_some(self.local);
        loop {
            if stop.is_some_and(StopSignal::is_stopped) {
                return Ok(None);
            }
            match self.socket.accept() {
                Ok((socket, peer)) => {
                    let peer = netprim_addr(peer)?;
                    return Ok(Some(make_ports(socket, local, peer, config)));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(network_error(e, "accept on", &self.local)),
            }
            let left = deadline.remaining();
            let ready = match stop {
                None => netprim::wait_readable(&self.socket, left).map(|r| r as usize)?,
                Some(stop) => {
                    let fds = [self.socket.as_fd(), stop.as_fd()];
                    netprim::wait_for_input(&fds, left)?.len()
                }
            };
            if ready == 0 {
                return Err(timed_out(
                    "accept on",
                    &self.local,
                    config.accept_timeout.unwrap_or_default(),
                ));
            }
        }
    }

    /// Stops listening and closes the socket; connections accepted before
    /// stay open. Connections still waiting in the queue are reset.
    ///
    /// Scheme: `tcp-close`.
    ///
    /// # Errors
    ///
    /// The error of `close(2)`, which a drop would ignore.
    #[doc(alias = "tcp-close")]
    pub fn close(self) -> io::Result<()> {
        let local = self.local;
        self.socket
            .close()
            .map_err(|e| network_error(e, "close listener on", &local))
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("fd", &self.socket.as_raw_fd())
            .field("local", &format_args!("{}", self.local))
            .field("config", &self.config)
            .finish()
    }
}

/// The listening socket's descriptor, e.g. to wait for connections on many
/// listeners at once with `netprim::wait_for_input`.
///
/// Scheme: `tcp-listener-fileno`.
impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

/// Makes `stream`'s close abortive (`SO_LINGER` of zero): closed, it
/// sends the peer a reset (RST) instead of FIN, and drops what is unsent.
/// For an async server's hard close of a connection it still shares.
///
/// Scheme: none (an abortive close; compare `tcp-abandon-port`).
///
/// # Errors
///
/// OS errors of `setsockopt(2)`.
pub fn reset_on_close(stream: &std::net::TcpStream) -> io::Result<()> {
    netprim::Socket::reset_on_close(stream.as_fd())
}

/// Accepts a connection on a std listener (one an async runtime waits on)
/// as a non-blocking std stream, in one system call (`accept4(2)` with
/// `SOCK_NONBLOCK`): the peer's address with it, `::ffff:`-mapped v4
/// addresses as plain v4. An async server can then serve the connection
/// without registering it with its reactor until it has to wait.
///
/// Scheme: `tcp-accept` (a non-blocking variant).
///
/// # Errors
///
/// `WouldBlock` when nothing is pending; otherwise as
/// [`TcpListener::accept`] (the error's kind tells whether the listener is
/// still usable: see [`crate::classify_accept_error`]).
#[doc(alias = "tcp-accept")]
pub fn accept_nonblocking(
    listener: &std::net::TcpListener,
) -> io::Result<(std::net::TcpStream, SocketAddr)> {
    let (socket, peer) = netprim::Socket::accept_nonblocking(listener.as_fd())?;
    Ok((socket.into(), netprim_addr(peer)?))
}

/// The listening socket, for std's blocking `accept` or for
/// `tokio::net::TcpListener::from_std`. It is non-blocking (as tokio wants
/// it): call `set_nonblocking(false)` before std's `accept`.
///
/// Scheme: none.
impl From<TcpListener> for std::net::TcpListener {
    fn from(listener: TcpListener) -> std::net::TcpListener {
        OwnedFd::from(listener).into()
    }
}

/// The listening socket's descriptor, non-blocking.
///
/// Scheme: none.
impl From<TcpListener> for OwnedFd {
    fn from(listener: TcpListener) -> OwnedFd {
        listener.socket.into()
    }
}

/// A listener made from std's (bound and listening; the ports it accepts
/// take the accepting thread's configuration). Makes the socket
/// non-blocking and turns `TCP_NODELAY` on for the connections it accepts.
///
/// Scheme: none.
impl TryFrom<std::net::TcpListener> for TcpListener {
    type Error = io::Error;

    fn try_from(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        TcpListener::try_from(OwnedFd::from(listener))
    }
}

/// A listener made from the descriptor of a bound, listening TCP socket
/// (one inherited from a supervisor such as systemd, say).
///
/// Scheme: none.
impl TryFrom<OwnedFd> for TcpListener {
    type Error = io::Error;

    fn try_from(fd: OwnedFd) -> io::Result<TcpListener> {
        let socket = Socket::from(fd);
        prepare(&socket)?;
        let local = netprim_addr(socket.local_addr()?)?;
        Ok(TcpListener {
            socket,
            local,
            config: None,
        })
    }
}

/// The listening socket's descriptor number.
///
/// Scheme: `tcp-listener-fileno`.
impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}
