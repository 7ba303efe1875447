//! Connections are served over both families, many at once, with exact
//! statistics; the async connect takes tcp-ports' address forms.

mod util;

use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rstest::rstest;
use tcp_server_async::{Input, Output, Peer, ServerBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use util::{connect, read_line};

async fn echo_lines(mut input: Input, mut output: Output, _: Peer) -> io::Result<()> {
    loop {
        let line = read_line(&mut input).await?;
        if line.is_empty() {
            return Ok(());
        }
        output.write_all(format!("{line}\n").as_bytes()).await?;
        output.flush().await?;
    }
}

#[rstest]
#[case::ipv4("127.0.0.1")]
#[case::ipv6("::1")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_over_each_family(#[case] host: &str) {
    let server = util::start_on(host, ServerBuilder::new(), echo_lines);
    let mut client = connect(server.addr).await;
    for text in ["one", "two", "three"] {
        client.send(text).await;
        assert_eq!(client.line().await.unwrap(), text);
    }
    client.writer.shutdown().await.unwrap();
    assert_eq!(client.rest().await.unwrap(), "");
    let summary = server.stop().await.unwrap();
    assert_eq!(summary.served, 1);
}

/// The handler's view of its addresses (the default addresses hook) is
/// the client's, mirrored, on a specific address and on a wildcard one
/// (where the local address is the one the client reached).
#[rstest]
#[case::ipv4("127.0.0.1", "127.0.0.1")]
#[case::ipv6("::1", "::1")]
#[case::ipv4_wildcard("0.0.0.0", "127.0.0.1")]
#[case::ipv6_wildcard("::", "::1")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_sees_the_addresses_the_client_sees(#[case] host: &str, #[case] reach: &str) {
    let server = util::start_on(
        host,
        ServerBuilder::new(),
        |_, mut output: Output, peer: Peer| async move {
            let line = format!("{} {}\n", peer.local_addr(), peer.peer_addr());
            output.write_all(line.as_bytes()).await
        },
    );
    let target = SocketAddr::new(reach.parse().unwrap(), server.addr.port());
    let mut client = connect(target).await;
    let expected = format!(
        "{} {}",
        client.writer.peer_addr().unwrap(),
        client.writer.local_addr().unwrap()
    );
    assert_eq!(client.line().await.unwrap(), expected);
    server.stop().await.unwrap();
}

/// A handler that returns while another task still holds its input: the
/// client still reads everything written, then the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reads_the_end_while_another_task_holds_the_input() {
    let (release, released) = tokio::sync::watch::channel(false);
    let server = util::start(
        ServerBuilder::new(),
        move |input: Input, mut output: Output, _| {
            let mut released = released.clone();
            async move {
                tokio::spawn(async move {
                    let _input = input;
                    let _ = released.wait_for(|r| *r).await;
                });
                output.write_all(b"bye\n").await
            }
        },
    );
    let mut client = connect(server.addr).await;
    assert_eq!(client.line().await.unwrap(), "bye");
    assert_eq!(client.rest().await.unwrap(), "");
    release.send(true).unwrap();
    server.stop().await.unwrap();
}

