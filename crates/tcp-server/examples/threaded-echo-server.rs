//! Serves echo with tcp-server: writes back every byte it reads until the
//! client's EOF. While it waits for input the connection is marked idle, so
//! a stop ends it at once instead of holding the drain to its deadline.
//!
//! `cargo run -p tcp-server --example threaded-echo-server -- [--host H]
//! [--port P] [--max-connections N] [--max-requests N] [--diagnostics [PREFIX]]`

mod common;

use std::io::{Read, Write};

use example_support::{RELAY_CHUNK, parse_args};

fn main() {
    let args = parse_args::<common::ThreadedArgs>();
    common::serve(&args, common::builder(&args), |conn| {
        let mut buf = vec![0; RELAY_CHUNK];
        loop {
            conn.set_idle(true);
            let n = conn.read(&mut buf)?;
            conn.set_idle(false);
            if n == 0 {
                return Ok(());
            }
            conn.write_all(&buf[..n])?;
        }
    });
}
