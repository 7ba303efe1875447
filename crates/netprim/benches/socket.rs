//! netprim against std and against a bare `poll(2)`, each comparison in one
//! criterion group so that ours and the baseline run in the same process.
//! See BENCHMARKS.md at the repository root.
//!
//! - `ping_pong_unix`, `ping_pong_tcp`: 64 bytes to an echo thread and back,
//!   with `Socket::send`/`recv` against `UnixStream`/`TcpStream` (loopback,
//!   `TCP_NODELAY` on both ends in both).
//! - `wait_for_input`: one readiness call over 1, 16 and 256 Unix socket
//!   pairs with one (the last) ready, as a server waits on its clients,
//!   against `libc::poll` on the same descriptors.
//! - `addr_parse`: `SockAddr` from a string against `SocketAddr`.

use std::hint::black_box;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use netprim::{Domain, Protocol, SockAddr, Socket, Type, wait_for_input};

const MSG: usize = 64;

fn send_all(s: &Socket, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = s.send(buf)?;
        buf = &buf[n..];
    }
    Ok(())
}

/// Fills `buf`; false on EOF before anything was read.
fn recv_exact(s: &Socket, buf: &mut [u8]) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match s.recv(&mut buf[got..])? {
            0 if got == 0 => return Ok(false),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => got += n,
        }
    }
    Ok(true)
}

/// Sends back every message of `MSG` bytes until EOF.
fn echo_netprim(s: Socket) -> JoinHandle<io::Result<()>> {
    thread::spawn(move || {
        let mut buf = [0_u8; MSG];
        while recv_exact(&s, &mut buf)? {
            send_all(&s, &buf)?;
        }
        Ok(())
    })
}

fn echo_std<S: Read + Write + Send + 'static>(mut s: S) -> JoinHandle<io::Result<()>> {
    thread::spawn(move || {
        let mut buf = [0_u8; MSG];
        loop {
            match s.read_exact(&mut buf) {
                Ok(()) => s.write_all(&buf)?,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    })
}

fn ping_netprim(s: &Socket, buf: &mut [u8; MSG]) {
    send_all(s, black_box(&buf[..])).expect("send");
    assert!(recv_exact(s, buf).expect("recv"), "echo closed");
}

fn ping_std<S: Read + Write>(s: &mut S, buf: &mut [u8; MSG]) {
    s.write_all(black_box(&buf[..])).expect("write");
    s.read_exact(buf).expect("read");
}

fn tcp_pair_netprim() -> (Socket, Socket) {
    let tcp = || Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("socket");
    let listener = tcp();
    let any: SockAddr = "127.0.0.1:0".parse().expect("address");
    listener.bind(&any).expect("bind");
    listener.listen(1).expect("listen");
    let client = tcp();
    client
        .connect(&listener.local_addr().expect("address"))
        .expect("connect");
    let (server, _) = listener.accept().expect("accept");
    for s in [&client, &server] {
        s.set_nodelay(true).expect("TCP_NODELAY");
    }
    (client, server)
}

fn tcp_pair_std() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    for s in [&client, &server] {
        s.set_nodelay(true).expect("TCP_NODELAY");
    }
    (client, server)
}

/// Times ping-pong on `ours`, its peer `theirs` echoing in a thread.
fn bench_std<S: Read + Write + Send + 'static>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    (mut ours, theirs): (S, S),
) {
    let theirs = echo_std(theirs);
    let mut buf = [0x42_u8; MSG];
    group.bench_function("std", |b| b.iter(|| ping_std(&mut ours, &mut buf)));
    drop(ours);
    theirs.join().expect("echo thread").expect("std echo");
}

fn bench_netprim(group: &mut BenchmarkGroup<'_, WallTime>, (ours, theirs): (Socket, Socket)) {
    let theirs = echo_netprim(theirs);
    let mut buf = [0x42_u8; MSG];
    group.bench_function("netprim", |b| b.iter(|| ping_netprim(&ours, &mut buf)));
    drop(ours);
    theirs.join().expect("echo thread").expect("netprim echo");
}

