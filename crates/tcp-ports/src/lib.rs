//! CHICKEN Scheme's Unit tcp in Rust, and Vicare's TCP server sockets:
//! a TCP listener, and connected input and output ports with timeouts,
//! output buffering, address queries, abandon and abort.
//!
//! ```
//! use std::io::{BufRead, Write};
//!
//! // server.scm: (define l (tcp-listen 4242))
//! let l = tcp_ports::listen_on("127.0.0.1", 0)?;
//! let port = l.port();
//! let client = std::thread::spawn(move || -> std::io::Result<String> {
//!     // client.scm: (define-values (i o) (tcp-connect "localhost" 4242))
//!     let (mut i, mut o) = tcp_ports::connect(("localhost", port))?;
//!     writeln!(o, "Good Bye!")?;         // (write-line "Good Bye!" o)
//!     let mut line = String::new();
//!     i.read_line(&mut line)?;           // (print (read-line i))
//!     Ok(line)
//! });
//! let (mut i, mut o) = l.accept()?;      // (define-values (i o) (tcp-accept l))
//! writeln!(o, "Hello!")?;                // (write-line "Hello!" o)
//! let mut line = String::new();
//! i.read_line(&mut line)?;               // (print (read-line i))
//! assert_eq!(line, "Good Bye!\n");
//! i.close()?;                            // (close-input-port i)
//! o.close()?;                            // (close-output-port o)
//! assert_eq!(client.join().unwrap()?, "Hello!\n");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # From Scheme to Rust
//!
//! [The migration
//! guide](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/chicken-tcp.md)
//! has every name of CHICKEN's Unit tcp and Vicare's server sockets, with
//! what a porter must know, and their examples as complete programs. In
//! short:
//!
//! | CHICKEN / Vicare | here |
//! |---|---|
//! | `(tcp-listen port [backlog [host]])` | [`listen`], [`listen_on`], [`ListenOptions`] |
//! | `tcp-listener?` | the type [`TcpListener`] |
//! | `tcp-close`, `tcp-listener-port`, `tcp-listener-fileno`, `tcp-accept-ready?` | [`TcpListener::close`], [`TcpListener::port`], `AsFd`/`AsRawFd`, [`TcpListener::accept_ready`] |
//! | `tcp-accept` | [`TcpListener::accept`], [`TcpListener::accept_with`] |
//! | `tcp-connect` | [`connect`], [`connect_with`], [`Target`] |
//! | input and output port | [`TcpReader`] (`Read` + `BufRead`, `char-ready?` is [`TcpReader::input_ready`]), [`TcpWriter`] (`Write`, `flush-output` is `flush`) |
//! | `close-input-port`, `close-output-port` | [`TcpReader::close`], [`TcpWriter::close`] (a half close), or drop |
//! | `tcp-addresses`, `tcp-port-numbers` | [`TcpReader::addresses`], [`TcpReader::port_numbers`] (and on [`TcpWriter`]) |
//! | `tcp-abandon-port` | [`TcpReader::abandon`], [`TcpWriter::abandon`] (and [`TcpWriter::abort`] for a reset) |
//! | `tcp-buffer-size`, `tcp-read-timeout`, `tcp-write-timeout`, `tcp-connect-timeout`, `tcp-accept-timeout` | the fields of [`TcpConfig`]; [`parameterize`] for `parameterize` |
//! | `(exn i/o net)`, `(exn i/o net timeout)` | [`is_network_error`], [`is_timeout`], [`NetworkError`] |
//! | Vicare `make-master-sock`, `close-master-sock` | [`MasterSocket::bind`], [`MasterSocket::close`] |
//! | Vicare `make-server-sock-and-port`, `close-server-port` | [`MasterSocket::accept`], [`ServerPort::close`] |
//!
//! # Differences from the originals
//!
//! In short (the [list of differences](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/differences.md) gives the reason for each,
//! and the item that implements it):
//!
//! - `"host:port"` is parsed as documented, the port a number or a service
//!   name, and `"[::1]:port"` works (CHICKEN reads the string the wrong way
//!   round).
//! - A connect that runs out of time is a `TimedOut` error (CHICKEN returns
//!   ports on an unconnected socket), and every address of the host is
//!   tried within the one deadline.
//! - Read and write timeouts are taken when a port is made, as documented,
//!   and can be changed on the port.
//! - The default backlog does not drop a burst: [`default_backlog`].
//! - IPv6 everywhere (dual stack only when asked for); Vicare's master
//!   socket stays IPv4, as its document says, but takes port 0; accepting
//!   with nothing pending is `WouldBlock`, not an assertion failure.
//! - A closed listener or port cannot be used: closing consumes it.
//! - Writes never raise `SIGPIPE`; a closed peer is a `BrokenPipe` error.
//!
//! # Threads
//!
//! CHICKEN's ports do not block other threads; here every operation waits
//! in `poll(2)` on a non-blocking socket until its own deadline, so one
//! thread can read a connection while another writes it, and many threads
//! can accept on one listener.

#![deny(missing_docs)]

mod accept_error;
mod backlog;
mod config;
mod conn;
mod connect;
mod connection;
mod error;
mod handle;
mod lines;
mod listener;
mod master;
mod parameterize;
mod port_io;
mod ports;
mod reader;
mod stop;
mod target;
mod timeouts;
mod writer;

pub use accept_error::{AcceptBackoff, AcceptErrorClass, classify_accept_error};
pub use backlog::{MIN_DEFAULT_BACKLOG, default_backlog};
pub use config::{DEFAULT_READ_TIMEOUT, DEFAULT_WRITE_TIMEOUT, MAX_BUFFER_SIZE, TcpConfig};
pub use connect::{connect, connect_with, start_connect};
pub use connection::{JoinError, TcpConnection};
pub use error::{
    NetworkError, READ_OP, WRITE_OP, is_network_error, is_read_timeout, is_timeout, network_error,
};
pub use handle::ConnectionHandle;
pub use lines::DEFAULT_MAX_LINE;
pub use listener::{
    ListenOptions, TcpListener, accept_nonblocking, listen, listen_on, reset_on_close,
};
pub use master::{MASTER_LINGER, MasterSocket, ServerPort};
pub use parameterize::parameterize;
pub use reader::TcpReader;
pub use stop::StopSignal;
pub use target::{IntoTarget, Target};
pub use writer::TcpWriter;
