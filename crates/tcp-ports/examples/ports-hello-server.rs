//! The server of CHICKEN's Unit tcp example, line for line, for every
//! connection: writes `Hello!`, reads one line and prints it, closes.
//!
//! `cargo run -p tcp-ports --example ports-hello-server -- [--host H] [--port P]
//! [--max-connections N] [--read-timeout MS]`

mod common;

use std::io::{self, BufRead, Write};

use example_support::{HELLO, ServerArgs, parse_args};
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
    let mut line = String::new();
    i.read_line(&mut line)?; // (print (read-line i))
    if !line.is_empty() {
        println!("{}", line.strip_suffix('\n').unwrap_or(&line));
    }
    i.close()?; // (close-input-port i)
    o.close() // (close-output-port o)
}
