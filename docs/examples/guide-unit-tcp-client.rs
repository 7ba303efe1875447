//! CHICKEN's Unit tcp example, `client.scm`, ported: connect, say good bye,
//! print the line the server sends.
//!
//! `guide-unit-tcp-client [--host H] [--port P]` (default localhost:4242).

use std::io::{self, BufRead, Read, Write};
use std::process::ExitCode;

use clap::Parser;

/// The client of CHICKEN's Unit tcp example.
#[derive(Debug, Parser)]
struct Args {
    /// The server's host name or address.
    #[arg(long, default_value = "localhost")]
    host: String,
    /// The server's port.
    #[arg(long, default_value_t = 4242)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match client(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guide-unit-tcp-client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn client(args: &Args) -> io::Result<()> {
    // (define-values (i o) (tcp-connect "localhost" 4242))
    let (mut i, mut o) = tcp_ports::connect((args.host.as_str(), args.port))?;
    // (write-line "Good Bye!" o)
    writeln!(o, "Good Bye!")?;
    // (print (read-line i)), the line bounded
    let mut line = String::new();
    i.by_ref().take(64 * 1024).read_line(&mut line)?;
    println!("{}", line.trim_end_matches('\n'));
    Ok(())
}
