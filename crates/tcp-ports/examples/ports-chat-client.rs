//! The chat client: sends each line of stdin, prints every line received.
//! It exits when the server closes (after printing what arrived), or at
//! the end of stdin after printing for `CHAT_GRACE` more.
//!
//! `cargo run -p tcp-ports --example ports-chat-client -- --addr H:P`

mod common;

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc;

use example_support::{CHAT_GRACE, ClientArgs, ExitOnError, MAX_LINE, parse_args};
use tcp_ports::{TcpConfig, TcpReader};

/// What ends the chat.
enum End {
    /// The server closed (`Ok`) or the connection failed.
    Server(io::Result<()>),
    /// Stdin ended.
    Stdin,
}

fn main() {
    let args = parse_args::<ClientArgs>();
    // Waiting for others to talk is normal: no read timeout.
    let (i, mut o) = common::connect(&args, &TcpConfig::new().with_read_timeout(None));
    let (end, ended) = mpsc::channel();
    let from_server = end.clone();
    std::thread::spawn(move || {
        let _ = from_server.send(End::Server(print_lines(i)));
    });
    // Stdin is read on a thread of its own, so that the server's close is
    // noticed while a read of stdin waits.
    let to = args.addr.clone();
    std::thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let line = line.or_exit("read stdin");
            writeln!(o, "{line}").or_exit(format_args!("write to {to}"));
        }
        let _ = end.send(End::Stdin);
    });
    let outcome = match ended.recv() {
        Ok(End::Server(outcome)) => outcome,
        // The replies to the last lines may still be on their way.
        Ok(End::Stdin) => match ended.recv_timeout(CHAT_GRACE) {
            Ok(End::Server(outcome)) => outcome,
            _ => Ok(()),
        },
        Err(_) => Ok(()),
    };
    outcome.or_exit(format_args!("read from {}", args.addr));
}

/// Prints every line from the server until it closes.
///
/// # Errors
///
/// A line longer than `MAX_LINE`, and read errors.
fn print_lines(mut i: TcpReader) -> io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        // At most MAX_LINE bytes: a server that never ends a line cannot
        // grow the client.
        let n = (&mut i)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(());
        }
        if n == MAX_LINE && line.last() != Some(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("no end of line within {MAX_LINE} bytes"),
            ));
        }
        let mut out = io::stdout().lock();
        if out.write_all(&line).and_then(|()| out.flush()).is_err() {
            // Nobody reads our output any more: nothing left to do.
            return Ok(());
        }
    }
}
