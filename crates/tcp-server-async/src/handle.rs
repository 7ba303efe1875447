//! Stopping a server and reading its statistics from elsewhere.

use std::sync::Arc;

use tokio_util::sync::WaitForCancellationFuture;

use crate::token::Token;

use crate::{Stats, StatsSnapshot};

/// A handle on a [`crate::Server`]: stop it, cut its drain short, read its
/// statistics. Cheap to clone; `Send + Sync`; usable before, while and after
/// the server runs, from any task or thread.
///
/// Scheme: none (the egg's server runs until its thread is killed).
#[derive(Debug, Clone)]
pub struct ServerHandle {
    pub(crate) stop: Arc<Token>,
    pub(crate) force: Arc<Token>,
    pub(crate) stats: Arc<Stats>,
}

impl ServerHandle {
    /// Stops the server gracefully: it stops accepting at once (the
    /// listener is closed, so new connections are refused), ends idle
    /// connections, lets running handlers finish until the drain timeout,
    /// closes the rest abruptly, and [`crate::Server::run`] returns.
    /// Calling it again does nothing more.
    ///
    /// Scheme: none.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Stops the server (if it was not yet) and cuts the drain short:
    /// connections still open are closed abruptly now.
    ///
    /// Scheme: none.
    pub fn force(&self) {
        // The stop first: a connection's task looks for the force only
        // once it has seen the stop (see `watch`).
        self.stop.cancel();
        self.force.cancel();
    }

    /// Whether the server has been told to stop (or stopped on a fatal
    /// accept error).
    ///
    /// Scheme: none.
    pub fn is_stopped(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Completes when the server is told to stop.
    ///
    /// Scheme: none.
    pub fn stopping(&self) -> WaitForCancellationFuture<'_> {
        self.stop.cancelled()
    }

    /// The statistics now: a few atomic loads.
    ///
    /// Scheme: none.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }
}
