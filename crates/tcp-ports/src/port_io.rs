//! How a port waits: inside the kernel. Connected sockets are blocking, and
//! each port's timeout is the socket's `SO_RCVTIMEO` (reader) or
//! `SO_SNDTIMEO` (writer), so a read or a write is one system call, as with
//! std's `TcpStream`. What makes this equivalent to waiting in `poll(2)`:
//!
//! - a timeout of zero ("don't wait") is `MSG_DONTWAIT` on that one call;
//! - `EAGAIN` from a blocking socket can only mean the timeout passed, so it
//!   becomes `TimedOut` (once the full time has passed: the kernel counts in
//!   clock ticks and may wake up to one tick early);
//! - with a timeout set, Linux never restarts `recv`/`send` after a signal
//!   (`EINTR` even under `SA_RESTART`), and a plain retry would wait the full
//!   timeout again: the option is re-armed with the time that remains;
//! - the option is set only when the wanted value differs from the one the
//!   kernel holds, so a port whose timeout does not change pays for it once.
//!
//! A deadline ([`crate::TcpReader::set_deadline`]) shortens each wait to the
//! time left, and once it has passed every read or write fails at once.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use netprim::MsgFlags;

use crate::conn::Conn;
use crate::error::{network_error, timed_out};

/// Which kernel timeout a port uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Recv,
    Send,
}

impl Side {
    fn op(self) -> &'static str {
        match self {
            Side::Recv => crate::READ_OP,
            Side::Send => crate::WRITE_OP,
        }
    }
}

/// A port's waiting rules and what the kernel was last told.
#[derive(Debug, Clone)]
pub(crate) struct Waits {
    side: Side,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Instant>,
    /// The value of the socket's timeout option as last set, `None` when
    /// unknown (a socket handed to us from outside).
    armed: Option<Option<Duration>>,
}

/// How long one call may block: `None` for no limit.
type Limit = Option<Duration>;

impl Waits {
    /// Rules for a port on a fresh socket, whose kernel timeout is unset.
    pub(crate) fn fresh(side: Side, timeout: Option<Duration>) -> Waits {
        Waits {
            side,
            timeout,
            deadline: None,
            armed: Some(None),
        }
    }

    /// Runs one read or write (`attempt` gets the message flags to add),
    /// waiting as the rules say. `Ok(0)` passes through (EOF, or an empty
    /// buffer).
    pub(crate) fn run(
        &mut self,
        conn: &Conn,
        mut attempt: impl FnMut(MsgFlags) -> io::Result<usize>,
    ) -> io::Result<usize> {
        let op = self.side.op();
        // The first call waits the whole timeout, the same value every
        // time, so the kernel's option is set once per port, not once per
        // read; a call after an interruption waits what is left since then.
        let mut start: Option<Instant> = None;
        loop {
            conn.check_not_aborted(op)?;
            let limit = self.limit(start, &conn.peer)?;
            let began = *start.get_or_insert_with(Instant::now);
            let result = match limit {
                Some(Duration::ZERO) => attempt(MsgFlags::DONTWAIT),
                _ => {
                    self.arm(conn, limit)?;
                    attempt(MsgFlags::NONE)
                }
            };
            match result {
                Ok(n) => {
                    // An abort dissolves the socket, which reads as EOF.
                    if n == 0 && conn.is_aborted() {
                        return Err(conn.aborted_error(op));
                    }
                    return Ok(n);
                }
                Err(_) if conn.is_aborted() => return Err(conn.aborted_error(op)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // The kernel counts its timeout in clock ticks and can
                    // give up to one tick early: wait out the rest.
                    match self.limit(Some(began), &conn.peer)? {
                        Some(Duration::ZERO) => return Err(self.expired(&conn.peer)),
                        _ => continue,
                    }
                }
                Err(e) => return Err(network_error(e, op, &conn.peer)),
            }
        }
    }

    /// The longest the next call may block: the whole timeout for the
    /// first call (`start` not yet taken), and after an interruption what
    /// is left of it since `start`, so a signal does not restart the
    /// timeout; never past the deadline.
    fn limit(&self, start: Option<Instant>, peer: &SocketAddr) -> io::Result<Limit> {
        let from_timeout = match start {
            None => self.timeout,
            Some(start) => self.timeout.map(|t| t.saturating_sub(start.elapsed())),
        };
        let from_deadline = match self.deadline {
            None => None,
            Some(at) => match at.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Err(self.deadline_passed(peer)),
            },
        };
        Ok(match (from_timeout, from_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Sets the kernel's timeout to `limit` unless it holds it already.
    fn arm(&mut self, conn: &Conn, limit: Limit) -> io::Result<()> {
        if self.armed == Some(limit) {
            return Ok(());
        }
        let set = match self.side {
            Side::Recv => conn.socket.set_read_timeout(limit),
            Side::Send => conn.socket.set_write_timeout(limit),
        };
        set.map_err(|e| network_error(e, self.side.op(), &conn.peer))?;
        self.armed = Some(limit);
        Ok(())
    }

    /// The error of a wait that ran out: the deadline's if it has passed,
    /// else the timeout's.
    fn expired(&self, peer: &SocketAddr) -> io::Error {
        if self.deadline.is_some_and(|at| Instant::now() >= at) {
            return self.deadline_passed(peer);
        }
        timed_out(self.side.op(), peer, self.timeout.unwrap_or_default())
    }

    fn deadline_passed(&self, peer: &SocketAddr) -> io::Error {
        network_error(
            io::Error::new(io::ErrorKind::TimedOut, "the port's deadline passed"),
            self.side.op(),
            peer,
        )
    }

    /// Clears the kernel timeout, so that a socket handed out (to std or
    /// tokio) waits the way its new owner expects.
    pub(crate) fn disarm(&mut self, conn: &Conn) -> io::Result<()> {
        self.arm(conn, None)
    }
}
