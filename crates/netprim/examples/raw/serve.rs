//! The accept loop of the simple raw servers (daytime, hello, echo): a
//! thread per connection, so a slow or silent client never holds up the
//! others.

use std::io;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use netprim::Socket;

/// The longest pause after running out of descriptors or memory.
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// Accepts on `listener` and runs `handle` on each connection in a thread
/// of its own; with `max_connections`, stops after that many and waits for
/// their handlers. A handler's error ends only its connection (it is
/// logged with the peer).
///
/// # Errors
///
/// An accept error that means the listener is unusable.
pub fn serve<H>(listener: &Socket, max_connections: Option<u64>, handle: H) -> io::Result<()>
where
    H: Fn(Socket) -> io::Result<()> + Send + Sync + 'static,
{
    let handle = Arc::new(handle);
    let mut handlers = Vec::new();
    let (mut accepted, mut pause) = (0, Duration::ZERO);
    while max_connections.is_none_or(|max| accepted < max) {
        let (conn, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                match e.kind() {
                    // The connection's own trouble (reset or aborted before
                    // we took it, refused by a firewall) or a signal.
                    io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::PermissionDenied
                    | io::ErrorKind::Interrupted => {}
                    // Not listening: nothing will ever come.
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported => return Err(e),
                    // Out of descriptors, buffers or memory (EMFILE, ENFILE,
                    // ENOBUFS, ENOMEM): a retry at once would spin.
                    _ => {
                        pause = (pause * 2).clamp(Duration::from_millis(10), MAX_PAUSE);
                        eprintln!("{e}; accepting again in {pause:?}");
                        thread::sleep(pause);
                    }
                }
                continue;
            }
        };
        accepted += 1;
        pause = Duration::ZERO;
        let handle = Arc::clone(&handle);
        let who = peer.to_string();
        let spawned = thread::Builder::new().spawn(move || match handle(conn) {
            Ok(()) => {}
            // SO_RCVTIMEO ends a blocking read with EAGAIN.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                eprintln!("connection from {peer}: read timed out; closed");
            }
            Err(e) => eprintln!("connection from {peer}: {e}"),
        });
        match spawned {
            Ok(handler) => handlers.push(handler),
            // The connection went with the closure and is closed.
            Err(e) => eprintln!("connection from {who}: no thread for it: {e}"),
        }
        // Forget finished handlers, so a long run does not collect them.
        handlers.retain(|h| !h.is_finished());
    }
    for h in handlers {
        let _ = h.join();
    }
    Ok(())
}
