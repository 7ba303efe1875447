//! Serves echo with tcp-server: writes back every byte it reads until the
//! client's EOF. While it waits for input the connection is marked idle, so
//! a stop ends it at once instead of holding the drain to its deadline.
//!
//! `cargo run -p tcp-server --example threaded-echo-server -- [--host H]
//! [--port P] [--max-connections N] [--max-requests N] [--diagnostics [PREFIX]]
//! [--deadline MS]`

mod common;

use example_support::parse_args;

fn main() {
    let args = parse_args::<common::ThreadedArgs>();
    common::serve(&args, common::builder(&args), common::echo);
}
