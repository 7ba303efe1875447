//! The `ports-*` examples against each other (and against tcp-ports used
//! directly), over IPv4 and IPv6, as the scenarios describe them.

mod util;

use std::io::{BufRead, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use assert_cmd::Command as Cmd;
use example_support::{CHAT_BACKLOG_LIMIT, CHAT_GREETING, GOOD_BYE, HELLO, MAX_LINE};
use predicates::prelude::*;
use rstest::rstest;
use test_support::{RunningServer, closed_address, example_path, lines_of};
use util::{Family, PATIENCE, patient};

/// How long a client example may run.
const CLIENT_LIMIT: Duration = Duration::from_secs(30);

fn example(name: &str) -> PathBuf {
    example_path(name).unwrap()
}

fn server(name: &str, family: Family, extra: &[&str]) -> RunningServer {
    let mut args = vec!["--host", family.host()];
    args.extend_from_slice(extra);
    RunningServer::start(example(name), args).unwrap()
}

/// A server whose stderr can be watched line by line.
fn server_with_log(name: &str, family: Family) -> (RunningServer, Receiver<String>) {
    let mut cmd = Command::new(example(name));
    cmd.args(["--host", family.host()]).stderr(Stdio::piped());
    let mut s = RunningServer::start_command(cmd).unwrap();
    let stderr = s.child().stderr.take().unwrap();
    (s, lines_of(stderr))
}

fn client(name: &str, addr: &str) -> Cmd {
    let mut c = Cmd::new(example(name));
    c.args(["--addr", addr]).timeout(CLIENT_LIMIT);
    c
}

#[rstest]
fn hello(#[values(Family::V4, Family::V6)] family: Family) {
    let s = server("ports-hello-server", family, &[]);
    let announced: SocketAddr = s.addr().parse().unwrap();
    assert_eq!(announced.ip(), family.ip());
    client("ports-hello-client", s.addr())
        .assert()
        .success()
        .stdout(format!("{HELLO}\n"));
    assert_eq!(s.next_line(PATIENCE).as_deref(), Some(GOOD_BYE));
}

#[rstest]
fn daytime(#[values(Family::V4, Family::V6)] family: Family) {
    let s = server("ports-daytime-server", family, &[]);
    client("ports-daytime-client", s.addr())
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$").unwrap());
}

#[rstest]
fn echo(#[values(Family::V4, Family::V6)] family: Family) {
    let s = server("ports-echo-server", family, &[]);
    let (mut i, mut o) = tcp_ports::connect_with(s.addr(), &patient()).unwrap();
    let mut line = String::new();
    for n in 0..50 {
        let sent = format!("line {n} {}\n", "x".repeat(n * 37));
        o.write_all(sent.as_bytes()).unwrap();
        line.clear();
        i.read_line(&mut line).unwrap();
        assert_eq!(line, sent);
    }
    o.close().unwrap();
    assert_eq!(i.read(&mut [0; 8]).unwrap(), 0);
}

#[rstest]
fn chat(#[values(Family::V4, Family::V6)] family: Family) {
    let s = server("ports-chat-server", family, &[]);
    let (mut i, _o) = tcp_ports::connect_with(s.addr(), &patient()).unwrap();
    let mut line = String::new();
    i.read_line(&mut line).unwrap();
    assert_eq!(line.as_bytes(), CHAT_GREETING);
    client("ports-chat-client", s.addr())
        .write_stdin("hi there\nsecond\n")
        .assert()
        .success()
        .stdout("connected\nhi there\nsecond\n");
    for want in ["hi there\n", "second\n"] {
        line.clear();
        i.read_line(&mut line).unwrap();
        assert_eq!(line, want);
    }
}

#[rstest]
fn chat_client_exits_when_the_server_closes(#[values(Family::V4, Family::V6)] family: Family) {
    let l = util::listener(family);
    let mut cmd = Command::new(example("ports-chat-client"));
    cmd.args(["--addr", &l.local_addr().to_string()]);
    let mut client = test_support::Interactive::spawn(cmd).unwrap();
    let (i, mut o) = l.accept_with(&patient()).unwrap();
    writeln!(o, "connected\nlast words").unwrap();
    o.close().unwrap();
    i.close().unwrap();
    // Its stdin stays open: only the server's close can end it.
    let (status, printed) = client
        .wait_exit(PATIENCE)
        .expect("the client still runs after the server closed");
    assert!(status.success(), "{status}");
    assert_eq!(printed, ["connected", "last words"]);
}

#[rstest]
fn a_chat_client_that_stops_reading_is_dropped_without_stalling_others(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let (s, log) = server_with_log("ports-chat-server", family);
    let (mut slow, _slow_out) = tcp_ports::connect_with(s.addr(), &patient()).unwrap();
    let slow_addr = slow.local_addr();
    let (mut fast_in, mut fast_out) = tcp_ports::connect_with(s.addr(), &patient()).unwrap();
    let mut greeting = [0; CHAT_GREETING.len()];
    fast_in.read_exact(&mut greeting).unwrap();
    // The fast client reads everything relayed to it, in its own thread.
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        fast_in.read_to_end(&mut got).map(|_| got)
    });
    let chunk: Vec<u8> = (0..64 * 1024u32).map(|n| (n % 253) as u8).collect();
    let mut sent = 0usize;
    let started = Instant::now();
    let dropped = loop {
        assert!(
            sent < 512 << 20,
            "512 MiB sent and the slow client is still there"
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "slow client never dropped"
        );
        if let Err(e) = fast_out.write_all(&chunk) {
            // What the server said about it explains it.
            let said: Vec<String> = log.try_iter().collect();
            panic!("the fast client failed after {sent} bytes: {e}; server: {said:?}");
        }
        sent += chunk.len();
        if let Some(line) = log.try_iter().find(|l| l.contains(&slow_addr.to_string())) {
            if line.starts_with("disconnected") {
                break line;
            }
        }
    };
    assert!(
        sent > CHAT_BACKLOG_LIMIT,
        "{dropped} after only {sent} bytes"
    );
    // The others went on: the fast client gets every byte it sent.
    fast_out.write_all(b"\nafter\n").unwrap();
    fast_out.close().unwrap();
    let got = reader.join().unwrap().unwrap();
    assert_eq!(got.len(), sent + 7);
    assert!(got.ends_with(b"\nafter\n"));
    assert!(got[..sent].chunks(chunk.len()).all(|c| c == chunk));
    // The slow client's connection ends once it drains its buffers.
    let mut buf = vec![0; 1 << 20];
    let end = (0..1024).find_map(|_| match slow.read(&mut buf) {
        Ok(0) => Some(Ok(())),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    });
    assert!(end.is_some(), "the slow client's connection did not end");
    if let Some(Err(e)) = end {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    }
}

