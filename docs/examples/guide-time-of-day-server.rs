//! The tcp-server egg's example, a time-of-day server, ported: every client
//! gets one line with the local time, from a thread of the server's pool,
//! with a diagnostic line per request on standard error.
//!
//! `guide-time-of-day-server [--host H] [--port P]` (default
//! 127.0.0.1:6504). It serves until killed.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use tcp_server::{Diagnostics, ServerBuilder};

/// The egg's time-of-day server.
#[derive(Debug, Parser)]
struct Args {
    /// The address to listen on (CHICKEN: every interface).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 6504)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match server(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guide-time-of-day-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn server(args: &Args) -> io::Result<()> {
    // (tcp-listen 6504)
    let listener = tcp_ports::listen_on(&args.host, args.port)?;
    println!("listening on {}", listener.local_addr());
    // (make-tcp-server LISTENER THUNK): the thunk's current output port is
    // the handler's `conn`.
    let server = ServerBuilder::new()
        // the #t given to the server procedure: diagnostics, default prefix
        .diagnostics(Diagnostics::from_arg(Some("yes")))
        .build(listener, |conn| {
            // (write-line (seconds->string (current-seconds)))
            writeln!(conn, "{}", seconds_to_string(chrono::Local::now()))
        })?;
    // Calling the procedure make-tcp-server returned: serve.
    server.run()?;
    Ok(())
}

/// CHICKEN's `seconds->string`: `Sat Nov 21 15:20:57 2026`, local time.
fn seconds_to_string(t: chrono::DateTime<chrono::Local>) -> String {
    t.format("%a %b %e %H:%M:%S %Y").to_string()
}
