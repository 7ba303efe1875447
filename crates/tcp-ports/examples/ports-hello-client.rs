//! The client of CHICKEN's Unit tcp example, line for line: writes
//! `Good Bye!`, reads one line and prints it. Exits 0 iff it was `Hello!`.
//!
//! `cargo run -p tcp-ports --example ports-hello-client -- --addr H:P`

mod common;

use std::io::Write;

use example_support::{ClientArgs, ExitOnError, GOOD_BYE, HELLO, parse_args, read_line};
use tcp_ports::TcpConfig;

fn main() {
    let args = parse_args::<ClientArgs>();
    // (define-values (i o) (tcp-connect "localhost" 4242))
    let (mut i, mut o) = common::connect(&args, &TcpConfig::current());
    // (write-line "Good Bye!" o)
    writeln!(o, "{GOOD_BYE}").or_exit(format_args!("write to {}", args.addr));
    // (print (read-line i)), at most MAX_LINE bytes of it.
    let line = read_line(&mut i).or_exit(format_args!("read from {}", args.addr));
    println!("{line}");
    let _ = o.close();
    let _ = i.close();
    if line != HELLO {
        eprintln!("expected {HELLO:?} from {}, got {line:?}", args.addr);
        std::process::exit(1);
    }
}
