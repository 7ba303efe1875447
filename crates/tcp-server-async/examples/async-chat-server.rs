//! Serves chat with tcp-server-async: greets each client with `connected`,
//! relays every byte any client sends to every connected client (the
//! sender included), and logs connects and disconnects on stderr.
//!
//! Relays are whole lines, so that lines of different senders never
//! interleave; a line longer than `MAX_LINE` (64 KiB, newline included)
//! disconnects its sender, and none of it is relayed. What follows a
//! client's last newline is relayed at its EOF.
//!
//! Relays go through one broadcast channel of `CHANNEL_CAPACITY` chunks,
//! shared by every client: a send never waits, so a client that stops
//! reading never stalls the others, and memory never grows past the
//! channel. A client more than `CHAT_BACKLOG_LIMIT` bytes (1 MiB) or a
//! whole channel behind is disconnected (reset): when it receives, or
//! when, stuck writing to it, the server sees the others run ahead.
//!
//! `cargo run -p tcp-server-async --example async-chat-server -- [--host H]
//! [--port P] [--max-connections N] [--read-timeout MS] [--max-requests N]
//! [--diagnostics [PREFIX]] [--deadline MS]`

mod common;

use std::io::{self, ErrorKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use example_support::{CHAT_BACKLOG_LIMIT, CHAT_GREETING, RELAY_CHUNK, complete_lines, parse_args};
use tcp_server_async::{Input, Output, Peer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::broadcast::{self, Sender, error::RecvError};

/// The chunks the channel holds: a client further behind is dropped.
const CHANNEL_CAPACITY: usize = CHAT_BACKLOG_LIMIT / 1024;
/// How often a write that cannot proceed looks whether its client fell too
/// far behind.
const STALL_CHECK: Duration = Duration::from_millis(50);

fn main() {
    let args = parse_args::<common::AsyncArgs>();
    // Chat clients stay connected as long as they like (unless
    // --read-timeout or --deadline says otherwise).
    let mut builder = common::builder(&args).deadline(args.deadline());
    if args.server.read_timeout.is_none() {
        builder = builder.idle_timeout(None);
    }
    let (sender, _) = broadcast::channel::<Chunk>(CHANNEL_CAPACITY);
    let relay = Relay {
        sender,
        sent: Arc::new(AtomicU64::new(0)),
    };
    common::serve(&args, builder, move |input, output, peer| {
        chat(input, output, peer, relay.clone())
    });
}

/// Bytes relayed, with the count of all bytes relayed up to their end.
#[derive(Clone)]
struct Chunk {
    bytes: Arc<[u8]>,
    end: u64,
}

/// The channel, and how many bytes went into it: how far behind a client
/// is, in bytes, is `sent` less what it has delivered.
#[derive(Clone)]
struct Relay {
    sender: Sender<Chunk>,
    sent: Arc<AtomicU64>,
}

impl Relay {
    fn send(&self, bytes: Arc<[u8]>) {
        let end = self.sent.fetch_add(bytes.len() as u64, Ordering::AcqRel) + bytes.len() as u64;
        // Fails only when nobody listens, and the sender does.
        let _ = self.sender.send(Chunk { bytes, end });
    }

    /// Relays the complete lines of what `line` holds (a line's start) and
    /// `data` (what was read after it); keeps the rest in `line`.
    ///
    /// # Errors
    ///
    /// `InvalidData` when a line passes `MAX_LINE` bytes (nothing of it is
    /// relayed).
    fn send_lines(&self, line: &mut Vec<u8>, data: &[u8]) -> io::Result<()> {
        if let Some(lines) = complete_lines(line, data)? {
            self.send(Arc::from(&*lines));
        }
        Ok(())
    }

    /// Fails when a client that has delivered everything up to `delivered`
    /// is too far behind the others.
    fn check(&self, delivered: u64) -> io::Result<()> {
        let behind = self.sent.load(Ordering::Acquire).saturating_sub(delivered);
        match behind > CHAT_BACKLOG_LIMIT as u64 {
            true => Err(too_slow(behind)),
            false => Ok(()),
        }
    }
}

async fn chat(mut input: Input, mut output: Output, peer: Peer, relay: Relay) -> io::Result<()> {
    let addr = peer.peer_addr();
    // Subscribed before the greeting: nothing sent after it is missed.
    let mut inbox = relay.sender.subscribe();
    eprintln!("connected {addr}");
    let result = async {
        output.write_all(CHAT_GREETING).await?;
        output.flush().await?;
        // Waiting for chat is idle: a stop ends the connection at once.
        input.set_idle(true);
        // The start of a line whose end has not come yet.
        let mut line = Vec::new();
        loop {
            tokio::select! {
                data = input.fill_buf() => {
                    let data = data?;
                    if data.is_empty() {
                        if !line.is_empty() {
                            relay.send(Arc::from(line));
                        }
                        return Ok(());
                    }
                    let n = data.len().min(RELAY_CHUNK);
                    let sent = relay.send_lines(&mut line, &data[..n]);
                    input.consume(n);
                    sent?;
                }
                chunk = inbox.recv() => match chunk {
                    Ok(chunk) => {
                        let start = chunk.end - chunk.bytes.len() as u64;
                        relay.check(start)?;
                        deliver(&mut output, &relay, start, &chunk.bytes).await?;
                    }
                    Err(RecvError::Lagged(n)) => return Err(too_slow_chunks(n)),
                    Err(RecvError::Closed) => return Ok(()),
                },
            }
        }
    }
    .await;
    eprintln!("disconnected {addr}");
    result
}

/// Writes one chunk, which starts `start` bytes into the relay; gives up
/// when the client falls too far behind while the write waits.
async fn deliver(output: &mut Output, relay: &Relay, start: u64, chunk: &[u8]) -> io::Result<()> {
    let mut check = tokio::time::interval(STALL_CHECK);
    let write = async {
        output.write_all(chunk).await?;
        output.flush().await
    };
    tokio::pin!(write);
    loop {
        tokio::select! {
            written = &mut write => return written,
            _ = check.tick() => relay.check(start)?,
        }
    }
}

fn too_slow(behind: u64) -> io::Error {
    io::Error::new(
        ErrorKind::ConnectionAborted,
        format!("dropped: {behind} bytes behind (at most {CHAT_BACKLOG_LIMIT})"),
    )
}

fn too_slow_chunks(behind: u64) -> io::Error {
    io::Error::new(
        ErrorKind::ConnectionAborted,
        format!("dropped: {behind} chunks behind (at most {CHANNEL_CAPACITY})"),
    )
}