fn ping_pong_group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(2));
    group
}

fn bench_ping_pong(c: &mut Criterion) {
    let mut group = ping_pong_group(c, "ping_pong_unix");
    bench_std(&mut group, UnixStream::pair().expect("socketpair"));
    let pair = Socket::pair(Domain::UNIX, Type::STREAM, None).expect("socketpair");
    bench_netprim(&mut group, pair);
    group.finish();

    let mut group = ping_pong_group(c, "ping_pong_tcp");
    bench_std(&mut group, tcp_pair_std());
    bench_netprim(&mut group, tcp_pair_netprim());
    group.finish();
}

/// What `wait_for_input` does at the least: one `poll(2)` over `fds` for
/// input, and the indices of the ready ones.
fn poll_for_input(fds: &[RawFd], timeout_ms: libc::c_int) -> Vec<usize> {
    let mut pollfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let nfds = libc::nfds_t::try_from(pollfds.len()).expect("descriptor count");
    // SAFETY: `pollfds` is a live, exclusively borrowed array of `nfds`
    // pollfd structures, and every fd in it is open for the whole call.
    let n = unsafe { libc::poll(pollfds.as_mut_ptr(), nfds, timeout_ms) };
    assert!(n >= 0, "poll: {}", io::Error::last_os_error());
    pollfds
        .iter()
        .enumerate()
        .filter(|(_, p)| p.revents != 0)
        .map(|(i, _)| i)
        .collect()
}

fn bench_wait_for_input(c: &mut Criterion) {
    let mut group = c.benchmark_group("wait_for_input");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(1));
    // As the chat server waits: with a timeout, returning at once because a
    // client has sent something.
    let timeout = Duration::from_secs(1);
    for n in [1_usize, 16, 256] {
        let pairs: Vec<(Socket, Socket)> = (0..n)
            .map(|_| Socket::pair(Domain::UNIX, Type::STREAM, None).expect("socketpair"))
            .collect();
        pairs[n - 1].0.send(b"x").expect("make the last one ready");
        let watched: Vec<&Socket> = pairs.iter().map(|(_, b)| b).collect();
        let raw: Vec<RawFd> = watched.iter().map(|s| s.as_raw_fd()).collect();
        let expected = [n - 1];

        assert_eq!(poll_for_input(&raw, 1000), expected);
        group.bench_with_input(BenchmarkId::new("libc_poll", n), &raw, |b, raw| {
            b.iter(|| poll_for_input(black_box(raw), 1000));
        });
        assert_eq!(
            wait_for_input(&watched, Some(timeout)).expect("wait"),
            expected
        );
        group.bench_with_input(BenchmarkId::new("netprim", n), &watched, |b, w| {
            b.iter(|| wait_for_input(black_box(w), Some(timeout)).expect("wait"));
        });
    }
    group.finish();
}

fn bench_addr_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("addr_parse");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(1));
    for (name, text) in [("v4", "127.0.0.1:4242"), ("v6", "[::1]:4242")] {
        group.bench_with_input(BenchmarkId::new("std", name), text, |b, t| {
            b.iter(|| black_box(t).parse::<SocketAddr>().expect("parse"));
        });
        group.bench_with_input(BenchmarkId::new("netprim", name), text, |b, t| {
            b.iter(|| black_box(t).parse::<SockAddr>().expect("parse"));
        });
    }
    group.finish();
}

// What `criterion_group!` and `criterion_main!` expand to, without their
// undocumented public function. A second of warm-up (criterion's default is
// three) keeps the whole run within a couple of minutes on two cores.
fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    bench_ping_pong(&mut c);
    bench_wait_for_input(&mut c);
    bench_addr_parse(&mut c);
    c.final_summary();
}
