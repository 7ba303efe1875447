//! The chat servers' line limit: a line longer than `MAX_LINE` (64 KiB,
//! newline included) disconnects its sender, and only its sender; none of
//! it is relayed. A line within the limit is relayed whole.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use example_support::MAX_LINE;
use reliability::{Layer, PATIENCE};
use rstest::rstest;

/// How much a chat server's resident memory may grow over this test: a
/// few lines at the limit, not the megabytes an unbounded line could take.
const MEMORY_BOUND: u64 = 8 << 20;

struct Chatter {
    stream: TcpStream,
    lines: BufReader<TcpStream>,
}

impl Chatter {
    fn join(addr: SocketAddr) -> Chatter {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut lines = BufReader::new(stream.try_clone().unwrap());
        let mut greeting = String::new();
        lines.read_line(&mut greeting).unwrap();
        assert_eq!(greeting, "connected\n");
        Chatter { stream, lines }
    }

    fn next_line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        self.lines.read_until(b'\n', &mut line).unwrap();
        line
    }
}

/// Reads and drops whatever comes until the server closes (EOF or reset).
fn closed_within(mut s: TcpStream, within: Duration) {
    let deadline = Instant::now() + within;
    let mut buf = vec![0; 64 * 1024];
    // Bounded by the deadline; each read by the socket's read timeout.
    loop {
        assert!(Instant::now() < deadline, "still open after {within:?}");
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

#[rstest]
fn a_line_past_the_limit_disconnects_its_sender_only(
    #[values(Layer::Threaded, Layer::Async)] layer: Layer,
) {
    let mut server = layer.start("chat", &[]).unwrap();
    let addr = server.addr();
    let before = server.rss().unwrap();
    let mut alice = Chatter::join(addr);
    let mut bob = Chatter::join(addr);

    // At the limit exactly: relayed whole, to everyone.
    let mut longest = vec![b'y'; MAX_LINE - 1];
    longest.push(b'\n');
    let mut carol = Chatter::join(addr);
    carol.stream.write_all(&longest).unwrap();
    for who in [&mut alice, &mut bob, &mut carol] {
        assert_eq!(who.next_line(), longest);
    }

    // One byte past it, in pieces, with more after: carol is dropped.
    let oversized = vec![b'z'; MAX_LINE + 1];
    for piece in oversized.chunks(10_000) {
        if carol.stream.write_all(piece).is_err() {
            break; // dropped already
        }
    }
    let _ = carol.stream.write_all(b" and more\n");
    closed_within(carol.stream, PATIENCE);

    // The others stay, and none of carol's long line reached them.
    alice.stream.write_all(b"alice 0\n").unwrap();
    assert_eq!(alice.next_line(), b"alice 0\n");
    assert_eq!(bob.next_line(), b"alice 0\n");
    let after = server.rss().unwrap();
    assert!(
        after <= before + MEMORY_BOUND,
        "VmRSS grew from {before} to {after} bytes (bound: {MEMORY_BOUND})"
    );
    server.alive().unwrap();
}
