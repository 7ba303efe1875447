//! Serves chat with tcp-server-async: greets each client with `connected`,
//! relays every byte any client sends to every connected client (the
//! sender included), and logs connects and disconnects on stderr.
//!
//! Relays go through one broadcast channel of `CHANNEL_CAPACITY` chunks,
//! shared by every client: a send never waits, so a client that stops
//! reading never stalls the others, and memory never grows past the
//! channel. A client more than `CHANNEL_CAPACITY` chunks behind is
//! disconnected (reset): when its receiver lags, or when, stuck writing to
//! it, the server sees the channel fill up behind it.
//!
//! `cargo run -p tcp-server-async --example async-chat-server -- [--host H]
//! [--port P] [--max-connections N] [--read-timeout MS] [--max-requests N]
//! [--diagnostics [PREFIX]]`

mod common;

use std::io::{self, ErrorKind};
use std::sync::Arc;
use std::time::Duration;

use example_support::{CHAT_BACKLOG_LIMIT, CHAT_GREETING, RELAY_CHUNK, parse_args};
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
    // --read-timeout says otherwise).
    let mut builder = common::builder(&args).deadline(None);
    if args.server.read_timeout.is_none() {
        builder = builder.idle_timeout(None);
    }
    let (relay, _) = broadcast::channel::<Arc<[u8]>>(CHANNEL_CAPACITY);
    common::serve(&args, builder, move |input, output, peer| {
        chat(input, output, peer, relay.clone())
    });
}

async fn chat(
    mut input: Input,
    mut output: Output,
    peer: Peer,
    relay: Sender<Arc<[u8]>>,
) -> io::Result<()> {
    let addr = peer.peer_addr();
    // Subscribed before the greeting: nothing sent after it is missed.
    let mut inbox = relay.subscribe();
    eprintln!("connected {addr}");
    let result = async {
        output.write_all(CHAT_GREETING).await?;
        output.flush().await?;
        // Waiting for chat is idle: a stop ends the connection at once.
        input.set_idle(true);
        loop {
            tokio::select! {
                data = input.fill_buf() => {
                    let data = data?;
                    if data.is_empty() {
                        return Ok(());
                    }
                    let chunk: Arc<[u8]> = Arc::from(&data[..data.len().min(RELAY_CHUNK)]);
                    input.consume(chunk.len());
                    // Fails only when nobody listens, and we do.
                    let _ = relay.send(chunk);
                }
                chunk = inbox.recv() => match chunk {
                    Ok(chunk) => deliver(&mut output, &inbox, &chunk).await?,
                    Err(RecvError::Lagged(n)) => return Err(too_slow(n)),
                    Err(RecvError::Closed) => return Ok(()),
                },
            }
        }
    }
    .await;
    eprintln!("disconnected {addr}");
    result
}

/// Writes one chunk; gives up when the client falls a whole channel
/// behind while the write waits.
async fn deliver(
    output: &mut Output,
    inbox: &broadcast::Receiver<Arc<[u8]>>,
    chunk: &[u8],
) -> io::Result<()> {
    let mut check = tokio::time::interval(STALL_CHECK);
    let write = async {
        output.write_all(chunk).await?;
        output.flush().await
    };
    tokio::pin!(write);
    loop {
        tokio::select! {
            written = &mut write => return written,
            _ = check.tick() => {
                if inbox.len() >= CHANNEL_CAPACITY {
                    return Err(too_slow(inbox.len() as u64));
                }
            }
        }
    }
}

fn too_slow(behind: u64) -> io::Error {
    io::Error::new(
        ErrorKind::ConnectionAborted,
        format!("dropped: {behind} chunks behind (at most {CHANNEL_CAPACITY})"),
    )
}
