//! The raw example programs against each other and against raw sockets,
//! over IPv4, IPv6 and Unix sockets: the scenarios of `conformance/scenarios`
//! and the programs' command line, exit codes and limits.

mod examples_util;

use std::io::{Read, Write};
use std::net::Shutdown;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use example_support::{CHAT_BACKLOG_LIMIT, GOOD_BYE, HELLO};
use examples_util::{
    DEADLINE, Family, Server, UNIX, V4, V6, chat_client, connect, connect_with_recv_buffer,
    example, finish, next_line, read_line, read_to_eof,
};
use netprim::Socket;
use rstest::rstest;
use test_support::{Interactive, RunningServer, closed_address};

/// The raw servers, for tests that hold for all of them.
#[derive(Debug, Clone, Copy)]
enum Srv {
    Daytime,
    Hello,
    Echo,
    Chat,
}

use Srv::{Chat, Daytime, Echo, Hello};

impl Srv {
    fn name(self) -> &'static str {
        match self {
            Daytime => "raw-daytime-server",
            Hello => "raw-hello-server",
            Echo => "raw-echo-server",
            Chat => "raw-chat-server",
        }
    }

    /// One complete, correct exchange with the server over a raw socket.
    fn exchange(self, server: &Server) {
        let conn = server.connect();
        match self {
            Daytime => {
                assert_ctime(&read_line(&conn));
                assert_eq!(read_to_eof(&conn), b"");
            }
            Hello => {
                (&conn)
                    .write_all(format!("{GOOD_BYE}\n").as_bytes())
                    .unwrap();
                assert_eq!(read_line(&conn), HELLO);
                assert_eq!(read_to_eof(&conn), b"");
            }
            Echo => {
                (&conn).write_all(b"ping\n").unwrap();
                conn.shutdown(Shutdown::Write).unwrap();
                assert_eq!(read_to_eof(&conn), b"ping\n");
            }
            Chat => {
                assert_eq!(read_line(&conn), "connected");
                (&conn).write_all(b"hi\n").unwrap();
                assert_eq!(read_line(&conn), "hi");
                conn.shutdown(Shutdown::Write).unwrap();
                assert_eq!(read_to_eof(&conn), b"");
            }
        }
    }
}

/// `Sat Nov 21 15:20:57 2026`: five fields, a time in the fourth.
fn assert_ctime(line: &str) {
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields.len(), 5, "{line:?}");
    assert_eq!(fields[3].matches(':').count(), 2, "{line:?}");
}

/// Bytes whose position can be told from their value (period 251, prime),
/// so a lost, repeated or reordered chunk shows.
fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn client(name: &str, addr: &str) -> Command {
    let mut cmd = Command::new(example(name));
    cmd.args(["--addr", addr]).timeout(DEADLINE);
    cmd
}

#[rstest]
fn daytime_client_prints_the_servers_line(#[values(V4, V6, UNIX)] family: Family) {
    let mut server = Server::start(Daytime.name(), family, &["--max-connections", "1"]);
    let out = client("raw-daytime-client", server.addr())
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    assert_ctime(stdout.trim_end());
    let (status, printed) = server.exit();
    assert!(status.success(), "{status}");
    assert!(printed.is_empty(), "{printed:?}");
}

#[rstest]
fn hello_client_and_server_exchange_their_lines(#[values(V4, V6, UNIX)] family: Family) {
    let mut server = Server::start(Hello.name(), family, &["--max-connections", "1"]);
    client("raw-hello-client", server.addr())
        .assert()
        .success()
        .stdout(format!("{HELLO}\n"));
    let (status, printed) = server.exit();
    assert!(status.success(), "{status}");
    assert_eq!(printed, [GOOD_BYE]);
}

