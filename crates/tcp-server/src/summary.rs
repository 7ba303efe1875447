//! What a graceful shutdown did: the figures `run` returns and the
//! statistics keep.

use std::fmt;

/// How a server's run ended: how many connections it served in all, and of
/// those still open when it was told to stop, how many ended by themselves
/// within the drain deadline and how many it had to close abruptly.
///
/// Shared with `tcp-server-async`, which returns the same figures.
///
/// Scheme: none (the egg's server runs until its thread is killed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ShutdownSummary {
    /// Connections whose handler returned `Ok` over the whole run.
    pub served: u64,
    /// Connections open when the stop came that ended by themselves (in any
    /// way: served, failed or panicked) before the drain deadline.
    pub drained: u64,
    /// Connections still open at the drain deadline (or when the drain was
    /// cut short), closed abruptly through the hard-close hook.
    pub forced: u64,
}

impl ShutdownSummary {
    /// A summary of these three figures.
    ///
    /// Scheme: none.
    pub const fn new(served: u64, drained: u64, forced: u64) -> ShutdownSummary {
        ShutdownSummary {
            served,
            drained,
            forced,
        }
    }
}

/// `served 12, drained 3, forced 1`: the figures as the diagnostics print
/// them.
impl fmt::Display for ShutdownSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "served {}, drained {}, forced {}",
            self.served, self.drained, self.forced
        )
    }
}
