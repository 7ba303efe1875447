//! Serves daytime with tcp-server: the egg's time-of-day example.
//!
//! `cargo run -p tcp-server --example threaded-daytime-server -- [--host H]
//! [--port P] [--max-connections N] [--max-requests N] [--diagnostics [PREFIX]]`

mod common;

use std::io::Write;

use example_support::{daytime_line, parse_args};

fn main() {
    let args = parse_args::<common::ThreadedArgs>();
    common::serve(&args, common::builder(&args), |conn| {
        writeln!(conn, "{}", daytime_line())
    });
}
