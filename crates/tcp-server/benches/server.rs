//! Benchmarks of tcp-server.
//!
//! tcp-server against a naive thread-per-connection server built here, in
//! one run: the daytime connection rate at 16 concurrent clients, and echo
//! round trips over 16 connections. Compare the two lines of each group.
//!
//! `cargo bench -p tcp-server --bench server`

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::Criterion;
use tcp_ports::{TcpListener, TcpReader, TcpWriter};
use tcp_server::{Connection, ServerBuilder};

const CLIENTS: usize = 16;
const LINE: &[u8] = b"Sat Nov 21 15:20:57 2026\n";

/// The baseline: accept, then a new thread for each connection.
fn naive(listener: TcpListener, handle: fn(TcpReader, TcpWriter)) -> SocketAddr {
    let addr = listener.local_addr();
    thread::spawn(move || {
        while let Ok((r, w)) = listener.accept() {
            thread::spawn(move || handle(r, w));
        }
    });
    addr
}

fn ours(
    listener: TcpListener,
    handler: impl Fn(&mut Connection) -> std::io::Result<()> + Send + Sync + 'static,
) -> SocketAddr {
    let server = ServerBuilder::new()
        .build(listener, handler)
        .expect("build");
    let addr = server.local_addr();
    thread::spawn(move || server.run());
    addr
}

fn listener() -> TcpListener {
    tcp_ports::listen_on("127.0.0.1", 0).expect("listen")
}

/// Runs `per_client(addr, n)` on 16 threads at once, n = iters / 16
/// (at least 1), and returns the time they took together.
fn concurrently(addr: SocketAddr, iters: u64, per_client: fn(SocketAddr, u64)) -> Duration {
    let n = (iters / CLIENTS as u64).max(1);
    let start = Arc::new(Barrier::new(CLIENTS + 1));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                per_client(addr, n);
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    for c in clients {
        c.join().expect("client");
    }
    began.elapsed()
}

fn daytime_client(addr: SocketAddr, n: u64) {
    let mut buf = Vec::with_capacity(64);
    for _ in 0..n {
        let mut s = TcpStream::connect(addr).expect("connect");
        buf.clear();
        std::io::Read::read_to_end(&mut s, &mut buf).expect("read");
        assert_eq!(buf, LINE);
    }
}

fn daytime(c: &mut Criterion) {
    let naive_addr = naive(listener(), |_r, mut w| {
        let _ = w.write_all(LINE);
    });
    let ours_addr = ours(listener(), |conn| conn.write_all(LINE));
    let mut group = c.benchmark_group("daytime_16_clients");
    group.bench_function("naive_thread_per_connection", |b| {
        b.iter_custom(|iters| concurrently(naive_addr, iters, daytime_client));
    });
    group.bench_function("tcp_server", |b| {
        b.iter_custom(|iters| concurrently(ours_addr, iters, daytime_client));
    });
    group.finish();
}

fn echo_client(addr: SocketAddr, n: u64) {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    let mut w = s.try_clone().expect("clone");
    let mut r = BufReader::new(s);
    let mut line = Vec::with_capacity(64);
    for _ in 0..n {
        w.write_all(LINE).expect("write");
        line.clear();
        r.read_until(b'\n', &mut line).expect("read");
        assert_eq!(line, LINE);
    }
}

fn echo_handler(conn: &mut Connection) -> std::io::Result<()> {
    let mut buf = [0; 4096];
    loop {
        let n = std::io::Read::read(conn, &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        conn.write_all(&buf[..n])?;
    }
}

fn echo(c: &mut Criterion) {
    let naive_addr = naive(listener(), |mut r, mut w| {
        let mut buf = [0; 4096];
        while let Ok(n @ 1..) = std::io::Read::read(&mut r, &mut buf) {
            if w.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    let ours_addr = ours(listener(), echo_handler);
    let mut group = c.benchmark_group("echo_16_connections");
    group.bench_function("naive_thread_per_connection", |b| {
        b.iter_custom(|iters| concurrently(naive_addr, iters, echo_client));
    });
    group.bench_function("tcp_server", |b| {
        b.iter_custom(|iters| concurrently(ours_addr, iters, echo_client));
    });
    group.finish();
}

// What `criterion_group!` and `criterion_main!` expand to, without their
// undocumented public function; short warm-up and measurement keep the run
// within a couple of minutes on two cores.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20)
        .configure_from_args();
    daytime(&mut c);
    echo(&mut c);
    c.final_summary();
}
