//! How one connection ended: what the statistics count, the diagnostics
//! print and the connection's span records.

use std::fmt;

/// How one connection ended.
///
/// Scheme: none (the egg does not distinguish).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The handler returned `Ok` and its output was flushed; the connection
    /// was closed normally (FIN).
    Served,
    /// The handler returned an error, or its output could not be flushed;
    /// the connection was closed abruptly.
    Failed,
    /// The handler panicked; the connection was closed abruptly.
    Panicked,
    /// The upgrade step (a TLS handshake, say) failed or ran out of time;
    /// the handler never ran.
    Rejected,
    /// Still open at the drain deadline of a shutdown: closed abruptly.
    Forced,
}

impl Outcome {
    /// The outcome as one lowercase word (`served`, `failed`, `panicked`,
    /// `rejected`, `forced`), as spans and metrics record it.
    ///
    /// Scheme: none.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Served => "served",
            Outcome::Failed => "failed",
            Outcome::Panicked => "panicked",
            Outcome::Rejected => "rejected",
            Outcome::Forced => "forced",
        }
    }
}

/// The word of [`Outcome::as_str`].
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
