//! Many echo clients at once, each checking every byte it gets back.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};

/// What an echo run asks for.
///
/// Scheme: none.
#[derive(Debug, Clone)]
pub struct EchoRun {
    /// Clients in all.
    pub clients: usize,
    /// The most connected at once; more wait for one to finish.
    pub concurrency: usize,
    /// If set, each client, once its first line came back, waits until this
    /// many clients are being served at once before it goes on: proof that
    /// the server holds that many. At most `concurrency`.
    pub hold: Option<usize>,
    /// The most bytes a client sends after its first line (each sends a
    /// different amount up to this, from its own seed).
    pub max_payload: usize,
    /// The whole run's limit.
    pub deadline: Duration,
}

/// What an echo run did.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoReport {
    /// Clients served and verified, every one of them.
    pub clients: usize,
    /// Bytes sent, each of them echoed back byte-exact.
    pub bytes: u64,
    /// The most clients being served at once: echoed their first line and
    /// not yet half-closed.
    pub most_at_once: usize,
    /// How long the run took.
    pub elapsed: Duration,
}

struct Shared {
    active: AtomicUsize,
    most: AtomicUsize,
    bytes: AtomicU64,
    release: watch::Sender<bool>,
}

/// Runs `run.clients` echo clients against `addr`: each connects, sends a
/// line and reads it back, (holds, see [`EchoRun::hold`]), sends its payload
/// while reading it back, half-closes, and expects EOF right after its
/// last byte.
///
/// Scheme: none.
///
/// # Errors
///
/// The failures of the clients that failed (how many, and the first few),
/// or that the run passed its deadline.
pub fn echo_load(addr: SocketAddr, run: &EchoRun) -> Result<EchoReport, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(echo_load_async(addr, run.clone()))
}

async fn echo_load_async(addr: SocketAddr, run: EchoRun) -> Result<EchoReport, String> {
    if run
        .hold
        .is_some_and(|h| h > run.concurrency || h > run.clients)
    {
        return Err(format!(
            "hold {:?} is more than the concurrency {} or clients {}",
            run.hold, run.concurrency, run.clients
        ));
    }
    let started = Instant::now();
    let (release, _) = watch::channel(run.hold.is_none());
    let shared = Arc::new(Shared {
        active: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
        bytes: AtomicU64::new(0),
        release,
    });
    let slots = Arc::new(Semaphore::new(run.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..run.clients {
        let slots = Arc::clone(&slots);
        let shared = Arc::clone(&shared);
        let run = run.clone();
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await;
            let result = client(addr, n, &run, &shared).await;
            if result.is_err() {
                // Nobody waits for a hold that a failed client cannot join.
                shared.release.send_replace(true);
            }
            result
        });
    }
    let mut failures = Vec::new();
    let joined = tokio::time::timeout(run.deadline, async {
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(e),
                Err(e) => failures.push(format!("a client task failed: {e}")),
            }
        }
    })
    .await;
    if joined.is_err() {
        let left = tasks.len();
        tasks.abort_all();
        return Err(format!(
            "{left} of {} clients not done within {:?} ({} failed: {:?})",
            run.clients,
            run.deadline,
            failures.len(),
            failures.iter().take(3).collect::<Vec<_>>()
        ));
    }
    if !failures.is_empty() {
        return Err(format!(
            "{} of {} clients failed; the first: {:?}",
            failures.len(),
            run.clients,
            failures.iter().take(3).collect::<Vec<_>>()
        ));
    }
    Ok(EchoReport {
        clients: run.clients,
        bytes: shared.bytes.load(Ordering::Relaxed),
        most_at_once: shared.most.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    })
}

async fn client(addr: SocketAddr, n: usize, run: &EchoRun, shared: &Shared) -> Result<(), String> {
    let fail = |what: &str, e: std::io::Error| format!("client {n}: {what}: {e}");
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| fail(&format!("connect to {addr}"), e))?;
    let first = format!("hello from {n}\n");
    exchange(&mut stream, first.as_bytes())
        .await
        .map_err(|e| fail("first line", e))?;

    let now = shared.active.fetch_add(1, Ordering::SeqCst) + 1;
    shared.most.fetch_max(now, Ordering::SeqCst);
    if let Some(hold) = run.hold {
        if now >= hold {
            shared.release.send_replace(true);
        }
        let mut released = shared.release.subscribe();
        // Bounded by the run's deadline, which aborts this task.
        let _ = released.wait_for(|go| *go).await;
    }

    let payload = payload(n, run.max_payload);
    exchange(&mut stream, &payload)
        .await
        .map_err(|e| fail("payload", e))?;
    shared
        .bytes
        .fetch_add((first.len() + payload.len()) as u64, Ordering::Relaxed);
    // Still served until the server reads our EOF: count down first, so
    // that the count never includes a connection the server has let go.
    shared.active.fetch_sub(1, Ordering::SeqCst);
    stream.shutdown().await.map_err(|e| fail("half-close", e))?;
    let mut rest = Vec::new();
    stream
        .read_to_end(&mut rest)
        .await
        .map_err(|e| fail("read to EOF", e))?;
    match rest.is_empty() {
        true => Ok(()),
        false => Err(format!("client {n}: {} bytes after its echo", rest.len())),
    }
}

/// Sends `bytes` while reading them back, and checks them byte for byte.
async fn exchange(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    let (mut reader, mut writer) = stream.split();
    let mut back = vec![0; bytes.len()];
    // Concurrently: a payload larger than the buffers both ways would
    // deadlock a client that writes it all before reading.
    let (written, read) = tokio::join!(writer.write_all(bytes), reader.read_exact(&mut back));
    written?;
    read?;
    if back != bytes {
        let at = back
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("echo differs at byte {at} of {}", bytes.len()),
        ));
    }
    Ok(())
}

/// Client `n`'s payload: its own length up to `max` and its own bytes
/// (SplitMix64 from seed `n`), so that a mix-up between clients shows.
pub(crate) fn payload(n: usize, max: usize) -> Vec<u8> {
    let mut state = n as u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let len = match max {
        0 => 0,
        _ => (next() % (max as u64 + 1)) as usize,
    };
    (0..len).map(|_| next() as u8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_bounded_and_differ_per_client() {
        let a = payload(1, 1000);
        let b = payload(2, 1000);
        assert!(a.len() <= 1000 && b.len() <= 1000);
        assert_ne!(a, b);
        assert_eq!(a, payload(1, 1000));
        assert!(payload(3, 0).is_empty());
    }
}
