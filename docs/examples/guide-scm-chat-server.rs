//! SCM's chat server, ported: accepts clients, greets each with
//! `connected`, and sends every client what any client sends. One thread
//! waits on the listener and every connection at once, as SCM's
//! `wait-for-input` loop does.
//!
//! `guide-scm-chat-server [--host H] [--port P]` (default 127.0.0.1:8001).
//! It serves until killed.

use std::io::{self, ErrorKind, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use netprim::{Domain, MsgFlags, SockAddr, Socket, Type, wait_for_input};

/// SCM's chat server.
#[derive(Debug, Parser)]
struct Args {
    /// The address to listen on (SCM: every interface).
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8001)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match chat_server(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guide-scm-chat-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A client: its socket and the address `getpeername` gave when it came.
struct Con {
    socket: Socket,
    peer: SockAddr,
}

fn chat_server(args: &Args) -> io::Result<()> {
    // (socket:bind (make-stream-socket af_inet) 8001); make-stream-socket
    // sets SO_REUSEADDR, Socket::new does not.
    let family = if args.host.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let listener_socket = Socket::new(family, Type::STREAM, None)?;
    listener_socket.set_reuse_address(true)?;
    listener_socket.bind(&SockAddr::from((args.host, args.port)))?;
    // (socket:listen listener-socket 5)
    listener_socket.listen(5)?;
    println!("listening on {}", listener_socket.local_addr()?);
    let mut connections: Vec<Con> = Vec::new();
    // (do () (#f) ...)
    loop {
        // (apply wait-for-input 5 listener-socket connections): index 0 is
        // the listener, index k the connection k - 1.
        let mut fds = vec![&listener_socket];
        fds.extend(connections.iter().map(|c| &c.socket));
        let actives = wait_for_input(&fds, Some(Duration::from_secs(5)))?;
        drop(fds);
        // Which connections were ready, taken before a new one shifts them.
        let ready: Vec<bool> = (1..=connections.len())
            .map(|k| actives.contains(&k))
            .collect();
        let mut con_list: Vec<(Con, bool)> = connections.drain(..).zip(ready).collect();
        // ((memq listener-socket actives) ...)
        if actives.contains(&0) {
            match listener_socket.accept() {
                Ok((socket, peer)) => {
                    println!("accepting connection from {peer}");
                    // (display "connected" con) (newline con)
                    if (&socket).write_all(b"connected\n").is_ok() {
                        // (set! connections (cons con connections))
                        con_list.insert(0, (Con { socket, peer }, false));
                    }
                }
                // A client gone before its accept is its problem, not the
                // server's: SCM would have stopped here.
                Err(e) if e.kind() == ErrorKind::ConnectionAborted => {}
                // Out of descriptors, say: the listener stays readable, so
                // pause instead of spinning until one is free.
                Err(e) => {
                    eprintln!("accept: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        // (let next ((con-list connections)) ...)
        let mut buf = [0; 4096];
        let mut received: Vec<Vec<u8>> = Vec::new();
        for (con, active) in con_list {
            if !active {
                connections.push(con);
                continue;
            }
            // (read-char con), a whole read at a time rather than a char
            match con.socket.recv(&mut buf) {
                // (eof-object? c): (close-port con), not kept
                Ok(0) | Err(_) => println!("closing connection from {}", con.peer),
                Ok(n) => {
                    received.push(buf[..n].to_vec());
                    connections.push(con);
                }
            }
        }
        // (for-each (lambda (con) (write-char c con)) connections). The
        // write must not wait: a client that stops reading would stop the
        // whole chat (SCM's write-char waits), so a client whose socket
        // buffer is full is dropped instead.
        for bytes in &received {
            connections.retain(|con| match send_now(&con.socket, bytes) {
                Ok(()) => true,
                Err(e) => {
                    println!("closing connection from {}: {e}", con.peer);
                    false
                }
            });
        }
    }
}

/// Sends all of `bytes` without waiting for room, or fails.
fn send_now(socket: &Socket, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match socket.send_with_flags(bytes, MsgFlags::DONTWAIT) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
