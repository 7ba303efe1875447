//! One case being played: the script's steps run in file order on one
//! thread, and every wait (for an expectation, for a send to go through,
//! for a connection to accept) keeps reading every open connection and
//! client program meanwhile. So a step never waits for another
//! participant's step, only for what that participant's peer does: a large
//! send cannot deadlock against an echo, and a chat client that is not the
//! one being checked still drains its relays, unless the script says
//! `stop-reading`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use test_support::RunningServer;

use crate::inbox::{End, Inbox, Matcher, Progress};
use crate::poll::{self, Interest};
use crate::program::{Program, StderrFile};
use crate::script::{Action, Actor, ExitCheck, Expectation, Scenario, Step};
use crate::units::show;

mod lifecycle;

/// How often a wait with nothing to watch but a process (or a server's
/// listener) looks again.
const TICK: Duration = Duration::from_millis(10);

/// How much a connection reads at once.
const CHUNK: usize = 64 * 1024;

/// The most a send writes to one connection per wait round. Every round
/// also drains every connection the runner reads, so with sends bounded per
/// round a client the runner plays reads at least as fast as the runner's
/// clients write: a relay never falls behind because of the runner.
const WRITE_PER_ROUND: usize = 256 * 1024;

/// The most a connection reads per wait round (so that one endless sender
/// cannot starve the others), far more than it can receive in a round.
const READ_PER_ROUND: usize = 8 << 20;

/// Why a case failed: the step, what it expected, and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The step's line in the script (0: before the first step).
    pub line: usize,
    /// The step as written (or what the runner was doing).
    pub step: String,
    /// What it expected.
    pub expected: String,
    /// What actually arrived or happened.
    pub actual: String,
    /// What else may explain it: the programs' stderr and exit statuses.
    pub notes: Vec<String>,
}

impl Failure {
    /// A failure before any step ran (starting a server, finding a
    /// program).
    pub fn setup(what: &str, expected: impl Into<String>, actual: impl Into<String>) -> Failure {
        Failure {
            line: 0,
            step: what.into(),
            expected: expected.into(),
            actual: actual.into(),
            notes: Vec::new(),
        }
    }
}

/// How a client program is started for a participant.
#[derive(Debug, Clone)]
pub enum Launcher {
    /// A layer's example: `PATH --addr ADDR`.
    Example(PathBuf),
    /// A command line's words; `{addr}` and `{program}` are replaced.
    Command(Vec<String>),
}

impl Launcher {
    fn argv(&self, program: &str, addr: &SocketAddr) -> Vec<String> {
        match self {
            Launcher::Example(path) => vec![
                path.display().to_string(),
                "--addr".into(),
                addr.to_string(),
            ],
            Launcher::Command(words) => words
                .iter()
                .map(|w| {
                    w.replace("{addr}", &addr.to_string())
                        .replace("{program}", program)
                })
                .collect(),
        }
    }
}

/// Who plays the server in a session.
#[derive(Debug)]
pub enum ServerSide {
    /// The runner, listening here until it is signalled (then `None`: it
    /// stops accepting, as a server stopping gracefully does).
    Scripted(Option<TcpListener>),
    /// A layer's example server, and its stderr.
    Program(RunningServer, StderrFile),
    /// Someone else's server.
    External,
}

/// One end of a TCP connection the runner plays.
#[derive(Debug)]
struct Conn {
    /// `None` once closed or aborted.
    stream: Option<TcpStream>,
    inbox: Inbox,
    paused: bool,
    /// What this end sent since its last `expect echo`.
    sent: Vec<u8>,
}

impl Conn {
    fn new(stream: TcpStream) -> io::Result<Conn> {
        stream.set_nonblocking(true)?;
        Ok(Conn {
            stream: Some(stream),
            inbox: Inbox::default(),
            paused: false,
            sent: Vec::new(),
        })
    }

