//! The server of CHICKEN's Unit tcp example, line for line, for every
//! connection: writes `Hello!`, reads one line and prints it, closes.
//!
//! `cargo run -p tcp-ports --example ports-hello-server -- [--host H] [--port P]
//! [--max-connections N] [--read-timeout MS]`

mod common;

use std::io::{self, Write};

use example_support::{HELLO, ServerArgs, parse_args, read_line};
use tcp_ports::{TcpReader, TcpWriter};

fn main() {
    let args = parse_args::<ServerArgs>();
    // (define l (tcp-listen 4242))
    let l = common::listen(&args, common::server_config(&args));
    // (define-values (i o) (tcp-accept l)), for each connection
    common::serve(l, args.max_connections, hello);
}

fn hello(mut i: TcpReader, mut o: TcpWriter) -> io::Result<()> {
    writeln!(o, "{HELLO}")?; // (write-line "Hello!" o)
    // (print (read-line i)), with a bound: a peer that never sends a
    // newline is cut off at MAX_LINE bytes instead of growing the server.
    println!("{}", read_line(&mut i)?);
    i.close()?; // (close-input-port i)
    o.close() // (close-output-port o)
}
