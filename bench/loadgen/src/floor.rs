//! The floor: one connection, one blocking thread at each end, a payload
//! bounced back and forth. No server does a round trip faster than this, so
//! it tells what the machine allows.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::cpu::CpuTime;
use crate::stats::{LoadDesc, Recorder, Report, kind};

/// Which socket the ping-pong runs over.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FloorSocket {
    /// A TCP connection over 127.0.0.1, `TCP_NODELAY` on.
    Tcp,
    /// A Unix stream socket pair (`socketpair(2)`).
    Unix,
}

impl FloorSocket {
    /// The name reports use: `pingpong-tcp`, `pingpong-unix`.
    pub fn name(self) -> &'static str {
        match self {
            FloorSocket::Tcp => "pingpong-tcp",
            FloorSocket::Unix => "pingpong-unix",
        }
    }
}

/// Bounces `payload` bytes over `socket` for `duration` and reports round
/// trips per second. The CPU time is the whole process's (both ends).
///
/// Scheme: none.
///
/// # Errors
///
/// `InvalidInput` for a payload of 0 or over 1 MiB, a duration of 0 or
/// over an hour; the errors of making the sockets.
pub fn ping_pong(socket: FloorSocket, payload: usize, duration: Duration) -> io::Result<Report> {
    if !(1..=1 << 20).contains(&payload)
        || duration.is_zero()
        || duration > Duration::from_secs(3600)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "ping-pong: payload {payload} (1 B-1 MiB) or duration {duration:?} (up to 1 h) out of range"
            ),
        ));
    }
    let cpu_before = CpuTime::of_self()?;
    let (tally, elapsed) = match socket {
        FloorSocket::Tcp => {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
            let client = TcpStream::connect(listener.local_addr()?)?;
            let (server, _) = listener.accept()?;
            client.set_nodelay(true)?;
            server.set_nodelay(true)?;
            bounce(client, server, payload, duration)?
        }
        FloorSocket::Unix => {
            let (a, b) = UnixStream::pair()?;
            bounce(a, b, payload, duration)?
        }
    };
    let cpu = CpuTime::of_self()? - cpu_before;
    let desc = LoadDesc {
        scenario: socket.name().to_string(),
        connections: 1,
        payload,
        rate: None,
    };
    Ok(tally.report(desc, elapsed, cpu))
}

fn bounce<S>(
    mut client: S,
    mut server: S,
    payload: usize,
    duration: Duration,
) -> io::Result<(Recorder, Duration)>
where
    S: Read + Write + Send + 'static,
{
    // The echo end stops at the client's EOF (its drop below).
    let echo = thread::spawn(move || -> io::Result<()> {
        let mut buf = vec![0; payload];
        loop {
            match server.read_exact(&mut buf) {
                Ok(()) => server.write_all(&buf)?,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    });
    let mut tally = Recorder::new();
    let mut request = Vec::new();
    let mut reply = vec![0; payload];
    let start = Instant::now();
    let deadline = start + duration;
    let mut round = 0u64;
    while Instant::now() < deadline {
        crate::payload::echo_request(&mut request, 0, round, payload);
        round += 1;
        let t = Instant::now();
        client.write_all(&request)?;
        client.read_exact(&mut reply)?;
        if reply != request {
            tally.error(kind::MISMATCH);
            break;
        }
        tally.op(t.elapsed(), payload);
    }
    let elapsed = start.elapsed();
    drop(client);
    match echo.join() {
        Ok(r) => r?,
        Err(_) => return Err(io::Error::other("ping-pong echo thread panicked")),
    }
    Ok((tally, elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_floors_bounce_and_check() {
        for socket in [FloorSocket::Tcp, FloorSocket::Unix] {
            let r = ping_pong(socket, 64, Duration::from_millis(50)).unwrap();
            assert!(r.ops > 0, "{r:?}");
            assert_eq!(r.error_count(), 0, "{r:?}");
            assert_eq!(r.bytes, r.ops * 64);
            assert_eq!(r.load.scenario, socket.name());
        }
        let err = ping_pong(FloorSocket::Unix, 0, Duration::from_millis(1)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
