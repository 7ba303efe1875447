//! The model of `tcp-server` (the CHICKEN tcp-server egg in Rust) on tokio:
//! a handler per connection, a cap taken before accept, hooks for TLS,
//! panic isolation, an accept loop that survives running out of
//! descriptors, deadlines against slow clients, a graceful shutdown with a
//! deadline, and the same statistics, for servers whose connections
//! outnumber the threads they can afford. An idle connection holds no read
//! buffer and no write buffer. [`connect`] is the client side.
//!
//! The egg's time-of-day server:
//!
//! ```
//! use tokio::io::AsyncWriteExt;
//! use tcp_server_async::{Diagnostics, Input, Output, Peer, ServerBuilder};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! // ((make-tcp-server (tcp-listen 6504)
//! //                   (lambda () (write-line (seconds->string (current-seconds)))))
//! //  #t)
//! let server = ServerBuilder::new()
//!     .diagnostics(Diagnostics::from_arg(Some("yes")))
//!     .build(tcp_ports::listen_on("127.0.0.1", 0)?, |_i: Input, mut o: Output, _p: Peer| async move {
//!         let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
//!         o.write_all(format!("{}\n", now.as_secs()).as_bytes()).await
//!     })?;
//! # let (addr, handle) = (server.local_addr(), server.handle());
//! # let running = tokio::spawn(server.run());
//! # let (mut i, _o) = tcp_server_async::connect(addr).await?;
//! # let mut line = String::new();
//! # tokio::io::AsyncBufReadExt::read_line(&mut i, &mut line).await?;
//! # assert!(line.trim_end().parse::<u64>().is_ok());
//! # handle.stop();
//! # let summary = running.await.unwrap()?;
//! # assert_eq!(summary.served, 1);
//! # /*
//! server.run().await?;
//! # */
//! # Ok(())
//! # }
//! ```
//!
//! # From the egg, and from tcp-server, to here
//!
//! [The migration
//! guide](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/tcp-server.md#every-name-of-the-egg)
//! has every name of the egg's document with this crate's item beside
//! tcp-server's, and [the two servers side by
//! side](https://github.com/scheme-sockets/scheme-sockets/blob/main/docs/servers.md)
//! shows the same daytime, echo and chat servers written with both, what a
//! connection costs in each, and which to pick. In short:
//!
//! | tcp-server (threads) | tcp-server-async (tasks) |
//! |---|---|
//! | `Server::new(listener, handler)` | [`Server::new`]`(listener, handler)` |
//! | `Fn(&mut Connection) -> io::Result<()>` | `Fn(`[`Input`]`, `[`Output`]`, `[`Peer`]`) -> impl Future<Output = io::Result<()>>` |
//! | `Connection`: `BufRead + Write` | [`Input`]: `AsyncBufRead`; [`Output`]: `AsyncWrite` |
//! | `Connection::set_idle` | [`Input::set_idle`] |
//! | `ServerBuilder::{max_requests, config, idle_timeout, deadline, upgrade_timeout, drain_timeout, diagnostics}` | the same names on [`ServerBuilder`] |
//! | `max_threads`, `thread_idle_timeout`, `stack_size` | none: the runtime's threads |
//! | `accept_hook`, `upgrade`, `hard_close_hook`, `addresses_hook` | the same names; [`Upgrade`] is async, the others get the non-blocking `std::net::TcpStream` |
//! | `Server::run` (blocks) | [`Server::run`], [`Server::run_until`]`(signal)` (await) |
//! | `ServerHandle::{stop, force, stats}` | [`ServerHandle::stop`], [`ServerHandle::force`], [`ServerHandle::stats`] |
//! | `Stats`, `StatsSnapshot`, `ShutdownSummary`, `Outcome`, `Diagnostics` | the same types (re-exported) |
//! | `tcp_ports::connect` | [`connect`], [`connect_with`], [`connect_stream`] |
//!
//! # Differences from the egg
//!
//! As tcp-server's: `MAXREQUESTS` is a real cap; an accept error does not
//! end the server (per-connection errors are skipped, running out of
//! descriptors is backed off, only an unusable listener ends
//! [`Server::run`]); a handler's error or panic ends only its connection;
//! connections have a deadline and an idle timeout; a shutdown drains with
//! a deadline and reports what it did.
//!
//! # Shared with `tcp-server`
//!
//! The statistics ([`Stats`], [`StatsSnapshot`], the `metrics` feature),
//! the [`ShutdownSummary`], the [`Outcome`] of a connection, the
//! [`Diagnostics`] (lines and [`connection_span`]) and the defaults are
//! tcp-server's own, re-exported: one shape for both servers. The
//! statistics' `threads` and `idle_threads` stay 0 here.

#![deny(missing_docs)]

mod builder;
mod catch;
mod connect;
mod handle;
mod hooks;
mod input;
mod listener;
mod output;
mod peer;
mod plain;
mod pool;
mod serve;
mod server;
mod signals;
mod socket;
mod stream;
mod timeout;
mod token;
mod watch;

pub use builder::ServerBuilder;
pub use connect::{connect, connect_stream, connect_with, split};
pub use handle::ServerHandle;
pub use hooks::{AcceptHook, AddressesHook, HardCloseHook, Upgrade};
pub use input::{DEFAULT_READ_BUFFER, Input};
pub use listener::IntoListener;
pub use output::{DEFAULT_OUTPUT_BUFFER, Output};
pub use peer::Peer;
pub use server::Server;
pub use stream::TcpIo;

/// The model shared with the threaded server.
pub use tcp_server::{
    AcceptErrors, DEFAULT_DEADLINE, DEFAULT_DRAIN_TIMEOUT, DEFAULT_PREFIX, DEFAULT_UPGRADE_TIMEOUT,
    Diagnostics, Outcome, PANICS_ARE_ISOLATED, ShutdownSummary, Stats, StatsSnapshot,
    connection_span,
};
