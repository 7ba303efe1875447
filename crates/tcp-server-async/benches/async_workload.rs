//! A fixed workload on one of the servers the `async_server` bench
//! compares, for counting instructions rather than timing (the count is
//! repeatable on a busy machine):
//!
//! ```text
//! cargo bench -p tcp-server-async --bench async_workload --no-run
//! valgrind --tool=callgrind target/release/deps/async_workload-HASH ours echo 128 200
//! ```
//!
//! Arguments: `baseline`, `ours` or `ours-timeouts` (the default timeouts
//! and deadline); `daytime`, `echo` or `chat`; the
//! number of connections (echo, chat); the number of rounds; and
//! `tokio-clients` for clients on tokio's `TcpStream` instead of their own
//! (see `async_server`).

mod servers;

use servers::{ClientKind, Scenario, Which, chat_round, clients, daytime_round, echo_round, start};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: async_workload baseline|ours|ours-timeouts daytime|echo|chat CONNECTIONS ROUNDS [tokio-clients]";
    // Anything else (`cargo bench`'s `--bench`, a test runner's `--list
    // --format terse`) is not for us: do nothing.
    let (which, scenario, n, rounds, kind) = match args.as_slice() {
        [w, s, n, r] => (w, s, n, r, ClientKind::Own),
        [w, s, n, r, k] if k == "tokio-clients" => (w, s, n, r, ClientKind::Tokio),
        _ => return,
    };
    let which = match which.as_str() {
        "baseline" => Which::Baseline,
        "ours" => Which::Ours,
        "ours-timeouts" => Which::OursWithTimeouts,
        _ => return eprintln!("{usage}"),
    };
    let scenario = match scenario.as_str() {
        "daytime" => Scenario::Daytime,
        "echo" => Scenario::Echo,
        "chat" => Scenario::Chat,
        other => panic!("{usage}: not a scenario: {other}"),
    };
    let n: usize = n.parse().expect(usage);
    let rounds: usize = rounds.parse().expect(usage);
    // One thread, as `async_server` runs by default: no work stealing or
    // parking between threads to blur what the server itself costs.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = start(which, scenario).await;
        match scenario {
            Scenario::Daytime => {
                for _ in 0..rounds {
                    daytime_round(kind, addr).await;
                }
            }
            Scenario::Echo | Scenario::Chat => {
                let mut conns = clients(kind, addr, n, matches!(scenario, Scenario::Chat)).await;
                for _ in 0..rounds {
                    match scenario {
                        Scenario::Echo => echo_round(&mut conns).await,
                        _ => chat_round(&mut conns).await,
                    }
                }
            }
        }
    });
}
