//! Nothing lost under load while clients come and go: echo gives every
//! client back its bytes exactly, while others connect, leave, and reset;
//! chat relays every line to every client that stayed, each sender's in
//! order, and those who come and go see each sender in order without a gap.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use reliability::{ChatRun, EchoRun, Layer, PATIENCE, chat_churn, echo_load};
use rstest::rstest;

#[rstest]
fn echo_returns_every_byte_while_clients_come_go_and_reset(
    #[values(Layer::Threaded, Layer::Async)] layer: Layer,
) {
    let mut server = layer.start("echo", &[]).unwrap();
    let addr = server.addr();
    // Beside the load: clients that leave with a reset, mid-exchange.
    let rude = thread::spawn(move || {
        for n in 0..100u32 {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(PATIENCE)).unwrap();
            s.write_all(&[n as u8; 100_000]).unwrap();
            let mut some = [0; 100];
            s.read_exact(&mut some).unwrap();
            socket2::SockRef::from(&s)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
        }
    });
    let run = EchoRun {
        clients: 400,
        // Forty at a time: as one leaves, the next comes.
        concurrency: 40,
        hold: None,
        max_payload: 256 * 1024,
        deadline: Duration::from_secs(40),
    };
    let report = echo_load(addr, &run).unwrap();
    rude.join().unwrap();
    assert_eq!(report.clients, 400);
    eprintln!("{layer}: {report:?}");
    server.alive().unwrap();
}

#[rstest]
fn chat_relays_every_line_in_order_while_clients_come_and_go(
    #[values(Layer::Threaded, Layer::Async)] layer: Layer,
) {
    let mut server = layer.start("chat", &[]).unwrap();
    let run = ChatRun {
        stayers: 6,
        churners: 200,
        churn_concurrency: 8,
        stayer_lines: 3000,
        churner_lines: 50,
        deadline: Duration::from_secs(40),
    };
    let report = chat_churn(server.addr(), &run).unwrap();
    assert_eq!(report.sent, 6 * 3001 + 200 * 51);
    // Every stayer received every line of everyone.
    assert!(report.received >= 6 * report.sent, "{report:?}");
    eprintln!("{layer}: {report:?}");
    server.alive().unwrap();
}
