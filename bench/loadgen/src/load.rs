//! Driving a scenario against a server: closed loop (each connection sends
//! its next request when the last reply is in) or open loop (requests due at
//! a fixed rate, latency counted from when each was due, so a stall shows as
//! the latency of every request it delayed instead of hiding).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::time::{Instant, sleep_until, timeout};

use crate::cpu::CpuTime;
use crate::lines::LineSplitter;
use crate::payload::{MIN_CHAT_LINE, chat_line, echo_request};
use crate::scenario::Scenario;
use crate::stats::{LoadDesc, Recorder, Report, kind};
use crate::target::Target;

/// What the chat scenario's greeting is, byte for byte.
const CHAT_GREETING: &[u8] = b"connected\n";
/// What the hello client sends and expects.
const GOOD_BYE: &[u8] = b"Good Bye!\n";
const HELLO: &[u8] = b"Hello!\n";
/// The longest daytime or hello reply read before calling it a mismatch.
const MAX_REPLY: u64 = 4096;
/// Connects in flight at once while setting up persistent connections, so
/// that a thousand SYNs do not overflow a server's listen queue.
const CONNECTS_IN_FLIGHT: usize = 64;
/// Chat lines the sender may have out (sent, not yet delivered to every
/// client) in closed loop.
pub const CHAT_WINDOW: usize = 8;
/// Bounds on the arguments, so that a typo cannot ask for the impossible.
const MAX_CONNECTIONS: usize = 100_000;
const MAX_PAYLOAD: usize = 16 * 1024 * 1024;
const MAX_DURATION: Duration = Duration::from_secs(3600);

/// One load: which scenario, how much, how long.
///
/// Scheme: none.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The server.
    pub target: Target,
    /// What it serves.
    pub scenario: Scenario,
    /// Concurrent connections (daytime, hello: connections in flight; echo:
    /// persistent connections; chat: clients).
    pub connections: usize,
    /// Bytes per echo request or chat line (ignored by daytime and hello).
    pub payload: usize,
    /// How long requests are sent.
    pub duration: Duration,
    /// `Some(r)`: open loop, `r` requests (chat: lines) per second in all.
    pub rate: Option<f64>,
    /// The longest a connect, a request or a wait for a line may take
    /// before it counts as `TimedOut`.
    pub op_timeout: Duration,
}

impl LoadConfig {
    /// A closed-loop load of `scenario` on `target` with defaults: 1
    /// connection, 16-byte payload, 1 s, 5 s operation timeout.
    ///
    /// Scheme: none.
    pub fn new(target: Target, scenario: Scenario) -> LoadConfig {
        LoadConfig {
            target,
            scenario,
            connections: 1,
            payload: 16,
            duration: Duration::from_secs(1),
            rate: None,
            op_timeout: Duration::from_secs(5),
        }
    }

    /// Checks the numbers.
    ///
    /// Scheme: none.
    ///
    /// # Errors
    ///
    /// `InvalidInput` naming the value out of range.
    pub fn validate(&self) -> io::Result<()> {
        let bad = |what: String| Err(io::Error::new(io::ErrorKind::InvalidInput, what));
        if !(1..=MAX_CONNECTIONS).contains(&self.connections) {
            return bad(format!(
                "connections {} out of range (1-{MAX_CONNECTIONS})",
                self.connections
            ));
        }
        let min_payload = match self.scenario {
            Scenario::Chat => MIN_CHAT_LINE,
            _ => 1,
        };
        if !(min_payload..=MAX_PAYLOAD).contains(&self.payload) {
            return bad(format!(
                "payload {} out of range for {} ({min_payload}-{MAX_PAYLOAD})",
                self.payload, self.scenario
            ));
        }
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            return bad(format!(
                "duration {:?} out of range (above 0, at most 1 h)",
                self.duration
            ));
        }
        if self.op_timeout.is_zero() || self.op_timeout > MAX_DURATION {
            return bad(format!(
                "operation timeout {:?} out of range",
                self.op_timeout
            ));
        }
        if let Some(rate) = self.rate {
            if !(rate.is_finite() && rate > 0.0 && rate <= 1e7) {
                return bad(format!("rate {rate} out of range (above 0, at most 1e7/s)"));
            }
        }
        Ok(())
    }

    fn desc(&self) -> LoadDesc {
        LoadDesc {
            scenario: self.scenario.name().to_string(),
            connections: self.connections,
            payload: match self.scenario {
                Scenario::Echo | Scenario::Chat => self.payload,
                Scenario::Daytime | Scenario::Hello => 0,
            },
            rate: self.rate,
        }
    }
}

