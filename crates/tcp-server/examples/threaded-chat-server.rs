//! Serves chat with tcp-server: greets each client with `connected`, relays
//! every byte any client sends to every connected client (the sender
//! included), and logs connects and disconnects on stderr.
//!
//! Relays are whole lines, so that lines of different senders never
//! interleave; a line longer than `MAX_LINE` (64 KiB, newline included)
//! disconnects its sender, and none of it is relayed. What follows a
//! client's last newline is relayed at its EOF.
//!
//! Each client's writer sits in a shared registry under the client's own
//! lock, with the bytes the kernel would not take yet: a relay appends to
//! it and sends what goes without waiting, so a client that stops reading
//! never stalls the others. One more than `CHAT_BACKLOG_LIMIT` bytes behind,
//! it is dropped (reset). The registry's own lock guards who is connected,
//! never a write. A client's thread reads it, and every `FLUSH_TICK` sends
//! what is still pending for it. (Plain TCP only: a TLS stream could not be
//! written from other threads, and `take_tcp` refuses it.)
//!
//! `cargo run -p tcp-server --example threaded-chat-server -- [--host H]
//! [--port P] [--max-connections N] [--read-timeout MS] [--max-requests N]
//! [--diagnostics [PREFIX]] [--deadline MS]`

mod common;

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use example_support::{CHAT_BACKLOG_LIMIT, CHAT_GREETING, RELAY_CHUNK, complete_lines, parse_args};
use tcp_ports::TcpWriter;
use tcp_server::Connection;

/// How often a client's thread sends what relays could not.
const FLUSH_TICK: Duration = Duration::from_millis(50);
/// How long the last pending bytes may take to go out at disconnect.
const LAST_FLUSH: Duration = Duration::from_secs(1);

struct Client {
    out: Mutex<Out>,
}

struct Out {
    writer: TcpWriter,
    pending: Vec<u8>,
    dropped: bool,
}

impl Client {
    fn lock(&self) -> MutexGuard<'_, Out> {
        self.out.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `bytes` and sends what goes now; drops the client (reset)
    /// when it is too far behind. False once dropped.
    fn offer(&self, bytes: &[u8]) -> bool {
        let mut out = self.lock();
        if out.dropped {
            return false;
        }
        out.pending.extend_from_slice(bytes);
        out.send_some();
        out.dropped
    }

    fn flush(&self) -> bool {
        let mut out = self.lock();
        out.send_some();
        !out.dropped
    }
}

impl Out {
    /// Sends pending bytes until the kernel takes no more (the writer's
    /// timeout is zero: it never waits).
    fn send_some(&mut self) {
        while !self.pending.is_empty() && !self.dropped {
            match self.writer.write(&self.pending) {
                Ok(n) => {
                    self.pending.drain(..n);
                }
                Err(e) if e.kind() == ErrorKind::TimedOut => break,
                Err(_) => self.dropped = true,
            }
        }
        if self.pending.len() > CHAT_BACKLOG_LIMIT {
            self.dropped = true;
            let _ = self.writer.handle().abort();
        }
    }
}

type Clients = Arc<Mutex<HashMap<u64, Arc<Client>>>>;

fn main() {
    let args = parse_args::<common::ThreadedArgs>();
    // Chat clients stay connected as long as they like (unless --deadline
    // says otherwise).
    let builder = common::builder(&args)
        .deadline(args.deadline())
        .idle_timeout(None);
    let read_timeout = args.server.read_timeout;
    let clients: Clients = Arc::default();
    common::serve(&args, builder, move |conn| {
        chat(conn, &clients, read_timeout)
    });
}

fn chat(
    conn: &mut Connection,
    clients: &Clients,
    read_timeout: Option<Duration>,
) -> io::Result<()> {
    let id = conn.id();
    let peer = conn.peer_addr();
    // Waiting for chat is idle: a stop ends the connection at once.
    conn.set_idle(true);
    let Some(tcp) = conn.take_tcp() else {
        return Err(io::Error::other("chat needs a plain TCP connection"));
    };
    let (mut reader, mut writer) = tcp.split();
    writer.set_write_timeout(Some(Duration::ZERO));
    reader.set_read_timeout(Some(FLUSH_TICK));
    let me = Arc::new(Client {
        out: Mutex::new(Out {
            writer,
            // The greeting goes first, before any relay can queue behind it.
            pending: CHAT_GREETING.to_vec(),
            dropped: false,
        }),
    });
    eprintln!("connected {peer}");
    // Registered before the greeting is sent: a client that has read
    // `connected` receives every later message.
    lock(clients).insert(id, Arc::clone(&me));
    me.flush();

    let mut buf = vec![0; RELAY_CHUNK];
    let mut line = Vec::new();
    let mut last_input = Instant::now();
    let result = loop {
        match reader.read(&mut buf) {
            Ok(0) => {
                if !line.is_empty() {
                    relay(clients, &line);
                }
                break Ok(());
            }
            Ok(n) => {
                last_input = Instant::now();
                if let Err(e) = relay_lines(clients, &mut line, &buf[..n]) {
                    break Err(e);
                }
            }
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                if read_timeout.is_some_and(|t| last_input.elapsed() >= t) {
                    break Err(e);
                }
            }
            Err(e) => break Err(e),
        }
        if !me.flush() {
            break Err(io::Error::new(
                ErrorKind::ConnectionAborted,
                format!("dropped: more than {CHAT_BACKLOG_LIMIT} bytes behind"),
            ));
        }
    };
    lock(clients).remove(&id);
    let out = Arc::try_unwrap(me)
        .ok()
        .map(|c| c.out.into_inner().unwrap_or_else(PoisonError::into_inner));
    let closed = match out {
        Some(mut out) if !out.dropped => {
            // What is still pending goes out before the close, within limits.
            out.writer.set_write_timeout(Some(LAST_FLUSH));
            let sent = out.writer.write_all(&out.pending);
            sent.and(out.writer.close())
        }
        _ => Ok(()),
    };
    drop(reader);
    eprintln!("disconnected {peer}");
    result.and(closed)
}

/// Relays the complete lines of what `line` holds (a line's start) and
/// `data` (what was read after it); keeps the rest in `line`.
///
/// # Errors
///
/// `InvalidData` when a line passes `MAX_LINE` bytes (nothing of it is
/// relayed).
fn relay_lines(clients: &Clients, line: &mut Vec<u8>, data: &[u8]) -> io::Result<()> {
    if let Some(lines) = complete_lines(line, data)? {
        relay(clients, &lines);
    }
    Ok(())
}

/// Offers `bytes` to every client; a relay in flight to a client that is
/// leaving may still hold it, which is harmless.
fn relay(clients: &Clients, bytes: &[u8]) {
    let everyone: Vec<(u64, Arc<Client>)> = lock(clients)
        .iter()
        .map(|(id, c)| (*id, Arc::clone(c)))
        .collect();
    for (id, client) in everyone {
        if client.offer(bytes) {
            lock(clients).remove(&id);
        }
    }
}

fn lock(clients: &Clients) -> MutexGuard<'_, HashMap<u64, Arc<Client>>> {
    clients.lock().unwrap_or_else(PoisonError::into_inner)
}
