//! Serves hello with tcp-server: writes `Hello!`, reads the client's line,
//! prints it to stdout.
//!
//! `cargo run -p tcp-server --example threaded-hello-server -- [--host H]
//! [--port P] [--max-connections N] [--max-requests N] [--diagnostics [PREFIX]]`

mod common;

use std::io::Write;

use example_support::{HELLO, parse_args, read_line};

fn main() {
    let args = parse_args::<common::ThreadedArgs>();
    common::serve(&args, common::builder(&args), |conn| {
        // Written before reading: neither side may wait for the other.
        writeln!(conn, "{HELLO}")?;
        conn.flush()?;
        let line = read_line(conn)?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()
    });
}
