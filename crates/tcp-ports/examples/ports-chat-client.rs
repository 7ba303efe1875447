//! The chat client: sends each line of stdin, prints every line received.
//! At the end of stdin it keeps printing for `CHAT_GRACE`, then exits.
//!
//! `cargo run -p tcp-ports --example ports-chat-client -- --addr H:P`

mod common;

use std::io::{self, BufRead, Write};
use std::sync::mpsc;

use example_support::{CHAT_GRACE, ClientArgs, ExitOnError, parse_args};
use tcp_ports::TcpConfig;

fn main() {
    let args = parse_args::<ClientArgs>();
    // Waiting for others to talk is normal: no read timeout.
    let (mut i, mut o) = common::connect(&args, &TcpConfig::new().with_read_timeout(None));
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = Vec::new();
        let outcome = loop {
            line.clear();
            match i.read_until(b'\n', &mut line) {
                Ok(0) => break Ok(()),
                Ok(_) => {
                    let mut out = io::stdout().lock();
                    if out.write_all(&line).and_then(|()| out.flush()).is_err() {
                        break Ok(());
                    }
                }
                Err(e) => break Err(e),
            }
        };
        let _ = done.send(outcome);
    });
    for line in io::stdin().lock().lines() {
        let line = line.or_exit("read stdin");
        writeln!(o, "{line}").or_exit(format_args!("write to {}", args.addr));
    }
    // The server may close first (then the reader is done early), or not.
    if let Ok(Err(e)) = finished.recv_timeout(CHAT_GRACE) {
        Err::<(), _>(e).or_exit(format_args!("read from {}", args.addr));
    }
}
