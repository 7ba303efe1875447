//! tcp-ports against `std::net`, over loopback TCP, each comparison in one
//! criterion group so that ours and the baseline run in the same process,
//! seconds apart. See BENCHMARKS.md at the repository root.
//!
//! - `small_writes`: 100,000 writes of 16 bytes, then a flush, to a thread
//!   that drains the connection: what `tcp-buffer-size` buys, and what the
//!   poll-based timeouts cost per write.
//! - `bulk_write`, `bulk_read`: 16 MiB in 64 KiB writes or reads.
//! - `round_trip`: one line each way, ping-pong, both ends ours or both std.
//! - `connect`: connect, accept, close.
//!
//! Connections are set up outside the timed part except in `connect`. The
//! std baselines get `TCP_NODELAY`, which every tcp-ports connection has, so
//! that both send the same segments (`small_writes` also has std with
//! Nagle's algorithm on, to show what forcing it off costs).

use std::hint::black_box;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use tcp_ports::{TcpConfig, TcpListener, TcpReader, TcpWriter};

const SMALL_WRITE: usize = 16;
const SMALL_WRITES: usize = 100_000;
const BULK: usize = 16 << 20;
const CHUNK: usize = 64 << 10;

const LOOPBACK: &str = "127.0.0.1:0";

/// A loopback listener whose first connection a thread reads and discards
/// until EOF; the thread returns how many bytes it read.
fn drain() -> (SocketAddr, JoinHandle<io::Result<u64>>) {
    let listener = StdListener::bind(LOOPBACK).expect("bind a loopback listener");
    let addr = listener.local_addr().expect("listener address");
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept()?;
        io::copy(&mut stream, &mut io::sink())
    });
    (addr, handle)
}

/// A loopback listener whose first connection a thread writes to until the
/// peer goes away.
fn feed() -> (SocketAddr, JoinHandle<io::Result<()>>) {
    let listener = StdListener::bind(LOOPBACK).expect("bind a loopback listener");
    let addr = listener.local_addr().expect("listener address");
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept()?;
        let chunk = vec![0x5a_u8; CHUNK];
        loop {
            match stream.write_all(&chunk) {
                Ok(()) => {}
                Err(e) if is_gone(&e) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    });
    (addr, handle)
}

fn is_gone(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
    )
}

fn std_connect(addr: SocketAddr, nodelay: bool) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("std connect");
    stream.set_nodelay(nodelay).expect("set TCP_NODELAY");
    stream
}

/// A writer of ours, its reader dropped (which shuts down only reading).
fn ports_writer(addr: SocketAddr, buffer_size: usize) -> TcpWriter {
    let config = TcpConfig::new().with_buffer_size(buffer_size);
    let (_, writer) = tcp_ports::connect_with(addr, &config).expect("tcp-ports connect");
    writer
}

/// Times `per_iter` on a writer made by `make` for a connection drained by
/// another thread, then closes it and checks that every byte arrived.
fn bench_writes<W: Write>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    make: impl FnOnce(SocketAddr) -> W,
    per_iter: impl Fn(&mut W) -> io::Result<u64>,
) {
    let (addr, drainer) = drain();
    let mut writer = make(addr);
    let mut sent = 0_u64;
    group.bench_function(name, |b| {
        b.iter(|| sent += per_iter(&mut writer).expect("write"));
    });
    drop(writer);
    let drained = drainer.join().expect("drainer thread").expect("drain");
    assert_eq!(drained, sent, "{name}: bytes drained vs written");
}

fn small_writes<W: Write>(w: &mut W) -> io::Result<u64> {
    let msg = [b'x'; SMALL_WRITE];
    for _ in 0..SMALL_WRITES {
        w.write_all(black_box(&msg))?;
    }
    w.flush()?;
    Ok((SMALL_WRITE * SMALL_WRITES) as u64)
}

fn bulk_write<W: Write>(w: &mut W) -> io::Result<u64> {
    let chunk = vec![0xa5_u8; CHUNK];
    for _ in 0..BULK / CHUNK {
        w.write_all(&chunk)?;
    }
    w.flush()?;
    Ok(BULK as u64)
}

fn bench_small_writes(c: &mut Criterion) {
    let mut group = c.benchmark_group("small_writes");
    // Unbuffered iterations take a tenth of a second or more: flat sampling
    // keeps ten samples within the measurement time.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes((SMALL_WRITE * SMALL_WRITES) as u64));

    bench_writes(
        &mut group,
        "std_unbuffered",
        |a| std_connect(a, true),
        small_writes,
    );
    bench_writes(
        &mut group,
        "std_unbuffered_nagle",
        |a| std_connect(a, false),
        small_writes,
    );
    bench_writes(
        &mut group,
        "std_bufwriter_8k",
        |a| BufWriter::with_capacity(8 << 10, std_connect(a, true)),
        small_writes,
    );
    for (name, size) in [
        ("tcp_writer_unbuffered", 0),
        ("tcp_writer_buf_4k", 4 << 10),
        ("tcp_writer_buf_8k", 8 << 10),
        ("tcp_writer_buf_64k", 64 << 10),
    ] {
        bench_writes(&mut group, name, |a| ports_writer(a, size), small_writes);
    }
    group.finish();
}

fn bench_bulk_write(c: &mut Criterion) {
    let mut group = c.benchmark_group("bulk_write");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Bytes(BULK as u64));
    bench_writes(&mut group, "std", |a| std_connect(a, true), bulk_write);
    bench_writes(&mut group, "tcp_writer", |a| ports_writer(a, 0), bulk_write);
    group.finish();
}

