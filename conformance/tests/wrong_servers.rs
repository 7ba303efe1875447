//! The runner against small in-test servers, right and deliberately wrong:
//! a green suite must mean something, so each wrong server must fail at the
//! right step, with what was expected and what arrived.

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use conformance::{Family, Outcome};
use rstest::rstest;

use util::{TestServer, against, assert_passed, bundled_scenario, failure, script};

/// The line of `needle` in bundled scenario `name`.
fn line_of(name: &str, needle: &str) -> usize {
    let s = bundled_scenario(name);
    s.steps
        .iter()
        .find(|st| st.text == needle)
        .unwrap_or_else(|| panic!("no step {needle:?} in {name}"))
        .line
}

#[rstest]
fn correct_servers_pass(
    #[values("echo", "echo-large", "half-close", "abort")] name: &str,
    #[values(Family::Ipv4, Family::Ipv6)] family: Family,
) {
    let server = TestServer::start(family, util::echo);
    assert_passed(&against(bundled_scenario(name), server.addr()));
}

#[test]
fn a_correct_hello_server_passes() {
    let server = TestServer::start(Family::Ipv4, util::hello);
    assert_passed(&against(bundled_scenario("hello"), server.addr()));
}

#[test]
fn a_server_that_answers_the_wrong_line_fails_at_that_line() {
    fn hullo(mut c: TcpStream) {
        let _ = c.write_all(b"Hullo!\n");
        let _ = BufReader::new(&c).read_line(&mut String::new());
    }
    let server = TestServer::start(Family::Ipv4, hullo);
    let f = failure(&against(bundled_scenario("hello"), server.addr()));
    assert_eq!(f.line, line_of("hello", "alice: expect line \"Hello!\""));
    assert_eq!(f.expected, "the line \"Hello!\"");
    assert_eq!(f.actual, "the line \"Hullo!\"");
}

#[test]
fn a_server_that_closes_early_fails_with_eof() {
    fn rude(c: TcpStream) {
        drop(c);
    }
    let server = TestServer::start(Family::Ipv6, rude);
    let f = failure(&against(bundled_scenario("hello"), server.addr()));
    assert_eq!(f.line, line_of("hello", "alice: expect line \"Hello!\""));
    assert_eq!(f.actual, "EOF");
}

#[test]
fn a_server_that_never_answers_fails_when_the_timeout_runs_out() {
    fn mute(mut c: TcpStream) {
        // Reads until the client goes, answering nothing.
        let _ = c.read_to_end(&mut Vec::new());
    }
    let server = TestServer::start(Family::Ipv4, mute);
    let s = script(
        "origin: test\nparticipants: server=hello-server alice\ntimeout: 300ms\n\
         alice: connect\nalice: expect line \"Hello!\"\n",
    );
    let r = against(s, server.addr());
    let f = failure(&r);
    assert_eq!(f.line, 5);
    assert_eq!(f.expected, "the line \"Hello!\" within its timeout");
    assert_eq!(f.actual, "nothing (timed out)");
    assert!(r.elapsed >= Duration::from_millis(300), "{:?}", r.elapsed);
    assert!(r.elapsed < Duration::from_secs(3), "{:?}", r.elapsed);
}

#[test]
fn a_corrupted_byte_in_megabytes_is_located() {
    fn flips_one_byte(mut c: TcpStream) {
        let mut buf = [0u8; 65536];
        let mut at = 0usize;
        while let Ok(n @ 1..) = c.read(&mut buf) {
            let target = 1_000_000usize;
            if (at..at + n).contains(&target) {
                buf[target - at] ^= 0xff;
            }
            at += n;
            if c.write_all(&buf[..n]).is_err() {
                return;
            }
        }
    }
    let server = TestServer::start(Family::Ipv4, flips_one_byte);
    let f = failure(&against(bundled_scenario("echo-large"), server.addr()));
    assert_eq!(f.line, line_of("echo-large", "alice: expect echo"));
    assert!(f.actual.starts_with("byte 1000000 differs"), "{}", f.actual);
}

#[test]
fn a_server_that_drops_the_echo_at_half_close_fails() {
    fn drops_the_rest(mut c: TcpStream) {
        let _ = c.read_to_end(&mut Vec::new());
    }
    let server = TestServer::start(Family::Ipv4, drops_the_rest);
    let f = failure(&against(bundled_scenario("half-close"), server.addr()));
    assert_eq!(f.line, line_of("half-close", "alice: expect echo"));
    assert_eq!(f.actual, "EOF after 0 of 262144 bytes");
}

#[test]
fn a_server_that_ends_with_an_aborting_client_fails_the_next_client() {
    // Stands for a server that lets one connection's reset end it: it
    // serves one connection and is gone.
    let server = TestServer::start_limited(Family::Ipv4, 1, util::echo);
    let f = failure(&against(bundled_scenario("abort"), server.addr()));
    // bob is refused, or reset if his connection was queued just before
    // the listener closed: both say the server is gone.
    let connect = line_of("abort", "bob: connect");
    let echo = line_of("abort", "bob: expect echo");
    assert!(f.line == connect || f.line == echo, "{f:?}");
    assert!(
        f.actual.contains("refused") || f.actual.contains("reset"),
        "{f:?}"
    );
}

#[test]
fn an_external_server_cannot_pass_a_scenario_that_needs_settings() {
    let server = TestServer::start(Family::Ipv4, util::echo);
    let r = against(bundled_scenario("read-timeout"), server.addr());
    match r.outcome {
        Outcome::Unsupported(why) => assert!(why.contains("read-timeout 500ms"), "{why}"),
        other => panic!("{other:?}"),
    }
}
