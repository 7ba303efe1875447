//! One thread, one epoll loop (mio, edge-triggered), no allocation per
//! request beyond the output buffers: the near-the-limit reference.

use std::io::{self, Read, Write};
use std::net::Shutdown;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use super::{
    BaselineArgs, CHAT_BACKLOG, CHAT_GREETING, HELLO, MAX_LINE, announce, daytime_line, listen,
};
use crate::scenario::Scenario;

const LISTENER: Token = Token(usize::MAX);

#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    /// Bytes still to send, from `sent` on.
    out: Vec<u8>,
    sent: usize,
    /// Hello: bytes of the client's line seen so far.
    line: usize,
    /// Close once `out` is sent (daytime after its line, hello after the
    /// client's line, echo after the client's EOF).
    close_when_flushed: bool,
}

impl Conn {
    fn pending(&self) -> usize {
        self.out.len() - self.sent
    }

    /// Sends what it can; `Ok(true)` when everything is out.
    fn flush(&mut self) -> io::Result<bool> {
        while self.sent < self.out.len() {
            match self.stream.write(&self.out[self.sent..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out.clear();
        self.sent = 0;
        Ok(true)
    }
}

/// Serves `args.scenario` until killed.
///
/// Scheme: none.
///
/// # Errors
///
/// Binding the address, `epoll` itself failing.
pub fn serve(args: &BaselineArgs) -> io::Result<()> {
    let std_listener = listen(args.addr())?;
    std_listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(std_listener);
    announce(listener.local_addr()?);
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match poll.poll(&mut events, None) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        for event in &events {
            if event.token() == LISTENER {
                accept_all(&listener, &poll, &mut conns, &mut free, args.scenario);
                continue;
            }
            let i = event.token().0;
            let alive = match args.scenario {
                Scenario::Chat => chat_ready(i, &mut conns, &mut buf),
                s => drive(i, &mut conns, &mut buf, s),
            };
            for dead in alive {
                if let Some(mut c) = conns.get_mut(dead).and_then(Option::take) {
                    let _ = poll.registry().deregister(&mut c.stream);
                    free.push(dead);
                }
            }
        }
    }
}

fn accept_all(
    listener: &TcpListener,
    poll: &Poll,
    conns: &mut Vec<Option<Conn>>,
    free: &mut Vec<usize>,
    scenario: Scenario,
) {
    loop {
        let mut stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            // Per-connection failures, or out of descriptors: drop this
            // round; the listener stays registered and fires again.
            Err(_) => return,
        };
        let _ = stream.set_nodelay(true);
        let i = free.pop().unwrap_or_else(|| {
            conns.push(None);
            conns.len() - 1
        });
        if poll
            .registry()
            .register(
                &mut stream,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )
            .is_err()
        {
            free.push(i);
            continue;
        }
        let (out, close_when_flushed) = match scenario {
            Scenario::Daytime => (daytime_line(), true),
            Scenario::Hello => (HELLO.to_vec(), false),
            Scenario::Echo => (Vec::new(), false),
            Scenario::Chat => (CHAT_GREETING.to_vec(), false),
        };
        conns[i] = Some(Conn {
            stream,
            out,
            sent: 0,
            line: 0,
            close_when_flushed,
        });
        // Edge-triggered: nothing fires for what is already possible, so
        // send the greeting now. (Failures show at the next event.)
        if let Some(c) = conns[i].as_mut() {
            let _ = c.flush();
        }
    }
}

/// Daytime, hello, echo: one connection's work, as far as it goes without
/// blocking. Returns the connections to drop.
fn drive(i: usize, conns: &mut [Option<Conn>], buf: &mut [u8], scenario: Scenario) -> Vec<usize> {
    let Some(c) = conns.get_mut(i).and_then(Option::as_mut) else {
        return Vec::new();
    };
    match step(c, buf, scenario) {
        Ok(true) => Vec::new(),
        // Done, or failed: closing is the same.
        Ok(false) | Err(_) => {
            let _ = c.stream.shutdown(Shutdown::Write);
            vec![i]
        }
    }
}

/// `Ok(false)` when the connection is finished.
fn step(c: &mut Conn, buf: &mut [u8], scenario: Scenario) -> io::Result<bool> {
    loop {
        if !c.flush()? {
            // Reading more would only queue more output: wait for room.
            return Ok(true);
        }
        if c.close_when_flushed {
            return Ok(false);
        }
        let n = match c.stream.read(buf) {
            Ok(0) => {
                c.close_when_flushed = true;
                continue;
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        match scenario {
            Scenario::Echo => c.out.extend_from_slice(&buf[..n]),
            Scenario::Hello => {
                c.line += n;
                if buf[..n].contains(&b'\n') || c.line >= MAX_LINE {
                    c.close_when_flushed = true;
                }
            }
            // Daytime ignores input; chat does not come here.
            _ => {}
        }
    }
}

/// Chat: read what client `i` sent and queue it for everyone; send what
/// can be sent. Returns the clients to drop (EOF, errors, backlog full).
fn chat_ready(i: usize, conns: &mut [Option<Conn>], buf: &mut [u8]) -> Vec<usize> {
    let mut dead = Vec::new();
    while let Some(c) = conns.get_mut(i).and_then(Option::as_mut) {
        let n = match c.stream.read(buf) {
            Ok(0) => {
                dead.push(i);
                break;
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                dead.push(i);
                break;
            }
        };
        for (j, slot) in conns.iter_mut().enumerate() {
            let Some(c) = slot else { continue };
            if dead.contains(&j) {
                continue;
            }
            c.out.extend_from_slice(&buf[..n]);
            if c.flush().is_err() || c.pending() > CHAT_BACKLOG {
                dead.push(j);
            }
        }
    }
    // Woken for writing, perhaps: send what this one owes.
    if let Some(c) = conns.get_mut(i).and_then(Option::as_mut) {
        if c.flush().is_err() && !dead.contains(&i) {
            dead.push(i);
        }
    }
    dead
}
