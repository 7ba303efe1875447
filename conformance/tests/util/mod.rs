//! What the runner's tests share: scripts from text, cases against the
//! runner itself or an in-test server, and small deliberately wrong servers
//! on loopback.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use conformance::plan::Suite;
use conformance::{
    Case, CaseResult, ClientTarget, Examples, Failure, Family, Outcome, Scenario, ServerTarget,
    Target, parse, run_case,
};

/// A scenario from `text`, as if read from `test.txt`.
pub fn script(text: &str) -> Scenario {
    parse("test", Path::new("test.txt"), text).unwrap_or_else(|e| panic!("{e}"))
}

/// The bundled scenarios.
pub fn bundled() -> Suite {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    Suite::load(&dir).expect("the scenarios folder")
}

/// The bundled scenario `name`.
pub fn bundled_scenario(name: &str) -> Arc<Scenario> {
    let suite = bundled();
    assert!(suite.malformed.is_empty(), "{:?}", suite.malformed);
    suite
        .scenarios
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no bundled scenario {name}"))
}

/// Runs `scenario` over `family` with `server` and `client` playing.
pub fn run(
    scenario: impl Into<Arc<Scenario>>,
    family: Family,
    server: ServerTarget,
    client: ClientTarget,
) -> CaseResult {
    let case = Case {
        scenario: scenario.into(),
        family,
        target: Target { server, client },
    };
    run_case(&case, &Examples::default())
}

/// Runs `scenario` with the runner playing both sides.
pub fn scripted(scenario: impl Into<Arc<Scenario>>, family: Family) -> CaseResult {
    run(
        scenario,
        family,
        ServerTarget::Scripted,
        ClientTarget::Scripted,
    )
}

/// Runs `scenario`'s clients against the server at `addr`.
pub fn against(scenario: impl Into<Arc<Scenario>>, addr: SocketAddr) -> CaseResult {
    run(
        scenario,
        Family::of(&addr),
        ServerTarget::External(addr),
        ClientTarget::Scripted,
    )
}

/// Asserts that `r` passed.
#[track_caller]
pub fn assert_passed(r: &CaseResult) {
    assert_eq!(r.outcome, Outcome::Passed, "{}", describe(r));
}

/// The failure of `r`, which must have failed.
#[track_caller]
pub fn failure(r: &CaseResult) -> Failure {
    match &r.outcome {
        Outcome::Failed(f) => f.clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn describe(r: &CaseResult) -> String {
    match &r.outcome {
        Outcome::Failed(f) => format!(
            "{}:{}: {}\n expected: {}\n got: {}\n notes: {:?}",
            r.case.scenario.name, f.line, f.step, f.expected, f.actual, f.notes
        ),
        o => format!("{o:?}"),
    }
}

/// A server on loopback that hands every connection to `handler` on its
/// own thread, until dropped.
pub struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Listens on `family`'s loopback.
    pub fn start(family: Family, handler: fn(TcpStream)) -> TestServer {
        TestServer::start_limited(family, 100, handler)
    }

    /// Listens on `family`'s loopback for `limit` connections, then closes
    /// its listener, like a server that ended.
    pub fn start_limited(family: Family, limit: usize, handler: fn(TcpStream)) -> TestServer {
        let listener = TcpListener::bind((family.loopback(), 0)).expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming().take(limit) {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    std::thread::spawn(move || handler(c));
                }
            }
        });
        TestServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A correct echo server's connection.
pub fn echo(mut c: TcpStream) {
    let mut buf = [0u8; 65536];
    while let Ok(n @ 1..) = c.read(&mut buf) {
        if c.write_all(&buf[..n]).is_err() {
            return;
        }
    }
}

/// A correct hello server's connection.
pub fn hello(mut c: TcpStream) {
    let _ = c.write_all(b"Hello!\n");
    let mut line = String::new();
    let _ = BufReader::new(&c).read_line(&mut line);
}
