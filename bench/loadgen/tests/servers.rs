//! The load generator against real servers on loopback: every baseline and
//! the netprim example for every scenario pass the byte-for-byte checks,
//! and servers that answer wrongly or stall are caught.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use loadgen::load::run;
use loadgen::stats::kind;
use loadgen::{LoadConfig, Report, Scenario, Target};
use rstest::rstest;
use test_support::{RunningServer, example_path};

fn load(addr: &str, scenario: Scenario, connections: usize) -> LoadConfig {
    LoadConfig {
        connections,
        payload: if scenario == Scenario::Chat { 40 } else { 100 },
        duration: Duration::from_millis(150),
        op_timeout: Duration::from_secs(10),
        ..LoadConfig::new(addr.parse().unwrap(), scenario)
    }
}

fn assert_clean(r: &Report) {
    assert!(r.ops > 0, "{r:?}");
    assert!(r.errors.is_empty(), "{r:?}");
    assert!(r.latency_us.p50 <= r.latency_us.max, "{r:?}");
}

#[rstest]
fn baselines_serve_every_scenario(
    #[values("baseline-tokio", "baseline-threads", "baseline-mio")] bin: &str,
    #[values(Scenario::Daytime, Scenario::Hello, Scenario::Echo, Scenario::Chat)]
    scenario: Scenario,
    #[values("127.0.0.1", "::1")] host: &str,
) {
    let program = assert_cmd::cargo::cargo_bin(bin);
    let server =
        RunningServer::start(program, ["--scenario", scenario.name(), "--host", host]).unwrap();
    let r = run(&load(server.addr(), scenario, 4), 1).unwrap();
    assert_clean(&r);
    if scenario == Scenario::Chat {
        // Each line reaches all four clients: deliveries come in fours.
        assert_eq!(r.ops % 4, 0, "{r:?}");
    }
}

#[rstest]
fn the_raw_examples_pass_the_checks(
    #[values(Scenario::Daytime, Scenario::Hello, Scenario::Echo, Scenario::Chat)]
    scenario: Scenario,
) {
    let program = example_path(&format!("raw-{scenario}-server")).unwrap();
    let server = RunningServer::start(program, ["--port", "0"]).unwrap();
    assert_clean(&run(&load(server.addr(), scenario, 3), 1).unwrap());
}

/// A one-connection echo server that changes `corrupt` (if set) in every
/// reply and sleeps `stall` before its `stall_at`th reply.
fn odd_echo(corrupt: Option<u8>, stall_at: usize, stall: Duration) -> Target {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let Some(Ok(mut s)) = listener.incoming().next() else {
            return;
        };
        let mut buf = [0; 16];
        // Bounded: ends at the client's EOF, or after this many replies.
        for i in 0..1_000_000 {
            if s.read_exact(&mut buf).is_err() {
                return;
            }
            if i == stall_at {
                // The stall under test, not a wait for a condition.
                thread::sleep(stall);
            }
            if let Some(b) = corrupt {
                buf[3] ^= b;
            }
            if s.write_all(&buf).is_err() {
                return;
            }
        }
    });
    Target::try_from(addr).unwrap()
}

#[test]
fn a_wrong_byte_is_a_mismatch() {
    let target = odd_echo(Some(1), usize::MAX, Duration::ZERO);
    let config = LoadConfig {
        duration: Duration::from_millis(100),
        ..LoadConfig::new(target, Scenario::Echo)
    };
    let r = run(&config, 1).unwrap();
    assert_eq!(r.ops, 0, "{r:?}");
    assert_eq!(r.errors.get(kind::MISMATCH), Some(&1), "{r:?}");
}

#[test]
fn open_loop_shows_a_stall_that_closed_loop_hides() {
    let stall = Duration::from_millis(300);
    let config = |target, rate| LoadConfig {
        duration: Duration::from_millis(800),
        rate,
        ..LoadConfig::new(target, Scenario::Echo)
    };
    // Closed loop: the stalled request is one slow sample among thousands.
    let closed = run(&config(odd_echo(None, 20, stall), None), 1).unwrap();
    // Open loop at 100/s: the thirty requests due during the stall wait too,
    // and their latency counts from when each was due.
    let open = run(&config(odd_echo(None, 20, stall), Some(100.0)), 1).unwrap();
    assert!(
        closed.errors.is_empty() && open.errors.is_empty(),
        "{closed:?} {open:?}"
    );
    assert!(closed.latency_us.max >= 290_000, "{closed:?}");
    assert!(closed.latency_us.p99 < 100_000, "{closed:?}");
    assert!(open.latency_us.p99 >= 200_000, "{open:?}");
    assert!((70..=81).contains(&open.ops), "{open:?}");
}

#[test]
fn a_refused_connection_is_counted_by_kind() {
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let config = LoadConfig {
        duration: Duration::from_millis(50),
        ..LoadConfig::new(Target::try_from(addr).unwrap(), Scenario::Daytime)
    };
    let r = run(&config, 1).unwrap();
    assert_eq!(r.ops, 0);
    assert!(
        r.errors.get("ConnectionRefused").is_some_and(|&n| n > 0),
        "{r:?}"
    );
}

#[test]
fn bad_configurations_are_refused_naming_the_value() {
    let t: Target = "127.0.0.1:9".parse().unwrap();
    for (config, needle) in [
        (
            LoadConfig {
                connections: 0,
                ..LoadConfig::new(t, Scenario::Echo)
            },
            "connections 0",
        ),
        (
            LoadConfig {
                payload: 5,
                ..LoadConfig::new(t, Scenario::Chat)
            },
            "payload 5",
        ),
        (
            LoadConfig {
                rate: Some(f64::NAN),
                ..LoadConfig::new(t, Scenario::Echo)
            },
            "rate NaN",
        ),
        (
            LoadConfig {
                duration: Duration::ZERO,
                ..LoadConfig::new(t, Scenario::Echo)
            },
            "duration",
        ),
    ] {
        let err = run(&config, 1).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains(needle), "{err}");
    }
}

#[rstest]
fn baselines_hold_a_thousand_connections(
    #[values("baseline-tokio", "baseline-threads", "baseline-mio")] bin: &str,
) {
    let program = assert_cmd::cargo::cargo_bin(bin);
    let server = RunningServer::start(program, ["--scenario", "echo"]).unwrap();
    let config = LoadConfig {
        duration: Duration::from_millis(300),
        ..load(server.addr(), Scenario::Echo, 1024)
    };
    let r = run(&config, 1).unwrap();
    // All 1,024 connects succeeded (a failed one is an error), and the
    // echoes that went out in the time came back intact.
    assert_clean(&r);
}
