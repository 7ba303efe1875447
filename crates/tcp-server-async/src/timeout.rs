//! The wait limit of one direction of a connection: its timeout (reset
//! whenever the connection makes progress) and the connection's deadline.
//!
//! The timer is armed lazily and moved only when it fires: a connection
//! that keeps making progress never touches the timer wheel, and an idle
//! one holds one `Sleep`. All of a limit's state is boxed, so that the
//! input and output stay small; without a limit there is no box.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// A connection's wait limit in one direction. Without a limit or a
/// deadline it is a null pointer and a byte, and a wait checks just that:
/// the state of a limit lives in a box of its own, so that an input or an
/// output without one keeps its hot fields in fewer cache lines (the
/// handler's future holds both, side by side).
pub(crate) struct Timeout {
    limits: Option<Box<Limits>>,
    /// For the error message (a byte, where the words would take 16).
    op: Op,
}

/// The state of a limited wait.
struct Limits {
    /// When the current wait began: `None` while the connection makes
    /// progress.
    waiting_since: Option<Instant>,
    /// How long one wait may last (the read or write timeout).
    limit: Option<Duration>,
    /// When the whole connection must be over.
    deadline: Option<Instant>,
    sleep: Option<Pin<Box<Sleep>>>,
    /// The waker `sleep` was last polled with, while it has not been reset
    /// since: the timer will wake that task, so polling it again for the
    /// same task (a few dozen instructions and a waker's registration, at
    /// every wait of a busy connection) is skipped until it fires.
    armed_for: Option<Waker>,
}

impl Limits {
    fn new(limit: Option<Duration>, deadline: Option<Instant>) -> Option<Box<Limits>> {
        (limit.is_some() || deadline.is_some()).then(|| {
            Box::new(Limits {
                waiting_since: None,
                limit,
                deadline,
                sleep: None,
                armed_for: None,
            })
        })
    }
}

/// Which way a timeout waits.
#[derive(Clone, Copy)]
pub(crate) enum Op {
    Read,
    Write,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Read => "read from",
            Op::Write => "write to",
        }
    }
}

impl Timeout {
    pub(crate) fn new(op: Op, limit: Option<Duration>, deadline: Option<Instant>) -> Timeout {
        Timeout {
            limits: Limits::new(limit, deadline),
            op,
        }
    }

    /// Changes the limit; the next wait starts afresh, whatever an earlier
    /// one left. The state is changed in place while a limit or deadline
    /// remains (a handler may set it at every request), made only when the
    /// first comes and dropped when the last goes.
    pub(crate) fn set_limit(&mut self, limit: Option<Duration>) {
        match &mut self.limits {
            Some(limits) if limit.is_some() || limits.deadline.is_some() => {
                limits.limit = limit;
                limits.waiting_since = None;
            }
            Some(_) => self.limits = None,
            None => self.limits = Limits::new(limit, None),
        }
    }

    pub(crate) fn limit(&self) -> Option<Duration> {
        self.limits.as_ref().and_then(|l| l.limit)
    }

    /// The connection made progress: the next wait starts afresh.
    #[inline]
    pub(crate) fn progress(&mut self) {
        if let Some(limits) = &mut self.limits {
            limits.waiting_since = None;
        }
    }

    /// Called when the I/O is not ready: `Pending` (the timer will wake the
    /// task) or a `TimedOut` error naming `peer` once the wait is over.
    #[inline]
    pub(crate) fn poll_expired(
        &mut self,
        cx: &mut Context<'_>,
        peer: &SocketAddr,
    ) -> Poll<io::Error> {
        // No limit: nothing to do, and not worth a call at every wait.
        match &mut self.limits {
            None => Poll::Pending,
            Some(limits) => limits.poll_limited(self.op, cx, peer),
        }
    }
}