#[rstest]
fn a_chat_reader_slower_than_a_flood_is_not_dropped(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    use netprim::{SockAddr, Socket, Type};
    let (s, log) = server_with_log("ports-chat-server", family);
    // The reader keeps reading, but slower than the flood comes: tiny
    // reads through a small receive window.
    let reader = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    reader.set_recv_buffer_size(4096).unwrap();
    reader.set_read_timeout(Some(PATIENCE)).unwrap();
    let server_addr: SocketAddr = s.addr().parse().unwrap();
    reader.connect(&SockAddr::from(server_addr)).unwrap();
    let reader_addr = reader.local_addr().unwrap().to_string();
    let mut greeting = [0; CHAT_GREETING.len()];
    (&reader).read_exact(&mut greeting).unwrap();
    let (mut flood_in, mut flood_out) = tcp_ports::connect_with(s.addr(), &patient()).unwrap();
    flood_in.read_exact(&mut greeting).unwrap();

    let total = 32 * CHAT_BACKLOG_LIMIT;
    let slow = std::thread::spawn(move || {
        let (mut got, mut buf) = (0, [0; 64]);
        while got < total {
            match (&reader).read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => return Err(e),
            }
        }
        Ok(got)
    });
    let echo = std::thread::spawn(move || {
        let mut got = vec![0; total];
        flood_in.read_exact(&mut got).map(|()| got)
    });
    let chunk: Vec<u8> = (0..64 * 1024u32).map(|n| (n % 253) as u8).collect();
    for _ in 0..total / chunk.len() {
        flood_out.write_all(&chunk).unwrap();
    }
    assert_eq!(echo.join().unwrap().unwrap().len(), total);
    match slow.join().unwrap() {
        Ok(got) => assert_eq!(got, total, "the reader's connection ended early"),
        Err(e) => panic!("the reader that kept reading was dropped: {e}"),
    }
    // Its normal disconnect may be logged by now; a drop would say so.
    let about_reader: Vec<String> = log
        .try_iter()
        .filter(|l| l.contains(&reader_addr))
        .collect();
    assert!(
        !about_reader.iter().any(|l| l.contains("dropped")),
        "{about_reader:?}"
    );
}