/// What a handler leaves in its output when it returns reaches the client
/// whole, then the end: sent at once when the socket has room, and by the
/// connection's task once the client reads when it has none (the handler
/// first fills the socket: a 64 KiB write that makes no progress in 50 ms
/// finds it full; one that merely stalled makes this the first case).
/// One thread: the client reads only once the connection's task has seen
/// the handler return.
#[rstest]
#[case::at_once(false)]
#[case::once_the_client_reads(true)]
#[tokio::test]
async fn what_a_handler_leaves_buffered_reaches_the_client_whole(#[case] fill: bool) {
    let (report, reported) = tokio::sync::mpsc::unbounded_channel();
    let server = util::start(ServerBuilder::new(), move |_, mut output: Output, _| {
        let report = report.clone();
        async move {
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            // Bounded: the client reads nothing yet, so a few MiB fill it.
            let writes = if fill { 1 << 14 } else { 0 };
            for _ in 0..writes {
                // A write that waits wrote nothing: the count is exact.
                match tokio::time::timeout(Duration::from_millis(50), output.write(&chunk)).await {
                    Ok(written) => sent += written?,
                    Err(_) => break,
                }
            }
            output.write_all(b"end\n").await?;
            assert_eq!(output.buffered(), 4, "the end is left in the buffer");
            let _ = report.send(sent);
            Ok(())
        }
    });
    let mut reported = reported;
    let mut client = connect(server.addr).await;
    let sent = tokio::time::timeout(util::PATIENCE, reported.recv())
        .await
        .expect("the handler returns")
        .expect("a count");
    let text = client.rest().await.unwrap();
    assert_eq!(text.len(), sent + 4);
    assert!(text[..sent].bytes().all(|b| b == b'x'));
    assert!(text.ends_with("end\n"));
    let summary = server.stop().await.unwrap();
    assert_eq!((summary.served, summary.forced), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_clients_are_all_served() {
    const CLIENTS: usize = 1000;
    // Every handler waits until all clients are connected and have spoken:
    // the thousand are in the server at once.
    let barrier = Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let server = {
        let barrier = Arc::clone(&barrier);
        util::start(ServerBuilder::new(), move |mut input, mut output, peer| {
            let barrier = Arc::clone(&barrier);
            async move {
                let line = read_line(&mut input).await?;
                barrier.wait().await;
                output
                    .write_all(format!("{line} #{}\n", peer.id()).as_bytes())
                    .await
            }
        })
    };
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..CLIENTS {
        let addr = server.addr;
        clients.spawn(async move {
            let mut c = connect(addr).await;
            c.send(&format!("client {n}")).await;
            let line = c.line().await.unwrap();
            assert!(line.starts_with(&format!("client {n} #")), "{line}");
            assert_eq!(c.rest().await.unwrap(), "");
        });
    }
    let mut done = 0;
    while let Some(result) = clients.join_next().await {
        result.unwrap();
        done += 1;
    }
    assert_eq!(done, CLIENTS);
    let handle = server.handle.clone();
    let summary = server.stop().await.unwrap();
    assert_eq!(summary.served, CLIENTS as u64);
    let stats = handle.stats();
    assert_eq!(
        (stats.accepted, stats.served, stats.active),
        (CLIENTS as u64, CLIENTS as u64, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_are_exact_after_a_known_workload() {
    let server = util::start(
        ServerBuilder::new(),
        |mut input, mut output, _| async move {
            match read_line(&mut input).await?.as_str() {
                "fail" => Err(io::Error::other("asked to fail")),
                "panic" => panic!("asked to panic"),
                other => output.write_all(format!("ok {other}\n").as_bytes()).await,
            }
        },
    );
    for request in ["a", "fail", "b", "panic", "c", "fail"] {
        let mut c = connect(server.addr).await;
        c.send(request).await;
        let _ = c.rest().await;
    }
    let handle = server.handle.clone();
    let stats = handle.stats();
    assert_eq!(
        (
            stats.accepted,
            stats.served,
            stats.failed,
            stats.panicked,
            stats.active
        ),
        (6, 3, 2, 1, 0)
    );
    let summary = server.stop().await.unwrap();
    assert_eq!((summary.served, summary.drained, summary.forced), (3, 0, 0));
    assert_eq!(handle.stats().shutdown, Some(summary));
}

#[rstest]
#[case::host_port("localhost:{port}")]
#[case::v4("127.0.0.1:{port}")]
#[case::v6("[::1]:{port}")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_takes_every_address_form(#[case] form: &str) {
    let host = if form.starts_with('[') {
        "::1"
    } else {
        "127.0.0.1"
    };
    let server = util::start_on(host, ServerBuilder::new(), echo_lines);
    let target = form.replace("{port}", &server.addr.port().to_string());
    let (mut input, mut output) = tcp_server_async::connect(target.as_str()).await.unwrap();
    output.write_all(b"ping\n").await.unwrap();
    output.flush().await.unwrap();
    assert_eq!(read_line(&mut input).await.unwrap(), "ping");
    output.shutdown().await.unwrap();
    let mut rest = String::new();
    input.read_line(&mut rest).await.unwrap();
    assert_eq!(rest, "");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_failed_connect_names_the_target_and_keeps_its_kind() {
    // A port nobody listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = tcp_server_async::connect(("127.0.0.1", port))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    // Malformed targets fail before any lookup.
    for bad in ["no-port", "::1:80", "host:0", "[::1:80"] {
        let err = tcp_server_async::connect(bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
    }
}

#[tokio::test]
async fn a_cap_of_zero_is_refused_naming_it() {
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let err = ServerBuilder::new()
        .max_requests(0)
        .build(listener, |_: Input, _: Output, _: Peer| async { Ok(()) })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("max_requests 0"), "{err}");
}

#[test]
fn making_a_server_outside_a_runtime_is_an_error_not_a_panic() {
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let err = ServerBuilder::new()
        .build(listener, |_: Input, _: Output, _: Peer| async { Ok(()) })
        .unwrap_err();
    assert!(err.to_string().contains("tokio runtime"), "{err}");
}

/// How a test hands the server its listener.
#[derive(Debug, Clone, Copy)]
enum ListenerKind {
    TcpPorts,
    Std,
    Tokio,
}

/// Every connection has `TCP_NODELAY` on (the output gathers small writes
/// itself), whichever kind of listener the server was made from: the
/// accepted socket inherits it from the listener, which the server
/// prepares once instead of setting it on every connection.
#[rstest]
#[case::tcp_ports(ListenerKind::TcpPorts)]
#[case::std(ListenerKind::Std)]
#[case::tokio(ListenerKind::Tokio)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_connections_have_nodelay_whatever_the_listener(#[case] kind: ListenerKind) {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nodelay = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&nodelay);
    let builder = ServerBuilder::new().addresses_hook(move |stream| {
        seen.lock().unwrap().push(stream.nodelay()?);
        Ok((stream.local_addr()?, stream.peer_addr()?))
    });
    let server = match kind {
        ListenerKind::TcpPorts => {
            let listener = tcp_ports::TcpListener::try_from(std_listener).unwrap();
            builder.build(listener, echo_lines)
        }
        ListenerKind::Std => builder.build(std_listener, echo_lines),
        ListenerKind::Tokio => {
            std_listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            builder.build(listener, echo_lines)
        }
    }
    .unwrap();
    let addr = server.local_addr();
    let handle = server.handle();
    let task = tokio::spawn(server.run());
    for text in ["one", "two"] {
        let mut client = connect(addr).await;
        client.send(text).await;
        assert_eq!(client.line().await.unwrap(), text);
    }
    handle.stop();
    let summary = tokio::time::timeout(util::PATIENCE, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(summary.served, 2);
    assert_eq!(*nodelay.lock().unwrap(), [true, true]);
}