/// Runs `config` on a runtime of `threads` worker threads (1: a
/// current-thread runtime) and reports.
///
/// Scheme: none.
///
/// # Errors
///
/// `InvalidInput` for a bad configuration; failing to build the runtime.
/// Failures of the load itself are counted in the report, not returned.
pub fn run(config: &LoadConfig, threads: usize) -> io::Result<Report> {
    config.validate()?;
    let rt = match threads {
        0 | 1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build()?,
    };
    rt.block_on(run_async(config))
}

/// [`run`] on the current runtime.
///
/// Scheme: none.
///
/// # Errors
///
/// As [`run`].
pub async fn run_async(config: &LoadConfig) -> io::Result<Report> {
    config.validate()?;
    let cpu_before = CpuTime::of_self()?;
    let (tally, elapsed) = match config.scenario {
        Scenario::Daytime | Scenario::Hello => one_shot(config).await,
        Scenario::Echo => echo(config).await,
        Scenario::Chat => chat(config).await,
    };
    let cpu = CpuTime::of_self()? - cpu_before;
    Ok(tally.report(config.desc(), elapsed, cpu))
}

/// When each request of one connection is due: now (closed loop), or on a
/// fixed grid (open loop), the connections' grids offset from each other.
#[derive(Debug)]
struct Schedule {
    start: Instant,
    deadline: Instant,
    interval: Option<Duration>,
    offset: Duration,
    next: u32,
}

impl Schedule {
    fn new(config: &LoadConfig, conn: usize, start: Instant) -> Schedule {
        let interval = config
            .rate
            .map(|r| Duration::from_secs_f64(config.connections as f64 / r));
        Schedule {
            start,
            deadline: start + config.duration,
            offset: interval.map_or(Duration::ZERO, |i| {
                i.mul_f64(conn as f64 / config.connections as f64)
            }),
            interval,
            next: 0,
        }
    }

    /// The next request's due time, waiting for it in open loop; `None`
    /// when the run is over.
    async fn next(&mut self) -> Option<Instant> {
        let now = Instant::now();
        if now >= self.deadline {
            return None;
        }
        let Some(interval) = self.interval else {
            return Some(now);
        };
        let due = self.start + self.offset + interval * self.next;
        if due >= self.deadline {
            return None;
        }
        self.next = self.next.saturating_add(1);
        sleep_until(due).await;
        Some(due)
    }

    /// Open-loop requests that were due before the deadline but not sent
    /// (the connection failed or fell behind).
    fn missed(&self) -> u64 {
        let Some(interval) = self.interval else {
            return 0;
        };
        let span = self
            .deadline
            .saturating_duration_since(self.start + self.offset);
        // Slots k with offset + k * interval < deadline.
        let step = interval.as_nanos().max(1);
        let due_total = span.as_nanos().div_ceil(step) as u64;
        due_total.saturating_sub(u64::from(self.next))
    }
}

async fn with_timeout<T>(
    limit: Duration,
    what: &str,
    f: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    match timeout(limit, f).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{what}: no progress within {limit:?}"),
        )),
    }
}

