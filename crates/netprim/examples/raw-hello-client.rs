//! The hello client on raw sockets: CHICKEN's Unit tcp example
//! (`client.scm`), which writes `Good Bye!` and prints the line the server
//! sends; exits with status 0 only if that line was `Hello!`.
//!
//! ```text
//! cargo run -p netprim --example raw-hello-client -- --addr 127.0.0.1:4242
//! ```

#[path = "raw/connect.rs"]
mod connect;

use std::io::{self, BufReader, Write};

use example_support::{ClientArgs, ExitOnError, GOOD_BYE, HELLO, parse_args, read_line};

fn main() {
    let addr = parse_args::<ClientArgs>().server_addr();
    let conn = connect::connect(&addr).or_exit("error");
    let failed = format!("error: {addr}");
    // Write before reading: the server does the same.
    (&conn)
        .write_all(format!("{GOOD_BYE}\n").as_bytes())
        .or_exit(&failed);
    let line = read_line(&mut BufReader::new(&conn)).or_exit(&failed);
    println!("{line}");
    if line != HELLO {
        let _ = io::stdout().flush();
        eprintln!("{failed}: expected {HELLO:?}, got {line:?}");
        std::process::exit(1);
    }
    conn.close().or_exit(&failed);
}
