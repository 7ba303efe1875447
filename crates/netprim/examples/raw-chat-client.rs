//! SCM's chat client on raw sockets: one thread waits on the socket and
//! stdin at once (`wait_for_input`, SCM's `wait-for-input`), sends what
//! stdin gives and prints what the server relays. At the end of stdin it
//! keeps printing for [`CHAT_GRACE`], so the replies to its last lines are
//! not lost, then exits with status 0; it also ends when the server closes.
//!
//! ```text
//! cargo run -p netprim --example raw-chat-client -- --addr 127.0.0.1:8001
//! ```

#[path = "raw/connect.rs"]
mod connect;

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use example_support::{CHAT_GRACE, ClientArgs, ExitOnError, RELAY_CHUNK, parse_args};
use netprim::wait_for_input;

fn main() {
    let addr = parse_args::<ClientArgs>().server_addr();
    let conn = connect::connect(&addr).or_exit("error");
    let failed = format!("error: {addr}");
    // Stdin unbuffered (std's `Stdin` buffers): what readiness announces is
    // exactly what the next read gets.
    let mut input = io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(File::from)
        .or_exit("error: stdin");
    let mut out = io::stdout().lock();
    let mut buf = vec![0; RELAY_CHUNK];
    let mut grace_ends: Option<Instant> = None;
    loop {
        let timeout = grace_ends.map(|end| end.saturating_duration_since(Instant::now()));
        if timeout == Some(Duration::ZERO) {
            break;
        }
        let fds = [conn.as_fd(), input.as_fd()];
        let watched = if grace_ends.is_some() { 1 } else { 2 };
        let ready = wait_for_input(&fds[..watched], timeout).or_exit(&failed);
        if ready.contains(&0) {
            match (&conn).read(&mut buf).or_exit(&failed) {
                0 => break,
                n => out
                    .write_all(&buf[..n])
                    .and_then(|()| out.flush())
                    .or_exit("error: stdout"),
            }
        }
        if ready.contains(&1) {
            match input.read(&mut buf).or_exit("error: stdin") {
                0 => grace_ends = Some(Instant::now() + CHAT_GRACE),
                n => (&conn).write_all(&buf[..n]).or_exit(&failed),
            }
        }
    }
}
