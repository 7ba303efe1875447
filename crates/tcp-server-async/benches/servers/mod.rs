//! The two servers the benches compare, built here: a minimal hand-written
//! tokio server (an accept loop and `tokio::spawn` per connection, tokio's
//! own `TcpStream`) and this crate's, for daytime, echo and chat; and the
//! clients that load them.

use std::net::SocketAddr;
use std::sync::Arc;

use tcp_server_async::{Output, ServerBuilder};

mod client;
pub use client::{Client, ClientKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::broadcast;

pub const LINE: &[u8; 64] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";

#[derive(Clone, Copy)]
pub enum Scenario {
    Daytime,
    Echo,
    Chat,
}

/// The baseline: accept, spawn, serve with tokio's stream directly.
pub async fn baseline(scenario: Scenario) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (relay, _) = broadcast::channel::<Arc<[u8]>>(1024);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let relay = relay.clone();
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                match scenario {
                    Scenario::Daytime => {
                        let _ = stream.write_all(b"Mon Nov 30 00:00:00 2026\n").await;
                    }
                    Scenario::Echo => {
                        let mut buf = vec![0; 8192];
                        while let Ok(n @ 1..) = stream.read(&mut buf).await {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                    Scenario::Chat => {
                        let mut inbox = relay.subscribe();
                        let _ = stream.write_all(b"connected\n").await;
                        let mut buf = vec![0; 8192];
                        loop {
                            tokio::select! {
                                n = stream.read(&mut buf) => match n {
                                    Ok(n @ 1..) => { let _ = relay.send(Arc::from(&buf[..n])); }
                                    _ => break,
                                },
                                m = inbox.recv() => match m {
                                    Ok(m) => if stream.write_all(&m).await.is_err() { break },
                                    Err(_) => break,
                                },
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

/// The example programs' own handlers: echo is `async-echo-server`'s, chat
/// `async-scale`'s.
#[path = "../../examples/common/mod.rs"]
mod examples;

/// This crate's server for the same scenario: without timeouts, as the
/// baseline (no read or write timeout, no deadline), or with the defaults
/// (a read and a write timeout of 60 s, a deadline of 5 minutes).
pub async fn ours(scenario: Scenario, timeouts: bool) -> SocketAddr {
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let builder = match timeouts {
        true => ServerBuilder::new(),
        false => ServerBuilder::new()
            .deadline(None)
            .idle_timeout(None)
            .config(tcp_ports::TcpConfig::new().with_write_timeout(None)),
    };
    let server = match scenario {
        Scenario::Daytime => builder.build(listener, |_, mut o: Output, _| async move {
            o.write_all(b"Mon Nov 30 00:00:00 2026\n").await
        }),
        Scenario::Echo => builder.build(listener, |i, o, _| examples::echo(i, o)),
        Scenario::Chat => {
            let (relay, _) = broadcast::channel::<Arc<[u8]>>(1024);
            builder.build(listener, move |i, o, _| {
                examples::relay_chat(i, o, relay.clone())
            })
        }
    }
    .unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run());
    addr
}

/// `n` clients of `kind`, each past the server's greeting if `greeted`.
pub async fn clients(kind: ClientKind, addr: SocketAddr, n: usize, greeted: bool) -> Vec<Client> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        let mut client = Client::connect(kind, addr).await;
        if greeted {
            client.read_line().await;
        }
        conns.push(client);
    }
    conns
}

/// Runs the futures concurrently on this task (no extra crate for it).
pub async fn join_all<F: std::future::Future<Output = ()>>(futures: impl Iterator<Item = F>) {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    std::future::poll_fn(|cx| {
        set.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if set.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}

/// Which server a bench or workload runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Baseline,
    Ours,
    /// Ours with the default timeouts and deadline.
    OursWithTimeouts,
}

/// Starts `which` server for `scenario`.
pub async fn start(which: Which, scenario: Scenario) -> SocketAddr {
    match which {
        Which::Baseline => baseline(scenario).await,
        Which::Ours => ours(scenario, false).await,
        Which::OursWithTimeouts => ours(scenario, true).await,
    }
}

/// One daytime request: connect, read the line to the end.
pub async fn daytime_round(kind: ClientKind, addr: SocketAddr) {
    let mut client = Client::connect(kind, addr).await;
    assert_eq!(client.read_to_end().await, 25);
}

/// One echo round: every connection sends a line and reads it back, all
/// at once.
pub async fn echo_round(conns: &mut [Client]) {
    let rounds = conns.iter_mut().map(|c| async move {
        c.write_all(LINE).await;
        let mut back = [0; 64];
        c.read_exact(&mut back).await;
    });
    join_all(rounds).await;
}

/// One chat round: the first client sends a line, everyone reads it.
pub async fn chat_round(conns: &mut [Client]) {
    conns[0].write_all(LINE).await;
    let reads = conns.iter_mut().map(|c| async move {
        let mut back = [0; 64];
        c.read_exact(&mut back).await;
    });
    join_all(reads).await;
}
