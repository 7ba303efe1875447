//! Stopping a server and reading its statistics from elsewhere: another
//! thread, or a signal handler.

use std::sync::Arc;

use crate::{Stats, StatsSnapshot, StopSignal};

/// A handle on a [`crate::Server`]: stop it, cut its drain short, read its
/// statistics. Cheap to clone; `Send + Sync`; usable before, while and after
/// the server runs.
///
/// [`ServerHandle::stop`] and [`ServerHandle::force`] are async-signal-safe
/// (an atomic store and a `write(2)` to an eventfd each), so a `SIGTERM`
/// handler may call them directly, e.g. through
/// `signal_hook::low_level::register`: the first signal stops gracefully,
/// a second one forces.
///
/// Scheme: none (the egg's server runs until its thread is killed).
#[derive(Debug, Clone)]
pub struct ServerHandle {
    stop: StopSignal,
    force: StopSignal,
    stats: Arc<Stats>,
}

impl ServerHandle {
    pub(crate) fn new(stop: StopSignal, force: StopSignal, stats: Arc<Stats>) -> ServerHandle {
        ServerHandle { stop, force, stats }
    }

    /// Stops the server gracefully: it stops accepting at once (the
    /// listener is closed, so new connections are refused), wakes idle
    /// connections, lets running handlers finish until the drain timeout,
    /// closes the rest abruptly, and [`crate::Server::run`] returns. Calling
    /// it again does nothing more. Async-signal-safe.
    ///
    /// Scheme: none.
    pub fn stop(&self) {
        self.stop.stop();
    }

    /// Stops the server (if it was not yet) and cuts the drain short:
    /// connections still open are closed abruptly now. Async-signal-safe.
    ///
    /// Scheme: none.
    pub fn force(&self) {
        self.stop.stop();
        self.force.stop();
    }

    /// Whether [`ServerHandle::stop`] (or a fatal accept error) has stopped
    /// the server.
    ///
    /// Scheme: none.
    pub fn is_stopped(&self) -> bool {
        self.stop.is_stopped()
    }

    /// The server's stop signal, to wait for the stop beside other things
    /// (it is `AsFd`), or to stop it.
    ///
    /// Scheme: none.
    pub fn stop_signal(&self) -> &StopSignal {
        &self.stop
    }

    /// The statistics now: a few atomic loads.
    ///
    /// Scheme: none.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }
}
