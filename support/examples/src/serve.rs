//! The accept loop of the simple example servers (daytime, hello, echo) of
//! layers that have no server of their own: a thread per connection, so a
//! slow or silent client never holds up the others.

use std::fmt::Display;
use std::io;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::ConnectionBudget;

/// The longest pause after an accept error that is not the connection's
/// own (such as running out of file descriptors).
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Accepts connections with `accept` and runs `handle` on each in a thread
/// of its own, until `max_connections` (if any) have been accepted; then
/// waits for the running handlers and returns.
///
/// `accept` gives the connection and its peer's address. A handler's error
/// ends only its connection: it is logged to stderr with the peer. Accept
/// errors that concern one connection (aborted, reset) are skipped;
/// others, such as running out of descriptors, are logged and retried after
/// a growing pause, so the server does not spin.
///
/// # Errors
///
/// Only an accept error that means the listener itself is unusable
/// (`InvalidInput`: not listening; `Unsupported`).
pub fn serve_each<C, P, A, H>(
    mut accept: A,
    max_connections: Option<u64>,
    handle: H,
) -> io::Result<()>
where
    A: FnMut() -> io::Result<(C, P)>,
    C: Send + 'static,
    P: Display + Send + 'static,
    H: Fn(C) -> io::Result<()> + Send + Sync + 'static,
{
    let budget = ConnectionBudget::new(max_connections);
    let handle = Arc::new(handle);
    let mut running: Vec<JoinHandle<()>> = Vec::new();
    let mut backoff = Duration::ZERO;
    loop {
        let (conn, peer) = match accept() {
            Ok(accepted) => {
                backoff = Duration::ZERO;
                accepted
            }
            Err(e) if concerns_one_connection(&e) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                ) =>
            {
                return Err(e);
            }
            Err(e) => {
                backoff = (backoff * 2).clamp(Duration::from_millis(10), MAX_BACKOFF);
                eprintln!("accept failed: {e}; retrying in {backoff:?}");
                thread::sleep(backoff);
                continue;
            }
        };
        let last = budget.take();
        let handler = Arc::clone(&handle);
        let spawned = thread::Builder::new().spawn(move || {
            if let Err(e) = handler(conn) {
                log_failure(&peer, &e);
            }
        });
        match spawned {
            Ok(thread) => running.push(thread),
            // The connection went with the closure and is closed; the
            // server goes on.
            Err(e) => eprintln!("cannot start a thread for a connection: {e}"),
        }
        // Finished threads are forgotten so that a long-running server does
        // not collect handles without bound.
        running.retain(|t| !t.is_finished());
        if last {
            break;
        }
    }
    for thread in running {
        let _ = thread.join();
    }
    Ok(())
}

fn concerns_one_connection(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock | TimedOut
    )
}

fn log_failure(peer: &dyn Display, e: &io::Error) {
    // A blocking read that gives up with WouldBlock hit its read timeout
    // (SO_RCVTIMEO); say so rather than "resource temporarily unavailable".
    if e.kind() == io::ErrorKind::WouldBlock {
        eprintln!("connection from {peer}: read timed out; closed");
    } else {
        eprintln!("connection from {peer}: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn serves_the_budget_then_waits_for_the_handlers() {
        let accepted = AtomicUsize::new(0);
        let served = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&served);
        serve_each(
            || Ok((accepted.fetch_add(1, Ordering::SeqCst), "peer")),
            Some(3),
            move |n| {
                seen.lock().unwrap().push(n);
                Err(io::Error::other("a failure ends only this connection"))
            },
        )
        .unwrap();
        let mut served = served.lock().unwrap().clone();
        served.sort();
        assert_eq!(served, [0, 1, 2]);
    }

    #[test]
    fn skips_per_connection_accept_errors_and_stops_on_fatal_ones() {
        let mut calls = 0;
        let err = serve_each(
            || {
                calls += 1;
                match calls {
                    1 => Err(io::ErrorKind::ConnectionAborted.into()),
                    2 => Ok(((), "peer")),
                    _ => Err(io::Error::from(io::ErrorKind::InvalidInput)),
                }
            },
            None,
            |()| Ok(()),
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(calls, 3);
    }
}
