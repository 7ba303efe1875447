//! A connection whose data never runs out, or whose writes always find
//! room, does not keep the runtime's other tasks from running: its reads
//! and writes take the task's budget, as tokio's own do.

mod util;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rstest::rstest;
use tcp_server_async::{Input, Output, ServerBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// How long the flooding client goes on at most.
const FLOOD: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug)]
enum Flood {
    /// The client writes without pause; the handler reads and drops.
    Reads,
    /// The handler writes without pause; the client reads and drops.
    Writes,
}

async fn handle(flood: Flood, mut input: Input, mut output: Output, moved: Arc<AtomicU64>) {
    let chunk = [b'x'; 8192];
    // Bounded by the client, which ends the flood after FLOOD at most.
    loop {
        let n = match flood {
            Flood::Reads => match input.fill_buf().await {
                Ok(data) if !data.is_empty() => data.len(),
                _ => return,
            },
            Flood::Writes => match output.write(&chunk).await {
                Ok(n) => n,
                Err(_) => return,
            },
        };
        if let Flood::Reads = flood {
            input.consume(n);
        }
        moved.fetch_add(n as u64, Ordering::Relaxed);
        // Work on each chunk, slower than the client's side of the flood:
        // the socket stays full (or empty), so no read is ever short and no
        // write ever waits, and only the budget makes the handler give way.
        let chunk_began = Instant::now();
        while chunk_began.elapsed() < Duration::from_micros(100) {
            std::hint::spin_loop();
        }
    }
}

/// One thread for everything: the flood's handler and this test's task
/// share it, so the test's task runs only when the handler gives way.
#[rstest]
#[case::reads(Flood::Reads)]
#[case::writes(Flood::Writes)]
#[tokio::test]
async fn a_flooded_connection_lets_the_other_tasks_run(#[case] flood: Flood) {
    let moved = Arc::new(AtomicU64::new(0));
    let server = {
        let moved = Arc::clone(&moved);
        util::start(ServerBuilder::new(), move |i, o, _| {
            let moved = Arc::clone(&moved);
            async move {
                handle(flood, i, o, moved).await;
                Ok(())
            }
        })
    };
    // The client is a thread of its own, outside the runtime: it keeps the
    // socket full (or empty) whatever the runtime does.
    let stop = Arc::new(AtomicBool::new(false));
    let client = {
        let (addr, stop) = (server.addr, Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(FLOOD)).unwrap();
            s.set_write_timeout(Some(FLOOD)).unwrap();
            let mut buf = vec![b'x'; 1 << 16];
            let began = Instant::now();
            while !stop.load(Ordering::Relaxed) && began.elapsed() < FLOOD {
                let done = match flood {
                    Flood::Reads => s.write_all(&buf).is_err(),
                    Flood::Writes => !matches!(s.read(&mut buf), Ok(1..)),
                };
                if done {
                    break;
                }
            }
        })
    };
    // Turns of this task: the longest time between two of them is how
    // long the handler held the thread at once (the whole flood, if it
    // never gives way).
    let began = Instant::now();
    let mut last = Instant::now();
    let mut longest = Duration::ZERO;
    let mut moved_meanwhile = 0;
    let mut turns = 0;
    while moved_meanwhile < 4 << 20 && began.elapsed() < FLOOD {
        tokio::task::yield_now().await;
        longest = longest.max(last.elapsed());
        last = Instant::now();
        moved_meanwhile = moved.load(Ordering::Relaxed);
        turns += 1;
    }
    stop.store(true, Ordering::Relaxed);
    server.handle.force();
    // Joined off the runtime's only thread, which the server needs to end.
    tokio::task::spawn_blocking(move || client.join().unwrap())
        .await
        .unwrap();
    assert!(
        moved_meanwhile >= 4 << 20,
        "the flood moved {moved_meanwhile} bytes"
    );
    assert!(
        longest < Duration::from_millis(500),
        "the handler held the thread for {longest:?} at once ({turns} turns)"
    );
}
