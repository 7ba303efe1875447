//! What the `ports-*` examples share beyond example-support: listening as
//! `ServerArgs` say, a thread-per-connection accept loop over tcp-ports'
//! listener, and connecting to `--addr` with the examples' exit codes.
#![allow(dead_code)] // each example uses its own part

use std::io;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use example_support::{ClientArgs, ExitOnError, ServerArgs, announce, usage_exit};
use tcp_ports::{ListenOptions, Target, TcpConfig, TcpListener, TcpReader, TcpWriter};

/// Listens on `--host`/`--port`, prints `listening on ADDR`, and makes
/// SIGINT/SIGTERM end the process cleanly. Connections get `config`.
pub fn listen(args: &ServerArgs, config: TcpConfig) -> TcpListener {
    example_support::exit_cleanly_on_signals();
    let listener = ListenOptions::new(args.port)
        .host(args.host.as_str())
        .config(config)
        .listen()
        .or_exit(format_args!("cannot listen on {}:{}", args.host, args.port));
    announce(listener.local_addr());
    listener
}

/// The configuration of a server's connections: CHICKEN's defaults, with
/// `--read-timeout` if given.
pub fn server_config(args: &ServerArgs) -> TcpConfig {
    match args.read_timeout {
        Some(t) => TcpConfig::new().with_read_timeout(Some(t)),
        None => TcpConfig::new(),
    }
}

/// The longest pause after running out of descriptors or memory.
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// Accepts connections and runs `handle` on each in a thread of its own;
/// with `max_connections`, stops after that many and waits for their
/// handlers. A connection's failure is logged and ends only it. Exits 1 if
/// the listener becomes unusable.
pub fn serve<F>(listener: TcpListener, max_connections: Option<u64>, handle: F)
where
    F: Fn(TcpReader, TcpWriter) -> io::Result<()> + Send + Sync + 'static,
{
    let handle = Arc::new(handle);
    let mut handlers = Vec::new();
    let (mut accepted, mut pause) = (0, Duration::ZERO);
    while max_connections.is_none_or(|max| accepted < max) {
        let (i, o) = match listener.accept() {
            Ok(ports) => ports,
            Err(e) => {
                match e.kind() {
                    // The connection's own trouble (reset or aborted before
                    // we took it, refused by a firewall), a signal, or an
                    // accept timeout.
                    io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::PermissionDenied
                    | io::ErrorKind::Interrupted
                    | io::ErrorKind::TimedOut => {}
                    // Not listening: nothing will ever come.
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported => {
                        Err::<(), _>(e).or_exit("accept")
                    }
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
        let peer = i.peer_addr();
        let handle = Arc::clone(&handle);
        let spawned = thread::Builder::new().spawn(move || {
            if let Err(e) = handle(i, o) {
                eprintln!("connection from {peer}: {e}");
            }
        });
        match spawned {
            Ok(handler) => handlers.push(handler),
            // The ports went with the closure and are closed.
            Err(e) => eprintln!("connection from {peer}: no thread for it: {e}"),
        }
        // Forget finished handlers, so a long run does not collect them.
        handlers.retain(|h| !h.is_finished());
    }
    for h in handlers {
        let _ = h.join();
    }
}

/// The `--addr` target, or exit 2 (a bad argument) saying why.
pub fn target(args: &ClientArgs) -> Target {
    args.addr
        .parse()
        .unwrap_or_else(|e| usage_exit(format_args!("error: invalid --addr {:?}: {e}", args.addr)))
}

/// Connects to `--addr` with `config`, or exits 1 naming the address and
/// the cause.
pub fn connect(args: &ClientArgs, config: &TcpConfig) -> (TcpReader, TcpWriter) {
    let target = target(args);
    tcp_ports::connect_with(&target, config).or_exit("cannot connect")
}
