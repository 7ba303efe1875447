//! Vicare's master socket and its accept loop, ported: a master socket
//! (IPv4, SO_REUSEADDR, SO_LINGER 1 s) is waited on until readable, each
//! pending connection is accepted into a non-blocking server port, and the
//! client is served the Unit tcp example's exchange (`Hello!` out, one line
//! in, printed with the client's address).
//!
//! `guide-vicare-accept [--interface I] [--port P] [--connections N]`
//! (default localhost:8081, serving until killed).

use std::io::{self, ErrorKind, Read, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use netprim::{SockAddr, wait_readable, wait_writable};
use tcp_ports::{MasterSocket, ServerPort};

/// How long one client may take to send its line.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest line a client may send.
const MAX_LINE: usize = 64 * 1024;

/// A server on Vicare's master socket.
#[derive(Debug, Parser)]
struct Args {
    /// The interface to listen on, as getaddrinfo takes it.
    #[arg(long, default_value = "localhost")]
    interface: String,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// Serve this many connections, then close the master socket.
    #[arg(long)]
    connections: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guide-vicare-accept: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &Args) -> io::Result<()> {
    // (define master-sock (make-master-sock "localhost" 8081 10))
    let master_sock = MasterSocket::bind(&args.interface, args.port, 10)?;
    println!("listening on {}", master_sock.local_addr());
    let mut served = 0;
    while args.connections.is_none_or(|n| served < n) {
        // Whenever the master socket becomes readable, a connection is
        // pending.
        wait_readable(&master_sock, None)?;
        // (receive (server-sock server-port client-address)
        //     (make-server-sock-and-port master-sock) ...)
        let (mut server_port, client_address) = match master_sock.accept() {
            Ok(accepted) => accepted,
            // The client left before its accept, or another process took
            // it: wait for the next one.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::ConnectionAborted
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e),
        };
        let client = SockAddr::from_bytes(&client_address)?;
        match hello(&mut server_port) {
            Ok(line) => println!("{client}: {line}"),
            Err(e) => eprintln!("{client}: {e}"),
        }
        // (close-server-port server-port)
        server_port.close()?;
        served += 1;
    }
    // (close-master-sock master-sock)
    master_sock.close()
}

/// The Unit tcp example's exchange on a non-blocking port: every read and
/// write waits for readiness first, up to one deadline for the client.
fn hello(port: &mut ServerPort) -> io::Result<String> {
    let deadline = Instant::now() + CLIENT_TIMEOUT;
    let mut out: &[u8] = b"Hello!\n";
    while !out.is_empty() {
        match port.write(out) {
            Ok(n) => out = &out[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                wait(deadline, |t| wait_writable(&*port, t))?
            }
            Err(e) => return Err(e),
        }
    }
    let mut line = Vec::new();
    let mut buf = [0; 1024];
    while !line.ends_with(b"\n") {
        match port.read(&mut buf) {
            Ok(0) => break,
            Ok(n) if line.len() + n > MAX_LINE => {
                return Err(io::Error::new(
                    ErrorKind::InvalidData,
                    "line longer than 64 KiB",
                ));
            }
            Ok(n) => line.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                wait(deadline, |t| wait_readable(&*port, t))?
            }
            Err(e) => return Err(e),
        }
    }
    Ok(String::from_utf8_lossy(&line)
        .trim_end_matches('\n')
        .to_string())
}

/// Waits with `ready` until `deadline`, or fails with `TimedOut`.
fn wait(
    deadline: Instant,
    ready: impl FnOnce(Option<Duration>) -> io::Result<bool>,
) -> io::Result<()> {
    let left = deadline.saturating_duration_since(Instant::now());
    if ready(Some(left))? {
        Ok(())
    } else {
        Err(io::Error::new(
            ErrorKind::TimedOut,
            "the client took too long",
        ))
    }
}