#[rstest]
fn hello_server_cuts_off_a_line_without_end(#[values(Family::V4, Family::V6)] family: Family) {
    let (s, log) = server_with_log("ports-hello-server", family);
    let (mut i, mut o) = tcp_ports::connect_with(s.addr(), &patient()).unwrap();
    let mut line = String::new();
    i.read_line(&mut line).unwrap();
    assert_eq!(line, format!("{HELLO}\n"));
    // Sixteen times the limit and no newline; the server may reset the
    // connection before it has all, which is the point.
    let endless = vec![b'x'; 16 * MAX_LINE];
    let _ = o.write_all(&endless);
    let said = log
        .recv_timeout(PATIENCE)
        .expect("the server kept reading the endless line");
    assert!(
        said.contains(&format!("no end of line within {MAX_LINE} bytes")),
        "{said}"
    );
    assert_eq!(s.next_line(Duration::ZERO), None, "it printed a line");
}

#[rstest]
fn clients_give_up_on_a_line_without_end(
    #[values("ports-hello-client", "ports-daytime-client", "ports-chat-client")] name: &str,
) {
    let l = util::listener(Family::V4);
    let addr = l.local_addr().to_string();
    let hostile = std::thread::spawn(move || {
        let (_i, mut o) = l.accept_with(&patient()).unwrap();
        // Until the client goes away, at most 1 GiB.
        let endless = vec![b'x'; 1 << 20];
        for _ in 0..1024 {
            if o.write_all(&endless).is_err() {
                return;
            }
        }
    });
    client(name, &addr)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "no end of line within {MAX_LINE} bytes"
        )));
    hostile.join().unwrap();
}

#[rstest]
fn servers_close_a_silent_client_after_read_timeout(
    #[values(Family::V4, Family::V6)] family: Family,
    #[values("ports-hello-server", "ports-echo-server", "ports-chat-server")] name: &str,
) {
    let s = server(name, family, &["--read-timeout", "200"]);
    // The server's clock starts after the connect, ours before it.
    let started = Instant::now();
    let (mut i, _o) = tcp_ports::connect_with(s.addr(), &patient()).unwrap();
    let mut got = Vec::new();
    match i.read_to_end(&mut got) {
        Ok(_) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200),
        "closed after {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(200) + util::SLACK,
        "closed after {elapsed:?}"
    );
}

#[rstest]
fn max_connections_ends_the_server(#[values(Family::V4, Family::V6)] family: Family) {
    let mut s = server("ports-daytime-server", family, &["--max-connections", "2"]);
    for _ in 0..2 {
        client("ports-daytime-client", s.addr()).assert().success();
    }
    // Its stdout closes when it exits: no further line, and no waiting
    // for the full PATIENCE either.
    let started = Instant::now();
    assert_eq!(s.next_line(PATIENCE), None);
    assert!(
        started.elapsed() < PATIENCE,
        "still running after 2 connections"
    );
    let status = s.child().wait().unwrap();
    assert!(status.success(), "{status}");
}

#[rstest]
#[case::hello("ports-hello-client")]
#[case::daytime("ports-daytime-client")]
#[case::chat("ports-chat-client")]
fn clients_fail_in_one_line(#[case] name: &str) {
    let closed = closed_address(Family::V6).unwrap();
    let addr = closed.to_string();
    client(name, &addr).assert().code(1).stderr(
        predicate::str::contains(addr.as_str())
            .and(predicate::str::is_match("^[^\n]*\n$").unwrap()),
    );
    for bad in [
        "::1:80",
        "localhost",
        "localhost:99999",
        "localhost:no-such-service",
    ] {
        client(name, bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(bad));
    }
}

#[test]
fn clients_take_service_names() {
    // Nothing is expected to answer on port 80: the error shows the lookup.
    let out = client("ports-hello-client", "localhost:http")
        .output()
        .unwrap();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("localhost:80"), "{err}");
    }
}

#[test]
fn servers_reject_bad_arguments() {
    Cmd::new(example("ports-echo-server"))
        .args(["--port", "65536"])
        .timeout(CLIENT_LIMIT)
        .assert()
        .code(2);
    Cmd::new(example("ports-echo-server"))
        // A documentation address (RFC 5737), never this machine's: the
        // bind fails without a lookup that could leave the machine.
        .args(["--host", "192.0.2.1"])
        .timeout(CLIENT_LIMIT)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("192.0.2.1"));
}
