#![allow(missing_docs)] // criterion_main! makes an undocumented main
//! tcp-server-async against a minimal hand-written tokio server (an accept
//! loop and `tokio::spawn` per connection, tokio's own `TcpStream`), both
//! built in `servers` and measured in the same run, one after the other for
//! each scenario (so that a change in the machine's load falls on both):
//! daytime (a connection per request), echo over 1, 16 and 128 connections
//! (a 64-byte line each, all at once), chat fan-out to 16 and 64 clients
//! (one line to everyone).
//!
//! `cargo bench -p tcp-server-async --bench async_server`. Servers and load
//! generator share one runtime and the machine's cores: read the ratios
//! between the two servers, not the absolute times. For a count of
//! instructions rather than a time, see `async_workload`.

mod servers;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use servers::{Scenario, Which, chat_round, clients, daytime_round, echo_round, start};
use tokio::runtime::Runtime;

const SERVERS: [(Which, &str); 2] = [
    (Which::Baseline, "baseline"),
    (Which::Ours, "tcp-server-async"),
];

fn bench(c: &mut Criterion) {
    let rt: Runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("async_server");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20);

    for (which, name) in SERVERS {
        let addr = rt.block_on(start(which, Scenario::Daytime));
        group.bench_function(format!("daytime/{name}"), |b| {
            b.iter(|| rt.block_on(daytime_round(addr)))
        });
    }

    let echo = SERVERS.map(|(which, _)| rt.block_on(start(which, Scenario::Echo)));
    for n in [1, 16, 128] {
        for ((_, name), addr) in SERVERS.into_iter().zip(echo) {
            let mut conns = rt.block_on(clients(addr, n, false));
            group.bench_function(format!("echo-{n}/{name}"), |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let started = Instant::now();
                        for _ in 0..iters {
                            echo_round(&mut conns).await;
                        }
                        started.elapsed()
                    })
                })
            });
        }
    }

    for n in [16, 64] {
        for (which, name) in SERVERS {
            let addr = rt.block_on(start(which, Scenario::Chat));
            let mut conns = rt.block_on(clients(addr, n, true));
            group.bench_function(format!("chat-{n}/{name}"), |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let started = Instant::now();
                        for _ in 0..iters {
                            chat_round(&mut conns).await;
                        }
                        started.elapsed()
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