#[test]
fn host_names_are_resolved_on_both_sides() {
    let server = RunningServer::start(
        example(Hello.name()),
        ["--host", "localhost", "--max-connections", "1"],
    )
    .unwrap();
    let port = server.addr().rsplit_once(':').unwrap().1;
    client("raw-hello-client", &format!("localhost:{port}"))
        .assert()
        .success()
        .stdout(format!("{HELLO}\n"));
}

#[rstest]
fn hello_client_fails_on_another_greeting(#[values(V4, UNIX)] family: Family) {
    // The echo server answers "Good Bye!" to the client's "Good Bye!".
    let server = Server::start(Echo.name(), family, &[]);
    let out = client("raw-hello-client", server.addr())
        .assert()
        .code(1)
        .stdout(format!("{GOOD_BYE}\n"));
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains(server.addr()), "{stderr:?}");
}

#[rstest]
fn echo_returns_megabytes_byte_for_byte_and_honours_half_close(
    #[values(V4, V6, UNIX)] family: Family,
) {
    let server = Server::start(Echo.name(), family, &[]);
    // Connected first and served last: the server serves both at once.
    let waiting = server.connect();
    let conn = server.connect();
    let sent = payload(4 << 20);
    let writer = {
        let conn = conn.try_clone().unwrap();
        let sent = sent.clone();
        thread::spawn(move || {
            (&conn).write_all(&sent).unwrap();
            // Half-close: the echo must still come back in full.
            conn.shutdown(Shutdown::Write).unwrap();
        })
    };
    let echoed = read_to_eof(&conn);
    writer.join().unwrap();
    assert_eq!(echoed.len(), sent.len());
    assert!(echoed == sent, "the echo differs from what was sent");
    (&waiting).write_all(b"still here\n").unwrap();
    waiting.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_eof(&waiting), b"still here\n");
}

#[rstest]
fn chat_relays_every_line_to_every_client(#[values(V4, V6, UNIX)] family: Family) {
    let mut server = Server::start(Chat.name(), family, &["--max-connections", "3"]);
    let program = example("raw-chat-client");
    let mut clients: Vec<Interactive> = (0..3)
        .map(|_| chat_client(&program, server.addr()))
        .collect();
    // Each is in the chat once it has its greeting.
    for c in &clients {
        assert_eq!(next_line(c), "connected");
    }
    for sender in 0..clients.len() {
        let line = format!("line {sender} from client {sender}");
        clients[sender].send_line(&line).unwrap();
        for c in &clients {
            assert_eq!(next_line(c), line, "sender {sender}");
        }
    }
    for c in clients {
        let (status, printed) = finish(c);
        assert!(status.success(), "{status}");
        assert!(printed.is_empty(), "{printed:?}");
    }
    let (status, _) = server.exit();
    assert!(status.success(), "{status}");
}

