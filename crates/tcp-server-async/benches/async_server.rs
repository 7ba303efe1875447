//! tcp-server-async against a minimal hand-written tokio server (an accept
//! loop and `tokio::spawn` per connection, tokio's own `TcpStream`), both
//! built in `servers` and timed in the same run, interleaved: each sample
//! times a batch of rounds on one server, then the same batch on the other,
//! the order swapped from one sample to the next (A B, B A, A B, ...), so
//! that a change in the machine's speed falls on both alike. Scenarios:
//! daytime (a connection per request), echo over 1, 16 and 128 connections
//! (a 64-byte line each, all at once), chat fan-out to 16 and 64 clients
//! (one line to everyone).
//!
//! ```text
//! cargo bench -p tcp-server-async --bench async_server            # 21 samples
//! cargo bench -p tcp-server-async --bench async_server -- --samples 51 echo
//! cargo bench -p tcp-server-async --bench async_server -- --timeouts   # ours with its default timeouts
//! cargo bench -p tcp-server-async --bench async_server -- --baseline-twice
//! cargo bench -p tcp-server-async --bench async_server -- --tokio-clients
//! ```
//!
//! The clients read and write with code of their own (an `AsyncFd` over a
//! std stream): with tokio's `TcpStream` (`--tokio-clients`), the
//! baseline's reads and writes would be the very code its clients run, in
//! the same process, sharing instruction-cache lines that no real server
//! shares with its clients.
//!
//! `--baseline-twice` runs the baseline in place of ours: two identical
//! servers, so its ratios show the method's own error (how far from 1 a
//! ratio strays when nothing differs). `--instances N` measures N fresh
//! pairs of servers one after the other (`--samples` each, made baseline
//! first and ours first in turn): a pair keeps its memory placement for
//! its life, which alone can favour one of two identical servers by a
//! fraction of a percent; the last column gives each pair's median.
//!
//! Printed per scenario: the median time of a round on each server; the
//! median (min–max) over the samples of the ratio ours / baseline of their
//! times (below 1: ours is faster); and the 95 % interval of that median,
//! distribution-free (order statistics): an interval that holds 1 does not
//! tell the two apart. Servers and load generator share one runtime
//! (`current_thread` unless `--threads N`) and the machine's cores: read
//! the ratios, not the absolute times. For a count of instructions rather
//! than a time, see `async_workload`.
//!
//! Without `--bench` (as `cargo test --benches` runs it) it does one small
//! sample of each scenario, to show that it works; with `--list` (as
//! nextest asks) it lists nothing.

mod servers;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use servers::{
    Client, ClientKind, Scenario, Which, chat_round, clients, daytime_round, echo_round, start,
};
use tokio::runtime::Runtime;

/// The scenarios: name, scenario, connections, rounds per sample.
const CASES: [(&str, Scenario, usize, u32); 6] = [
    ("daytime", Scenario::Daytime, 1, 200),
    ("echo-1", Scenario::Echo, 1, 500),
    ("echo-16", Scenario::Echo, 16, 200),
    ("echo-128", Scenario::Echo, 128, 40),
    ("chat-16", Scenario::Chat, 16, 200),
    ("chat-64", Scenario::Chat, 64, 80),
];

const DEFAULT_SAMPLES: usize = 21;

/// One server under load: its address and its clients.
struct Loaded {
    addr: SocketAddr,
    kind: ClientKind,
    conns: Vec<Client>,
}

impl Loaded {
    async fn new(which: Which, scenario: Scenario, n: usize, kind: ClientKind) -> Loaded {
        let addr = start(which, scenario).await;
        let conns = match scenario {
            Scenario::Daytime => Vec::new(),
            Scenario::Echo => clients(kind, addr, n, false).await,
            Scenario::Chat => clients(kind, addr, n, true).await,
        };
        Loaded { addr, kind, conns }
    }

