//! Graceful shutdown: idle connections do not hold the drain, busy ones
//! finish within the drain timeout, the rest are forced; the listener
//! closes first; the summary says what happened.

mod util;

use std::future::Future;
use std::io::ErrorKind;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tcp_server_async::{Input, Output, Peer, ServerBuilder};
use tokio::io::AsyncWriteExt;
use tokio::sync::Notify;
use util::{connect, read_line};

type Handled = Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>;

/// A handler that greets, then serves requests (`busy` holds until the
/// test releases it), idle between them.
fn requests(
    release: Arc<Notify>,
) -> impl Fn(Input, Output, Peer) -> Handled + Send + Sync + 'static {
    move |mut input, mut output, _| {
        let release = Arc::clone(&release);
        Box::pin(async move {
            output.write_all(b"hi\n").await?;
            output.flush().await?;
            loop {
                input.set_idle(true);
                let line = read_line(&mut input).await?;
                input.set_idle(false);
                match line.as_str() {
                    "" => return Ok(()),
                    "busy" => {
                        output.write_all(b"working\n").await?;
                        output.flush().await?;
                        release.notified().await;
                        output.write_all(b"done\n").await?;
                        output.flush().await?;
                    }
                    other => {
                        output.write_all(format!("ok {other}\n").as_bytes()).await?;
                        output.flush().await?;
                    }
                }
            }
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_end_at_once_and_busy_ones_finish() {
    let release = Arc::new(Notify::new());
    let log: Arc<std::sync::Mutex<Vec<u8>>> = Arc::default();
    let builder = ServerBuilder::new()
        .drain_timeout(Duration::from_secs(60))
        .diagnostics(tcp_server_async::Diagnostics::with_prefix("t").to_writer(log.clone()));
    let server = util::start(builder, requests(Arc::clone(&release)));
    let mut idle = connect(server.addr).await;
    assert_eq!(idle.line().await.unwrap(), "hi");
    idle.send("a").await;
    assert_eq!(idle.line().await.unwrap(), "ok a");
    let mut busy = connect(server.addr).await;
    assert_eq!(busy.line().await.unwrap(), "hi");
    busy.send("busy").await;
    assert_eq!(busy.line().await.unwrap(), "working");

    let handle = server.handle.clone();
    handle.stop();
    // The idle one ends now, normally, though the drain timeout is 60 s.
    assert_eq!(idle.rest().await.unwrap(), "");
    // New connections are refused once the listener is closed; it closes
    // promptly, but no event says when: bounded polling.
    let deadline = tokio::time::Instant::now() + util::PATIENCE;
    loop {
        match tokio::net::TcpStream::connect(server.addr).await {
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => break,
            _ => assert!(tokio::time::Instant::now() < deadline, "still accepting"),
        }
        tokio::task::yield_now().await;
    }
    // The busy one finishes its request, then, idle, ends.
    release.notify_one();
    assert_eq!(busy.line().await.unwrap(), "done");
    assert_eq!(busy.rest().await.unwrap(), "");
    let summary = server.join().await.unwrap();
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert_eq!(
        (summary.served, summary.drained, summary.forced),
        (2, 2, 0),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_past_the_drain_timeout_is_forced() {
    let release = Arc::new(Notify::new());
    let builder = ServerBuilder::new().drain_timeout(Duration::from_millis(200));
    let server = util::start(builder, requests(release));
    let mut busy = connect(server.addr).await;
    assert_eq!(busy.line().await.unwrap(), "hi");
    busy.send("busy").await;
    assert_eq!(busy.line().await.unwrap(), "working");
    let handle = server.handle.clone();
    let summary = server.stop().await.unwrap();
    assert_eq!((summary.served, summary.drained, summary.forced), (0, 0, 1));
    assert_eq!(
        busy.rest().await.unwrap_err().kind(),
        ErrorKind::ConnectionReset
    );
    let stats = handle.stats();
    assert_eq!((stats.forced, stats.active), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_cuts_the_drain_short_and_run_until_stops_on_a_signal() {
    let release = Arc::new(Notify::new());
    let listener = tcp_ports::listen_on("127.0.0.1", 0).unwrap();
    let server = ServerBuilder::new()
        .drain_timeout(Duration::from_secs(600))
        .build(listener, requests(release))
        .unwrap();
    let (addr, handle) = (server.local_addr(), server.handle());
    let (signal, signalled) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(signalled));
    let mut busy = connect(addr).await;
    assert_eq!(busy.line().await.unwrap(), "hi");
    busy.send("busy").await;
    assert_eq!(busy.line().await.unwrap(), "working");
    signal.send(()).unwrap();
    // Stopping, with a 10-minute drain ahead: a force ends it now.
    handle.stopping().await;
    handle.force();
    let summary = tokio::time::timeout(util::PATIENCE, running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((summary.drained, summary.forced), (0, 1));
}
