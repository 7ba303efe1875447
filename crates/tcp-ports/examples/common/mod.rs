//! What the `ports-*` examples share beyond example-support: listening as
//! `ServerArgs` say, the accept loop over tcp-ports' listener, and connecting to `--addr` with the exit codes of
//! `shared/scenarios.md`.
#![allow(dead_code)] // each example uses its own part

use std::io;

use example_support::{ClientArgs, ExitOnError, ServerArgs, announce, serve_each, usage_exit};
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

/// Accepts connections and runs `handle` on each in its own thread, until
/// `--max-connections` have been accepted and served (or forever), with
/// example-support's accept loop (per-connection errors skipped, others
/// backed off). A connection's failure is logged and ends only it.
pub fn serve<F>(listener: TcpListener, max_connections: Option<u64>, handle: F)
where
    F: Fn(TcpReader, TcpWriter) -> io::Result<()> + Send + Sync + 'static,
{
    let accept = || {
        listener.accept().map(|(r, w)| {
            let peer = r.peer_addr();
            ((r, w), peer)
        })
    };
    serve_each(accept, max_connections, move |(r, w)| handle(r, w)).or_exit("accept");
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
