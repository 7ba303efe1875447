//! What a handler knows about its connection besides its input and output.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio_util::sync::WaitForCancellationFuture;

use crate::token::Token;

/// The connection a handler serves: its number, its addresses, and the
/// server's stop, to finish the request in hand and return.
///
/// Scheme: what `tcp-addresses` tells of the egg's current ports.
#[derive(Debug, Clone)]
#[doc(alias = "tcp-addresses")]
pub struct Peer {
    id: u64,
    local: SocketAddr,
    peer: SocketAddr,
    stop: Arc<Token>,
}

impl Peer {
    pub(crate) fn new(id: u64, local: SocketAddr, peer: SocketAddr, stop: Arc<Token>) -> Peer {
        Peer {
            id,
            local,
            peer,
            stop,
        }
    }

    /// The connection's number, unique within its server, counting from 1
    /// in accept order; the diagnostics and the span show it.
    ///
    /// Scheme: none.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The peer's address (from the addresses hook).
    ///
    /// Scheme: `tcp-addresses` (second value) through
    /// `tcp-server-get-addresses-procedure`.
    #[doc(alias("tcp-addresses", "tcp-server-get-addresses-procedure"))]
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The local address (from the addresses hook).
    ///
    /// Scheme: `tcp-addresses` (first value).
    #[doc(alias = "tcp-addresses")]
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Whether the server has been told to stop.
    ///
    /// Scheme: none.
    pub fn is_stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Completes when the server is told to stop: `select!` on it beside a
    /// long wait that is not a read of the input.
    ///
    /// Scheme: none.
    pub fn stopping(&self) -> WaitForCancellationFuture<'_> {
        self.stop.cancelled()
    }
}
