//! What the `threaded-*` examples share beyond example-support: their extra
//! flags, listening as the arguments say, and running a tcp-server with a
//! clean stop on the first SIGINT/SIGTERM and a forced one on the second.
#![allow(dead_code)] // each example uses its own part

pub mod tls;

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use example_support::{ExitOnError, announce};
use tcp_ports::ListenOptions;
use tcp_server::{Connection, Diagnostics, ServerBuilder};

/// Echo: writes back every byte it reads, in order, until the client's
/// EOF. Waiting for the next bytes is idle: a stop ends the connection once
/// what came has been echoed.
pub fn echo(conn: &mut Connection) -> io::Result<()> {
    let mut buf = vec![0; example_support::RELAY_CHUNK];
    loop {
        conn.set_idle(true);
        let n = conn.read(&mut buf)?;
        conn.set_idle(false);
        if n == 0 {
            return Ok(());
        }
        conn.write_all(&buf[..n])?;
        // A TLS stream holds what it encrypted until flushed; plain TCP
        // has nothing left to flush by then.
        conn.flush()?;
    }
}

/// The flags of the example servers of both server layers.
pub type ThreadedArgs = example_support::ModelServerArgs;

/// The builder the arguments describe, for a handler-specific finish.
pub fn builder(args: &ThreadedArgs) -> ServerBuilder {
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
pub fn serve<H>(args: &ThreadedArgs, builder: ServerBuilder, handler: H) -> !
where
    H: Fn(&mut Connection) -> io::Result<()> + Send + Sync + 'static,
{
    let a = &args.server;
    let listener = ListenOptions::new(a.port)
        .host(a.host.as_str())
        .listen()
        .or_exit(format_args!("cannot listen on {}:{}", a.host, a.port));
    let addr = listener.local_addr();
    let budget = a.max_connections;
    let stopper: Arc<std::sync::OnceLock<tcp_server::ServerHandle>> = Arc::default();
    let served = AtomicU64::new(0);
    let handler = {
        let stopper = Arc::clone(&stopper);
        move |conn: &mut Connection| {
            let result = handler(conn);
            let n = served.fetch_add(1, Ordering::SeqCst) + 1;
            if budget.is_some_and(|limit| n >= limit) {
                if let Some(handle) = stopper.get() {
                    handle.stop();
                }
            }
            result
        }
    };
    let server = builder
        .build(listener, handler)
        .or_exit("cannot start the server");
    let handle = server.handle();
    let _ = stopper.set(handle.clone());
    stop_on_signals(handle);
    announce(addr);
    server.run().or_exit("server failed");
    let _ = io::stdout().flush();
    std::process::exit(0)
}

/// First SIGINT/SIGTERM: stop gracefully; second: force.
fn stop_on_signals(handle: tcp_server::ServerHandle) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .or_exit("cannot handle SIGINT/SIGTERM");
    std::thread::spawn(move || {
        let mut received = signals.forever();
        if received.next().is_some() {
            handle.stop();
        }
        if received.next().is_some() {
            handle.force();
        }
    });
}
