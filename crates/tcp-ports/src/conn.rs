//! What both ports of a connection share: the socket, its addresses, and
//! whether this side aborted it.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use netprim::Socket;

use crate::error::network_error;

#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) socket: Socket,
    /// Known at once when the listener is bound to one address; otherwise
    /// asked of the socket (`getsockname`) the first time it is wanted, so
    /// that a connection whose local address nobody reads costs no call.
    local: OnceLock<SocketAddr>,
    pub(crate) peer: SocketAddr,
    /// Set by an abort: the ports fail with `ConnectionAborted` instead of
    /// reporting whatever the dissolved socket says.
    aborted: AtomicBool,
    /// The reader was closed while the writer was open: reading is shut
    /// down with the writer's direction, in one call.
    read_shut_pending: AtomicBool,
    /// The descriptor was handed out (`AsFd`, `AsRawFd`), so a duplicate of
    /// the socket may exist, which only `shutdown` reaches.
    lent: AtomicBool,
}

impl Conn {
    pub(crate) fn new(socket: Socket, local: Option<SocketAddr>, peer: SocketAddr) -> Conn {
        let known = OnceLock::new();
        if let Some(local) = local {
            let _ = known.set(canonical(local));
        }
        Conn {
            socket,
            local: known,
            peer: canonical(peer),
            aborted: AtomicBool::new(false),
            read_shut_pending: AtomicBool::new(false),
            lent: AtomicBool::new(false),
        }
    }

    pub(crate) fn local(&self) -> SocketAddr {
        *self.local.get_or_init(|| {
            // getsockname on a socket we hold open cannot fail on Linux;
            // should it, an unspecified address is an honest answer.
            self.socket
                .local_addr()
                .ok()
                .and_then(|a| a.as_socket())
                .map_or(
                    SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
                    canonical,
                )
        })
    }

    /// The socket's descriptor for the caller to keep or duplicate.
    pub(crate) fn lend(&self) -> &Socket {
        self.lent.store(true, Ordering::Relaxed);
        &self.socket
    }

    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    pub(crate) fn aborted_error(&self, op: &'static str) -> io::Error {
        network_error(
            io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the connection was aborted by this side",
            ),
            op,
            &self.peer,
        )
    }

    pub(crate) fn check_not_aborted(&self, op: &'static str) -> io::Result<()> {
        match self.is_aborted() {
            true => Err(self.aborted_error(op)),
            false => Ok(()),
        }
    }

    /// Shuts down one direction for every handle. A connection the peer
    /// already reset has nothing left to shut down; that is not an error.
    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        match self.socket.shutdown(how) {
            Err(e) if e.kind() != io::ErrorKind::NotConnected => {
                Err(network_error(e, "shut down", &self.peer))
            }
            _ => Ok(()),
        }
    }

    /// Resets the connection now: the peer gets RST, and every thread
    /// blocked on the socket wakes and then sees the abort.
    pub(crate) fn abort(&self) -> io::Result<()> {
        if self.aborted.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        match self.socket.disconnect() {
            // Already reset or closed by the peer: nothing left to reset.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            other => other.map_err(|e| network_error(e, "abort connection to", &self.peer)),
        }
    }
}

/// How a port ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    Close,
    Abandon,
    Abort,
}

/// Ends a port's use of the connection: shuts its direction down (close),
/// leaves it as it is (abandon), or resets the connection (abort); then
/// closes the socket if this was its last port.
///
/// Two system calls are saved where nothing can tell the difference:
///
/// - A reader closed while its writer is open shuts reading down together
///   with the writer's close (`SHUT_RDWR`, one call instead of two): nothing
///   can read through this connection's ports meanwhile, and the peer sees
///   no difference.
/// - The last port of a socket whose descriptor was never handed out is
///   simply closed: with no other handle on the socket, `close(2)` sends
///   the peer what `shutdown` then `close` would (FIN, or RST with unread
///   input). A descriptor lent through `AsFd`/`AsRawFd` may have been
///   duplicated, and then `shutdown` is what ends the connection for every
///   handle, as a port's close promises. (A `fork` without `exec` made
///   after the ports were is not seen: end such a connection through
///   [`crate::ConnectionHandle::shutdown`].)
///
/// `held` counts the references to `conn` its caller keeps besides the one
/// it passes (a port's `Drop` still holds its own).
pub(crate) fn finish(
    conn: Arc<Conn>,
    how: Finish,
    direction: Shutdown,
    held: usize,
) -> io::Result<()> {
    let pending = || conn.read_shut_pending.swap(false, Ordering::AcqRel);
    // The other port is still open, or a handle is using the connection.
    let shared = Arc::strong_count(&conn) > 1 + held;
    let alone = !shared && !conn.lent.load(Ordering::Relaxed);
    let ended = match (how, direction) {
        _ if conn.is_aborted() && how != Finish::Abort => Ok(()),
        (Finish::Abort, _) => conn.abort(),
        (Finish::Close, _) if alone => Ok(()),
        (Finish::Close, Shutdown::Read) if shared => {
            conn.read_shut_pending.store(true, Ordering::Release);
            Ok(())
        }
        (Finish::Close, Shutdown::Write) if pending() => conn.shutdown(Shutdown::Both),
        (Finish::Close, direction) => conn.shutdown(direction),
        (Finish::Abandon, _) if pending() => conn.shutdown(Shutdown::Read),
        (Finish::Abandon, _) => Ok(()),
    };
    ended.and(close_if_last(conn))
}

/// Closes the socket if `conn` is its last holder, reporting the error of
/// `close(2)` that a drop would ignore. (A [`crate::ConnectionHandle`]
/// upgraded at this very moment makes it the last holder instead; the
/// socket then closes when it lets go, without a report.)
fn close_if_last(conn: Arc<Conn>) -> io::Result<()> {
    match Arc::into_inner(conn) {
        Some(Conn { socket, peer, .. }) => socket
            .close()
            .map_err(|e| network_error(e, "close connection to", &peer)),
        None => Ok(()),
    }
}

/// A socket address as std's type, IPv4-mapped IPv6 shown as IPv4.
pub(crate) fn netprim_addr(addr: netprim::SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket().map(canonical).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{addr} is not an IP socket address"),
        )
    })
}

/// `::ffff:1.2.3.4` (a v4 peer of a dual-stack socket) as `1.2.3.4`.
pub(crate) fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), v6.port()),
            None => addr,
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    #[test]
    fn mapped_addresses_show_as_ipv4() {
        let mapped = SocketAddr::new(IpAddr::V6(Ipv4Addr::new(10, 1, 2, 3).to_ipv6_mapped()), 7);
        assert_eq!(canonical(mapped), "10.1.2.3:7".parse().unwrap());
        let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 7);
        assert_eq!(canonical(v6), v6);
    }
}
