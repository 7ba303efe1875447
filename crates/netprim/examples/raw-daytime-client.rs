//! The daytime client on raw sockets: prints the line the server sends and
//! exits with status 0 only if a line and then the end of the stream came.
//!
//! ```text
//! cargo run -p netprim --example raw-daytime-client -- --addr 127.0.0.1:6504
//! ```

#[path = "raw/connect.rs"]
mod connect;

use std::io::BufReader;

use example_support::{ClientArgs, ExitOnError, expect_eof, parse_args, read_line};

fn main() {
    let addr = parse_args::<ClientArgs>().server_addr();
    let conn = connect::connect(&addr).or_exit("error");
    let failed = format!("error: {addr}");
    let mut reader = BufReader::new(&conn);
    let line = read_line(&mut reader).or_exit(&failed);
    println!("{line}");
    expect_eof(&mut reader).or_exit(&failed);
}