fn mismatch(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

fn count(tally: &mut Recorder, e: &io::Error) {
    match e.kind() {
        io::ErrorKind::InvalidData => tally.error(kind::MISMATCH),
        _ => tally.io_error(e),
    }
}

/// Daytime and hello: a connection per request, `connections` of them in
/// flight.
async fn one_shot(config: &LoadConfig) -> (Recorder, Duration) {
    let start = Instant::now();
    let tasks: Vec<_> = (0..config.connections)
        .map(|conn| {
            let config = config.clone();
            tokio::spawn(async move {
                let mut tally = Recorder::new();
                let mut schedule = Schedule::new(&config, conn, start);
                let mut reply = Vec::new();
                while let Some(due) = schedule.next().await {
                    let r = with_timeout(
                        config.op_timeout,
                        "one connection",
                        one_request(&config, &mut reply),
                    )
                    .await;
                    match r {
                        Ok(()) => tally.op(due.elapsed(), reply.len()),
                        Err(e) => count(&mut tally, &e),
                    }
                }
                tally.errors_n(kind::MISSED, schedule.missed());
                tally
            })
        })
        .collect();
    gather(tasks, start).await
}

async fn one_request(config: &LoadConfig, reply: &mut Vec<u8>) -> io::Result<()> {
    let mut stream = TcpStream::connect(config.target.addr()).await?;
    reply.clear();
    match config.scenario {
        Scenario::Hello => {
            let (mut r, mut w) = stream.split();
            // Both sides write first in hello: send while reading.
            let (sent, read) = tokio::join!(w.write_all(GOOD_BYE), async {
                (&mut r).take(MAX_REPLY).read_to_end(reply).await
            });
            sent?;
            read?;
            if reply != HELLO {
                return Err(mismatch(format!(
                    "hello: expected {:?}, got {:?}",
                    String::from_utf8_lossy(HELLO),
                    String::from_utf8_lossy(reply)
                )));
            }
        }
        _ => {
            (&mut stream).take(MAX_REPLY).read_to_end(reply).await?;
            let one_line = reply.len() > 1
                && reply.last() == Some(&b'\n')
                && reply.iter().filter(|&&b| b == b'\n').count() == 1;
            if !one_line {
                return Err(mismatch(format!(
                    "daytime: expected one non-empty line then EOF, got {:?}",
                    String::from_utf8_lossy(reply)
                )));
            }
        }
    }
    Ok(())
}

/// Opens `n` connections, a bounded number at a time; failures are counted.
async fn connect_all(config: &LoadConfig, n: usize, tally: &mut Recorder) -> Vec<TcpStream> {
    let gate = Arc::new(Semaphore::new(CONNECTS_IN_FLIGHT));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let gate = Arc::clone(&gate);
            let config = config.clone();
            tokio::spawn(async move {
                let _permit = gate.acquire().await.map_err(io::Error::other)?;
                with_timeout(config.op_timeout, "connect", async {
                    let mut s = TcpStream::connect(config.target.addr()).await?;
                    s.set_nodelay(true)?;
                    if config.scenario == Scenario::Chat {
                        let mut greeting = [0; CHAT_GREETING.len()];
                        s.read_exact(&mut greeting).await?;
                        if greeting != CHAT_GREETING {
                            return Err(mismatch(format!(
                                "chat greeting: got {:?}",
                                String::from_utf8_lossy(&greeting)
                            )));
                        }
                    }
                    Ok(s)
                })
                .await
            })
        })
        .collect();
    let mut streams = Vec::with_capacity(n);
    for t in tasks {
        match t.await {
            Ok(Ok(s)) => streams.push(s),
            Ok(Err(e)) => count(tally, &e),
            Err(_) => tally.error("TaskFailed"),
        }
    }
    streams
}

/// Waits for the workers, merging their tallies; the run lasted until the
/// last one ended.
async fn gather(
    tasks: Vec<tokio::task::JoinHandle<Recorder>>,
    start: Instant,
) -> (Recorder, Duration) {
    let mut tally = Recorder::new();
    for t in tasks {
        match t.await {
            Ok(r) => tally.merge(&r),
            Err(_) => tally.error("TaskFailed"),
        }
    }
    (tally, start.elapsed())
}

