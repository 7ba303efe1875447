//! What the `ports-*` examples share beyond example-support: listening as
//! `ServerArgs` say, the accept loop (a thread per connection, up to
//! `--max-connections`), and connecting to `--addr` with the exit codes of
//! `shared/scenarios.md`.
#![allow(dead_code)] // each example uses its own part

use std::io;
use std::thread::JoinHandle;

use example_support::{ClientArgs, ConnectionBudget, ExitOnError, ServerArgs, announce};
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
/// `--max-connections` have been accepted and served (or forever). A
/// connection's failure is logged on stderr and ends only that connection.
pub fn serve<F>(listener: TcpListener, max_connections: Option<u64>, handle: F)
where
    F: Fn(TcpReader, TcpWriter) -> io::Result<()> + Send + Sync + Clone + 'static,
{
    let budget = ConnectionBudget::new(max_connections);
    let mut running: Vec<JoinHandle<()>> = Vec::new();
    loop {
        let (r, w) = match listener.accept() {
            Ok(ports) => ports,
            // The client gave up before we took it: nothing to serve.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e) => Err::<(TcpReader, TcpWriter), _>(e).or_exit("accept"),
        };
        let last = budget.take();
        let peer = r.peer_addr();
        let handle = handle.clone();
        running.retain(|t| !t.is_finished());
        running.push(std::thread::spawn(move || {
            if let Err(e) = handle(r, w) {
                eprintln!("connection from {peer}: {e}");
            }
        }));
        if last {
            break;
        }
    }
    for t in running {
        let _ = t.join();
    }
}

/// The `--addr` target, or exit 2 (a bad argument) saying why.
pub fn target(args: &ClientArgs) -> Target {
    args.addr.parse().unwrap_or_else(|e| {
        eprintln!("bad --addr: {e}");
        std::process::exit(2)
    })
}

/// Connects to `--addr` with `config`, or exits 1 naming the address and
/// the cause.
pub fn connect(args: &ClientArgs, config: &TcpConfig) -> (TcpReader, TcpWriter) {
    let target = target(args);
    tcp_ports::connect_with(&target, config).or_exit("cannot connect")
}
