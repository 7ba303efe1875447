//! The scale run: a chat server of tcp-server-async holding as many clients
//! as the descriptor limit allows, every one receiving a broadcast. Reports
//! the server's resident memory per connection and the time for one line to
//! reach every client. Not a CI test: run it by hand.
//!
//! `cargo run --release -p tcp-server-async --example async-scale --
//! [--connections 19000] [--processes 4]`
//!
//! The server runs in this process (its soft descriptor limit raised to the
//! hard one); the clients run in `--processes` child processes (each has
//! its own descriptor limit), each bound to its own 127.0.0.x source
//! address so that no source runs out of ephemeral ports. A child connects
//! its share, reads `connected` on each, says `ready`, and, once the parent
//! has sent one line through a client of its own, waits until every one of
//! its connections has received it and says `received`.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

mod common;

use clap::Parser;
use tcp_server_async::ServerBuilder;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::sync::broadcast;

#[derive(Debug, Parser)]
struct Args {
    /// How many chat clients in all.
    #[arg(long, default_value_t = 19_000)]
    connections: usize,
    /// How many client processes.
    #[arg(long, default_value_t = 4)]
    processes: usize,
    /// (Internal) be a client process: connect this many to ADDR.
    #[arg(long, value_name = "ADDR", requires = "count")]
    client: Option<SocketAddr>,
    #[arg(long)]
    count: Option<usize>,
    #[arg(long)]
    source: Option<Ipv4Addr>,
}

const LINE: &[u8] = b"broadcast to everyone\n";

fn main() {
    let args = Args::parse();
    raise_descriptor_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match args.client {
        Some(addr) => runtime.block_on(client(addr, args.count.unwrap_or(0), args.source)),
        None => runtime.block_on(parent(&args)),
    }
}

fn raise_descriptor_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn parent(args: &Args) {
    let listener = tcp_ports::ListenOptions::new(0)
        .host("127.0.0.1")
        .backlog(4096)
        .listen()
        .expect("listen");
    let (relay, _) = broadcast::channel::<Arc<[u8]>>(1024);
    let server = ServerBuilder::new()
        .deadline(None)
        .idle_timeout(None)
        .build(listener, move |i, o, _| {
            common::relay_chat(i, o, relay.clone())
        })
        .expect("server");
    let addr = server.local_addr();
    let handle = server.handle();
    let running = tokio::spawn(server.run());
    let before = rss_kib();

    let per = args.connections.div_ceil(args.processes.max(1));
    let exe = std::env::current_exe().expect("own path");
    let mut children = Vec::new();
    let connect_started = Instant::now();
    for p in 0..args.processes {
        let count = per.min(args.connections - (p * per).min(args.connections));
        let source = Ipv4Addr::new(127, 0, 0, 2 + p as u8);
        let child = Command::new(&exe)
            .args([
                "--client",
                &addr.to_string(),
                "--count",
                &count.to_string(),
                "--source",
                &source.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start a client process");
        children.push(child);
    }
    let mut outputs: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().expect("piped")))
        .collect();
    let wait_for = |outputs: &mut Vec<BufReader<std::process::ChildStdout>>, word: &str| {
        for out in outputs.iter_mut() {
            let mut line = String::new();
            out.read_line(&mut line).expect("a child's line");
            assert!(line.starts_with(word), "a child said {line:?}");
        }
    };
    tokio::task::block_in_place(|| wait_for(&mut outputs, "ready"));
    let connected_in = connect_started.elapsed();
    let stats = handle.stats();
    let after = rss_kib();
    let n = stats.active;

    // One more client, the sender: it receives the line too.
    let (mut input, mut output) = tcp_server_async::connect(addr).await.expect("sender");
    let mut greeting = String::new();
    input.read_line(&mut greeting).await.expect("greeting");
    let sent = Instant::now();
    output.write_all(LINE).await.expect("send");
    output.flush().await.expect("send");
    tokio::task::block_in_place(|| wait_for(&mut outputs, "received"));
    let broadcast_in = sent.elapsed();

    println!(
        "connections held: {n} (accepted {}), in {connected_in:.1?}",
        stats.accepted
    );
    println!("server RSS: {before} KiB before, {after} KiB with the clients");
    println!(
        "RSS per connection: {:.0} bytes",
        (after.saturating_sub(before) as f64 * 1024.0) / n.max(1) as f64
    );
    println!("broadcast reached all {n} clients in {broadcast_in:.1?}");
    for mut c in children {
        drop(c.stdin.take());
        let _ = c.wait();
    }
    handle.force();
    let _ = running.await;
}

async fn client(addr: SocketAddr, count: usize, source: Option<Ipv4Addr>) {
    let mut readers = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        if let Some(ip) = source {
            socket
                .bind(SocketAddr::new(IpAddr::V4(ip), 0))
                .expect("bind the source address");
        }
        let mut stream = socket.connect(addr).await.expect("connect");
        let mut greeting = [0; 10];
        stream.read_exact(&mut greeting).await.expect("greeting");
        readers.push(stream);
    }
    println!("ready");
    let _ = io::stdout().flush();
    let mut waits = tokio::task::JoinSet::new();
    for mut stream in readers {
        waits.spawn(async move {
            let mut line = vec![0; LINE.len()];
            stream.read_exact(&mut line).await.expect("the broadcast");
            stream
        });
    }
    let mut streams = Vec::with_capacity(count);
    while let Some(done) = waits.join_next().await {
        streams.push(done.expect("a reader"));
    }
    println!("received");
    let _ = io::stdout().flush();
    // Hold the connections until the parent closes our stdin.
    let _ = tokio::task::spawn_blocking(|| io::stdin().lines().count()).await;
    drop(streams);
}
