//! The runner binary: its command line, exit statuses, report files, and
//! external targets (`--server` against an in-test server, `--client` with
//! a client written in bash).

mod util;

use assert_cmd::Command;
use conformance::Family;
use predicates::prelude::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

use util::TestServer;

fn runner() -> Command {
    Command::cargo_bin("conformance").unwrap()
}

fn last_line(out: &[u8]) -> String {
    String::from_utf8_lossy(out)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

#[test]
fn list_names_the_scenarios_and_layers() {
    runner()
        .arg("--list")
        .assert()
        .success()
        .stdout(predicate::str::contains("echo-large"))
        .stdout(predicate::str::contains("requires max-requests 2"))
        .stdout(predicate::str::contains("raw      package netprim"))
        .stdout(predicate::str::contains(
            "threaded package tcp-server, examples threaded-*, settings: read-timeout \
             max-connections max-requests, capabilities: graceful-shutdown, clients: none",
        ))
        .stdout(predicate::str::contains(
            "async    package tcp-server-async",
        ))
        .stdout(predicate::str::contains("requires graceful-shutdown"));
}

#[test]
fn an_unknown_layer_is_a_usage_error() {
    runner()
        .args(["--layer", "raw", "--layer", "bogus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown layer `bogus`; layers: raw, ports, threaded, async",
        ));
}

#[test]
fn an_unknown_scenario_is_a_usage_error() {
    runner()
        .args(["--scenario", "nope", "--server", "127.0.0.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown scenario `nope`; scenarios: abort, chat,",
        ));
}

#[test]
fn a_client_command_must_say_where_the_address_goes() {
    runner()
        .args(["--client", "nc localhost"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("{addr}"));
}

#[test]
fn server_runs_the_clients_against_a_running_server_and_writes_reports() {
    let server = TestServer::start(Family::Ipv4, util::echo);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let md = dir.path().join("r.md");
    let out = runner()
        .args(["--server", &server.addr().to_string()])
        .args([
            "--scenario",
            "echo",
            "--scenario",
            "echo-large",
            "--scenario",
            "read-timeout",
            "--scenario",
            "stop-on-signal",
        ])
        .arg("--json")
        .arg(&json)
        .arg("--markdown")
        .arg(&md)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        last_line(&out),
        "conformance: 2 passed, 0 failed, 2 skipped"
    );
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("echo/ipv4"), "{text}");
    assert!(text.contains("read-timeout on 127.0.0.1:"), "{text}");
    // A server the runner did not start cannot be signalled.
    assert!(
        text.contains("stop-on-signal on 127.0.0.1:")
            && text.contains("signals or watches the server's process"),
        "{text}"
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["passed"], 2);
    assert_eq!(report["skipped"], 2);
    assert_eq!(report["cases"][0]["scenario"], "echo");
    assert_eq!(report["cases"][0]["outcome"], "pass");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("| echo-large/ipv4 | pass "), "{md}");
}

#[test]
fn server_reports_a_failure_with_expected_and_got_and_exits_1() {
    fn hullo(mut c: TcpStream) {
        let _ = c.write_all(b"Hullo!\n");
        let _ = BufReader::new(&c).read_line(&mut String::new());
    }
    let server = TestServer::start(Family::Ipv6, hullo);
    let out = runner()
        .args([
            "--server",
            &server.addr().to_string(),
            "--scenario",
            "hello",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("FAIL hello/ipv6 on [::1]:"), "{text}");
    assert!(
        text.contains("hello.txt:10: alice: expect line \"Hello!\""),
        "{text}"
    );
    assert!(text.contains("expected: the line \"Hello!\""), "{text}");
    assert!(text.contains("got:      the line \"Hullo!\""), "{text}");
    assert_eq!(
        last_line(&out),
        "conformance: 0 passed, 1 failed, 0 skipped"
    );
}

/// A hello client in bash: says good bye, prints the line it gets, exits 0
/// iff it was `Hello!`.
const BASH_HELLO_CLIENT: &str = r#"bash -c 'a=$1; h=${a%:*}; h=${h#[}; h=${h%]}; exec 3<>/dev/tcp/$h/${a##*:} || exit 1; printf "Good Bye!\n" >&3; IFS= read -r l <&3; printf "%s\n" "$l"; [ "$l" = Hello! ]' hello {addr}"#;

#[test]
fn client_runs_any_program_against_the_scripted_server() {
    let out = runner()
        .args(["--client", BASH_HELLO_CLIENT])
        .args([
            "--scenario",
            "hello",
            "--scenario",
            "hello-client-first",
            "--scenario",
            "hello-wrong-greeting",
            "--scenario",
            "echo-large",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("echo-large on `bash` client: no client program can play its clients"),
        "{text}"
    );
    assert_eq!(
        last_line(&out),
        "conformance: 6 passed, 0 failed, 2 skipped"
    );
}

#[test]
fn a_malformed_script_is_reported_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("good.txt"),
        "origin: x\nparticipants: server=echo-server alice\nfamilies: ipv4\nalice: connect\nalice: send \"x\"\nalice: expect echo\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.txt"),
        "origin: x\nparticipants: server alice\nalice: jump\n",
    )
    .unwrap();
    let server = TestServer::start(Family::Ipv4, util::echo);
    let out = runner()
        .env("CONFORMANCE_SCENARIOS", dir.path())
        .args(["--server", &server.addr().to_string()])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("bad.txt:3: expected a step"), "{text}");
    assert!(text.contains("good/ipv4"), "{text}");
    assert_eq!(
        last_line(&out),
        "conformance: 1 passed, 1 failed, 0 skipped"
    );
}

#[test]
fn family_runs_only_what_an_ipv4_only_peer_speaks() {
    // BASH_HELLO_CLIENT refusing `[v6]:port`, as an IPv4-only Scheme peer.
    let ipv4_only = BASH_HELLO_CLIENT.replace("a=$1;", r#"a=$1; [ "${a#[}" = "$a" ] || exit 1;"#);
    assert_ne!(ipv4_only, BASH_HELLO_CLIENT);
    let out = runner()
        .args(["--client", &ipv4_only, "--scenario", "hello"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8_lossy(&out).contains("FAIL hello/ipv6"),
        "without --family the IPv6 case runs and fails"
    );
    let out = runner()
        .args(["--client", &ipv4_only, "--scenario", "hello"])
        .args(["--family", "ipv4"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("hello/ipv4"), "{text}");
    assert!(!text.contains("ipv6"), "{text}");
    assert_eq!(
        last_line(&out),
        "conformance: 1 passed, 0 failed, 0 skipped"
    );
}

#[test]
fn an_unknown_family_is_a_usage_error() {
    runner()
        .args(["--family", "ipv5", "--server", "127.0.0.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown family `ipv5`; families: ipv4, ipv6",
        ));
}
