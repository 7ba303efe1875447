//! Serves echo with tcp-server-async: writes back every byte it reads, in
//! order, until the client's EOF; then closes.
//!
//! `cargo run -p tcp-server-async --example async-echo-server -- [--host H]
//! [--port P] [--max-connections N] [--read-timeout MS] [--max-requests N]
//! [--diagnostics [PREFIX]]`

mod common;

use example_support::parse_args;
use tcp_server_async::{Input, Output};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

fn main() {
    let args = parse_args::<common::AsyncArgs>();
    common::serve(&args, common::builder(&args), |input, output, _peer| {
        echo(input, output)
    });
}

async fn echo(mut input: Input, mut output: Output) -> std::io::Result<()> {
    // Waiting for the next bytes is idle: a stop ends the connection once
    // what came has been echoed.
    input.set_idle(true);
    loop {
        let data = input.fill_buf().await?;
        if data.is_empty() {
            return Ok(());
        }
        output.write_all(data).await?;
        let n = data.len();
        input.consume(n);
        output.flush().await?;
    }
}
