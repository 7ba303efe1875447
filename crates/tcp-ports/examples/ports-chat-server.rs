//! Serves chat: greets each client with `connected`, relays every byte any
//! client sends to every connected client (the sender included), and logs
//! connects and disconnects on stderr.
//!
//! A thread reads each client; what it reads goes into every client's own
//! queue, which a writer thread per client empties. Relaying never waits
//! for another client: one whose queue holds more than `CHAT_BACKLOG_LIMIT`
//! bytes is disconnected (reset), so it cannot stall the others or grow the
//! server without bound. A sender is read no faster than it takes its own
//! messages back, so a fast talker paces itself instead of being dropped.
//!
//! `cargo run -p tcp-ports --example ports-chat-server -- [--host H] [--port P]
//! [--max-connections N] [--read-timeout MS]`

mod common;

use std::io::{self, ErrorKind, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use example_support::{CHAT_BACKLOG_LIMIT, CHAT_GREETING, RELAY_CHUNK, ServerArgs, parse_args};
use tcp_ports::{TcpConfig, TcpReader, TcpWriter};

/// How often a writer stuck on a client that does not read checks whether
/// that client has been dropped.
const STUCK_CHECK: Duration = Duration::from_millis(100);

/// What a client has queued and not yet been sent.
struct Backlog {
    /// Bytes queued, or `None` once the client is dropped as too slow.
    bytes: Mutex<Option<usize>>,
    drained: Condvar,
}

impl Default for Backlog {
    fn default() -> Backlog {
        Backlog {
            bytes: Mutex::new(Some(0)),
            drained: Condvar::new(),
        }
    }
}

impl Backlog {
    fn lock(&self) -> MutexGuard<'_, Option<usize>> {
        self.bytes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts `n` more bytes, or drops the client if that is too many.
    fn add(&self, n: usize) -> bool {
        let mut bytes = self.lock();
        match *bytes {
            Some(b) if b + n <= CHAT_BACKLOG_LIMIT => {
                *bytes = Some(b + n);
                true
            }
            _ => {
                *bytes = None;
                self.drained.notify_all();
                false
            }
        }
    }

    /// Counts `n` bytes as sent; false if the client was dropped meanwhile.
    fn sent(&self, n: usize) -> bool {
        let mut bytes = self.lock();
        if let Some(b) = bytes.as_mut() {
            *b = b.saturating_sub(n);
        }
        self.drained.notify_all();
        bytes.is_some()
    }

    fn dropped(&self) -> bool {
        self.lock().is_none()
    }

    /// Waits until at most half the limit is queued, or the client is dropped.
    fn wait_below_half(&self) {
        let mut bytes = self.lock();
        while matches!(*bytes, Some(b) if b > CHAT_BACKLOG_LIMIT / 2) {
            bytes = self
                .drained
                .wait(bytes)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// One connected client, as the relays see it.
struct Client {
    id: u64,
    queue: Sender<Arc<[u8]>>,
    backlog: Arc<Backlog>,
}

impl Client {
    /// Queues `chunk`; false if the client is too far behind to take it.
    fn offer(&self, chunk: &Arc<[u8]>) -> bool {
        if !self.backlog.add(chunk.len()) {
            return false;
        }
        // A writer that already ended has closed the connection itself.
        let _ = self.queue.send(Arc::clone(chunk));
        true
    }
}

type Clients = Arc<Mutex<Vec<Client>>>;

fn main() {
    let args = parse_args::<ServerArgs>();
    // A chat client may listen without talking: no read timeout unless asked.
    let config = TcpConfig::new().with_read_timeout(args.read_timeout);
    let l = common::listen(&args, config);
    let clients: Clients = Arc::default();
    let next_id = Arc::new(AtomicU64::new(0));
    common::serve(l, args.max_connections, move |i, o| {
        chat(next_id.fetch_add(1, Ordering::Relaxed), i, o, &clients)
    });
}

fn chat(id: u64, mut i: TcpReader, mut o: TcpWriter, clients: &Clients) -> io::Result<()> {
    let peer = i.peer_addr();
    eprintln!("connected {peer}");
    o.set_write_timeout(Some(STUCK_CHECK));
    let (queue, queued) = mpsc::channel();
    let me = Client {
        id,
        queue,
        backlog: Arc::default(),
    };
    me.offer(&Arc::from(CHAT_GREETING));
    let backlog = Arc::clone(&me.backlog);
    let writer = {
        let backlog = Arc::clone(&backlog);
        std::thread::spawn(move || write_queue(o, queued, &backlog))
    };
    lock(clients).push(me);

    let mut buf = vec![0; RELAY_CHUNK];
    let read = loop {
        match i.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => relay(clients, &buf[..n]),
            Err(e) => break Err(e),
        }
        backlog.wait_below_half();
    };
    // Dropping our queue lets the writer send what is left, then close.
    lock(clients).retain(|c| c.id != id);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("writer panicked")));
    drop(i);
    eprintln!("disconnected {peer}");
    // The writer's reason (dropped as too slow) explains the reader's error.
    written.and(read)
}

/// Queues `bytes` for every client; drops those too far behind.
fn relay(clients: &Clients, bytes: &[u8]) {
    let chunk: Arc<[u8]> = Arc::from(bytes);
    lock(clients).retain(|c| c.offer(&chunk));
}

/// Writes a client's queue in order until it is dropped; then closes the
/// connection, or resets it if the client was too slow.
fn write_queue(mut o: TcpWriter, queued: Receiver<Arc<[u8]>>, backlog: &Backlog) -> io::Result<()> {
    for chunk in queued {
        let mut sent = 0;
        while sent < chunk.len() {
            if backlog.dropped() {
                // Also wakes this client's reader, which then ends.
                o.abort()?;
                return Err(io::Error::new(
                    ErrorKind::ConnectionAborted,
                    format!("dropped: more than {CHAT_BACKLOG_LIMIT} bytes behind"),
                ));
            }
            match o.write(&chunk[sent..]) {
                Ok(n) => sent += n,
                // A timed-out write sent nothing; look again whether to go on.
                Err(e) if e.kind() == ErrorKind::TimedOut => {}
                Err(e) => return Err(e),
            }
        }
        backlog.sent(chunk.len());
    }
    o.close()
}

fn lock(clients: &Clients) -> MutexGuard<'_, Vec<Client>> {
    clients.lock().unwrap_or_else(PoisonError::into_inner)
}
