//! CHICKEN's Unit tcp example, `server.scm`, ported: accept one client,
//! greet it, print the line it sends back, close.
//!
//! `guide-unit-tcp-server [--host H] [--port P]` (default 127.0.0.1:4242).

use std::io::{self, BufRead, Read, Write};
use std::process::ExitCode;

use clap::Parser;

/// The server of CHICKEN's Unit tcp example.
#[derive(Debug, Parser)]
struct Args {
    /// The address to listen on (CHICKEN: every interface).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 4242)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match server(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guide-unit-tcp-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn server(args: &Args) -> io::Result<()> {
    // (define l (tcp-listen 4242))
    let l = tcp_ports::listen_on(&args.host, args.port)?;
    println!("listening on {}", l.local_addr());
    // (define-values (i o) (tcp-accept l))
    let (mut i, mut o) = l.accept()?;
    // (write-line "Hello!" o)
    writeln!(o, "Hello!")?;
    // (print (read-line i)); a line is bounded, so that a peer that never
    // sends a newline cannot fill the server's memory.
    let mut line = String::new();
    i.by_ref().take(64 * 1024).read_line(&mut line)?;
    println!("{}", line.trim_end_matches('\n'));
    // (close-input-port i)
    i.close()?;
    // (close-output-port o)
    o.close()
}
