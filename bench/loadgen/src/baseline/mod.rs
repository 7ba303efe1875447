//! The servers every layer is measured against, each serving the same
//! scenarios with the same command line as the layers' example servers
//! (`--scenario S --host H --port P`, first stdout line `listening on
//! ADDR`), so the runner starts them the same way:
//!
//! - [`tokio_server`]: the minimal tokio server (multi-threaded runtime).
//! - [`threads`]: naive std, one thread per connection.
//! - [`mio_loop`]: one thread, one epoll loop: the near-the-limit reference.

pub mod mio_loop;
pub mod threads;
pub mod tokio_server;

use std::io::{self, Write};
use std::net::SocketAddr;

use crate::scenario::Scenario;

/// The command line of a baseline server.
///
/// Scheme: none.
#[derive(Debug, Clone, clap::Parser)]
#[command(about = "A baseline server of `cargo xtask bench`", long_about = None)]
pub struct BaselineArgs {
    /// The scenario to serve.
    #[arg(long, value_enum)]
    pub scenario: Scenario,
    /// The IP address to listen on (`::1` for IPv6).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// The port; 0 picks a free one, printed on the first line.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

impl BaselineArgs {
    /// The address to listen on.
    ///
    /// Scheme: none.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }
}

/// What the hello server writes.
pub const HELLO: &[u8] = b"Hello!\n";
/// What the chat server writes to a client that connects.
pub const CHAT_GREETING: &[u8] = b"connected\n";
/// The most a chat client may have waiting to be sent to it before it is
/// disconnected: a client that stops reading must not grow the server.
pub const CHAT_BACKLOG: usize = 1024 * 1024;
/// The longest line the hello server reads.
pub const MAX_LINE: usize = 64 * 1024;

/// The listen backlog of every baseline: the kernel caps it at
/// `net.core.somaxconn`. As large as the layers' default (at least 1,024,
/// up to somaxconn), so that a burst of a thousand connects is queued, not
/// dropped, by baselines and layers alike. (std's `TcpListener::bind` uses
/// 128.)
pub const BACKLOG: i32 = 4096;

/// A listening socket on `addr` with [`BACKLOG`] and `SO_REUSEADDR`, in
/// blocking mode.
///
/// Scheme: none.
///
/// # Errors
///
/// The errors of `socket`, `bind` and `listen`.
pub fn listen(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Prints `listening on ADDR` and flushes it, as the example servers do.
///
/// Scheme: none.
pub fn announce(addr: SocketAddr) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "listening on {addr}");
    let _ = out.flush();
}

/// The daytime line: the local time as `ctime(3)` writes it, with `\n`.
///
/// Scheme: none.
pub fn daytime_line() -> Vec<u8> {
    format!("{}\n", chrono::Local::now().format("%a %b %e %H:%M:%S %Y")).into_bytes()
}
