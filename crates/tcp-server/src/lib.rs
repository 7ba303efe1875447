//! The CHICKEN `tcp-server` egg in Rust: a threaded TCP server that runs a
//! handler on every connection, with a real cap on concurrent connections,
//! a bounded pool of threads, hooks for TLS, panic isolation, an accept
//! loop that survives running out of descriptors, deadlines against slow
//! clients, a graceful shutdown with a deadline, and statistics.
//!
//! The egg's time-of-day server:
//!
//! ```
//! use std::io::Write;
//! use std::time::{SystemTime, UNIX_EPOCH};
//!
//! // ((make-tcp-server (tcp-listen 6504)
//! //                   (lambda () (write-line (seconds->string (current-seconds)))))
//! //  #t)
//! let server = tcp_server::ServerBuilder::new()
//!     .diagnostics(tcp_server::Diagnostics::from_arg(Some("yes")))
//!     .build(tcp_ports::listen_on("127.0.0.1", 0)?, |conn| {
//!         let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
//!         writeln!(conn, "{}", now.as_secs())
//!     })?;
//! # let (addr, handle) = (server.local_addr(), server.handle());
//! # let running = std::thread::spawn(move || server.run());
//! # let (mut i, _o) = tcp_ports::connect(addr)?;
//! # let mut line = String::new();
//! # std::io::BufRead::read_line(&mut i, &mut line)?;
//! # assert!(line.trim_end().parse::<u64>().is_ok());
//! # handle.stop();
//! # let summary = running.join().unwrap()?;
//! # assert_eq!(summary.served, 1);
//! # /*
//! server.run()?;
//! # */
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # From the egg to Rust
//!
//! [The migration
//! guide](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/tcp-server.md)
//! has every name of the egg's document, with what a porter must know, and
//! the time-of-day server as a complete program. In short:
//!
//! | tcp-server egg | here |
//! |---|---|
//! | `(make-tcp-server LISTENER THUNK)` | [`Server::new`]`(listener, handler)` |
//! | `MAXREQUESTS` | [`ServerBuilder::max_requests`] (a real cap; 0 is `InvalidInput`) |
//! | `THUNK`, with the current ports bound to the client | the handler, `Fn(&mut` [`Connection`]`) -> io::Result<()>`: `BufRead + Write`, flushed on return |
//! | calling the returned procedure | [`Server::run`] (until [`ServerHandle::stop`]) |
//! | its optional argument: `#t` or a prefix string | [`ServerBuilder::diagnostics`], [`Diagnostics::from_arg`] |
//! | `tcp-server-accept-connection-procedure` (`tcp-accept`) | [`ServerBuilder::accept_hook`], and [`ServerBuilder::upgrade`] for the TLS part |
//! | `tcp-server-prepare-hard-close-procedure` (`tcp-abandon-port`) | [`ServerBuilder::hard_close_hook`] (default [`ConnectionHandle::abort`]) |
//! | `tcp-server-get-addresses-procedure` (`tcp-addresses`) | [`ServerBuilder::addresses_hook`], [`Connection::peer_addr`] |
//! | a thread per request | a pool growing to the cap, idle threads retiring ([`ServerBuilder::max_threads`], [`ServerBuilder::thread_idle_timeout`], [`ServerBuilder::stack_size`]) |
//! | none | [`ServerHandle`]: [`ServerHandle::stop`], [`ServerHandle::force`], [`ServerHandle::stats`]; [`ShutdownSummary`] |
//!
//! # Differences from the egg
//!
//! - `MAXREQUESTS` limits: the egg's counter drops as soon as a thread
//!   starts, so it never limits anything, and 0 makes its loop spin.
//! - An accept error does not end the server: per-connection errors are
//!   skipped, running out of descriptors is backed off, only an unusable
//!   listener ends [`Server::run`], with its error.
//! - A handler's error or panic ends only its connection.
//! - Connections have a deadline and an idle timeout; a shutdown drains
//!   with a deadline and reports what it did.
//!
//! # Shared with `tcp-server-async`
//!
//! The statistics ([`Stats`], [`StatsSnapshot`], the `metrics` feature),
//! the [`ShutdownSummary`], the [`Outcome`] of a connection and the
//! [`Diagnostics`] (with [`connection_span`]) are the model both servers
//! use, as are the names of the builder's settings.

#![deny(missing_docs)]

mod builder;
mod connection;
mod diagnostics;
mod handle;
mod hooks;
#[cfg(feature = "metrics")]
mod metrics;
mod outcome;
mod panic;
mod pool;
mod registry;
mod server;
mod slots;
mod stats;
mod summary;
mod worker;

pub use builder::{
    DEFAULT_DEADLINE, DEFAULT_DRAIN_TIMEOUT, DEFAULT_MAX_THREADS, DEFAULT_THREAD_IDLE_TIMEOUT,
    DEFAULT_UPGRADE_TIMEOUT, ServerBuilder,
};
pub use connection::Connection;
pub use diagnostics::{DEFAULT_PREFIX, Diagnostics, connection_span};
pub use handle::ServerHandle;
pub use hooks::{AcceptHook, AddressesHook, HardCloseHook, Upgrade};
pub use outcome::Outcome;
pub use panic::PanicMessage;
pub use server::{PANICS_ARE_ISOLATED, Server};
pub use stats::{AcceptErrors, Stats, StatsSnapshot};
pub use summary::ShutdownSummary;

/// What handlers and hooks are given, from the layer below.
pub use tcp_ports::{ConnectionHandle, StopSignal, TcpConnection};
// The accept-error policy this server shares with the async one.
pub(crate) use tcp_ports::{AcceptBackoff, AcceptErrorClass, classify_accept_error};
