//! Serves chat: greets each client with `connected`, relays every byte any
//! client sends to every connected client (the sender included), and logs
//! connects and disconnects on stderr.
//!
//! A thread reads each client; what it reads goes into every client's own
//! queue, which a writer thread per client empties. No queue holds more
//! than `CHAT_BACKLOG_LIMIT` bytes: a sender waits until every client has
//! room for what it read, so talkers go at the pace of the slowest reader.
//! A client that stops reading (its queue full and nothing of it sent for
//! `STALLED`) is disconnected (reset), so it holds up the others only that
//! long and cannot grow the server without bound.
//!
//! `cargo run -p tcp-ports --example ports-chat-server -- [--host H] [--port P]
//! [--max-connections N] [--read-timeout MS]`

mod common;

use std::io::{self, ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use example_support::{CHAT_BACKLOG_LIMIT, CHAT_GREETING, RELAY_CHUNK, ServerArgs, parse_args};
use tcp_ports::{TcpConfig, TcpReader, TcpWriter};

/// How long a client's queue may stay full with nothing of it sent before
/// the client counts as having stopped reading. Long enough for a reader
/// that a loaded machine did not schedule for a moment.
const STALLED: Duration = Duration::from_secs(2);

/// How often a writer stuck on a client that does not read, and a sender
/// waiting for room, look again.
const STUCK_CHECK: Duration = Duration::from_millis(100);

/// One connected client, as the senders see it.
struct Client {
    id: u64,
    queue: Sender<Arc<[u8]>>,
    /// Bytes queued and not yet sent.
    queued: usize,
    /// When some of its queue was last sent, or when the queue last
    /// started filling.
    progress: Instant,
    /// Set when it is disconnected as stalled; its writer then resets it.
    dropped: Arc<AtomicBool>,
}

/// Every client, and a signal for senders waiting for room.
#[derive(Default)]
struct Chat {
    clients: Mutex<Vec<Client>>,
    room: Condvar,
}

impl Chat {
    fn lock(&self) -> MutexGuard<'_, Vec<Client>> {
        self.clients.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `chunk` for every client once all have room for it, first
    /// dropping those that stopped reading.
    fn relay(&self, chunk: &[u8]) {
        let chunk: Arc<[u8]> = Arc::from(chunk);
        let mut clients = self.lock();
        loop {
            let now = Instant::now();
            clients.retain(|c| {
                let full = c.queued + chunk.len() > CHAT_BACKLOG_LIMIT;
                let stalled = full && now.duration_since(c.progress) >= STALLED;
                if stalled {
                    c.dropped.store(true, Ordering::SeqCst);
                }
                !stalled
            });
            if clients
                .iter()
                .all(|c| c.queued + chunk.len() <= CHAT_BACKLOG_LIMIT)
            {
                break;
            }
            clients = self
                .room
                .wait_timeout(clients, STUCK_CHECK)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        for c in clients.iter_mut() {
            offer(c, &chunk);
        }
    }

    /// Counts `n` bytes of client `id`'s queue as sent.
    fn sent(&self, id: u64, n: usize) {
        if let Some(c) = self.lock().iter_mut().find(|c| c.id == id) {
            c.queued = c.queued.saturating_sub(n);
            c.progress = Instant::now();
        }
        self.room.notify_all();
    }

    fn remove(&self, id: u64) {
        self.lock().retain(|c| c.id != id);
        self.room.notify_all();
    }
}

fn offer(c: &mut Client, chunk: &Arc<[u8]>) {
    if c.queued == 0 {
        c.progress = Instant::now();
    }
    c.queued += chunk.len();
    // A writer that already ended has closed the connection itself.
    let _ = c.queue.send(Arc::clone(chunk));
}

fn main() {
    let args = parse_args::<ServerArgs>();
    // A chat client may listen without talking: no read timeout unless asked.
    let config = TcpConfig::new().with_read_timeout(args.read_timeout);
    let l = common::listen(&args, config);
    let chat = Arc::new(Chat::default());
    let next_id = AtomicU64::new(0);
    common::serve(l, args.max_connections, move |i, o| {
        chat_with(next_id.fetch_add(1, Ordering::Relaxed), i, o, &chat)
    });
}

fn chat_with(id: u64, mut i: TcpReader, mut o: TcpWriter, chat: &Arc<Chat>) -> io::Result<()> {
    let peer = i.peer_addr();
    eprintln!("connected {peer}");
    o.set_write_timeout(Some(STUCK_CHECK));
    let (queue, queued) = mpsc::channel();
    let dropped = Arc::new(AtomicBool::new(false));
    let mut me = Client {
        id,
        queue,
        queued: 0,
        progress: Instant::now(),
        dropped: Arc::clone(&dropped),
    };
    offer(&mut me, &Arc::from(CHAT_GREETING));
    // In the chat before the greeting can reach the client: whatever is
    // said once it has seen `connected` is relayed to it.
    chat.lock().push(me);
    let writer = {
        let chat = Arc::clone(chat);
        thread::Builder::new().spawn(move || write_queue(id, o, queued, &dropped, &chat))
    };
    let writer = match writer {
        Ok(w) => w,
        Err(e) => {
            chat.remove(id);
            return Err(e);
        }
    };

    let mut buf = vec![0; RELAY_CHUNK];
    let read = loop {
        match i.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => chat.relay(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    // Dropping our queue lets the writer send what is left, then close.
    chat.remove(id);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("writer panicked")));
    drop(i);
    eprintln!("disconnected {peer}");
    // The writer's reason (dropped as stalled) explains the reader's error.
    written.and(read)
}

/// Writes a client's queue in order until its reader leaves; then closes
/// the connection, or resets it if the client was dropped as stalled.
fn write_queue(
    id: u64,
    o: TcpWriter,
    queued: Receiver<Arc<[u8]>>,
    dropped: &AtomicBool,
    chat: &Chat,
) -> io::Result<()> {
    let written = write_each(id, o, queued, dropped, chat);
    if written.is_err() {
        // Nothing more reaches this client: senders must not wait for it.
        chat.remove(id);
    }
    written
}

fn write_each(
    id: u64,
    mut o: TcpWriter,
    queued: Receiver<Arc<[u8]>>,
    dropped: &AtomicBool,
    chat: &Chat,
) -> io::Result<()> {
    let stalled = || {
        io::Error::new(
            ErrorKind::ConnectionAborted,
            format!(
                "dropped: stopped reading ({CHAT_BACKLOG_LIMIT} bytes queued, none sent for {STALLED:?})"
            ),
        )
    };
    for chunk in queued {
        let mut sent = 0;
        while sent < chunk.len() {
            if dropped.load(Ordering::SeqCst) {
                // Also wakes this client's reader, which then ends.
                o.abort()?;
                return Err(stalled());
            }
            match o.write(&chunk[sent..]) {
                Ok(n) => {
                    sent += n;
                    chat.sent(id, n);
                }
                // A timed-out write sent nothing; look again whether to go on.
                Err(e) if e.kind() == ErrorKind::TimedOut => {}
                Err(e) => return Err(e),
            }
        }
    }
    if dropped.load(Ordering::SeqCst) {
        o.abort()?;
        return Err(stalled());
    }
    o.close()
}
