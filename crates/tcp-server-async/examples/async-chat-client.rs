//! The chat client on tcp-server-async: sends each line of stdin, prints
//! every line received. At the end of stdin it keeps printing for
//! `CHAT_GRACE`, then exits.
//!
//! `cargo run -p tcp-server-async --example async-chat-client -- --addr H:P`

mod common;

use std::io::Write;

use example_support::{CHAT_GRACE, ClientArgs, ExitOnError, parse_args};
use tcp_ports::TcpConfig;
use tokio::io::{AsyncBufReadExt, BufReader};

fn main() {
    let args = parse_args::<ClientArgs>();
    common::runtime().block_on(async {
        // Waiting for others to talk is normal: no read timeout.
        let config = TcpConfig::new().with_read_timeout(None);
        let (mut input, mut output) = common::connect(&args, &config).await;
        let printer = tokio::spawn(async move {
            let mut line = Vec::new();
            loop {
                line.clear();
                match input.read_until(b'\n', &mut line).await {
                    Ok(0) => return Ok(()),
                    Ok(_) => {
                        let mut out = std::io::stdout().lock();
                        if out.write_all(&line).and_then(|()| out.flush()).is_err() {
                            return Ok(());
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        });
        let mut stdin = BufReader::new(tokio::io::stdin()).lines();
        while let Some(line) = stdin.next_line().await.or_exit("read stdin") {
            common::send_line(&mut output, &line, &args).await;
        }
        // The server may close first (then the printer is done early), or not.
        if let Ok(Ok(Err(e))) = tokio::time::timeout(CHAT_GRACE, printer).await {
            Err::<(), _>(e).or_exit(format_args!("read from {}", args.addr));
        }
    });
    // The runtime would wait for stdin's blocking reader otherwise.
    let _ = std::io::stdout().flush();
    std::process::exit(0);
}
