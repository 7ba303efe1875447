//! The server of CHICKEN's Unit tcp example on tcp-server-async: writes
//! `Hello!`, reads one line and prints it, closes.
//!
//! `cargo run -p tcp-server-async --example async-hello-server -- [--host H]
//! [--port P] [--max-connections N] [--read-timeout MS] [--max-requests N]
//! [--diagnostics [PREFIX]]`

mod common;

use std::io::Write;

use example_support::{HELLO, MAX_LINE, parse_args};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

fn main() {
    let args = parse_args::<common::AsyncArgs>();
    common::serve(
        &args,
        common::builder(&args),
        |input, mut output, _peer| async move {
            // Both sides write first: send before reading.
            output.write_all(format!("{HELLO}\n").as_bytes()).await?;
            output.flush().await?;
            let mut line = Vec::new();
            input
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut line)
                .await?;
            if !line.is_empty() {
                let text =
                    String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line)).into_owned();
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
            Ok(())
        },
    );
}