#[rstest]
fn chat_drops_a_client_that_stops_reading(#[values(V4, V6, UNIX)] family: Family) {
    let server = Server::start_logging(Chat.name(), family, &[]);
    // A small receive buffer, so the kernel takes little off the server's
    // queue for it once it stops reading.
    let slow = connect_with_recv_buffer(server.addr(), Some(4096)).unwrap();
    let listener = server.connect();
    let writer = server.connect();
    for c in [&slow, &listener, &writer] {
        assert_eq!(read_line(c), "connected");
    }
    // The writer gets its own bytes back too: both it and the listener
    // must receive every byte, however the slow one fares. They report
    // their progress, and the writer keeps at most half the backlog limit
    // ahead of them, so that only the slow one can pass the limit, however
    // loaded the machine.
    let (progress, reports) = mpsc::channel();
    let receive_all = |id: usize, c: &Socket| {
        let conn = c.try_clone().unwrap();
        let progress = progress.clone();
        thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = vec![0; 64 * 1024];
            loop {
                match (&conn).read(&mut buf).expect("read") {
                    0 => return got,
                    n => got.extend_from_slice(&buf[..n]),
                }
                let _ = progress.send((id, got.len()));
            }
        })
    };
    let receivers = [receive_all(0, &listener), receive_all(1, &writer)];
    let chunk = payload(64 * 1024);
    let (mut sent, mut received) = (0, [0; 2]);
    let deadline = Instant::now() + DEADLINE;
    let dropped = loop {
        while received.iter().min().unwrap() + CHAT_BACKLOG_LIMIT / 2 < sent {
            let left = deadline.saturating_duration_since(Instant::now());
            let (id, n) = reports
                .recv_timeout(left)
                .expect("the others stopped receiving");
            received[id] = n;
        }
        (&writer).write_all(&chunk).unwrap();
        sent += chunk.len();
        if let Some(line) = server.logged("dropping connection") {
            break line;
        }
        assert!(
            Instant::now() < deadline && sent < 64 * CHAT_BACKLOG_LIMIT,
            "the slow client was not dropped after {sent} bytes"
        );
    };
    if family != UNIX {
        let slow_addr = slow.local_addr().unwrap().to_string();
        assert!(dropped.contains(&slow_addr), "{dropped:?}, not {slow_addr}");
    }
    // The writer's EOF comes after its bytes, so once the server has closed
    // it, everything has been relayed: then the listener may leave too.
    let [to_listener, to_writer] = receivers;
    writer.shutdown(Shutdown::Write).unwrap();
    let got = to_writer.join().unwrap();
    assert!(got.len() == sent && got.chunks(chunk.len()).all(|c| c == chunk));
    listener.shutdown(Shutdown::Write).unwrap();
    let got = to_listener.join().unwrap();
    assert!(got.len() == sent && got.chunks(chunk.len()).all(|c| c == chunk));
    // The slow one was closed (EOF, not a read timeout) short of the end.
    assert!(read_to_eof(&slow).len() < sent);
}

#[rstest]
fn max_connections_ends_the_server_with_status_0(#[values(Daytime, Hello, Echo, Chat)] srv: Srv) {
    let mut server = Server::start(srv.name(), V4, &["--max-connections", "2"]);
    srv.exchange(&server);
    srv.exchange(&server);
    let (status, _) = server.exit();
    assert!(status.success(), "{status}");
    let refused = connect(server.addr()).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[rstest]
fn read_timeout_closes_a_silent_client(
    #[values(Hello, Echo)] srv: Srv,
    #[values(V4, V6, UNIX)] family: Family,
) {
    let timeout = Duration::from_millis(200);
    let server = Server::start(srv.name(), family, &["--read-timeout", "200"]);
    // Timed from before the connection, so the server's wait is inside.
    let start = Instant::now();
    let silent = server.connect();
    if let Hello = srv {
        assert_eq!(read_line(&silent), HELLO);
    }
    assert_eq!(read_to_eof(&silent), b"");
    let waited = start.elapsed();
    assert!(waited >= timeout, "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    // The server goes on serving.
    srv.exchange(&server);
}

#[rstest]
fn sigterm_ends_a_server_with_status_0(
    #[values(Daytime, Hello, Echo, Chat)] srv: Srv,
    #[values(V4, UNIX)] family: Family,
) {
    let mut server = Server::start(srv.name(), family, &[]);
    srv.exchange(&server);
    server.terminate();
    let (status, _) = server.exit();
    assert!(status.success(), "{status}");
    if let Some(path) = &server.path {
        assert!(!path.exists(), "{} left behind", path.display());
    }
}

#[rstest]
fn a_reset_connection_does_not_end_the_server(#[values(Daytime, Hello, Echo, Chat)] srv: Srv) {
    let server = Server::start(srv.name(), V4, &[]);
    let rude = server.connect();
    if let Chat = srv {
        assert_eq!(read_line(&rude), "connected");
    }
    (&rude).write_all(b"half a li").unwrap();
    if let Chat = srv {
        // Relayed back: the server has read it, and will not relay it to
        // the next client, which is not in the chat yet.
        let mut back = [0; 9];
        (&rude).read_exact(&mut back).unwrap();
        assert_eq!(&back, b"half a li");
    }
    // Linger 0: close sends RST instead of FIN.
    rude.set_linger(Some(Duration::ZERO)).unwrap();
    drop(rude);
    srv.exchange(&server);
}

#[rstest]
fn unix_server_replaces_a_stale_socket_file_and_removes_it_at_exit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let mut server = Server::start_unix_at(Echo.name(), &path, &["--max-connections", "1"]);
    Echo.exchange(&server);
    let (status, _) = server.exit();
    assert!(status.success(), "{status}");
    assert!(!path.exists());
}

#[test]
fn unix_server_will_not_take_the_socket_of_a_live_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sock");
    let live = Server::start_unix_at(Echo.name(), &path, &[]);
    let out = Command::new(example(Echo.name()))
        .arg("--unix")
        .arg(&path)
        .timeout(DEADLINE)
        .assert()
        .code(1)
        .stdout("");
    assert_one_line_naming(&out.get_output().stderr, path.to_str().unwrap());
    // The live one still serves on its socket.
    Echo.exchange(&live);
}