/// Echo: persistent connections, one request out on each at a time.
async fn echo(config: &LoadConfig) -> (Recorder, Duration) {
    let mut setup = Recorder::new();
    let streams = connect_all(config, config.connections, &mut setup).await;
    let start = Instant::now();
    let tasks: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(conn, mut stream)| {
            let config = config.clone();
            tokio::spawn(async move {
                let mut tally = Recorder::new();
                let mut schedule = Schedule::new(&config, conn, start);
                let (mut request, mut reply) = (Vec::new(), vec![0; config.payload]);
                let mut round = 0u64;
                while let Some(due) = schedule.next().await {
                    echo_request(&mut request, conn as u32, round, config.payload);
                    round += 1;
                    let (mut r, mut w) = stream.split();
                    let exchange = async {
                        // Write and read at once: a 16 KiB request need not
                        // fit in the socket buffers before its echo starts.
                        let (sent, read) =
                            tokio::join!(w.write_all(&request), r.read_exact(&mut reply));
                        sent?;
                        read?;
                        Ok(())
                    };
                    let result = with_timeout(config.op_timeout, "echo", exchange).await;
                    let result = result.and_then(|()| match reply == request {
                        true => Ok(()),
                        false => Err(mismatch(format!("echo reply differs in round {round}"))),
                    });
                    if let Err(e) = result {
                        // The stream is out of step now: this connection ends.
                        count(&mut tally, &e);
                        break;
                    }
                    tally.op(due.elapsed(), reply.len());
                }
                tally.errors_n(kind::MISSED, schedule.missed());
                // Half-close and see EOF, as the scenario's client does.
                let _ = stream.shutdown().await;
                tally
            })
        })
        .collect();
    let (mut tally, elapsed) = gather(tasks, start).await;
    tally.merge(&setup);
    (tally, elapsed)
}

/// What the chat sender and readers share.
#[derive(Debug)]
struct ChatBoard {
    clients: u32,
    start: Instant,
    /// Open loop: seconds between lines; lines are due on that grid.
    interval: Option<Duration>,
    /// Closed loop, per window slot (`seq % CHAT_WINDOW`): how many clients
    /// have the line, and when it was sent (ns since `start`).
    delivered: Vec<AtomicU32>,
    sent_at: Vec<AtomicU64>,
    /// Woken when a line has reached every client.
    all_have_it: Notify,
}

impl ChatBoard {
    fn due(&self, seq: u64) -> Instant {
        match self.interval {
            Some(i) => self.start + i.mul_f64(seq as f64),
            None => {
                let slot = &self.sent_at[seq as usize % CHAT_WINDOW];
                self.start + Duration::from_nanos(slot.load(Ordering::Acquire))
            }
        }
    }
}

/// Chat: every client connected and greeted, then one sender's lines
/// relayed to all of them.
async fn chat(config: &LoadConfig) -> (Recorder, Duration) {
    let mut setup = Recorder::new();
    let streams = connect_all(config, config.connections, &mut setup).await;
    if streams.len() < config.connections {
        // A partial audience would make every line "undelivered".
        return (setup, Duration::ZERO);
    }
    let start = Instant::now();
    let board = Arc::new(ChatBoard {
        clients: streams.len() as u32,
        start,
        interval: config.rate.map(|r| Duration::from_secs_f64(1.0 / r)),
        delivered: (0..CHAT_WINDOW).map(|_| AtomicU32::new(0)).collect(),
        sent_at: (0..CHAT_WINDOW).map(|_| AtomicU64::new(0)).collect(),
        all_have_it: Notify::new(),
    });
    let (done_tx, done_rx) = watch::channel(None::<u64>);
    let halves = streams.into_iter().map(TcpStream::into_split);
    let mut tasks = Vec::new();
    // Every client's write half stays open until the readers are done:
    // dropping one would half-close it, and the server would drop the
    // client before it had every line.
    let mut write_halves = Vec::new();
    for (r, w) in halves {
        tasks.push(tokio::spawn(chat_reader(
            config.clone(),
            Arc::clone(&board),
            r,
            done_rx.clone(),
        )));
        write_halves.push(w);
    }
    let mut tally = setup;
    if let Some(w) = write_halves.first_mut() {
        tally.merge(&chat_sender(config, &board, w, done_tx).await);
    }
    let (readers, elapsed) = gather(tasks, start).await;
    tally.merge(&readers);
    drop(write_halves);
    (tally, elapsed)
}

