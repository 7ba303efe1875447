//! What the `async-*` examples share beyond example-support: their extra
//! flags, the runtime, listening as the arguments say, serving with a clean
//! stop on the first SIGINT/SIGTERM and a forced one on the second, and the
//! clients' connect.
#![allow(dead_code)] // each example uses its own part

use std::future::Future;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use example_support::{ClientArgs, ExitOnError, announce, usage_exit};
use tcp_ports::{ListenOptions, Target, TcpConfig};
use tcp_server_async::{Diagnostics, Input, Output, Peer, ServerBuilder, ServerHandle};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

pub mod tls;

/// The flags of the example servers of both server layers.
pub type AsyncArgs = example_support::ModelServerArgs;

/// Echo: writes back every byte it reads, in order, until the client's
/// EOF. Waiting for the next bytes is idle: a stop ends the connection once
/// what came has been echoed.
///
/// An `async` block rather than an `async fn`: an `async fn` keeps both its
/// arguments and their moved copies in its future (rust-lang/rust#62958),
/// here some 380 bytes more in every connection's task.
#[expect(clippy::manual_async_fn, reason = "the state an async fn would keep")]
pub fn echo(mut input: Input, mut output: Output) -> impl Future<Output = io::Result<()>> + Send {
    async move {
        input.set_idle(true);
        // Each write is a whole chunk, flushed at once: gathering it first
        // in the output's buffer would only copy it.
        output.set_output_buffer(0);
        loop {
            let data = input.fill_buf().await?;
            if data.is_empty() {
                return Ok(());
            }
            output.write_all(data).await?;
            let n = data.len();
            input.consume(n);
            // Over TLS too: the stream holds what it encrypted until flushed.
            output.flush().await?;
        }
    }
}

/// A chat through a broadcast channel, at its simplest (no per-client
/// backlog, unlike `async-chat-server`): greets with `connected`, sends
/// what the client writes to everyone, and everything sent to the client.
/// Waiting for either is idle. (An `async` block: see `echo`.)
#[expect(clippy::manual_async_fn, reason = "the state an async fn would keep")]
pub fn relay_chat(
    mut input: Input,
    mut output: Output,
    relay: tokio::sync::broadcast::Sender<Arc<[u8]>>,
) -> impl Future<Output = io::Result<()>> + Send {
    async move {
        let mut inbox = relay.subscribe();
        // Each write is a whole line, flushed at once (see `echo`).
        output.set_output_buffer(0);
        output.write_all(b"connected\n").await?;
        output.flush().await?;
        input.set_idle(true);
        loop {
            tokio::select! {
                data = input.fill_buf() => {
                    let data = data?;
                    if data.is_empty() { return Ok(()) }
                    let chunk: Arc<[u8]> = Arc::from(data);
                    input.consume(chunk.len());
                    let _ = relay.send(chunk);
                }
                m = inbox.recv() => match m {
                    Ok(m) => { output.write_all(&m).await?; output.flush().await?; }
                    Err(_) => return Ok(()),
                },
            }
        }
    }
}

/// The multi-thread runtime every example runs on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .or_exit("cannot start the tokio runtime")
}

/// The builder the arguments describe, for a handler-specific finish.
pub fn builder(args: &AsyncArgs) -> ServerBuilder {
    let mut builder = ServerBuilder::new()
        .max_requests(args.max_requests())
        .diagnostics(Diagnostics::from_arg(args.diagnostics.as_deref()));
    if let Some(timeout) = args.server.read_timeout {
        builder = builder.idle_timeout(Some(timeout));
    }
    if let Some(deadline) = args.deadline() {
        builder = builder.deadline(Some(deadline));
    }
    builder
}

/// Listens, announces `listening on ADDR`, and serves with `handler` until
/// SIGINT/SIGTERM (graceful; a second one forces) or `--max-connections`
/// connections; exits 0 after a clean stop, 1 (with a one-line message) if
/// the server fails.
pub fn serve<H, F>(args: &AsyncArgs, builder: ServerBuilder, handler: H) -> !
where
    H: Fn(Input, Output, Peer) -> F + Send + Sync + 'static,
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    let a = &args.server;
    let listener = ListenOptions::new(a.port)
        .host(a.host.as_str())
        .listen()
        .or_exit(format_args!("cannot listen on {}:{}", a.host, a.port));
    let addr = listener.local_addr();
    let budget = a.max_connections;
    let runtime = runtime();
    runtime.block_on(async move {
        let stopper: Arc<std::sync::OnceLock<ServerHandle>> = Arc::default();
        let served = Arc::new(AtomicU64::new(0));
        let handler = Arc::new(handler);
        let counted = {
            let stopper = Arc::clone(&stopper);
            move |i: Input, o: Output, p: Peer| {
                let (handler, stopper, served) = (
                    Arc::clone(&handler),
                    Arc::clone(&stopper),
                    Arc::clone(&served),
                );
                async move {
                    let result = handler(i, o, p).await;
                    let n = served.fetch_add(1, Ordering::SeqCst) + 1;
                    if budget.is_some_and(|limit| n >= limit) {
                        if let Some(handle) = stopper.get() {
                            handle.stop();
                        }
                    }
                    result
                }
            }
        };
        let server = builder
            .build(listener, counted)
            .or_exit("cannot start the server");
        let handle = server.handle();
        let _ = stopper.set(handle.clone());
        stop_on_signals(handle);
        announce(addr);
        server.run().await.or_exit("server failed");
    });
    let _ = io::stdout().flush();
    std::process::exit(0)
}

/// First SIGINT/SIGTERM: stop gracefully; second: force.
fn stop_on_signals(handle: ServerHandle) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).or_exit("cannot handle SIGINT");
    let mut term = signal(SignalKind::terminate()).or_exit("cannot handle SIGTERM");
    tokio::spawn(async move {
        for _ in 0..2 {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            match handle.is_stopped() {
                false => handle.stop(),
                true => handle.force(),
            }
        }
    });
}

/// Sends `line` and its newline at once (written, then flushed), or exits
/// naming the server at `args.addr`.
pub async fn send_line(output: &mut Output, line: &str, args: &ClientArgs) {
    let sent = async {
        output.write_all(format!("{line}\n").as_bytes()).await?;
        output.flush().await
    };
    sent.await.or_exit(format_args!("write to {}", args.addr));
}

/// The clients' `--addr`, parsed (exit 2 when it is not `HOST:PORT`), and
/// a connection to it (exit 1 naming the address when it fails).
pub async fn connect(args: &ClientArgs, config: &TcpConfig) -> (Input, Output) {
    let target =
        Target::parse(&args.addr).unwrap_or_else(|e| usage_exit(format!("error: --addr: {e}")));
    tcp_server_async::connect_with(target, config)
        .await
        .or_exit(format_args!("cannot connect to {}", args.addr))
}
