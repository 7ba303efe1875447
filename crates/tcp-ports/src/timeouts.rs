//! Deadlines for the operations that wait in `poll(2)`: accepting (beside a
//! stop signal) and connecting with a timeout. Connected ports wait in the
//! kernel instead (`port_io`).

use std::io;
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

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

/// Waits until `fd` can be written (a connect in progress has ended) or
/// `deadline` passes; returns whether it can. A passed deadline still checks
/// once, without waiting.
pub(crate) fn wait_writable(fd: BorrowedFd<'_>, deadline: &Deadline) -> io::Result<bool> {
    netprim::wait_writable(fd, deadline.remaining())
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
