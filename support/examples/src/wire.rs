//! The fixed texts and limits of the scenarios (see `conformance/scenarios`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The server's line in `hello` (without the newline).
pub const HELLO: &str = "Hello!";

/// The client's line in `hello` (without the newline).
pub const GOOD_BYE: &str = "Good Bye!";

/// What a chat server writes to each new client.
pub const CHAT_GREETING: &[u8] = b"connected\n";

/// How many unsent bytes a chat server holds for one client before it
/// disconnects it as too slow: enough for bursts, small enough that a client
/// that stops reading cannot grow the server without bound.
pub const CHAT_BACKLOG_LIMIT: usize = 1 << 20;

/// How much a relay reads at once: whole reads are relayed, not characters.
pub const RELAY_CHUNK: usize = 16 * 1024;

/// How long a chat client keeps printing what arrives after its stdin ends,
/// so that the replies to its last lines are not lost.
pub const CHAT_GRACE: Duration = Duration::from_millis(500);

/// The daytime scenario's line: the current local time as C's `ctime`
/// prints it, without the newline (`Sat Nov 21 15:20:57 2026`).
pub fn daytime_line() -> String {
    chrono::Local::now()
        .format("%a %b %e %H:%M:%S %Y")
        .to_string()
}

/// Counts the connections a server has served against `--max-connections`.
#[derive(Debug)]
pub struct ConnectionBudget {
    limit: Option<u64>,
    started: AtomicU64,
}

impl ConnectionBudget {
    /// A budget of `limit` connections, or unlimited for `None`.
    pub fn new(limit: Option<u64>) -> ConnectionBudget {
        ConnectionBudget {
            limit,
            started: AtomicU64::new(0),
        }
    }

    /// Counts one accepted connection; returns whether it was the last one
    /// the server may take, so the accept loop stops after serving it.
    pub fn take(&self) -> bool {
        let n = self.started.fetch_add(1, Ordering::Relaxed) + 1;
        self.limit.is_some_and(|limit| n >= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daytime_line_looks_like_ctime() {
        let line = daytime_line();
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 5, "{line:?}");
        assert_eq!(fields[3].matches(':').count(), 2, "{line:?}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn budget_counts_to_its_limit() {
        let b = ConnectionBudget::new(Some(2));
        assert!(!b.take());
        assert!(b.take());
        let unlimited = ConnectionBudget::new(None);
        assert!((0..100).all(|_| !unlimited.take()));
    }
}
