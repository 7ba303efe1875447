//! The `async-*` examples speak the scenarios of `shared/scenarios.md`,
//! stop cleanly on SIGTERM, and survive running out of descriptors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use test_support::{RunningServer, cpu_ticks, example_path, limit_descriptors, refused_within};

const PATIENCE: Duration = Duration::from_secs(10);

fn start(example: &str, args: &[&str]) -> RunningServer {
    let path = example_path(example).expect("build the example");
    RunningServer::start(path, args).expect("start the example")
}

fn connect(server: &RunningServer) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(server.addr()).expect("connect");
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s
}

fn line(r: &mut impl BufRead) -> String {
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    line.trim_end_matches('\n').to_string()
}

fn client(example: &str, addr: &str, stdin: &str) -> std::process::Output {
    let path = example_path(example).expect("build the example");
    let mut child = Command::new(path)
        .args(["--addr", addr])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn daytime_server_and_client() {
    let server = start("async-daytime-server", &[]);
    let mut text = String::new();
    connect(&server).read_to_string(&mut text).unwrap();
    assert_eq!(text.matches('\n').count(), 1, "{text:?}");
    assert!(text.len() > 10, "{text:?}");
    let out = client("async-daytime-client", server.addr(), "");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn hello_server_and_client_both_write_first() {
    let server = start("async-hello-server", &["--host", "::1"]);
    assert!(server.addr().starts_with("[::1]:"), "{}", server.addr());
    let out = client("async-hello-client", server.addr(), "");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello!\n");
    assert_eq!(server.next_line(PATIENCE).as_deref(), Some("Good Bye!"));
}

#[test]
fn echo_until_half_close_under_a_cap_of_one() {
    let server = start("async-echo-server", &["--max-requests", "1"]);
    let mut s = connect(&server);
    let mut r = BufReader::new(s.try_clone().unwrap());
    for text in ["one", "two"] {
        s.write_all(format!("{text}\n").as_bytes()).unwrap();
        assert_eq!(line(&mut r), text);
    }
    s.shutdown(Shutdown::Write).unwrap();
    let mut rest = String::new();
    r.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "");
}

#[test]
fn chat_relays_to_everyone_and_the_client_prints_it() {
    let server = start("async-chat-server", &[]);
    let mut a = connect(&server);
    let mut ra = BufReader::new(a.try_clone().unwrap());
    assert_eq!(line(&mut ra), "connected");
    let out = client("async-chat-client", server.addr(), "from b\n");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "connected\nfrom b\n");
    assert_eq!(line(&mut ra), "from b");
    a.write_all(b"from a\n").unwrap();
    assert_eq!(line(&mut ra), "from a");
}

#[test]
fn bad_arguments_and_failed_connects_exit_as_scenarios_md_says() {
    let path = example_path("async-echo-server").unwrap();
    let out = Command::new(path)
        .args(["--max-requests", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    let out = client("async-daytime-client", "no-port", "");
    assert_eq!(out.status.code(), Some(2));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = client("async-hello-client", &format!("127.0.0.1:{port}"), "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn sigterm_refuses_new_connections_and_lets_one_in_flight_finish() {
    let mut server = start("async-hello-server", &["--diagnostics"]);
    let addr = server.addr().to_string();
    let mut s = connect(&server);
    let mut r = BufReader::new(s.try_clone().unwrap());
    assert_eq!(line(&mut r), "Hello!"); // in its handler now
    let pid = Pid::from_raw(server.child().id() as i32);
    kill(pid, Signal::SIGTERM).unwrap();
    refused_within(&addr, PATIENCE);
    s.write_all(b"Good Bye!\n").unwrap();
    let mut rest = String::new();
    r.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "");
    assert_eq!(server.next_line(PATIENCE).as_deref(), Some("Good Bye!"));
    assert_eq!(server.exit_within(PATIENCE).code(), Some(0));
}

#[test]
fn max_connections_ends_the_server() {
    let mut server = start("async-daytime-server", &["--max-connections", "2"]);
    for _ in 0..2 {
        let mut text = String::new();
        connect(&server).read_to_string(&mut text).unwrap();
        assert_eq!(text.matches('\n').count(), 1);
    }
    assert_eq!(server.exit_within(PATIENCE).code(), Some(0));
}

#[test]
fn out_of_descriptors_it_backs_off_quietly_and_serves_again() {
    // Enough for the runtime's own descriptors (epoll, eventfd, signals,
    // stdio) and a few connections.
    const LIMIT: u64 = 32;
    let path = example_path("async-echo-server").unwrap();
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
        c.write_all(format!("hello {n}\n").as_bytes()).unwrap();
    }
    let mut first = BufReader::new(clients[0].try_clone().unwrap());
    assert_eq!(line(&mut first), "hello 0");
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
    // Closing the first clients frees descriptors: the rest are served.
    let (served, waiting): (Vec<_>, Vec<_>) =
        clients.into_iter().enumerate().partition(|(n, _)| *n < 12);
    drop(first);
    drop(served);
    for (n, c) in waiting {
        let mut r = BufReader::new(c);
        assert_eq!(line(&mut r), format!("hello {n}"));
    }
    assert!(
        server.child().try_wait().unwrap().is_none(),
        "still running"
    );
}
