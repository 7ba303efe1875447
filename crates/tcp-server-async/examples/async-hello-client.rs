//! The client of CHICKEN's Unit tcp example on tcp-server-async: writes
//! `Good Bye!`, reads one line and prints it. Exits 0 iff it was `Hello!`.
//!
//! `cargo run -p tcp-server-async --example async-hello-client -- --addr H:P`

mod common;

use example_support::{ClientArgs, ExitOnError, GOOD_BYE, HELLO, MAX_LINE, parse_args};
use tcp_ports::TcpConfig;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

fn main() {
    let args = parse_args::<ClientArgs>();
    common::runtime().block_on(async {
        let (input, mut output) = common::connect(&args, &TcpConfig::new()).await;
        // Both sides write first: send before reading.
        common::send_line(&mut output, GOOD_BYE, &args).await;
        let mut line = Vec::new();
        input
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
            .or_exit(format_args!("read from {}", args.addr));
        let text = String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line)).into_owned();
        println!("{text}");
        let _ = output.shutdown().await;
        if text != HELLO {
            eprintln!("{}: expected {HELLO:?}, got {text:?}", args.addr);
            std::process::exit(1);
        }
    });
}
