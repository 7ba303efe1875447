//! SCM's chat server on raw sockets: one thread waits on the listener and
//! every client at once (`wait_for`, SCM's `wait-for-input`), greets each
//! new client with `connected`, and relays whatever any client sends to
//! every client, the sender included.
//!
//! Unlike SCM's, it relays whole reads rather than single characters, and
//! never blocks on a client: sockets are non-blocking and each client has a
//! queue of unsent bytes; a client whose queue passes
//! [`CHAT_BACKLOG_LIMIT`] (it stopped reading) is disconnected rather than
//! stalling the others or growing the server without bound.
//!
//! ```text
//! cargo run -p netprim --example raw-chat-server -- --port 8001
//! ```

#[path = "raw/listener.rs"]
mod listener;

use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::Duration;

use example_support::{
    CHAT_BACKLOG_LIMIT, CHAT_GREETING, ConnectionBudget, ExitOnError, RELAY_CHUNK, UnixServerArgs,
    parse_args,
};
use netprim::{Interest, SockAddr, Socket, wait_for};

/// One connected client.
struct Client {
    socket: Socket,
    peer: SockAddr,
    /// Bytes relayed to this client that its socket has not taken yet.
    backlog: VecDeque<u8>,
    state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// In the chat: read from and relayed to.
    Open,
    /// Sent EOF: out of the chat, but still sent what was relayed to it
    /// before (nothing written to a client is lost); closed once that is out.
    Closing,
    /// To be removed and closed at the end of the current round (removing
    /// it now would shift the indices of the round's readiness).
    Gone,
}

fn main() {
    let args: UnixServerArgs = parse_args();
    let listener = listener::listen(&args);
    // Readiness says a connection is pending, but the peer may have given
    // up by the time we accept: never block there.
    listener.socket.set_nonblocking(true).or_exit("error");
    let budget = ConnectionBudget::new(args.server.max_connections);
    let mut accepting = true;
    let mut clients: Vec<Client> = Vec::new();
    let mut buf = vec![0; RELAY_CHUNK];
    while accepting || !clients.is_empty() {
        let listener_slot = accepting.then_some((&listener.socket, Interest::READ));
        let slots: Vec<_> = listener_slot
            .into_iter()
            .chain(clients.iter().map(|c| {
                let interest = match (c.state, c.backlog.is_empty()) {
                    (State::Open, true) => Interest::READ,
                    (State::Open, false) => Interest::BOTH,
                    _ => Interest::WRITE,
                };
                (&c.socket, interest)
            }))
            .collect();
        let ready = wait_for(&slots, None).or_exit("error");
        drop(slots);
        let first_client = usize::from(accepting);
        for r in ready {
            if r.index < first_client {
                accepting = !accept_all(&listener.socket, &budget, &mut clients);
                continue;
            }
            let i = r.index - first_client;
            if r.writable {
                flush(&mut clients[i]);
            }
            if r.readable && clients[i].state == State::Open {
                relay_from(i, &mut clients, &mut buf);
            }
        }
        // Dropping a client closes its socket.
        clients.retain(|c| c.state != State::Gone);
    }
}

/// Accepts every pending connection; returns whether the last one
/// `--max-connections` allows was taken.
fn accept_all(listener: &Socket, budget: &ConnectionBudget, clients: &mut Vec<Client>) -> bool {
    loop {
        let (socket, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
            // Interrupted, or the peer gave up before we accepted.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                ) =>
            {
                continue;
            }
            Err(e) => {
                // Such as running out of descriptors: pause briefly rather
                // than spin on a listener that stays readable.
                eprintln!("accept failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
                return false;
            }
        };
        eprintln!("accepting connection from {peer}");
        let mut client = Client {
            backlog: CHAT_GREETING.iter().copied().collect(),
            socket,
            peer,
            state: State::Open,
        };
        if let Err(e) = client.socket.set_nonblocking(true) {
            eprintln!("connection from {}: {e}", client.peer);
            client.state = State::Gone;
        }
        flush(&mut client);
        clients.push(client);
        if budget.take() {
            return true;
        }
    }
}

/// Reads what client `i` sent and queues it for every client.
fn relay_from(i: usize, clients: &mut [Client], buf: &mut [u8]) {
    let n = match (&clients[i].socket).read(buf) {
        Ok(0) => {
            let client = &mut clients[i];
            eprintln!("closing connection from {}", client.peer);
            client.state = State::Closing;
            flush(client);
            return;
        }
        Ok(n) => n,
        Err(e) if is_transient(&e) => return,
        Err(e) => {
            eprintln!("connection from {}: {e}", clients[i].peer);
            clients[i].state = State::Gone;
            return;
        }
    };
    for client in clients.iter_mut().filter(|c| c.state == State::Open) {
        client.backlog.extend(&buf[..n]);
        if client.backlog.len() > CHAT_BACKLOG_LIMIT {
            eprintln!(
                "dropping connection from {}: over {CHAT_BACKLOG_LIMIT} bytes unread",
                client.peer
            );
            client.state = State::Gone;
        } else {
            flush(client);
        }
    }
}

/// Sends as much of the client's backlog as its socket takes now; a
/// closing client is done once all is sent.
fn flush(client: &mut Client) {
    while client.state != State::Gone && !client.backlog.is_empty() {
        let (pending, _) = client.backlog.as_slices();
        match client.socket.send(pending) {
            Ok(n) => {
                client.backlog.drain(..n);
            }
            Err(e) if is_transient(&e) => return,
            Err(e) => {
                eprintln!("connection from {}: {e}", client.peer);
                client.state = State::Gone;
            }
        }
    }
    if client.state == State::Closing && client.backlog.is_empty() {
        client.state = State::Gone;
    }
}

/// Nothing to do now: try again at the next readiness.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}