    /// The time of `rounds` rounds.
    async fn time(&mut self, scenario: Scenario, rounds: u32) -> Duration {
        let started = Instant::now();
        for _ in 0..rounds {
            match scenario {
                Scenario::Daytime => daytime_round(self.kind, self.addr).await,
                Scenario::Echo => echo_round(&mut self.conns).await,
                Scenario::Chat => chat_round(&mut self.conns).await,
            }
        }
        started.elapsed()
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The 95 % interval of the median of `sorted` samples, distribution-free:
/// the order statistics k and n + 1 - k with k = n/2 - 0.98·√n (the normal
/// approximation of the binomial count of samples below the median); the
/// whole range for fewer than 6 samples.
fn median_interval(sorted: &[f64]) -> (f64, f64) {
    let n = sorted.len();
    let k = (n as f64 / 2.0 - 0.98 * (n as f64).sqrt()).floor();
    if n < 6 || k < 1.0 {
        return (sorted[0], sorted[n - 1]);
    }
    let k = k as usize;
    (sorted[k - 1], sorted[n - k])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let measuring = args.iter().any(|a| a == "--bench");
    let mut samples = if measuring { DEFAULT_SAMPLES } else { 1 };
    let mut filter = None;
    let mut threads = 0;
    let mut ours_kind = Which::Ours;
    let mut client_kind = ClientKind::Own;
    let mut instances = 1;
    let mut rest = args.iter().filter(|a| *a != "--bench");
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--samples" => {
                let n = rest.next().and_then(|n| n.parse().ok());
                samples = n
                    .filter(|&n| n > 0)
                    .expect("--samples takes a count above 0");
            }
            "--threads" => {
                let n = rest.next().and_then(|n| n.parse().ok());
                threads = n.expect("--threads takes a count (0: one thread, current_thread)");
            }
            "--instances" => {
                let n = rest.next().and_then(|n| n.parse().ok());
                instances = n
                    .filter(|&n| n > 0)
                    .expect("--instances takes a count above 0");
            }
            "--timeouts" => ours_kind = Which::OursWithTimeouts,
            "--baseline-twice" => ours_kind = Which::Baseline,
            "--tokio-clients" => client_kind = ClientKind::Tokio,
            other if !other.starts_with('-') => filter = Some(other.to_string()),
            _ => {}
        }
    }
    let rt: Runtime = match threads {
        0 => tokio::runtime::Builder::new_current_thread(),
        n => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n);
            b
        }
    }
    .enable_all()
    .build()
    .expect("a runtime");
    let runtime = match threads {
        0 => "one current_thread runtime".to_string(),
        n => format!("one runtime of {n} worker threads"),
    };
    println!(
        "async_server: {instances} pair(s) of servers per scenario, {samples} interleaved \
         samples each; ratio = time ours ({}) / baseline (below 1: faster); servers and load \
         generator share {runtime} on this machine's cores; clients: {}",
        match ours_kind {
            Which::OursWithTimeouts => "default timeouts and deadline",
            Which::Baseline => "a second baseline: the method's own error",
            Which::Ours => "no timeouts, as the baseline",
        },
        match client_kind {
            ClientKind::Own => "their own reads and writes (AsyncFd over std streams)",
            ClientKind::Tokio => "tokio's TcpStream, the baseline's own code",
        }
    );
    println!(
        "| scenario | baseline, µs/round | ours, µs/round | ratio, median (min–max) | 95 % interval of the median | median of each pair (min–max) |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, scenario, n, rounds) in CASES {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let rounds = if measuring { rounds } else { 2 };
        let (mut base_us, mut ours_us, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let mut pair_medians = Vec::new();
        // Each pair of servers has its own memory and sockets: where they
        // land can favour one of two identical servers by a fraction of a
        // percent for the whole pair's life. Fresh pairs, made in turn
        // baseline first and ours first, spread that over both.
        for instance in 0..instances {
            let first = ratios.len();
            rt.block_on(async {
                let (mut baseline, mut ours) = if instance % 2 == 0 {
                    let baseline = Loaded::new(Which::Baseline, scenario, n, client_kind).await;
                    (
                        baseline,
                        Loaded::new(ours_kind, scenario, n, client_kind).await,
                    )
                } else {
                    let ours = Loaded::new(ours_kind, scenario, n, client_kind).await;
                    (
                        Loaded::new(Which::Baseline, scenario, n, client_kind).await,
                        ours,
                    )
                };
                // A first batch on each, untimed: connections and caches warm.
                baseline.time(scenario, rounds).await;
                ours.time(scenario, rounds).await;
                for sample in 0..samples {
                    let (b, o) = if sample % 2 == 0 {
                        let b = baseline.time(scenario, rounds).await;
                        (b, ours.time(scenario, rounds).await)
                    } else {
                        let o = ours.time(scenario, rounds).await;
                        (baseline.time(scenario, rounds).await, o)
                    };
                    base_us.push(b.as_secs_f64() * 1e6 / f64::from(rounds));
                    ours_us.push(o.as_secs_f64() * 1e6 / f64::from(rounds));
                    ratios.push(o.as_secs_f64() / b.as_secs_f64());
                }
            });
            pair_medians.push(median(&mut ratios[first..].to_vec()));
        }
        let (lo, hi) = ratios
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &r| (lo.min(r), hi.max(r)));
        let ratio = median(&mut ratios);
        let (below, above) = median_interval(&ratios);
        let pairs = median(&mut pair_medians);
        let (first, last) = (pair_medians[0], pair_medians[pair_medians.len() - 1]);
        println!(
            "| {name} | {:.1} | {:.1} | {ratio:.3} ({lo:.2}–{hi:.2}) | {below:.3}–{above:.3} | {pairs:.3} ({first:.3}–{last:.3}) |",
            median(&mut base_us),
            median(&mut ours_us),
        );
    }
}
