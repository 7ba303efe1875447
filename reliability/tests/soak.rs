//! The reliability scenarios at scale, for as long as asked: `cargo xtask
//! soak [--minutes N]` runs these ignored tests one after the other, each
//! for its share of the time (`RELIABILITY_SOAK_SECONDS`, default 60), and
//! prints the `soak:` lines they print as its summary. Each starts its
//! servers once and runs rounds against them, so that a leak shows as
//! memory growing from round to round. Not in CI.

use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use reliability::hostile::{closed_within, connect, fill_without_reading};
use reliability::{ChatRun, EchoRun, Layer, PATIENCE, Server, chat_churn, echo_load};

/// The most rounds any soak runs, whatever its time: a bound in count.
const MAX_ROUNDS: usize = 100_000;

fn budget() -> Duration {
    let seconds = std::env::var("RELIABILITY_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(seconds)
}

/// Runs `round` against each server in turn until `time` is spent (a
/// round begun is finished), then prints one summary line per server.
fn soak(
    scenario: &str,
    servers: &mut [Server],
    time: Duration,
    mut round: impl FnMut(&mut Server) -> String,
) {
    let end = Instant::now() + time;
    let first: Vec<u64> = servers.iter_mut().map(|s| s.rss().unwrap()).collect();
    let mut rounds = 0;
    let mut last = vec![String::new(); servers.len()];
    while Instant::now() < end && rounds < MAX_ROUNDS {
        for (i, server) in servers.iter_mut().enumerate() {
            last[i] = round(server);
            server.alive().unwrap();
        }
        rounds += 1;
    }
    for (i, server) in servers.iter_mut().enumerate() {
        let rss = server.rss().unwrap();
        println!(
            "soak: {scenario} on {}: {rounds} rounds, all passed; VmRSS {} -> {} KiB; last round: {}",
            server.name(),
            first[i] / 1024,
            rss / 1024,
            last[i]
        );
    }
}

#[test]
#[ignore = "a soak: run by `cargo xtask soak`"]
fn soak_load() {
    let mut servers = [
        Layer::Async.start("echo", &[]).unwrap(),
        Layer::Threaded
            .start("echo", &["--max-requests", "256"])
            .unwrap(),
    ];
    soak("load", &mut servers, budget(), |server| {
        let run = match server.name().starts_with("async") {
            true => EchoRun {
                clients: 8000,
                concurrency: 8000,
                hold: Some(8000),
                max_payload: 16 * 1024,
                deadline: Duration::from_secs(120),
            },
            false => EchoRun {
                clients: 2000,
                concurrency: 2000,
                hold: Some(256),
                max_payload: 64 * 1024,
                deadline: Duration::from_secs(120),
            },
        };
        let report = echo_load(server.addr(), &run).unwrap();
        assert_eq!(report.most_at_once, run.hold.unwrap());
        format!("{report:?}")
    });
}

#[test]
#[ignore = "a soak: run by `cargo xtask soak`"]
fn soak_nothing_lost() {
    let mut echo = [
        Layer::Threaded.start("echo", &[]).unwrap(),
        Layer::Async.start("echo", &[]).unwrap(),
    ];
    // Half the time echo, half chat.
    soak("echo churn", &mut echo, budget() / 2, |server| {
        let run = EchoRun {
            clients: 2000,
            concurrency: 100,
            hold: None,
            max_payload: 1024 * 1024,
            deadline: Duration::from_secs(300),
        };
        format!("{:?}", echo_load(server.addr(), &run).unwrap())
    });
    drop(echo);
    let mut chat = [
        Layer::Threaded.start("chat", &[]).unwrap(),
        Layer::Async.start("chat", &[]).unwrap(),
    ];
    soak("chat churn", &mut chat, budget() / 2, |server| {
        let run = ChatRun {
            stayers: 16,
            churners: 1000,
            churn_concurrency: 16,
            stayer_lines: 1500,
            churner_lines: 100,
            deadline: Duration::from_secs(300),
        };
        format!("{:?}", chat_churn(server.addr(), &run).unwrap())
    });
}

/// How long a hostile client may stay open: the servers' 3 s deadline,
/// and patience.
const HOSTILE_CLOSE: Duration = Duration::from_secs(3).saturating_add(PATIENCE);

/// Silent clients and clients that never read, beside good ones.
#[test]
#[ignore = "a soak: run by `cargo xtask soak`"]
fn soak_hostile() {
    let mut servers = [
        Layer::Threaded
            .start("echo", &["--read-timeout", "500", "--deadline", "3000"])
            .unwrap(),
        Layer::Async
            .start("echo", &["--read-timeout", "500", "--deadline", "3000"])
            .unwrap(),
    ];
    soak("hostile", &mut servers, budget(), |server| {
        let addr = server.addr();
        let silent: Vec<TcpStream> = (0..300).map(|_| connect(addr)).collect();
        let stuck: Vec<_> = (0..32)
            .map(|_| {
                thread::spawn(move || {
                    let s = fill_without_reading(addr);
                    closed_within(s, HOSTILE_CLOSE, "a client that never reads");
                })
            })
            .collect();
        let run = EchoRun {
            clients: 500,
            concurrency: 100,
            hold: None,
            max_payload: 64 * 1024,
            deadline: Duration::from_secs(60),
        };
        let report = echo_load(addr, &run).unwrap();
        for t in stuck {
            t.join().unwrap();
        }
        for s in silent {
            closed_within(s, HOSTILE_CLOSE, "a silent client");
        }
        format!("{report:?}")
    });
}