#[test]
fn unix_server_will_not_replace_a_file_that_is_not_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("precious.txt");
    std::fs::write(&path, "keep me").unwrap();
    let out = Command::new(example(Echo.name()))
        .arg("--unix")
        .arg(&path)
        .timeout(DEADLINE)
        .assert()
        .code(1);
    assert_one_line_naming(&out.get_output().stderr, path.to_str().unwrap());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
}

#[rstest]
#[case::port_out_of_range("raw-echo-server", &["--port", "70000"])]
#[case::unknown_flag("raw-chat-server", &["--bogus"])]
#[case::zero_connections("raw-daytime-server", &["--max-connections", "0"])]
#[case::bad_timeout("raw-hello-server", &["--read-timeout", "soon"])]
#[case::unix_and_port("raw-echo-server", &["--unix", "/tmp/x.sock", "--port", "1"])]
#[case::no_addr("raw-hello-client", &[])]
#[case::addr_without_port("raw-daytime-client", &["--addr", "localhost"])]
#[case::v6_without_brackets("raw-chat-client", &["--addr", "::1:80"])]
#[case::port_not_a_number("raw-hello-client", &["--addr", "localhost:http"])]
fn bad_arguments_exit_2_with_one_line(#[case] program: &str, #[case] args: &[&str]) {
    let out = Command::new(example(program))
        .args(args)
        .timeout(DEADLINE)
        .assert()
        .code(2)
        .stdout("");
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.starts_with("error: "), "{stderr:?}");
}

#[rstest]
fn client_against_a_closed_address_exits_1_naming_it(
    #[values("raw-daytime-client", "raw-hello-client", "raw-chat-client")] program: &str,
    #[values(V4, V6, UNIX)] family: Family,
) {
    let closed = closed_address(family).unwrap();
    let addr = closed.to_string();
    let out = client(program, &addr).assert().code(1).stdout("");
    assert_one_line_naming(&out.get_output().stderr, &addr);
}

#[rstest]
fn server_on_a_taken_address_exits_1_naming_it(#[values(V4, V6)] family: Family) {
    let server = Server::start(Echo.name(), family, &[]);
    let port = server.addr().rsplit_once(':').unwrap().1;
    let host = if family == V4 { "127.0.0.1" } else { "::1" };
    let out = Command::new(example(Echo.name()))
        .args(["--host", host, "--port", port])
        .timeout(DEADLINE)
        .assert()
        .code(1)
        .stdout("");
    assert_one_line_naming(&out.get_output().stderr, server.addr());
}

/// One line on stderr, naming `addr`, and no panic.
fn assert_one_line_naming(stderr: &[u8], addr: &str) {
    let stderr = String::from_utf8_lossy(stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains(addr), "{stderr:?} does not name {addr}");
    assert!(!stderr.contains("panicked"), "{stderr:?}");
}
