//! The `threaded-*` examples speak the scenarios of `shared/scenarios.md`,
//! stop cleanly on SIGTERM, and survive running out of descriptors.

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use test_support::{RunningServer, cpu_ticks, example_path, limit_descriptors, refused_within};
use util::{PATIENCE, line, rest, send};

fn start(example: &str, args: &[&str]) -> RunningServer {
    let path = example_path(example).expect("build the example");
    RunningServer::start(path, args).expect("start the example")
}

fn connect(server: &RunningServer) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(server.addr()).expect("connect");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s
}

fn read_line(s: &mut impl Read) -> String {
    let mut r = BufReader::new(s);
    line(&mut r).unwrap()
}

#[test]
fn daytime_one_line_then_eof() {
    let server = start("threaded-daytime-server", &[]);
    let mut s = connect(&server);
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert_eq!(text.matches('\n').count(), 1, "{text:?}");
    assert!(text.len() > 10, "{text:?}");
}

#[test]
fn hello_both_write_first_and_the_line_is_printed() {
    let server = start("threaded-hello-server", &["--host", "::1"]);
    assert!(server.addr().starts_with("[::1]:"), "{}", server.addr());
    let mut s = connect(&server);
    s.write_all(b"Good Bye!\n").unwrap();
    let mut r = BufReader::new(s);
    assert_eq!(line(&mut r).unwrap(), "Hello!");
    assert_eq!(rest(&mut r).unwrap(), "");
    assert_eq!(server.next_line(PATIENCE).as_deref(), Some("Good Bye!"));
}

#[test]
fn echo_until_half_close_under_a_cap_of_one() {
    let server = start("threaded-echo-server", &["--max-requests", "1"]);
    let mut first = connect(&server);
    let mut second = connect(&server);
    send(&mut second, "second"); // waits in the kernel's queue
    send(&mut first, "first");
    assert_eq!(read_line(&mut first), "first");
    first.shutdown(Shutdown::Write).unwrap();
    assert_eq!(rest(&mut first).unwrap(), "");
    // The slot is free: the waiting client is served now.
    assert_eq!(read_line(&mut second), "second");
}

#[test]
fn chat_relays_to_everyone() {
    let server = start("threaded-chat-server", &[]);
    let a = connect(&server);
    let mut ar = BufReader::new(a.try_clone().unwrap());
    assert_eq!(line(&mut ar).unwrap(), "connected");
    let b = connect(&server);
    let mut br = BufReader::new(b.try_clone().unwrap());
    assert_eq!(line(&mut br).unwrap(), "connected");
    send(&mut &a, "from a");
    assert_eq!(line(&mut ar).unwrap(), "from a");
    assert_eq!(line(&mut br).unwrap(), "from a");
    send(&mut &b, "from b");
    assert_eq!(line(&mut ar).unwrap(), "from b");
    assert_eq!(line(&mut br).unwrap(), "from b");
    a.shutdown(Shutdown::Write).unwrap();
    assert_eq!(rest(&mut ar).unwrap(), "");
}

#[test]
fn a_cap_of_zero_is_a_usage_error() {
    let path = example_path("threaded-echo-server").unwrap();
    let out = Command::new(path)
        .args(["--max-requests", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn sigterm_refuses_new_connections_and_lets_one_in_flight_finish() {
    let mut server = start("threaded-hello-server", &["--diagnostics"]);
    let addr = server.addr().to_string();
    let mut s = connect(&server);
    let mut r = BufReader::new(s.try_clone().unwrap());
    assert_eq!(line(&mut r).unwrap(), "Hello!"); // in its handler now
    let pid = Pid::from_raw(server.child().id() as i32);
    kill(pid, Signal::SIGTERM).unwrap();
    refused_within(&addr, PATIENCE);
    s.write_all(b"Good Bye!\n").unwrap();
    assert_eq!(rest(&mut r).unwrap(), "");
    assert_eq!(server.next_line(PATIENCE).as_deref(), Some("Good Bye!"));
    assert_eq!(server.exit_within(PATIENCE).code(), Some(0));
}

#[test]
fn a_second_signal_forces() {
    let mut server = start("threaded-hello-server", &[]);
    let s = connect(&server);
    let mut r = BufReader::new(s.try_clone().unwrap());
    assert_eq!(line(&mut r).unwrap(), "Hello!");
    let pid = Pid::from_raw(server.child().id() as i32);
    kill(pid, Signal::SIGINT).unwrap();
    // Two signals sent at once may arrive as one: send the second once the
    // first has closed the listener.
    refused_within(server.addr(), PATIENCE);
    kill(pid, Signal::SIGINT).unwrap();
    assert_eq!(server.exit_within(PATIENCE).code(), Some(0));
    let mut rest_of = String::new();
    assert!(r.read_line(&mut rest_of).is_err() || rest_of.is_empty());
}

#[test]
fn out_of_descriptors_it_backs_off_quietly_and_serves_again() {
    const LIMIT: u64 = 24;
    let path = example_path("threaded-echo-server").unwrap();
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new(path);
    cmd.args(["--diagnostics", "emfile"])
        .stderr(Stdio::from(log.reopen().unwrap()));
    limit_descriptors(&mut cmd, LIMIT);
    let mut server = RunningServer::start_command(cmd).unwrap();
    let pid = server.child().id();
    // More clients than the server has descriptors for.
    let mut clients: Vec<_> = (0..LIMIT + 8).map(|_| connect(&server)).collect();
    for (n, c) in clients.iter_mut().enumerate() {
        send(c, &format!("hello {n}"));
    }
    // The first ones are served until descriptors run out.
    assert_eq!(read_line(&mut clients[0]), "hello 0");
    // Starved: a second of backoff must cost next to no CPU.
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(1)); // the window measured
    let spent = cpu_ticks(pid) - before;
    assert!(spent < 20, "{spent} ticks of CPU in one starved second");
    // Some eight retries in that second, one line: once per burst, not per
    // error. (Later, every descriptor freed and taken again starts a new
    // burst, so the whole log is not a count of bursts.)
    let starved = std::fs::read_to_string(log.path()).unwrap();
    let lines = starved.matches("accept error (backing off)").count();
    assert!((1..=2).contains(&lines), "{starved}");
    // Closing the served clients frees descriptors: the rest are served.
    let (served, waiting): (Vec<_>, Vec<_>) =
        clients.into_iter().enumerate().partition(|(n, _)| *n < 8);
    drop(served);
    for (n, mut c) in waiting {
        assert_eq!(read_line(&mut c), format!("hello {n}"));
        drop(c);
    }
}
