//! The four timeouts: each fires with `TimedOut`, names its operation and
//! address, takes at least its duration and not much more; zero means "do
//! not wait"; ports capture their timeouts when made.

mod util;

use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant};

use rstest::rstest;
use tcp_ports::{TcpConfig, parameterize};
use util::{Family, PATIENCE, SHORT, assert_timed_out, pair, patient};

#[rstest]
fn read_timeout_fires_and_the_connection_stays_usable(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let config = patient().with_read_timeout(Some(SHORT));
    let mut p = pair(family, &config);
    let (ref mut sr, _) = p.server;
    let mut line = String::new();
    let started = Instant::now();
    assert_timed_out(sr.read_line(&mut line), "read from", started, SHORT);
    let err = sr.read(&mut [0; 8]).unwrap_err();
    assert!(
        err.to_string()
            .contains(&p.client.0.local_addr().to_string()),
        "{err}"
    );

    writeln!(p.client.1, "still here").unwrap();
    line.clear();
    sr.read_line(&mut line).unwrap();
    assert_eq!(line, "still here\n");
}

#[rstest]
fn a_partial_line_read_before_a_timeout_is_kept(#[values(Family::V4, Family::V6)] family: Family) {
    let mut p = pair(family, &patient().with_read_timeout(Some(SHORT)));
    p.client.1.write_all(b"half ").unwrap();
    let mut line = String::new();
    let started = Instant::now();
    assert_timed_out(p.server.0.read_line(&mut line), "read from", started, SHORT);
    assert_eq!(line, "half ");
    p.client.1.write_all(b"a line\n").unwrap();
    p.server.0.read_line(&mut line).unwrap();
    assert_eq!(line, "half a line\n");
}

#[rstest]
fn write_timeout_fires_when_the_peer_stops_reading(
    #[values(Family::V4, Family::V6)] family: Family,
    #[values(0, 4096)] buffer_size: usize,
) {
    let config = patient()
        .with_write_timeout(Some(SHORT))
        .with_buffer_size(buffer_size);
    let mut p = pair(family, &config);
    let (_, ref mut w) = p.server;
    // Unbuffered: big writes go straight out. Buffered: small writes, so
    // that the timeout strikes while the buffer is being sent.
    let chunk = vec![7u8; if buffer_size == 0 { 256 * 1024 } else { 1000 }];
    // Kernel buffers on loopback hold a few MiB at most.
    let mut sent = 0usize;
    let outcome = loop {
        assert!(
            sent < 256 << 20,
            "256 MiB went into a peer that reads nothing"
        );
        let started = Instant::now();
        match w.write(&chunk) {
            Ok(n) => sent += n,
            Err(e) => break (started, e),
        }
    };
    let (started, err) = outcome;
    assert_timed_out::<()>(Err(err), "write to", started, SHORT);

    // Still usable: once the peer reads, the writer goes on where it was.
    let reader = std::thread::spawn(move || {
        let (mut r, _w) = p.client;
        let mut buf = vec![0; 1 << 20];
        let mut total = 0usize;
        loop {
            match r.read(&mut buf) {
                Ok(0) => return total,
                Ok(n) => total += n,
                Err(e) => panic!("peer read: {e}"),
            }
        }
    });
    w.set_write_timeout(Some(PATIENCE));
    w.write_all(b"tail").unwrap();
    let (_, w) = p.server;
    w.close().unwrap();
    // Every byte a write accepted arrives once: none lost to the timeout,
    // none sent twice.
    assert_eq!(reader.join().unwrap(), sent + 4);
}

#[rstest]
fn accept_timeout_fires(#[values(Family::V4, Family::V6)] family: Family) {
    let l = util::listener(family);
    let config = TcpConfig::new().with_accept_timeout(Some(SHORT));
    let started = Instant::now();
    let result = l.accept_with(&config);
    assert_timed_out(result, "accept on", started, SHORT);
    let err = l.accept_with(&config).unwrap_err();
    assert!(
        err.to_string().contains(&l.local_addr().to_string()),
        "{err}"
    );
}