async fn chat_sender(
    config: &LoadConfig,
    board: &ChatBoard,
    w: &mut tokio::net::tcp::OwnedWriteHalf,
    done: watch::Sender<Option<u64>>,
) -> Recorder {
    let mut tally = Recorder::new();
    let deadline = board.start + config.duration;
    let mut line = Vec::new();
    let mut seq = 0u64;
    let result: io::Result<()> = async {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            let slot = seq as usize % CHAT_WINDOW;
            match board.interval {
                Some(_) => {
                    let due = board.due(seq);
                    if due >= deadline {
                        return Ok(());
                    }
                    sleep_until(due).await;
                }
                None => {
                    if seq >= CHAT_WINDOW as u64 {
                        // The slot's previous line must have reached everyone.
                        let full =
                            || board.delivered[slot].load(Ordering::Acquire) >= board.clients;
                        with_timeout(config.op_timeout, "chat delivery to every client", async {
                            while !full() {
                                board.all_have_it.notified().await;
                            }
                            Ok(())
                        })
                        .await?;
                    }
                    board.delivered[slot].store(0, Ordering::Release);
                    let at = Instant::now().duration_since(board.start).as_nanos() as u64;
                    board.sent_at[slot].store(at, Ordering::Release);
                }
            }
            line.clear();
            chat_line(&mut line, seq, config.payload);
            with_timeout(config.op_timeout, "chat send", w.write_all(&line)).await?;
            seq += 1;
        }
    }
    .await;
    if let Err(e) = result {
        count(&mut tally, &e);
    }
    if board.interval.is_some() {
        // Lines due before the deadline that never went out.
        let due_total = (config.duration.as_secs_f64() * config.rate.unwrap_or(0.0)).ceil() as u64;
        tally.errors_n(kind::MISSED, due_total.saturating_sub(seq));
    }
    let _ = done.send(Some(seq));
    tally
}

async fn chat_reader(
    config: LoadConfig,
    board: Arc<ChatBoard>,
    mut r: tokio::net::tcp::OwnedReadHalf,
    mut done: watch::Receiver<Option<u64>>,
) -> Recorder {
    let mut tally = Recorder::new();
    let mut splitter = LineSplitter::new(config.payload.max(MIN_CHAT_LINE));
    let mut expected = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    let mut next = 0u64;
    let mut sender_gone = false;
    let outcome: io::Result<()> = async {
        loop {
            if let Some(total) = *done.borrow_and_update() {
                if next >= total {
                    return Ok(());
                }
            }
            let n = tokio::select! {
                n = with_timeout(config.op_timeout, "waiting for a chat line", r.read(&mut buf)) => n?,
                changed = done.changed(), if !sender_gone => {
                    sender_gone = changed.is_err();
                    continue;
                }
            };
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("chat: server closed after {next} lines"),
                ));
            }
            let mut bad = None;
            splitter.feed(&buf[..n], |got| {
                if bad.is_some() {
                    return;
                }
                expected.clear();
                chat_line(&mut expected, next, config.payload);
                if got != expected.as_slice() {
                    bad = Some(next);
                    return;
                }
                tally.op(board.due(next).elapsed(), got.len());
                let slot = next as usize % CHAT_WINDOW;
                if board.delivered[slot].fetch_add(1, Ordering::AcqRel) + 1 == board.clients {
                    board.all_have_it.notify_one();
                }
                next += 1;
            })?;
            if let Some(seq) = bad {
                return Err(mismatch(format!("chat line {seq} differs")));
            }
        }
    }
    .await;
    if let Err(e) = outcome {
        count(&mut tally, &e);
    }
    tally
}