impl Limits {
    fn poll_limited(&mut self, op: Op, cx: &mut Context<'_>, peer: &SocketAddr) -> Poll<io::Error> {
        // The clock is read once per wait (when it begins) and when the
        // timer fires, not on every wake of a waiting connection.
        let since = match self.waiting_since {
            Some(since) => since,
            None => *self.waiting_since.insert(Instant::now()),
        };
        let by_limit = self.limit.map(|l| since + l);
        let (due, why) = match (by_limit, self.deadline) {
            (Some(l), Some(d)) if d < l => (d, Why::Deadline),
            (Some(l), _) => (l, Why::Limit(self.limit.unwrap_or_default())),
            (None, Some(d)) => (d, Why::Deadline),
            (None, None) => return Poll::Pending,
        };
        let sleep = match &mut self.sleep {
            // Armed for an earlier wait, it fires early and is moved then
            // (below); only a due time that came closer moves it now.
            Some(sleep) if sleep.deadline() > due => {
                sleep.as_mut().reset(due);
                self.armed_for = None;
                sleep
            }
            Some(sleep) => sleep,
            None => self.sleep.insert(Box::pin(tokio::time::sleep_until(due))),
        };
        if self
            .armed_for
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
            && !sleep.is_elapsed()
        {
            return Poll::Pending;
        }
        // A due time already past fires at once.
        if poll_arming(sleep, &mut self.armed_for, cx).is_pending() {
            return Poll::Pending;
        }
        if Instant::now() >= due {
            return Poll::Ready(timed_out(op, peer, why));
        }
        // An early firing: wait for the rest of this wait.
        sleep.as_mut().reset(due);
        ready!(poll_arming(sleep, &mut self.armed_for, cx));
        Poll::Ready(timed_out(op, peer, why))
    }
}

/// Polls the timer and remembers the waker it holds while it is pending.
/// With the task's budget spent it is not polled: the poll would be
/// Pending without reaching the timer (and `armed_for` would lie), and the
/// budget's own wake polls the task again at once.
fn poll_arming(
    sleep: &mut Pin<Box<Sleep>>,
    armed_for: &mut Option<Waker>,
    cx: &mut Context<'_>,
) -> Poll<()> {
    if !tokio::task::coop::has_budget_remaining() {
        return Poll::Pending;
    }
    let polled = sleep.as_mut().poll(cx);
    *armed_for = polled.is_pending().then(|| cx.waker().clone());
    polled
}

enum Why {
    Limit(Duration),
    Deadline,
}

/// The timeout as tcp-ports reports one (a `NetworkError` of kind
/// `TimedOut`), so `tcp_ports::is_timeout` and `is_read_timeout` know it.
fn timed_out(op: Op, peer: &SocketAddr, why: Why) -> io::Error {
    let message = match why {
        Why::Limit(limit) => format!("timed out after {limit:?}"),
        Why::Deadline => "timed out (the connection's deadline passed)".to_string(),
    };
    tcp_ports::network_error(
        io::Error::new(io::ErrorKind::TimedOut, message),
        op.as_str(),
        peer,
    )
}

impl fmt::Debug for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("limit", &self.limit())
            .field("deadline", &self.limits.as_ref().and_then(|l| l.deadline))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_boxed_only_while_there_is_a_limit_or_a_deadline() {
        let mut timeout = Timeout::new(Op::Read, None, None);
        assert!(timeout.limits.is_none());
        timeout.set_limit(Some(Duration::from_secs(5)));
        assert_eq!(timeout.limit(), Some(Duration::from_secs(5)));
        timeout.set_limit(None);
        assert!(timeout.limits.is_none());

        // A deadline keeps the state through a limit's removal.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut timeout = Timeout::new(Op::Write, Some(Duration::from_secs(1)), Some(deadline));
        timeout.set_limit(None);
        let limits = timeout.limits.as_ref().expect("the deadline's state");
        assert_eq!((limits.limit, limits.deadline), (None, Some(deadline)));
    }
}
