//! The cap: taken before accept, never exceeded under contention, given
//! back however a connection ends (served, failed, panicked, cancelled).

mod util;

use std::io::{self, ErrorKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tcp_server_async::{Diagnostics, ServerBuilder};
use tokio::io::AsyncWriteExt;
use util::{connect, read_line};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_more_than_the_cap_and_everyone_served_in_order() {
    const CAP: usize = 2;
    const CLIENTS: usize = 8;
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let server = {
        let (running, most) = (Arc::clone(&running), Arc::clone(&most));
        util::start(
            ServerBuilder::new().max_requests(CAP),
            move |mut input, mut output, peer| {
                let (running, most) = (Arc::clone(&running), Arc::clone(&most));
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    output
                        .write_all(format!("in #{}\n", peer.id()).as_bytes())
                        .await?;
                    output.flush().await?;
                    // Held until the client says so.
                    let line = read_line(&mut input).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    line.map(drop)
                }
            },
        )
    };
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        clients.push(connect(server.addr).await);
    }
    // The first CAP are in; the others wait in the kernel's queue, and are
    // let in one by one, in the order they connected, as slots free up.
    for (n, client) in clients.iter_mut().enumerate() {
        assert_eq!(client.line().await.unwrap(), format!("in #{}", n + 1));
        client.send("done").await;
    }
    for client in &mut clients {
        assert_eq!(client.rest().await.unwrap(), "");
    }
    assert_eq!(most.load(Ordering::SeqCst), CAP);
    let summary = server.stop().await.unwrap();
    assert_eq!(summary.served, CLIENTS as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_client_is_not_accepted_while_the_cap_is_full() {
    let server = util::start(
        ServerBuilder::new().max_requests(1),
        |mut input, mut output, peer| async move {
            output
                .write_all(format!("in #{}\n", peer.id()).as_bytes())
                .await?;
            output.flush().await?;
            read_line(&mut input).await.map(drop)
        },
    );
    let mut first = connect(server.addr).await;
    assert_eq!(first.line().await.unwrap(), "in #1");
    let mut second = connect(server.addr).await;
    // Not accepted: the server counted one connection only, and the second
    // client hears nothing until the first is done.
    let stats = server.handle.stats();
    assert_eq!((stats.accepted, stats.active), (1, 1));
    first.send("done").await;
    assert_eq!(second.line().await.unwrap(), "in #2");
    second.send("done").await;
    assert_eq!(server.stop().await.unwrap().served, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_and_errors_give_their_slot_back_and_end_only_their_connection() {
    let log: Arc<std::sync::Mutex<Vec<u8>>> = Arc::default();
    // One slot: a lost slot would stall the healthy clients after a fault.
    let builder = ServerBuilder::new()
        .max_requests(1)
        .diagnostics(Diagnostics::with_prefix("t").to_writer(log.clone()));
    let server = util::start(builder, |mut input, mut output, _| async move {
        match read_line(&mut input).await?.as_str() {
            "panic" => panic!("asked to panic"),
            "fail" => Err(io::Error::other("asked to fail")),
            other => output.write_all(format!("ok {other}\n").as_bytes()).await,
        }
    });
    for request in ["a", "panic", "b", "fail", "c"] {
        let mut c = connect(server.addr).await;
        c.send(request).await;
        match request {
            "panic" | "fail" => {
                // Closed abruptly: a reset, not a clean end.
                let err = c.rest().await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{request}");
            }
            _ => assert_eq!(c.line().await.unwrap(), format!("ok {request}")),
        }
    }
    let summary = server.stop().await.unwrap();
    assert_eq!(summary.served, 3);
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("t: #2 panicked after") && log.contains("asked to panic"),
        "{log}"
    );
    assert!(
        log.contains("t: #4 failed after") && log.contains("asked to fail"),
        "{log}"
    );
}

#[test]
fn a_cancelled_connection_task_is_counted_and_gives_its_slot_back() {
    // The connection's task is cancelled under the handler's feet: the
    // runtime that runs it shuts down.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (handle, entered) = runtime.block_on(async {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
        let server = util::start(ServerBuilder::new().max_requests(1), move |_, _, _| {
            let tx = Arc::clone(&tx);
            async move {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                std::future::pending::<io::Result<()>>().await
            }
        });
        let client = std::net::TcpStream::connect(server.addr).unwrap();
        rx.await.unwrap();
        (server.handle.clone(), client)
    });
    assert_eq!(handle.stats().active, 1);
    drop(runtime);
    let stats = handle.stats();
    assert_eq!((stats.accepted, stats.active, stats.failed), (1, 0, 1));
    drop(entered);
}
