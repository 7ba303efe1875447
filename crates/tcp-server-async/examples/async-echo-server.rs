//! Serves echo with tcp-server-async: writes back every byte it reads, in
//! order, until the client's EOF; then closes.
//!
//! `cargo run -p tcp-server-async --example async-echo-server -- [--host H]
//! [--port P] [--max-connections N] [--read-timeout MS] [--max-requests N]
//! [--diagnostics [PREFIX]] [--deadline MS]`

mod common;

use example_support::parse_args;

fn main() {
    let args = parse_args::<common::AsyncArgs>();
    common::serve(&args, common::builder(&args), |input, output, _peer| {
        common::echo(input, output)
    });
}
