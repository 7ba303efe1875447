//! Both servers under load, every client served and every byte verified:
//! the async one holding thousands of connections at once, the threaded
//! one at the most its cap lets it serve at once.

use std::time::Duration;

use reliability::{EchoRun, Layer, echo_load};

/// Thousands at once: the clients' sockets are this process's (limit
/// 20,000 here), the server's are its own.
#[test]
fn the_async_server_holds_4000_echo_clients_at_once() {
    let mut server = Layer::Async.start("echo", &[]).unwrap();
    let run = EchoRun {
        clients: 4000,
        concurrency: 4000,
        // Every client waits, after its first echo, until all are being
        // served: the server holds all 4,000 connections at once.
        hold: Some(4000),
        max_payload: 4096,
        deadline: Duration::from_secs(60),
    };
    let report = echo_load(server.addr(), &run).unwrap();
    assert_eq!(report.clients, 4000);
    assert_eq!(report.most_at_once, 4000);
    server.alive().unwrap();
}

#[test]
fn the_threaded_server_serves_500_clients_64_at_a_time() {
    let mut server = Layer::Threaded
        .start("echo", &["--max-requests", "64"])
        .unwrap();
    let run = EchoRun {
        clients: 500,
        concurrency: 500,
        // The first 64 served wait until all 64 are: the cap is reached;
        // the rest wait in the kernel's queue until a slot frees.
        hold: Some(64),
        max_payload: 64 * 1024,
        deadline: Duration::from_secs(60),
    };
    let report = echo_load(server.addr(), &run).unwrap();
    assert_eq!(report.clients, 500);
    assert_eq!(report.most_at_once, 64, "the cap is 64, and it was reached");
    server.alive().unwrap();
}
