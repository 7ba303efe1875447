//! The server's counters: atomics updated on the connection path, read at
//! any time as a cheap [`StatsSnapshot`].
//!
//! Shared with `tcp-server-async`: both servers count the same events with
//! the same [`Stats`], so dashboards and tests read them alike.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{AcceptErrorClass, Outcome, ShutdownSummary};

/// The live counters of one server. Every method is a few relaxed atomic
/// operations (plus a `metrics` call with the `metrics` feature), so the
/// connection path pays next to nothing; [`Stats::snapshot`] reads them all.
///
/// Counters only grow, except the gauges `active`, `threads` and
/// `idle_threads`. They are not read as one atomic whole: a snapshot taken
/// while connections come and go may be off by the connections in flight,
/// never more.
///
/// Scheme: none (the egg counts running requests but never shows it).
#[derive(Debug, Default)]
pub struct Stats {
    accepted: AtomicU64,
    active: AtomicU64,
    served: AtomicU64,
    failed: AtomicU64,
    panicked: AtomicU64,
    rejected_handshakes: AtomicU64,
    forced: AtomicU64,
    accept_per_connection: AtomicU64,
    accept_resource: AtomicU64,
    accept_fatal: AtomicU64,
    threads: AtomicU64,
    idle_threads: AtomicU64,
    summary: Mutex<Option<ShutdownSummary>>,
}

impl Stats {
    /// Counters at zero.
    ///
    /// Scheme: none.
    pub fn new() -> Stats {
        Stats::default()
    }

    /// Counts a connection accepted; it is active until
    /// [`Stats::connection_ended`].
    ///
    /// Scheme: none.
    pub fn connection_accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        self.active.fetch_add(1, Ordering::Relaxed);
        #[cfg(feature = "metrics")]
        crate::metrics::connection_accepted();
    }

    /// Counts a connection ended with `outcome`; it is no longer active.
    ///
    /// Scheme: none.
    pub fn connection_ended(&self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Served => &self.served,
            Outcome::Failed => &self.failed,
            Outcome::Panicked => &self.panicked,
            Outcome::Rejected => &self.rejected_handshakes,
            Outcome::Forced => &self.forced,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.active.fetch_sub(1, Ordering::Relaxed);
        #[cfg(feature = "metrics")]
        crate::metrics::connection_ended(outcome);
    }

    /// Counts an accept error of class `class`.
    ///
    /// Scheme: none.
    pub fn accept_error(&self, class: AcceptErrorClass) {
        let counter = match class {
            AcceptErrorClass::PerConnection => &self.accept_per_connection,
            AcceptErrorClass::ResourceExhausted => &self.accept_resource,
            _ => &self.accept_fatal,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        #[cfg(feature = "metrics")]
        crate::metrics::accept_error(class);
    }

    /// Sets the gauges of worker threads: how many exist, and how many of
    /// them wait for work. (The async server leaves them at zero.)
    ///
    /// Scheme: none.
    pub fn set_threads(&self, threads: u64, idle: u64) {
        self.threads.store(threads, Ordering::Relaxed);
        self.idle_threads.store(idle, Ordering::Relaxed);
        #[cfg(feature = "metrics")]
        crate::metrics::threads(threads, idle);
    }

    /// Records how the run ended; later snapshots carry it.
    ///
    /// Scheme: none.
    pub fn set_summary(&self, summary: ShutdownSummary) {
        *self
            .summary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(summary);
    }

    /// The counters as they are now.
    ///
    /// Scheme: none.
    pub fn snapshot(&self) -> StatsSnapshot {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            accepted: load(&self.accepted),
            active: load(&self.active),
            served: load(&self.served),
            failed: load(&self.failed),
            panicked: load(&self.panicked),
            rejected_handshakes: load(&self.rejected_handshakes),
            forced: load(&self.forced),
            accept_errors: AcceptErrors {
                per_connection: load(&self.accept_per_connection),
                resource_exhausted: load(&self.accept_resource),
                fatal: load(&self.accept_fatal),
            },
            threads: load(&self.threads),
            idle_threads: load(&self.idle_threads),
            shutdown: *self
                .summary
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }
}

/// Accept errors counted by class (see [`crate::classify_accept_error`]).
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AcceptErrors {
    /// Errors that concerned one connection (reset, aborted): skipped.
    pub per_connection: u64,
    /// Out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`,
    /// `ENOMEM`): backed off.
    pub resource_exhausted: u64,
    /// Errors that ended the run (0 or 1).
    pub fatal: u64,
}

/// The counters of a server at one moment: a plain `Copy` value.
///
/// Once every connection has ended, `accepted == served + failed +
/// panicked + rejected_handshakes + forced`; before, the difference is
/// `active`.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Connections accepted since the server was made.
    pub accepted: u64,
    /// Connections accepted and not yet ended (waiting for a thread,
    /// upgrading, or in their handler).
    pub active: u64,
    /// Connections whose handler returned `Ok`.
    pub served: u64,
    /// Connections whose handler returned an error (or whose output could
    /// not be flushed).
    pub failed: u64,
    /// Connections whose handler panicked.
    pub panicked: u64,
    /// Connections whose upgrade (TLS handshake) failed or timed out.
    pub rejected_handshakes: u64,
    /// Connections closed abruptly at the drain deadline of a shutdown.
    pub forced: u64,
    /// Accept errors, by class.
    pub accept_errors: AcceptErrors,
    /// Worker threads alive (threaded server only).
    pub threads: u64,
    /// Of those, the ones waiting for work.
    pub idle_threads: u64,
    /// How the run ended, once it has.
    pub shutdown: Option<ShutdownSummary>,
}
