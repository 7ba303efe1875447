//! The statistics are exact after a known workload.

mod util;

use std::io::Write;

use tcp_server::{ServerBuilder, ShutdownSummary};
use util::{connect, line, rest, send};

#[test]
fn exact_after_a_known_workload() {
    let server = util::start(ServerBuilder::new().max_requests(4), |conn| {
        let request = util::line(conn)?;
        if request == "bad" {
            return Err(std::io::Error::other("bad request"));
        }
        writeln!(conn, "{request}")
    });
    let before = server.handle.stats();
    assert_eq!(
        (before.accepted, before.active, before.shutdown),
        (0, 0, None)
    );
    for n in 0..10 {
        let (mut input, mut output) = connect(server.addr);
        if n % 5 == 4 {
            send(&mut output, "bad");
            let _ = rest(&mut input);
        } else {
            send(&mut output, "hi");
            assert_eq!(line(&mut input).unwrap(), "hi");
            // The end of the connection, which the server counts before the
            // client can see it: a stop now finds nothing to drain.
            assert_eq!(rest(&mut input).unwrap(), "");
        }
    }
    let handle = server.handle.clone();
    let summary = server.stop().unwrap();
    assert_eq!(summary, ShutdownSummary::new(8, 0, 0));
    let stats = handle.stats();
    assert_eq!(stats.accepted, 10);
    assert_eq!(stats.served, 8);
    assert_eq!(stats.failed, 2);
    assert_eq!(
        (stats.panicked, stats.rejected_handshakes, stats.forced),
        (0, 0, 0)
    );
    assert_eq!(stats.active, 0);
    assert_eq!(
        stats.accept_errors.per_connection + stats.accept_errors.fatal,
        0
    );
    assert_eq!(stats.shutdown, Some(summary));
}
