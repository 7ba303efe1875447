//! The daytime client: prints the line the server sends. Exits 0 iff one
//! line then EOF arrived.
//!
//! `cargo run -p tcp-ports --example ports-daytime-client -- --addr H:P`

mod common;

use std::io::{BufRead, Read};

use example_support::{ClientArgs, ExitOnError, parse_args};
use tcp_ports::TcpConfig;

fn main() {
    let args = parse_args::<ClientArgs>();
    let (mut i, _o) = common::connect(&args, &TcpConfig::current());
    let mut line = String::new();
    i.read_line(&mut line)
        .or_exit(format_args!("read from {}", args.addr));
    let Some(text) = line.strip_suffix('\n').filter(|t| !t.is_empty()) else {
        eprintln!("{}: expected a line, got {line:?}", args.addr);
        std::process::exit(1);
    };
    println!("{text}");
    let more = i
        .read(&mut [0; 1])
        .or_exit(format_args!("read from {}", args.addr));
    if more != 0 {
        eprintln!("{}: more than one line", args.addr);
        std::process::exit(1);
    }
}