    fn reading(&self) -> Option<BorrowedFd<'_>> {
        match &self.stream {
            Some(s) if !self.paused && !self.inbox.ended() => Some(s.as_fd()),
            _ => None,
        }
    }

    /// Reads what is there without blocking.
    fn read_available(&mut self) {
        let Some(stream) = &self.stream else { return };
        let mut buf = vec![0u8; CHUNK];
        for _ in 0..READ_PER_ROUND / CHUNK {
            match (&*stream).read(&mut buf) {
                Ok(0) => {
                    self.inbox.finish(End::Eof);
                    return;
                }
                Ok(n) => self.inbox.push(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.inbox.finish(End::Error(e.kind(), e.to_string()));
                    return;
                }
            }
        }
    }
}

/// A client participant.
#[derive(Debug)]
enum Side {
    NotYet,
    Scripted(Conn),
    Program(Box<Program>),
}

impl Side {
    /// Remembers what the runner wrote for this client, so that `expect
    /// echo` can compare what comes back; nothing to remember before it
    /// connects.
    fn record_sent(&mut self, data: &[u8]) {
        match self {
            Side::Scripted(conn) => conn.sent.extend_from_slice(data),
            Side::Program(program) => program.sent.extend_from_slice(data),
            Side::NotYet => {}
        }
    }
}

/// Where bytes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    Client(usize),
    Server(usize),
}

/// What is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Client(usize),
    Server(usize),
}

#[derive(Debug)]
struct WriteJob {
    sink: Sink,
    data: Arc<[u8]>,
    written: usize,
    error: Option<io::Error>,
}

impl WriteJob {
    fn done(&self) -> bool {
        self.error.is_some() || self.written == self.data.len()
    }
}

/// A case being played.
#[derive(Debug)]
pub struct Session<'a> {
    scenario: &'a Scenario,
    addr: SocketAddr,
    server: ServerSide,
    /// For each client: how its program is started, when one plays it.
    plays: Vec<Option<Launcher>>,
    clients: Vec<Side>,
    /// The scripted server's end of each client's connection.
    server_conns: Vec<Option<Conn>>,
    deadline: Instant,
}

