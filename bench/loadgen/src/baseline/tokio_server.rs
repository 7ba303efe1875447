//! The minimal tokio server: a task per connection on the multi-threaded
//! runtime, `tokio::io::copy` for echo, a broadcast channel for chat.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

use super::{
    BaselineArgs, CHAT_BACKLOG, CHAT_GREETING, HELLO, MAX_LINE, announce, daytime_line, listen,
};
use crate::scenario::Scenario;

/// Serves `args.scenario` until killed.
///
/// Scheme: none.
///
/// # Errors
///
/// Building the runtime, binding the address.
pub fn serve(args: &BaselineArgs) -> io::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let std_listener = listen(args.addr())?;
        std_listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(std_listener)?;
        announce(listener.local_addr()?);
        // Chunks, not lines: chat relays bytes. Its capacity bounds what a
        // slow client can owe: past it, the client lags and is dropped.
        let (chat, _) = broadcast::channel::<Arc<[u8]>>(CHAT_BACKLOG / 1024);
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                // A connection that failed before accept (reset, no
                // descriptors): skip it, the listener is fine.
                Err(_) => {
                    tokio::task::yield_now().await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let scenario = args.scenario;
            let chat = chat.clone();
            tokio::spawn(async move {
                // A failed connection is the client's business.
                let _ = handle(stream, scenario, chat).await;
            });
        }
    })
}

async fn handle(
    mut stream: TcpStream,
    scenario: Scenario,
    chat: broadcast::Sender<Arc<[u8]>>,
) -> io::Result<()> {
    match scenario {
        Scenario::Daytime => stream.write_all(&daytime_line()).await?,
        Scenario::Hello => {
            let (r, mut w) = stream.split();
            w.write_all(HELLO).await?;
            let mut line = Vec::new();
            BufReader::new(r)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut line)
                .await?;
        }
        Scenario::Echo => {
            let (mut r, mut w) = stream.split();
            tokio::io::copy(&mut r, &mut w).await?;
        }
        Scenario::Chat => {
            let mut inbox = chat.subscribe();
            stream.write_all(CHAT_GREETING).await?;
            let (mut r, mut w) = stream.split();
            let mut buf = vec![0; 16 * 1024];
            loop {
                tokio::select! {
                    n = r.read(&mut buf) => match n? {
                        0 => break,
                        n => { let _ = chat.send(Arc::from(&buf[..n])); }
                    },
                    chunk = inbox.recv() => match chunk {
                        Ok(chunk) => w.write_all(&chunk).await?,
                        // Lagged: it fell too far behind; dropped.
                        Err(_) => break,
                    },
                }
            }
        }
    }
    stream.shutdown().await
}
