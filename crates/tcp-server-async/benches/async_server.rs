//! tcp-server-async against a minimal hand-written tokio server (an accept
//! loop and `tokio::spawn` per connection, tokio's own `TcpStream`), both
//! built in `servers` and timed in the same run, interleaved, with a
//! control: a second copy of the baseline, timed as ours is. Each sample
//! times a batch of rounds on each of the three servers in turn, the order
//! cycling through all six from one sample to the next, so that a change in
//! the machine's speed falls on all alike. Scenarios: daytime (a connection
//! per request), echo over 1, 16 and 128 connections (a 64-byte line each,
//! all at once), chat fan-out to 16 and 64 clients (one line to everyone).
//!
//! ```text
//! cargo bench -p tcp-server-async --bench async_server            # 21 samples
//! cargo bench -p tcp-server-async --bench async_server -- --samples 101 --instances 6
//! cargo bench -p tcp-server-async --bench async_server -- --samples 51 echo
//! cargo bench -p tcp-server-async --bench async_server -- --timeouts   # ours with its default timeouts
//! cargo bench -p tcp-server-async --bench async_server -- --no-control # two servers, not three
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
//! The control column is the ratio control / baseline: two identical
//! servers, so it shows the method's own error in the same run (how far
//! from 1 a ratio strays when nothing differs); ours is told from the
//! baseline only where its interval lies outside the control's.
//! `--baseline-twice` puts the baseline in ours' place as well.
//! `--instances N` measures N fresh sets of servers one after the other
//! (`--samples` each, made in a different order each time): a server keeps
//! its memory placement for its life, which alone can favour one of
//! identical servers by a fraction of a percent; the last column gives each
//! set's median of ours / baseline.
//!
//! Printed per scenario: the median time of a round on the baseline and on
//! ours; the median (min–max) over the samples of the ratio ours /
//! baseline of their times (below 1: ours is faster); the 95 % interval of
//! that median, distribution-free (order statistics): an interval that
//! holds 1 does not tell the two apart; and the same median and interval
//! for the control. Servers and load generator share one runtime
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

/// The orders in which one sample times the servers (0: the baseline, 1:
/// ours, 2: the control), cycled from one sample to the next: each server
/// comes first, second and third equally often, after each of the others.
const ORDERS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [0, 2, 1],
    [2, 1, 0],
    [1, 0, 2],
];

/// The median of a ratio over the samples, its 95 % interval and range.
struct Summary {
    median: f64,
    interval: (f64, f64),
    range: (f64, f64),
}

impl Summary {
    fn of(ratios: &[f64]) -> Summary {
        let mut sorted = ratios.to_vec();
        sorted.sort_by(f64::total_cmp);
        Summary {
            median: sorted[sorted.len() / 2],
            interval: median_interval(&sorted),
            range: (sorted[0], sorted[sorted.len() - 1]),
        }
    }
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
    let mut control = true;
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
            "--no-control" => control = false,
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
    let servers = if control { "three" } else { "two" };
    println!(
        "async_server: {instances} set(s) of {servers} servers per scenario, {samples} interleaved \
         samples each; ratio = time ours ({}) / baseline (below 1: faster){}; servers and load \
         generator share {runtime} on this machine's cores; clients: {}",
        match ours_kind {
            Which::OursWithTimeouts => "default timeouts and deadline",
            Which::Baseline => "a second baseline: the method's own error",
            Which::Ours => "no timeouts, as the baseline",
        },
        match control {
            true =>
                "; control = time of a second baseline / baseline: what the ratio is when nothing differs",
            false => "",
        },
        match client_kind {
            ClientKind::Own => "their own reads and writes (AsyncFd over std streams)",
            ClientKind::Tokio => "tokio's TcpStream, the baseline's own code",
        }
    );
    if control {
        println!(
            "| scenario | baseline, µs/round | ours, µs/round | ratio, median (min–max) | 95 % interval of the median | control, median (95 % interval) | median of each set (min–max) |"
        );
        println!("|---|---|---|---|---|---|---|");
    } else {
        println!(
            "| scenario | baseline, µs/round | ours, µs/round | ratio, median (min–max) | 95 % interval of the median | median of each pair (min–max) |"
        );
        println!("|---|---|---|---|---|---|");
    }
    let kinds = [Which::Baseline, ours_kind, Which::Baseline];
    let count = if control { 3 } else { 2 };
    for (name, scenario, n, rounds) in CASES {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let rounds = if measuring { rounds } else { 2 };
        // For the baseline and ours, µs a round of each sample; per sample,
        // the ratios ours / baseline and control / baseline.
        let mut times: [Vec<f64>; 2] = Default::default();
        let (mut ratios, mut controls) = (Vec::new(), Vec::new());
        let mut set_medians = Vec::new();
        // Each server has its own memory and sockets: where they land can
        // favour one of identical servers by a fraction of a percent for
        // its whole life. Fresh sets, made in a different order each time,
        // spread that over all.
        for instance in 0..instances {
            let first = ratios.len();
            rt.block_on(async {
                let mut loaded: Vec<Option<Loaded>> = (0..count).map(|_| None).collect();
                for k in 0..count {
                    let which = (k + instance) % count;
                    loaded[which] = Some(Loaded::new(kinds[which], scenario, n, client_kind).await);
                }
                let mut loaded: Vec<Loaded> = loaded.into_iter().flatten().collect();
                // A first batch on each, untimed: connections and caches warm.
                for server in &mut loaded {
                    server.time(scenario, rounds).await;
                }
                for sample in 0..samples {
                    let mut took = [Duration::ZERO; 3];
                    let order = match control {
                        true => &ORDERS[sample % ORDERS.len()][..],
                        false if sample % 2 == 0 => &[0, 1][..],
                        false => &[1, 0][..],
                    };
                    for &which in order {
                        took[which] = loaded[which].time(scenario, rounds).await;
                    }
                    for (which, times) in times.iter_mut().enumerate() {
                        times.push(took[which].as_secs_f64() * 1e6 / f64::from(rounds));
                    }
                    ratios.push(took[1].as_secs_f64() / took[0].as_secs_f64());
                    if control {
                        controls.push(took[2].as_secs_f64() / took[0].as_secs_f64());
                    }
                }
            });
            set_medians.push(median(&mut ratios[first..].to_vec()));
        }
        let ours = Summary::of(&ratios);
        let (lo, hi) = ours.range;
        let (below, above) = ours.interval;
        let sets = median(&mut set_medians);
        let (first, last) = (set_medians[0], set_medians[set_medians.len() - 1]);
        let control_cell = match control {
            true => {
                let c = Summary::of(&controls);
                format!(
                    " {:.3} ({:.3}–{:.3}) |",
                    c.median, c.interval.0, c.interval.1
                )
            }
            false => String::new(),
        };
        println!(
            "| {name} | {:.1} | {:.1} | {:.3} ({lo:.2}–{hi:.2}) | {below:.3}–{above:.3} |{control_cell} {sets:.3} ({first:.3}–{last:.3}) |",
            median(&mut times[0]),
            median(&mut times[1]),
            ours.median,
        );
    }
}