impl<'a> Session<'a> {
    /// A session of `scenario` against the server at `addr`, played by
    /// `server`; `plays[i]` says how client `i`'s program is started, or
    /// `None` when the runner plays it. Nothing runs past `deadline`.
    ///
    /// # Errors
    ///
    /// When the runner's listener cannot be made non-blocking.
    pub fn new(
        scenario: &'a Scenario,
        addr: SocketAddr,
        server: ServerSide,
        plays: Vec<Option<Launcher>>,
        deadline: Instant,
    ) -> io::Result<Session<'a>> {
        if let ServerSide::Scripted(Some(l)) = &server {
            l.set_nonblocking(true)?;
        }
        let n = scenario.clients.len();
        Ok(Session {
            scenario,
            addr,
            server,
            plays,
            clients: (0..n).map(|_| Side::NotYet).collect(),
            server_conns: (0..n).map(|_| None).collect(),
            deadline,
        })
    }

    /// Plays every step in order.
    ///
    /// # Errors
    ///
    /// The first step that fails, with what it expected and what happened.
    pub fn run(&mut self) -> Result<(), Failure> {
        let scenario = self.scenario;
        for step in &scenario.steps {
            if let Err((expected, actual)) = self.step(step) {
                let notes = self.notes();
                return Err(Failure {
                    line: step.line,
                    step: step.text.clone(),
                    expected,
                    actual,
                    notes,
                });
            }
        }
        Ok(())
    }

    /// What the processes in this case have to say.
    pub fn notes(&mut self) -> Vec<String> {
        let mut notes = Vec::new();
        if let ServerSide::Program(server, stderr) = &mut self.server {
            if let Ok(Some(status)) = server.child().try_wait() {
                notes.push(format!("the server exited with {status}"));
            }
            let tail = stderr.tail();
            if !tail.is_empty() {
                notes.push(format!("server stderr: {tail}"));
            }
        }
        for side in &mut self.clients {
            if let Side::Program(p) = side {
                notes.extend(p.notes());
            }
        }
        notes
    }

    /// Runs one step; on failure, what it expected and what happened.
    fn step(&mut self, step: &Step) -> Result<(), (String, String)> {
        let until = (Instant::now() + step.timeout).min(self.deadline);
        match step.actor {
            // Steps on the server itself (signal, expect refused, expect
            // exit) act on whatever plays it, a real server too.
            Actor::Server if step.peers.is_empty() => self.server_itself(step, until),
            Actor::Server => {
                if !matches!(self.server, ServerSide::Scripted(_)) {
                    // A real server does this on its own; the clients'
                    // expectations check that it did.
                    return Ok(());
                }
                self.server_step(step, until)
            }
            Actor::Client(i) => self.client_step(i, step, until),
        }
    }

    fn server_step(&mut self, step: &Step, until: Instant) -> Result<(), (String, String)> {
        match &step.action {
            Action::Accept => self.accept(step.peers[0], until),
            Action::Send(payload) => {
                let data = payload.bytes();
                let jobs = step
                    .peers
                    .iter()
                    .map(|&p| {
                        if let Some(c) = self.server_conns[p].as_mut() {
                            c.sent.extend_from_slice(&data);
                        }
                        WriteJob {
                            sink: Sink::Server(p),
                            data: Arc::clone(&data),
                            written: 0,
                            error: None,
                        }
                    })
                    .collect();
                self.send(jobs, until, &payload.describe())
            }
            Action::Expect(e) => self.expect(Source::Server(step.peers[0]), e, until),
            action => {
                for &p in &step.peers {
                    let conn = self.server_conns[p]
                        .as_mut()
                        .ok_or_else(|| not_open(action))?;
                    conn_action(conn, action)?;
                }
                Ok(())
            }
        }
    }

    fn client_step(
        &mut self,
        i: usize,
        step: &Step,
        until: Instant,
    ) -> Result<(), (String, String)> {
        if let Action::Connect = step.action {
            return self.connect(i, until);
        }
        match (&mut self.clients[i], &step.action) {
            (side @ (Side::Program(_) | Side::Scripted(_)), Action::Send(payload)) => {
                let data = payload.bytes();
                side.record_sent(&data);
                let job = WriteJob {
                    sink: Sink::Client(i),
                    data,
                    written: 0,
                    error: None,
                };
                self.send(vec![job], until, &payload.describe())
            }
            (Side::Program(p), Action::HalfClose) => {
                // The program's stdin ends: it finishes its conversation.
                p.stdin = None;
                Ok(())
            }
            (Side::Program(_), Action::Expect(Expectation::Exit(check))) => {
                self.expect_exit(i, *check, until)
            }
            (Side::Scripted(_), Action::Expect(Expectation::Exit(_))) => Ok(()),
            (Side::Scripted(_) | Side::Program(_), Action::Expect(e)) => {
                self.expect(Source::Client(i), e, until)
            }
            (Side::Scripted(conn), action) => conn_action(conn, action),
            (Side::Program(p), action) => Err((
                format!("`{}` on a client program", action.verb()),
                format!("`{}` cannot be asked to do that", p.shown),
            )),
            (Side::NotYet, action) => Err(not_open(action)),
        }
    }

    fn connect(&mut self, i: usize, until: Instant) -> Result<(), (String, String)> {
        let addr = self.addr;
        if let Some(launcher) = &self.plays[i] {
            let program = self.scenario.clients[i].program.as_deref().unwrap_or("");
            let argv = launcher.argv(program, &addr);
            let p = Program::start(&argv).map_err(|e| (format!("to start {program}"), e))?;
            self.clients[i] = Side::Program(Box::new(p));
            return Ok(());
        }
        let left = until.saturating_duration_since(Instant::now());
        let stream = TcpStream::connect_timeout(&addr, left.max(Duration::from_millis(1)))
            .and_then(Conn::new)
            .map_err(|e| (format!("to connect to {addr}"), e.to_string()))?;
        self.clients[i] = Side::Scripted(stream);
        Ok(())
    }

    fn accept(&mut self, peer: usize, until: Instant) -> Result<(), (String, String)> {
        loop {
            let ServerSide::Scripted(listener) = &self.server else {
                return Ok(());
            };
            let Some(listener) = listener else {
                return Err((
                    "a connection to accept".into(),
                    "the server was signalled: it stopped listening".into(),
                ));
            };
            match listener.accept() {
                Ok((stream, _)) => {
                    let conn = Conn::new(stream)
                        .map_err(|e| ("to accept a connection".to_string(), e.to_string()))?;
                    self.server_conns[peer] = Some(conn);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(("to accept a connection".into(), e.to_string())),
            }
            if Instant::now() >= until {
                return Err((
                    format!("a connection to accept within {}", self.limit(until)),
                    "none came".into(),
                ));
            }
            self.pump(until, &mut [], true, false);
        }
    }

    fn send(
        &mut self,
        mut jobs: Vec<WriteJob>,
        until: Instant,
        what: &str,
    ) -> Result<(), (String, String)> {
        loop {
            if let Some(job) = jobs.iter().find(|j| j.error.is_some()) {
                let e = job
                    .error
                    .as_ref()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                return Err((
                    format!("to send {what}"),
                    format!(
                        "an error after {} of {} bytes: {e}",
                        job.written,
                        job.data.len()
                    ),
                ));
            }
            if jobs.iter().all(WriteJob::done) {
                return Ok(());
            }
            if Instant::now() >= until {
                let stuck: Vec<String> = jobs
                    .iter()
                    .map(|j| format!("{} of {} bytes", j.written, j.data.len()))
                    .collect();
                return Err((
                    format!("to send {what} within {}", self.limit(until)),
                    format!("the peer took only {}", stuck.join(", ")),
                ));
            }
            self.pump(until, &mut jobs, false, false);
        }
    }

    fn expect(
        &mut self,
        src: Source,
        e: &Expectation,
        until: Instant,
    ) -> Result<(), (String, String)> {
        let (mut matcher, until, silence) = match e {
            Expectation::Line(l) => (Matcher::line(l), until, false),
            Expectation::LineMatching(p) => (Matcher::pattern(&p.0), until, false),
            Expectation::Bytes(p) => (Matcher::bytes(p.bytes()), until, false),
            Expectation::Echo => {
                let sent = match self.sent_mut(src) {
                    Some(s) => std::mem::take(s),
                    None => Vec::new(),
                };
                (Matcher::bytes(sent.into()), until, false)
            }
            Expectation::Eof => (Matcher::eof(), until, false),
            Expectation::Closed => (Matcher::closed(), until, false),
            Expectation::Error(k) => (Matcher::error(*k), until, false),
            Expectation::Silence(d) => (Matcher::silence(), Instant::now() + *d, true),
            Expectation::Exit(_) | Expectation::Refused => return Ok(()),
        };
        if let Some(c) = self.conn_mut(src) {
            c.paused = false;
        }
        loop {
            let Some(inbox) = self.inbox_mut(src) else {
                return Err((e.to_string(), "the connection is not open".into()));
            };
            match matcher.poll(inbox) {
                Progress::Met => return Ok(()),
                Progress::Failed(actual) => return Err((e.to_string(), actual)),
                Progress::Pending => {}
            }
            let now = Instant::now();
            if silence && now >= until {
                return Ok(());
            }
            if silence && now >= self.deadline {
                return Err((e.to_string(), "the case's deadline passed first".into()));
            }
            if now >= until {
                let inbox = self
                    .inbox_mut(src)
                    .map(|i| matcher.timed_out(i))
                    .unwrap_or_default();
                return Err((
                    format!("{e} within {}", self.limit(until)),
                    format!("{inbox} (timed out)"),
                ));
            }
            self.pump(until.min(self.deadline), &mut [], false, false);
        }
    }

    fn expect_exit(
        &mut self,
        i: usize,
        check: ExitCheck,
        until: Instant,
    ) -> Result<(), (String, String)> {
        loop {
            let Side::Program(p) = &mut self.clients[i] else {
                return Ok(());
            };
            if let Some(status) = p.status() {
                let ok = match check {
                    ExitCheck::Code(c) => status.code() == Some(c),
                    ExitCheck::Failure => !status.success(),
                };
                return if ok {
                    Ok(())
                } else {
                    Err((check.to_string(), format!("it exited with {status}")))
                };
            }
            if Instant::now() >= until {
                return Err((
                    format!("{check} within {}", self.limit(until)),
                    "it is still running".into(),
                ));
            }
            self.pump(until, &mut [], false, true);
        }
    }

    /// The time limit that ends at `until`, for messages: the step's, or
    /// the case's deadline when that came first.
    fn limit(&self, until: Instant) -> String {
        if until >= self.deadline {
            format!("the case's deadline ({})", show(self.scenario.deadline))
        } else {
            "its timeout".into()
        }
    }

    fn conn_mut(&mut self, src: Source) -> Option<&mut Conn> {
        match src {
            Source::Client(i) => match &mut self.clients[i] {
                Side::Scripted(c) => Some(c),
                _ => None,
            },
            Source::Server(i) => self.server_conns[i].as_mut(),
        }
    }

    fn inbox_mut(&mut self, src: Source) -> Option<&mut Inbox> {
        match src {
            Source::Client(i) => match &mut self.clients[i] {
                Side::Scripted(c) => Some(&mut c.inbox),
                Side::Program(p) => Some(&mut p.inbox),
                Side::NotYet => None,
            },
            Source::Server(i) => self.server_conns[i].as_mut().map(|c| &mut c.inbox),
        }
    }

    fn sent_mut(&mut self, src: Source) -> Option<&mut Vec<u8>> {
        match src {
            Source::Client(i) => match &mut self.clients[i] {
                Side::Scripted(c) => Some(&mut c.sent),
                Side::Program(p) => Some(&mut p.sent),
                Side::NotYet => None,
            },
            Source::Server(i) => self.server_conns[i].as_mut().map(|c| &mut c.sent),
        }
    }

    /// Waits until something can be read or written (or `until`), then
    /// reads everything readable into its inbox and writes what the jobs
    /// can. With `listen`, also wakes when a connection is pending; with
    /// `tick`, wakes at least every [`TICK`] (to look at a process).
    fn pump(&mut self, until: Instant, jobs: &mut [WriteJob], listen: bool, tick: bool) {
        let mut wait = until.saturating_duration_since(Instant::now());
        if tick {
            wait = wait.min(TICK);
        }
        let (readable, writable) = {
            let mut fds: Vec<(BorrowedFd<'_>, Interest)> = Vec::new();
            let mut what: Vec<(Option<Source>, Option<usize>)> = Vec::new();
            for (i, side) in self.clients.iter().enumerate() {
                let fd = match side {
                    Side::Scripted(c) => c.reading(),
                    Side::Program(p) => p.stdout.as_ref().map(AsFd::as_fd),
                    Side::NotYet => None,
                };
                if let Some(fd) = fd {
                    fds.push((fd, Interest::Read));
                    what.push((Some(Source::Client(i)), None));
                }
            }
            for (i, c) in self.server_conns.iter().enumerate() {
                if let Some(fd) = c.as_ref().and_then(Conn::reading) {
                    fds.push((fd, Interest::Read));
                    what.push((Some(Source::Server(i)), None));
                }
            }
            if let (true, ServerSide::Scripted(Some(l))) = (listen, &self.server) {
                fds.push((l.as_fd(), Interest::Read));
                what.push((None, None));
            }
            for (j, job) in jobs.iter().enumerate() {
                if job.done() {
                    continue;
                }
                if let Some(fd) = self.sink_fd(job.sink) {
                    fds.push((fd, Interest::Write));
                    what.push((None, Some(j)));
                }
            }
            if fds.is_empty() {
                std::thread::sleep(wait.min(TICK));
                return;
            }
            let ready = match poll::ready(&fds, wait) {
                Ok(r) => r,
                Err(_) => {
                    // poll(2) fails only on resource exhaustion: wait a
                    // little, the deadline still bounds the loop.
                    std::thread::sleep(TICK);
                    Vec::new()
                }
            };
            let mut readable = Vec::new();
            let mut writable = Vec::new();
            for r in ready {
                match what[r] {
                    (Some(src), _) => readable.push(src),
                    (_, Some(j)) => writable.push(j),
                    _ => {}
                }
            }
            (readable, writable)
        };
        for src in readable {
            self.read(src);
        }
        for j in writable {
            self.write(&mut jobs[j]);
        }
        // A job whose sink went away (a program's stdin closed, a
        // connection closed) can never finish.
        for job in jobs.iter_mut().filter(|j| !j.done()) {
            if self.sink_fd(job.sink).is_none() {
                job.error = Some(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
        }
    }

    fn sink_fd(&self, sink: Sink) -> Option<BorrowedFd<'_>> {
        match sink {
            Sink::Client(i) => match &self.clients[i] {
                Side::Scripted(c) => c.stream.as_ref().map(AsFd::as_fd),
                Side::Program(p) => p.stdin.as_ref().map(AsFd::as_fd),
                Side::NotYet => None,
            },
            Sink::Server(i) => self.server_conns[i]
                .as_ref()
                .and_then(|c| c.stream.as_ref())
                .map(AsFd::as_fd),
        }
    }

    fn read(&mut self, src: Source) {
        match src {
            Source::Client(i) => match &mut self.clients[i] {
                Side::Scripted(c) => c.read_available(),
                Side::Program(p) => {
                    let Some(out) = p.stdout.as_mut() else { return };
                    // poll(2) said readable, so one read does not block.
                    let mut buf = vec![0u8; CHUNK];
                    match out.read(&mut buf) {
                        Ok(0) => {
                            p.stdout = None;
                            p.inbox.finish(End::Eof);
                        }
                        Ok(n) => p.inbox.push(&buf[..n]),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            p.stdout = None;
                            p.inbox.finish(End::Error(e.kind(), e.to_string()));
                        }
                    }
                }
                Side::NotYet => {}
            },
            Source::Server(i) => {
                if let Some(c) = self.server_conns[i].as_mut() {
                    c.read_available();
                }
            }
        }
    }

    fn write(&mut self, job: &mut WriteJob) {
        let rest = &job.data[job.written..];
        match job.sink {
            Sink::Client(i) if matches!(self.clients[i], Side::Program(_)) => {
                let Side::Program(p) = &mut self.clients[i] else {
                    return;
                };
                let Some(stdin) = p.stdin.as_mut() else {
                    return;
                };
                // A pipe that poll(2) calls writable takes a page without
                // blocking.
                let n = rest.len().min(4096);
                match stdin.write(&rest[..n]) {
                    Ok(n) => job.written += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // A program that has exited, or does not read its
                    // stdin (hello-client sends its own line): what it
                    // does is checked through its output instead.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                        job.written = job.data.len();
                    }
                    Err(e) => job.error = Some(e),
                }
            }
            sink => {
                let stream = match sink {
                    Sink::Client(i) => match &self.clients[i] {
                        Side::Scripted(c) => c.stream.as_ref(),
                        _ => None,
                    },
                    Sink::Server(i) => self.server_conns[i]
                        .as_ref()
                        .and_then(|c| c.stream.as_ref()),
                };
                let Some(mut stream) = stream else { return };
                let stop = (job.written + WRITE_PER_ROUND).min(job.data.len());
                while job.written < stop {
                    match stream.write(&job.data[job.written..stop]) {
                        Ok(n) => job.written += n,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            job.error = Some(e);
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// A step that needs an open connection, on one that is not.
fn not_open(action: &Action) -> (String, String) {
    (
        format!("to `{}` on an open connection", action.verb()),
        "the connection is not open".into(),
    )
}

/// `half-close`, `close`, `abort` and `stop-reading` on a connection the
/// runner plays.
fn conn_action(conn: &mut Conn, action: &Action) -> Result<(), (String, String)> {
    let fail = |e: io::Error| (format!("to `{}`", action.verb()), e.to_string());
    match action {
        Action::HalfClose => {
            if let Some(s) = &conn.stream {
                s.shutdown(Shutdown::Write).map_err(fail)?;
            }
        }
        Action::Close => conn.stream = None,
        Action::Abort => {
            if let Some(s) = conn.stream.take() {
                // SO_LINGER 0: the close sends a reset instead of a FIN.
                socket2::SockRef::from(&s)
                    .set_linger(Some(Duration::ZERO))
                    .map_err(fail)?;
                drop(s);
            }
        }
        Action::StopReading => conn.paused = true,
        other => {
            return Err((
                format!("a step the runner can play, not `{}`", other.verb()),
                "an internal error".into(),
            ));
        }
    }
    Ok(())
}