#[rstest]
fn connect_timeout_fires(#[values(Family::V4, Family::V6)] family: Family) {
    let hang = util::unresponsive(family);
    let config = TcpConfig::new().with_connect_timeout(Some(SHORT));
    let started = Instant::now();
    let result = tcp_ports::connect_with(hang.addr, &config);
    assert_timed_out(result, "connect to", started, SHORT);
    let err = tcp_ports::connect_with(hang.addr, &config).unwrap_err();
    assert!(err.to_string().contains(&hang.addr.to_string()), "{err}");
}

#[rstest]
fn connect_timeout_is_one_deadline_over_every_address(
    #[values(Family::V4, Family::V6)] first: Family,
) {
    // Two addresses where connects hang, behind one target: each given its
    // own timeout, the connect would take twice as long.
    let second = match first {
        Family::V4 => Family::V6,
        _ => Family::V4,
    };
    let (a, b) = (util::unresponsive(first), util::unresponsive(second));
    let timeout = Duration::from_millis(600);
    let slack = Duration::from_millis(400);
    let config = TcpConfig::new().with_connect_timeout(Some(timeout));
    let started = Instant::now();
    let err = tcp_ports::connect_with(vec![a.addr, b.addr], &config).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
    assert!(elapsed >= timeout, "gave up after {elapsed:?}");
    assert!(
        elapsed < timeout + slack,
        "took {elapsed:?}: more than one deadline of {timeout:?}"
    );
    assert!(err.to_string().contains(&a.addr.to_string()), "{err}");
}

#[rstest]
fn zero_means_do_not_wait(#[values(Family::V4, Family::V6)] family: Family) {
    let zero = Some(Duration::ZERO);
    let config = patient().with_read_timeout(zero).with_accept_timeout(zero);
    let l = util::listener(family);
    let started = Instant::now();
    assert_timed_out(l.accept_with(&config), "accept on", started, Duration::ZERO);

    let mut client = tcp_ports::connect_with(l.local_addr(), &config).unwrap();
    assert!(netprim::wait_readable(&l, Some(PATIENCE)).unwrap());
    let (mut sr, _sw) = l
        .accept_with(&config)
        .expect("a pending connection is accepted at once");

    let started = Instant::now();
    assert_timed_out(sr.read(&mut [0; 4]), "read from", started, Duration::ZERO);
    client.1.write_all(b"ping").unwrap();
    assert!(netprim::wait_readable(&sr, Some(PATIENCE)).unwrap());
    let mut buf = [0; 4];
    sr.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");

    let hang = util::unresponsive(family);
    let started = Instant::now();
    let result = tcp_ports::connect_with(hang.addr, &TcpConfig::new().with_connect_timeout(zero));
    assert_timed_out(result, "connect to", started, Duration::ZERO);
}

#[test]
fn ports_capture_timeouts_when_made_and_can_change_them() {
    let l = util::listener(Family::V4);
    let (cr, cw) = parameterize(
        |c| {
            c.read_timeout = Some(Duration::from_millis(1234));
            c.write_timeout = None;
        },
        || tcp_ports::connect(l.local_addr()).unwrap(),
    );
    assert_eq!(cr.read_timeout(), Some(Duration::from_millis(1234)));
    assert_eq!(cw.write_timeout(), None);

    // The listener made by `listen` accepts with the current configuration.
    let (sr, sw) = parameterize(|c| c.read_timeout = Some(SHORT), || l.accept().unwrap());
    assert_eq!(sr.read_timeout(), Some(SHORT));
    assert_eq!(sw.write_timeout(), Some(tcp_ports::DEFAULT_WRITE_TIMEOUT));

    let mut sr = sr;
    sr.set_read_timeout(Some(Duration::from_millis(50)));
    let started = Instant::now();
    assert_timed_out(
        sr.read(&mut [0; 1]),
        "read from",
        started,
        Duration::from_millis(50),
    );
}

#[test]
fn a_listener_with_its_own_config_ignores_the_current_one() {
    let l = tcp_ports::ListenOptions::new(0)
        .host("127.0.0.1")
        .config(
            TcpConfig::new()
                .with_read_timeout(Some(SHORT))
                .with_buffer_size(10),
        )
        .listen()
        .unwrap();
    let _c = tcp_ports::connect(l.local_addr()).unwrap();
    let (sr, sw) = parameterize(|c| c.read_timeout = None, || l.accept().unwrap());
    assert_eq!(sr.read_timeout(), Some(SHORT));
    assert_eq!(sw.buffer_size(), 10);
}
