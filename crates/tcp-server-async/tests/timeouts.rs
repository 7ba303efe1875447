//! Read and write timeouts as in tcp-ports (`TimedOut`, naming the peer),
//! the idle timeout and the whole-connection deadline: a silent or a
//! dripping client cannot hold a slot for ever.

mod util;

use std::io::ErrorKind;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tcp_server_async::{Diagnostics, ServerBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use util::connect;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_times_out_with_timed_out_naming_it() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let builder = ServerBuilder::new()
        .max_requests(1)
        .idle_timeout(Some(Duration::from_millis(100)));
    let server = util::start(builder, move |mut input, _, _| {
        let tx = tx.clone();
        async move {
            let result = input.read(&mut [0; 16]).await;
            let _ = tx.send(
                result
                    .as_ref()
                    .map(|_| ())
                    .map_err(|e| (e.kind(), e.to_string())),
            );
            result.map(drop)
        }
    });
    let mut silent = connect(server.addr).await;
    let local = silent.writer.local_addr().unwrap();
    // Closed normally: nothing the server wrote was cut off.
    assert_eq!(silent.rest().await.unwrap(), "");
    let (kind, text) = rx.recv().await.unwrap().unwrap_err();
    assert_eq!(kind, ErrorKind::TimedOut);
    assert!(
        text.contains(&local.to_string()) && text.contains("timed out after 100ms"),
        "{text}"
    );
    // The slot came back: the next client is served.
    let mut next = connect(server.addr).await;
    next.send("x").await;
    assert!(rx.recv().await.unwrap().is_ok());
    assert_eq!(server.handle.stats().failed, 1);
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dripping_client_is_cut_off_at_the_deadline() {
    let log: Arc<Mutex<Vec<u8>>> = Arc::default();
    let builder = ServerBuilder::new()
        .idle_timeout(Some(Duration::from_secs(10)))
        .deadline(Some(Duration::from_millis(300)))
        .diagnostics(Diagnostics::with_prefix("t").to_writer(log.clone()));
    let server = util::start(builder, |mut input, _, _| async move {
        let mut buf = [0; 1];
        loop {
            if input.read(&mut buf).await? == 0 {
                return Ok(());
            }
        }
    });
    let mut client = connect(server.addr).await;
    // A byte every 20 ms: well inside the idle timeout, for ever (bounded
    // here at 10 s) unless the deadline cuts it off.
    let mut drip = tokio::time::interval(Duration::from_millis(20));
    let mut cut_off = false;
    for _ in 0..500 {
        drip.tick().await;
        // The end shows in the write that meets it, or in the read. The
        // server closes normally (a read met the deadline), but a dot
        // arriving after its close is answered with a reset: either is an
        // end.
        if client.writer.write_all(b".").await.is_err() {
            cut_off = true;
            break;
        }
        if server.handle.stats().failed == 1 {
            let rest = client.rest().await;
            cut_off = rest.as_deref().map_or(true, str::is_empty);
            break;
        }
    }
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(cut_off, "{log}");
    assert!(log.contains("deadline passed"), "{log}");
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_makes_writes_time_out() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut config = tcp_ports::TcpConfig::new();
    config.write_timeout = Some(Duration::from_millis(200));
    let server = util::start(
        ServerBuilder::new().config(config),
        move |_, mut output, _| {
            let tx = tx.clone();
            async move {
                let chunk = vec![b'x'; 64 * 1024];
                // Bounded: the kernel's buffers hold a few MiB at most.
                let mut result = Ok(());
                for _ in 0..10_000 {
                    result = output.write_all(&chunk).await;
                    if result.is_err() {
                        break;
                    }
                }
                let _ = tx.send(result.as_ref().map_err(|e| e.kind()).copied());
                result
            }
        },
    );
    let _client = connect(server.addr).await;
    assert_eq!(rx.recv().await.unwrap(), Err(ErrorKind::TimedOut));
    server.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_waiting_read_times_out_at_its_timeout_holding_no_buffer() {
    // Paused time: the runtime jumps to the timer once nothing else can
    // happen, so the timeout is exact.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (server_side, _) = listener.accept().await.unwrap();
    let config = tcp_ports::TcpConfig::new().with_read_timeout(Some(Duration::from_secs(60)));
    let (mut input, _output) = tcp_server_async::split(server_side, &config).unwrap();
    let started = tokio::time::Instant::now();
    let err = input.read(&mut [0; 8]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert_eq!(started.elapsed(), Duration::from_secs(60));
    assert!(!input.holds_buffer(), "a waiting input holds no buffer");
    drop(client);
}

/// The timer armed at a connection's first wait fires while later waits
/// are under way (each began after it): each is moved to its own end, and
/// the wait that lasts times out its full timeout after it began, neither
/// sooner nor much later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_times_out_its_timeout_after_a_busy_spell() {
    const TIMEOUT: Duration = Duration::from_millis(150);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let builder = ServerBuilder::new().idle_timeout(Some(TIMEOUT));
    let server = util::start(builder, move |mut input, _, _| {
        let tx = tx.clone();
        async move {
            let mut byte = [0; 1];
            // Bounded: the client sends 8 bytes, then nothing.
            loop {
                let read = input.read(&mut byte).await;
                let _ = tx.send((
                    std::time::Instant::now(),
                    read.as_ref().map(|n| *n).map_err(|e| e.kind()),
                ));
                read?;
            }
        }
    });
    let mut client = connect(server.addr).await;
    // Eight bytes 50 ms apart: 350 ms of waits that each end in time, past
    // the first wait's 150 ms.
    for _ in 0..8 {
        client.writer.write_all(b"x").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut last_byte = None;
    let timed_out = loop {
        let (at, read) = tokio::time::timeout(util::PATIENCE, rx.recv())
            .await
            .expect("the server reads or times out")
            .expect("a report");
        match read {
            Ok(1) => last_byte = Some(at),
            other => break (at, other),
        }
    };
    let waited = timed_out.0 - last_byte.expect("the bytes were read");
    assert_eq!(timed_out.1, Err(ErrorKind::TimedOut));
    assert!(
        TIMEOUT <= waited && waited < TIMEOUT + Duration::from_millis(500),
        "the last wait lasted {waited:?}"
    );
    server.stop().await.unwrap();
}
