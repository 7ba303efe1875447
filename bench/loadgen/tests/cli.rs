//! The command lines: `loadgen` and `bench-run` (what `cargo xtask bench`
//! runs), on tiny configurations that finish in seconds.

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;
use predicates::prelude::*;
use test_support::{RunningServer, example_path};

fn start_baseline(bin: &str, scenario: &str) -> RunningServer {
    RunningServer::start(cargo_bin(bin), ["--scenario", scenario]).unwrap()
}

#[test]
fn loadgen_reports_json_against_a_baseline() {
    let server = start_baseline("baseline-mio", "echo");
    let out = Command::cargo_bin("loadgen")
        .unwrap()
        .args(["run", "--json", "--scenario", "echo", "--connections", "4"])
        .args([
            "--payload",
            "16384",
            "--duration",
            "100ms",
            "--target",
            server.addr(),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: loadgen::Report = serde_json::from_slice(&out).unwrap();
    assert!(r.ops > 0 && r.errors.is_empty(), "{r:?}");
    assert_eq!(r.bytes, r.ops * 16384);
    assert_eq!((r.load.connections, r.load.payload), (4, 16384));
}

#[test]
fn loadgen_summary_and_floor() {
    Command::cargo_bin("loadgen")
        .unwrap()
        .args(["pingpong", "--socket", "unix", "--duration", "50ms"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("pingpong-unix").and(predicate::str::contains("errors: none")),
        );
}

#[test]
fn loadgen_refuses_other_hosts_and_bad_values() {
    for (args, needle) in [
        (&["--target", "192.0.2.1:80"][..], "not a loopback address"),
        (&["--target", "example.org:80"][..], "no name lookup"),
        (
            &["--target", "127.0.0.1:80", "--duration=-1s"][..],
            "not a duration",
        ),
        (
            &["--target", "127.0.0.1:80", "--connections", "0"][..],
            "connections 0",
        ),
    ] {
        Command::cargo_bin("loadgen")
            .unwrap()
            .args(["run", "--scenario", "echo"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle));
    }
}

#[test]
fn bench_run_writes_the_table_and_the_chart() {
    // A profile directory of our own, holding only the netprim echo server,
    // two baselines and the load generator: what is found and what is
    // skipped does not depend on what else happens to be built.
    let bins = tempfile::tempdir().unwrap();
    let bin_dir = bins.path();
    std::fs::create_dir(bin_dir.join("examples")).unwrap();
    let raw = example_path("raw-echo-server").unwrap();
    std::os::unix::fs::symlink(raw, bin_dir.join("examples/raw-echo-server")).unwrap();
    for bin in ["loadgen", "baseline-mio", "baseline-tokio"] {
        std::os::unix::fs::symlink(cargo_bin(bin), bin_dir.join(bin)).unwrap();
    }
    let outside = start_baseline("baseline-threads", "echo");
    let out = tempfile::tempdir().unwrap();
    let assert = Command::cargo_bin("bench-run")
        .unwrap()
        .args([
            "--no-build",
            "--quick",
            "--scenarios",
            "echo",
            "--only",
            "raw,mio",
        ])
        .args(["--duration", "100ms", "--reps", "2"])
        .arg("--server")
        .arg(format!("echo={}", outside.addr()))
        .arg("--bin-dir")
        .arg(bin_dir)
        .arg("--out")
        .arg(out.path())
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .success();
    let md = std::fs::read_to_string(out.path().join("results.md")).unwrap();
    let outside_col = format!("`{}`", outside.addr());
    for needle in [
        "| echo 16 B x128 |",
        "`raw`/`mio`",
        outside_col.as_str(),
        "pingpong-unix",
        "CPU seconds",
    ] {
        assert!(md.contains(needle), "{needle} missing from\n{md}");
    }
    // Interleaved: round 1 of every server before round 2 of any.
    let progress = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let first_round2 = progress.find("round 2/2").unwrap();
    let last_round1 = progress.rfind("round 1/2").unwrap();
    assert!(last_round1 < first_round2, "{progress}");
    for skipped in [
        "ports-echo-server",
        "threaded-echo-server",
        "async-echo-server",
        "baseline threads",
    ] {
        assert!(progress.contains(skipped), "{skipped}: {progress}");
    }
    let svg = std::fs::read_to_string(out.path().join("echo-16.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("raw") && svg.contains("mio"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    // 3 loads x 3 servers x 2 rounds.
    assert_eq!(json.as_array().map(Vec::len), Some(18));
}

#[test]
fn bench_run_refuses_an_outside_non_loopback_server() {
    Command::cargo_bin("bench-run")
        .unwrap()
        .args(["--no-build", "--server", "192.0.2.1:7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("loopback"));
}
