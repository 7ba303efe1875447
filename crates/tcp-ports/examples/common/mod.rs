//! What the `ports-*` examples share beyond example-support: listening as
//! `ServerArgs` say, a thread-per-connection accept loop over tcp-ports'
//! listener, and connecting to `--addr` with the examples' exit codes.
#![allow(dead_code)] // each example uses its own part

use std::io;
use std::sync::Arc;
use std::thread;

use example_support::{ClientArgs, ExitOnError, ServerArgs, announce, usage_exit};
use tcp_ports::{
    AcceptBackoff, AcceptErrorClass, ListenOptions, Target, TcpConfig, TcpListener, TcpReader,
    TcpWriter, classify_accept_error,
};

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

/// Accepts connections and runs `handle` on each in a thread of its own;
/// with `max_connections`, stops after that many and waits for their
/// handlers. A connection's failure is logged and ends only it. Accept
/// errors follow tcp-ports' one policy ([`classify_accept_error`]): the
/// connection's own trouble is skipped, running out of descriptors or
/// memory is backed off ([`AcceptBackoff`]), and an unusable listener
/// exits 1.
pub fn serve<F>(listener: TcpListener, max_connections: Option<u64>, handle: F)
where
    F: Fn(TcpReader, TcpWriter) -> io::Result<()> + Send + Sync + 'static,
{
    let handle = Arc::new(handle);
    let mut handlers = Vec::new();
    let mut accepted = 0;
    let mut backoff = AcceptBackoff::new();
    while max_connections.is_none_or(|max| accepted < max) {
        let (i, o) = match listener.accept() {
            Ok(ports) => ports,
            Err(e) => {
                match classify_accept_error(&e) {
                    AcceptErrorClass::PerConnection => {}
                    AcceptErrorClass::ResourceExhausted => {
                        let pause = backoff.next_delay();
                        eprintln!("{e}; accepting again in {pause:?}");
                        thread::sleep(pause);
                    }
                    _ => Err::<(), _>(e).or_exit("accept"),
                }
                continue;
            }
        };
        backoff.reset();
        accepted += 1;
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
