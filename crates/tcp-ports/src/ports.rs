//! The two ports of a connection: a [`TcpReader`] (input port) and a
//! [`TcpWriter`] (output port) over one socket, each with its own timeout,
//! usable from different threads. The socket closes when both are closed or
//! dropped.
//!
//! Ending a port, three ways:
//!
//! | | the peer sees | a duplicate of the socket (`fork`, `dup`) |
//! |---|---|---|
//! | `close` / drop | writer: buffered output, then EOF (FIN); reader: nothing | its direction is shut down for every handle (the reader's once the writer closes too) |
//! | `abandon` | nothing from this port; the connection goes on while any handle remains | keeps the connection |
//! | `abort` | `ConnectionReset` (RST) at once, unsent output discarded | the connection is gone for every handle |
//!
//! The socket itself closes when both ports are ended. A writer whose last
//! send failed aborts when closed. A duplicate is seen when it was made
//! from a port's descriptor (`AsFd`, `AsRawFd`); one made by a `fork`
//! without `exec` after the ports is not: end such a connection with
//! [`crate::ConnectionHandle::shutdown`].

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;

use netprim::Socket;

use crate::conn::Conn;
use crate::{ConnectionHandle, TcpConfig, TcpConnection, TcpReader, TcpWriter};

/// Makes the two ports of a freshly connected or accepted blocking socket
/// whose `TCP_NODELAY` is already on. `local` is given when the caller
/// knows it without asking the socket.
pub(crate) fn make_ports(
    socket: Socket,
    local: Option<SocketAddr>,
    peer: SocketAddr,
    config: &TcpConfig,
) -> (TcpReader, TcpWriter) {
    let conn = Arc::new(Conn::new(socket, local, peer));
    let reader = TcpReader::new(Arc::clone(&conn), config.read_timeout);
    let writer = TcpWriter::new(conn, config.write_timeout, config.buffer_size);
    (reader, writer)
}

/// The queries every port type answers about its connection.
macro_rules! connection_queries {
    ($port:ty) => {
        impl $port {
            /// The local address of the connection (IPv4-mapped IPv6
            /// addresses shown as IPv4).
            ///
            /// Scheme: `tcp-addresses` and `tcp-port-numbers` (first values).
            #[doc(alias("tcp-addresses", "tcp-port-numbers"))]
            pub fn local_addr(&self) -> SocketAddr {
                self.conn().local()
            }

            /// The address of the peer (IPv4-mapped IPv6 addresses shown as
            /// IPv4).
            ///
            /// Scheme: `tcp-addresses` and `tcp-port-numbers` (second values).
            #[doc(alias("tcp-addresses", "tcp-port-numbers"))]
            pub fn peer_addr(&self) -> SocketAddr {
                self.conn().peer
            }

            /// The IP addresses of the local and the remote end, in that
            /// order. Print them with `to_string()` for CHICKEN's
            /// `"XXX.XXX.XXX.XXX"` strings; IPv6 works too.
            ///
            /// Scheme: `tcp-addresses`.
            #[doc(alias = "tcp-addresses")]
            pub fn addresses(&self) -> (IpAddr, IpAddr) {
                (self.local_addr().ip(), self.peer_addr().ip())
            }

            /// The TCP port numbers of the local and the remote end, in that
            /// order.
            ///
            /// Scheme: `tcp-port-numbers`.
            #[doc(alias = "tcp-port-numbers")]
            pub fn port_numbers(&self) -> (u16, u16) {
                (self.local_addr().port(), self.peer_addr().port())
            }

            /// A handle on the connection, to shut it down or abort it from
            /// another thread, waking this port if it is blocked.
            ///
            /// Scheme: none.
            pub fn handle(&self) -> ConnectionHandle {
                ConnectionHandle::new(self.conn())
            }
        }

        /// The socket's descriptor, shared by both ports of the connection.
        ///
        /// Scheme: `port->fileno` (Unit posix) on a TCP port.
        impl AsFd for $port {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.conn().lend().as_fd()
            }
        }

        /// The socket's descriptor, shared by both ports of the connection.
        ///
        /// Scheme: `port->fileno` (Unit posix) on a TCP port.
        impl AsRawFd for $port {
            fn as_raw_fd(&self) -> RawFd {
                self.conn().lend().as_raw_fd()
            }
        }

        impl fmt::Debug for $port {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let c: &Conn = self.conn();
                f.debug_struct(stringify!($port))
                    .field("fd", &c.socket.as_raw_fd())
                    .field("peer", &format_args!("{}", c.peer))
                    .finish_non_exhaustive()
            }
        }
    };
}

connection_queries!(TcpReader);
connection_queries!(TcpWriter);
connection_queries!(TcpConnection);

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<TcpReader>();
    is::<TcpWriter>();
    is::<TcpConnection>();
    is::<ConnectionHandle>();
}
