//! Every seed example of the guide, built and run against its partner over
//! loopback: the Unit tcp client and server, the tcp-server egg's
//! time-of-day server, SCM's chat server and client, Guile's network-long
//! read and write, and Vicare's master socket accept loop.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use rstest::rstest;
use test_support::{Interactive, RunningServer, example_path};

/// How long any one step may take: generous, since a loaded machine is
/// slow, and never reached when the programs work.
const STEP: Duration = Duration::from_secs(20);

fn example(name: &str) -> PathBuf {
    example_path(name).expect("the example builds")
}

fn port_of(server: &RunningServer) -> String {
    let addr: SocketAddr = server.addr().parse().expect("a socket address");
    addr.port().to_string()
}

/// Runs `cmd` to its end (bounded by [`STEP`]) and returns its status and
/// stdout lines.
fn run_to_end(cmd: Command) -> (std::process::ExitStatus, Vec<String>) {
    let mut program = Interactive::spawn(cmd).expect("the program starts");
    program.close_stdin();
    program.wait_exit(STEP).expect("the program ends in time")
}

#[rstest]
#[case::ipv4("127.0.0.1")]
#[case::ipv6("::1")]
fn unit_tcp_client_and_server_exchange_their_lines(#[case] host: &str) {
    let mut server = RunningServer::start(
        example("guide-unit-tcp-server"),
        ["--host", host, "--port", "0"],
    )
    .expect("the server starts");
    let mut client = Command::new(example("guide-unit-tcp-client"));
    client.args(["--host", host, "--port", &port_of(&server)]);

    let (status, printed) = run_to_end(client);
    assert!(status.success(), "client: {status}");
    assert_eq!(printed, ["Hello!"]);
    assert_eq!(server.next_line(STEP).as_deref(), Some("Good Bye!"));
    // server.scm serves one client, then ends.
    assert_eq!(server.next_line(STEP), None);
    assert!(server.child().wait().expect("exit status").success());
}

#[test]
fn unit_tcp_client_reports_a_refused_connection() {
    let closed = test_support::closed_address(test_support::Family::V4).expect("a closed port");
    let mut client = Command::new(example("guide-unit-tcp-client"));
    client.args([
        "--host",
        "127.0.0.1",
        "--port",
        &closed
            .socket_addr()
            .expect("an IP address")
            .port()
            .to_string(),
    ]);
    let output = client.output().expect("the client runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refused"), "{stderr}");
}

#[test]
fn time_of_day_server_writes_one_line_of_local_time_and_closes() {
    let server = RunningServer::start(example("guide-time-of-day-server"), ["--port", "0"])
        .expect("the server starts");
    for _ in 0..2 {
        let stream = TcpStream::connect(server.addr()).expect("connect");
        stream.set_read_timeout(Some(STEP)).expect("timeout");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line");
        // `Sat Nov 21 15:20:57 2026`, as CHICKEN's seconds->string writes.
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.len(), 5, "{line:?}");
        assert_eq!(words[3].split(':').count(), 3, "{line:?}");
        assert!(words[4].parse::<u32>().is_ok(), "{line:?}");
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).expect("EOF");
        assert!(rest.is_empty());
    }
}

#[test]
fn scm_chat_relays_every_clients_lines_to_every_client() {
    let server = RunningServer::start(example("guide-scm-chat-server"), ["--port", "0"])
        .expect("the server starts");
    let port = port_of(&server);
    let chat_client = || {
        let mut cmd = Command::new(example("guide-scm-chat-client"));
        cmd.args(["--host", "localhost", "--port", &port]);
        let client = Interactive::spawn(cmd).expect("the client starts");
        let greeting = client.next_line(STEP).expect("Connecting to ...");
        assert!(
            greeting.starts_with("Connecting to 127.0.0.1:"),
            "{greeting}"
        );
        assert_eq!(client.next_line(STEP).as_deref(), Some("connected"));
        client
    };
    let mut a = chat_client();
    let mut b = chat_client();
    // The server saw both come.
    for _ in 0..2 {
        let line = server.next_line(STEP).expect("a log line");
        assert!(line.starts_with("accepting connection from"), "{line}");
    }

    a.send_line("hello from a").expect("send");
    assert_eq!(a.next_line(STEP).as_deref(), Some("hello from a"));
    assert_eq!(b.next_line(STEP).as_deref(), Some("hello from a"));
    b.send_line("and from b").expect("send");
    assert_eq!(a.next_line(STEP).as_deref(), Some("and from b"));
    assert_eq!(b.next_line(STEP).as_deref(), Some("and from b"));

    // The end of a client's input ends it, and the server lets it go.
    a.close_stdin();
    let (status, rest) = a.wait_exit(STEP).expect("a ends");
    assert!(status.success(), "{status}");
    assert!(rest.is_empty(), "{rest:?}");
    let line = server.next_line(STEP).expect("a log line");
    assert!(line.starts_with("closing connection from"), "{line}");
    // The one left still chats.
    b.send_line("alone").expect("send");
    assert_eq!(b.next_line(STEP).as_deref(), Some("alone"));
}

