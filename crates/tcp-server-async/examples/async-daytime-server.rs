//! Serves daytime with tcp-server-async: the egg's time-of-day example.
//!
//! `cargo run -p tcp-server-async --example async-daytime-server -- [--host H]
//! [--port P] [--max-connections N] [--max-requests N] [--diagnostics [PREFIX]]`

mod common;

use example_support::{daytime_line, parse_args};
use tokio::io::AsyncWriteExt;

fn main() {
    let args = parse_args::<common::AsyncArgs>();
    common::serve(
        &args,
        common::builder(&args),
        |_input, mut output, _peer| async move {
            output
                .write_all(format!("{}\n", daytime_line()).as_bytes())
                .await
        },
    );
}
