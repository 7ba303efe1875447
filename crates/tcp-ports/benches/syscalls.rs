//! Repeats one operation N times, for counting its system calls with
//! `strace -c` (BENCHMARKS.md): a line round trip or a connect + accept +
//! close, through tcp-ports or through std.
//!
//! ```sh
//! cargo bench -p tcp-ports --bench syscalls --no-run
//! strace -f -c -o counts.txt target/release/deps/syscalls-HASH round_trip ports 10000
//! ```
//!
//! Without its three arguments (as `cargo bench` and the test runner start
//! it) it does nothing.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener as StdListener, TcpStream};
use std::thread;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Anything else (`--bench`, a test runner's `--list`) is not for us.
    let [op, side, n] = &args[..] else { return };
    let Ok(n) = n.parse::<u32>() else { return };
    match (op.as_str(), side.as_str()) {
        ("round_trip", "ports") => round_trip_ports(n),
        ("round_trip", "std") => round_trip_std(n),
        ("connect", "ports") => connect_ports(n),
        ("connect", "std") => connect_std(n),
        _ => eprintln!("usage: syscalls round_trip|connect ports|std N"),
    }
}

fn round_trip_ports(n: u32) {
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let addr = listener.local_addr();
    let server = thread::spawn(move || {
        let (mut r, mut w) = listener.accept().unwrap();
        let mut line = String::new();
        while r.read_line(&mut line).unwrap() > 0 {
            w.write_all(line.as_bytes()).unwrap();
            line.clear();
        }
    });
    let (mut r, mut w) = tcp_ports::connect(addr).unwrap();
    let mut line = String::new();
    for _ in 0..n {
        w.write_all(b"ping\n").unwrap();
        line.clear();
        r.read_line(&mut line).unwrap();
    }
    drop((r, w));
    server.join().unwrap();
}

fn round_trip_std(n: u32) {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_nodelay(true).unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut w = s;
        let mut line = String::new();
        while r.read_line(&mut line).unwrap() > 0 {
            w.write_all(line.as_bytes()).unwrap();
            line.clear();
        }
    });
    let s = TcpStream::connect(addr).unwrap();
    s.set_nodelay(true).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut w = s;
    let mut line = String::new();
    for _ in 0..n {
        w.write_all(b"ping\n").unwrap();
        line.clear();
        r.read_line(&mut line).unwrap();
    }
    drop((r, w));
    server.join().unwrap();
}

fn connect_ports(n: u32) {
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let addr = listener.local_addr();
    for _ in 0..n {
        let client = tcp_ports::connect(addr).unwrap();
        let server = listener.accept().unwrap();
        drop(server);
        drop(client);
    }
}

fn connect_std(n: u32) {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    for _ in 0..n {
        let client = TcpStream::connect(addr).unwrap();
        let (server, _) = listener.accept().unwrap();
        drop(server);
        drop(client);
    }
}