#[test]
fn scm_chat_client_says_the_server_is_not_listening() {
    let closed = test_support::closed_address(test_support::Family::V4).expect("a closed port");
    let port = closed
        .socket_addr()
        .expect("an IP address")
        .port()
        .to_string();
    let mut client = Command::new(example("guide-scm-chat-client"));
    client.args(["--host", "127.0.0.1", "--port", &port]);
    let output = client.output().expect("the client runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!("Server not listening on port {port}")),
        "{stderr}"
    );
}

#[rstest]
#[case::ipv4("127.0.0.1")]
#[case::ipv6("::1")]
fn network_longs_cross_the_wire_in_network_order(#[case] host: &str) {
    let values = ["0", "1", "258", "16909060", "4294967295"];
    let server = RunningServer::start(
        example("guide-network-long"),
        ["server", "--host", host, "--port", "0"]
            .iter()
            .chain(&values),
    )
    .expect("the server starts");
    let mut client = Command::new(example("guide-network-long"));
    client.args(["client", "--host", host, "--port", &port_of(&server)]);
    let (status, printed) = run_to_end(client);
    assert!(status.success(), "{status}");
    assert_eq!(printed, values);
}

#[test]
fn network_long_bytes_are_big_endian_on_the_wire() {
    let server = RunningServer::start(
        example("guide-network-long"),
        ["server", "--port", "0", "16909060"],
    )
    .expect("the server starts");
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream.set_read_timeout(Some(STEP)).expect("timeout");
    let mut wire = Vec::new();
    stream.read_to_end(&mut wire).expect("the value, then EOF");
    assert_eq!(wire, [1, 2, 3, 4]);
}

#[test]
fn network_long_client_refuses_a_value_cut_short() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    let mut client = Command::new(example("guide-network-long"));
    client.args(["client", "--port", &port]);
    let mut client = Interactive::spawn(client).expect("the client starts");
    let (mut conn, _) = listener.accept().expect("accept");
    std::io::Write::write_all(&mut conn, &[0, 0, 0, 7, 0, 0]).expect("write");
    drop(conn);
    let (status, printed) = client.wait_exit(STEP).expect("the client ends");
    assert_eq!(printed, ["7"]);
    assert_eq!(status.code(), Some(1));
}

#[test]
fn vicare_accept_loop_serves_the_unit_tcp_client() {
    let mut server = RunningServer::start(
        example("guide-vicare-accept"),
        [
            "--interface",
            "127.0.0.1",
            "--port",
            "0",
            "--connections",
            "2",
        ],
    )
    .expect("the server starts");
    let port = port_of(&server);
    for _ in 0..2 {
        let mut client = Command::new(example("guide-unit-tcp-client"));
        client.args(["--host", "127.0.0.1", "--port", &port]);
        let (status, printed) = run_to_end(client);
        assert!(status.success(), "{status}");
        assert_eq!(printed, ["Hello!"]);
        let line = server.next_line(STEP).expect("the server's line");
        assert!(
            line.starts_with("127.0.0.1:") && line.ends_with(": Good Bye!"),
            "{line}"
        );
    }
    // After its connections, it closes the master socket and ends.
    assert_eq!(server.next_line(STEP), None);
    assert!(server.child().wait().expect("exit status").success());
}

#[test]
fn bad_arguments_exit_2() {
    for (name, args) in [
        ("guide-unit-tcp-server", &["--port", "70000"][..]),
        ("guide-network-long", &["server", "-1"][..]),
        ("guide-vicare-accept", &["--connections", "many"][..]),
    ] {
        let output = Command::new(example(name))
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{name} {args:?}");
    }
}
