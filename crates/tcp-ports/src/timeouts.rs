//! Deadlines over non-blocking sockets, as CHICKEN does it: try the
//! operation, and while it would block wait for readiness (`poll(2)` through
//! netprim) until the operation's deadline. Each half of a connection waits
//! on its own, so a reader and a writer in two threads never hold each other
//! up, and a timeout consumes nothing: the operation can be tried again.

use std::fmt;
use std::io;
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use crate::error::{network_error, timed_out};

/// When an operation must be done by: `None` for never.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    timeout: Option<Duration>,
    at: Option<Instant>,
}

impl Deadline {
    /// A deadline `timeout` from now. A timeout too large to add to the
    /// clock is as good as none.
    pub(crate) fn after(timeout: Option<Duration>) -> Deadline {
        Deadline {
            timeout,
            at: timeout.and_then(|t| Instant::now().checked_add(t)),
        }
    }

    /// The timeout it was made from, for messages.
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The time left (zero once passed), or `None` for no limit.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }
}

/// Which readiness an operation waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// Waits until `fd` is ready for `direction` or `deadline` passes; returns
/// whether it is ready. A passed deadline still checks once, without waiting.
pub(crate) fn wait(
    fd: BorrowedFd<'_>,
    direction: Direction,
    deadline: &Deadline,
) -> io::Result<bool> {
    let left = deadline.remaining();
    match direction {
        Direction::Read => netprim::wait_readable(fd, left),
        Direction::Write => netprim::wait_writable(fd, left),
    }
}

/// Runs the non-blocking `attempt` until it neither would block nor is
/// interrupted, waiting for `direction` in between, for at most `timeout`.
/// Errors, the timeout included, are network errors of `op` on `target`.
pub(crate) fn with_timeout<T>(
    fd: BorrowedFd<'_>,
    direction: Direction,
    timeout: Option<Duration>,
    op: &'static str,
    target: &dyn fmt::Display,
    mut attempt: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    let deadline = Deadline::after(timeout);
    loop {
        match attempt() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(network_error(e, op, target)),
            Ok(v) => return Ok(v),
        }
        match wait(fd, direction, &deadline) {
            Ok(true) => {}
            Ok(false) => return Err(timed_out(op, target, timeout.unwrap_or_default())),
            Err(e) => return Err(network_error(e, op, target)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_timeout_is_no_deadline_and_huge_ones_saturate() {
        assert_eq!(Deadline::after(None).remaining(), None);
        assert_eq!(Deadline::after(Some(Duration::MAX)).remaining(), None);
        assert_eq!(
            Deadline::after(Some(Duration::ZERO)).remaining(),
            Some(Duration::ZERO)
        );
        let d = Deadline::after(Some(Duration::from_secs(100)));
        assert!(d.remaining().is_some_and(|r| r > Duration::from_secs(99)));
        assert_eq!(d.timeout(), Some(Duration::from_secs(100)));
    }
}
