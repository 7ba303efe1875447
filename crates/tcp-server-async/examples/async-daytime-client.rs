//! The daytime client on tcp-server-async: prints the line the server
//! sends. Exits 0 iff one line then EOF arrived.
//!
//! `cargo run -p tcp-server-async --example async-daytime-client -- --addr H:P`

mod common;

use example_support::{ClientArgs, ExitOnError, MAX_LINE, parse_args};
use tcp_ports::TcpConfig;
use tokio::io::{AsyncBufReadExt, AsyncReadExt};

fn main() {
    let args = parse_args::<ClientArgs>();
    common::runtime().block_on(async {
        let (mut input, _output) = common::connect(&args, &TcpConfig::new()).await;
        let mut line = Vec::new();
        (&mut input)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
            .or_exit(format_args!("read from {}", args.addr));
        let Some(text) = line.strip_suffix(b"\n").filter(|t| !t.is_empty()) else {
            eprintln!(
                "{}: expected a line, got {:?}",
                args.addr,
                String::from_utf8_lossy(&line)
            );
            std::process::exit(1);
        };
        println!("{}", String::from_utf8_lossy(text));
        let more = input
            .read(&mut [0; 1])
            .await
            .or_exit(format_args!("read from {}", args.addr));
        if more != 0 {
            eprintln!("{}: more than one line", args.addr);
            std::process::exit(1);
        }
    });
}
