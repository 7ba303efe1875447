//! The daytime client: prints the line the server sends. Exits 0 iff one
//! line then EOF arrived.
//!
//! `cargo run -p tcp-ports --example ports-daytime-client -- --addr H:P`

mod common;

use std::io::Read;

use example_support::{ClientArgs, ExitOnError, parse_args, read_line};
use tcp_ports::TcpConfig;

fn main() {
    let args = parse_args::<ClientArgs>();
    let (mut i, _o) = common::connect(&args, &TcpConfig::current());
    // At most MAX_LINE bytes: a server that never ends its line cannot
    // grow the client.
    let text = read_line(&mut i).or_exit(format_args!("read from {}", args.addr));
    if text.is_empty() {
        eprintln!("{}: expected a line, got an empty one", args.addr);
        std::process::exit(1);
    }
    println!("{text}");
    let more = i
        .read(&mut [0; 1])
        .or_exit(format_args!("read from {}", args.addr));
    if more != 0 {
        eprintln!("{}: more than one line", args.addr);
        std::process::exit(1);
    }
}
