//! SCM's chat client, ported: sends what arrives on standard input to the
//! chat server and prints what the server sends, waiting on both at once;
//! ends when either side ends.
//!
//! `guide-scm-chat-client [--host H] [--port P]` (default localhost:8001).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use netprim::{Domain, SockAddr, Socket, Type, resolve, wait_for_input};

/// SCM's chat client.
#[derive(Debug, Parser)]
struct Args {
    /// The chat server's host name or address.
    #[arg(long, default_value = "localhost")]
    host: String,
    /// The chat server's port.
    #[arg(long, default_value_t = 8001)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // (define con (make-stream-socket af_inet))
    // (set! con (socket:connect con (inet:string->address "localhost") 8001))
    let con = match connect(&args) {
        Ok(con) => con,
        Err(e) => {
            // SCM's `con` is #f here.
            eprintln!("Server not listening on port {}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    match go(&con) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guide-scm-chat-client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn connect(args: &Args) -> io::Result<Socket> {
    // inet:string->address took a name; netprim's resolve looks it up.
    let addr = resolve(&args.host, args.port)?
        .into_iter()
        .find(|a| a.is_ipv4())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no IPv4 address for {}", args.host),
            )
        })?;
    let con = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    con.connect(&SockAddr::from(addr))?;
    // (display "Connecting to ") (display (getpeername con)) (newline)
    println!("Connecting to {}", con.peer_addr()?);
    Ok(con)
}

/// SCM's `(define (go) ...)`, a loop instead of a tail call.
fn go(con: &Socket) -> io::Result<()> {
    // (current-input-port), unbuffered: std's Stdin buffers what it reads,
    // and readiness would not see what sits in that buffer.
    let mut input = File::from(io::stdin().as_fd().try_clone_to_owned()?);
    let mut stdout = io::stdout();
    let mut buf = [0; 4096];
    loop {
        // (wait-for-input (* 30 60) con (current-input-port))
        let actives = wait_for_input(
            &[con.as_fd(), input.as_fd()],
            Some(Duration::from_secs(30 * 60)),
        )?;
        // cs: (read-char con); (display cs)
        if actives.contains(&0) {
            let n = con.recv(&mut buf)?;
            if n == 0 {
                // (eof-object? cs): (close-port con), when `con` drops
                return Ok(());
            }
            stdout.write_all(&buf[..n])?;
            stdout.flush()?;
        }
        // ct: (read-char); (display ct con)
        if actives.contains(&1) {
            let n = input.read(&mut buf)?;
            if n == 0 {
                // (eof-object? ct): (close-port con), when `con` drops
                return Ok(());
            }
            (&*con).write_all(&buf[..n])?;
        }
    }
}