/// Times reading 16 MiB from a connection that another thread keeps full.
fn bench_read<R: Read>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    make: impl FnOnce(SocketAddr) -> R,
) {
    let (addr, feeder) = feed();
    let mut reader = make(addr);
    let mut buf = vec![0_u8; CHUNK];
    group.bench_function(name, |b| {
        b.iter(|| {
            let mut left = BULK;
            while left > 0 {
                let n = reader.read(&mut buf[..left.min(CHUNK)]).expect("bulk read");
                assert!(n > 0, "{name}: early EOF");
                left -= n;
            }
        });
    });
    drop(reader);
    feeder.join().expect("feeder thread").expect("feed");
}

fn bench_bulk_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("bulk_read");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Bytes(BULK as u64));
    bench_read(&mut group, "std", |a| std_connect(a, true));
    bench_read(&mut group, "tcp_reader", |a| {
        let (reader, _writer) =
            tcp_ports::connect_with(a, &TcpConfig::new()).expect("tcp-ports connect");
        // The writer's drop shuts down only its direction.
        reader
    });
    group.finish();
}

const PING: &[u8] = b"ping\n";

/// Sends a line and reads the reply: one round trip.
fn ping<R: BufRead, W: Write>(r: &mut R, w: &mut W, line: &mut String) {
    w.write_all(PING).expect("send ping");
    w.flush().expect("flush ping");
    line.clear();
    let n = r.read_line(line).expect("read pong");
    assert_eq!(n, PING.len(), "one line back");
    black_box(&line);
}

/// Sends every line it reads back, until EOF.
fn echo_lines<R: BufRead, W: Write>(mut r: R, mut w: W) -> io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        w.write_all(line.as_bytes())?;
        w.flush()?;
    }
}

fn bench_round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("round_trip");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(2));
    let mut line = String::new();

    // std as it comes (no timeouts), and std with CHICKEN's 60 s timeouts on
    // both ends (SO_RCVTIMEO/SO_SNDTIMEO, as the ports have them): a kernel
    // wait with a timeout arms a timer, one without does not.
    for (name, timeout) in [
        ("std", None),
        ("std_timeouts", Some(Duration::from_secs(60))),
    ] {
        let listener = StdListener::bind(LOOPBACK).expect("bind");
        let addr = listener.local_addr().expect("address");
        let server = thread::spawn(move || -> io::Result<()> {
            let (stream, _) = listener.accept()?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(timeout)?;
            stream.set_write_timeout(timeout)?;
            echo_lines(BufReader::new(stream.try_clone()?), stream)
        });
        let stream = std_connect(addr, true);
        stream.set_read_timeout(timeout).expect("timeout");
        stream.set_write_timeout(timeout).expect("timeout");
        let mut r = BufReader::new(stream.try_clone().expect("clone"));
        let mut w = stream;
        group.bench_function(name, |b| b.iter(|| ping(&mut r, &mut w, &mut line)));
        drop((r, w));
        server.join().expect("server thread").expect("echo");
    }
    // The ports with their default timeouts (60 s), and without any.
    let no_timeouts = TcpConfig::new()
        .with_read_timeout(None)
        .with_write_timeout(None);
    for (name, config) in [
        ("tcp_ports", TcpConfig::new()),
        ("tcp_ports_no_timeouts", no_timeouts),
    ] {
        let listener = tcp_ports::ListenOptions::new(0)
            .host("127.0.0.1")
            .config(config)
            .listen()
            .expect("listen");
        let addr = listener.local_addr();
        let server = thread::spawn(move || -> io::Result<()> {
            let (r, w) = listener.accept()?;
            echo_lines(r, w)
        });
        let (mut r, mut w) = tcp_ports::connect_with(addr, &config).expect("connect");
        group.bench_function(name, |b| {
            b.iter(|| ping(&mut r, &mut w, &mut line));
        });
        drop((r, w));
        server.join().expect("server thread").expect("echo");
    }
    group.finish();
}

fn close_ports((r, w): (TcpReader, TcpWriter)) {
    w.close().expect("close writer");
    r.close().expect("close reader");
}

fn bench_connect(c: &mut Criterion) {
    let mut group = c.benchmark_group("connect");
    group.sample_size(20);
    // The server closes first, so the accepted side, not the client's
    // ephemeral port, goes into TIME_WAIT: closing the client first used up
    // the ephemeral ports within the run (some 60,000 connections a second
    // against 28,000 ports that TIME_WAIT holds for at least a second), and
    // one connect in some 15,000 then stalled for most of a second.
    group.measurement_time(Duration::from_secs(1));
    group.warm_up_time(Duration::from_millis(300));

    let listener = StdListener::bind(LOOPBACK).expect("bind");
    let addr = listener.local_addr().expect("address");
    group.bench_function("std", |b| {
        b.iter(|| {
            let client = TcpStream::connect(addr).expect("std connect");
            let (server, _) = listener.accept().expect("std accept");
            drop(server);
            drop(client);
        });
    });
    drop(listener);

    let listener: TcpListener = tcp_ports::listen_on("127.0.0.1", 0).expect("listen");
    let addr = listener.local_addr();
    group.bench_function("tcp_ports", |b| {
        b.iter(|| {
            let client = tcp_ports::connect(addr).expect("tcp-ports connect");
            let server = listener.accept().expect("tcp-ports accept");
            close_ports(server);
            close_ports(client);
        });
    });
    listener.close().expect("close listener");
    group.finish();
}

// What `criterion_group!` and `criterion_main!` expand to, without their
// undocumented public function. A second of warm-up (criterion's default is
// three) keeps the whole run within a couple of minutes on two cores.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    bench_small_writes(&mut c);
    bench_bulk_write(&mut c);
    bench_bulk_read(&mut c);
    bench_round_trip(&mut c);
    bench_connect(&mut c);
    c.final_summary();
}
