//! What a parsed scenario script is: its header (origin, participants,
//! families, required server settings, timeouts) and its steps, in the order
//! they run. The language itself is described in `scenarios/README.md`.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;

use crate::payload::Payload;

/// One conversation, as a script describes it from both sides.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file name without its extension (`echo-large`).
    pub name: String,
    /// Where it was read from, for messages.
    pub path: PathBuf,
    /// The `origin:` header: which Scheme document or rule it checks.
    pub origin: String,
    /// The example program that plays the server (`echo-server`), if a
    /// layer's server can play it at all.
    pub server_program: Option<String>,
    /// The clients, in the order the `participants:` header names them.
    pub clients: Vec<Client>,
    /// The address families it runs over.
    pub families: Vec<Family>,
    /// Server settings it needs (`requires: read-timeout 500ms`).
    pub requires: Vec<Setting>,
    /// Server capabilities it needs (`requires: graceful-shutdown`): what a
    /// server must do, with no flag to ask for it.
    pub capabilities: Vec<String>,
    /// The time limit of an expectation that gives none (`timeout:`).
    pub timeout: Duration,
    /// The hard limit on the whole case (`deadline:`).
    pub deadline: Duration,
    /// The steps, in file order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The index of the client called `name`.
    pub fn client_index(&self, name: &str) -> Option<usize> {
        self.clients.iter().position(|c| c.name == name)
    }

    /// Whether at least one client can be played by a client program.
    pub fn has_program_clients(&self) -> bool {
        self.clients.iter().any(|c| c.program.is_some())
    }

    /// Whether it acts on the server's process (signals it, watches it
    /// refuse connections or exit), which only a server the runner starts
    /// can be.
    pub fn watches_the_server(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.actor == Actor::Server && s.peers.is_empty())
    }

    /// The client programs its clients need (`chat-client`), without
    /// repeats.
    pub fn client_programs(&self) -> Vec<&str> {
        let mut programs: Vec<&str> = Vec::new();
        for p in self.clients.iter().filter_map(|c| c.program.as_deref()) {
            if !programs.contains(&p) {
                programs.push(p);
            }
        }
        programs
    }
}

/// A client of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its name in the steps (`alice`).
    pub name: String,
    /// The client program that can play it (`chat-client`); `None` when
    /// only the runner can (it sends raw bytes, aborts, stops reading...).
    pub program: Option<String>,
}

/// An address family a scenario runs over, on loopback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `127.0.0.1`.
    Ipv4,
    /// `::1`.
    Ipv6,
}

impl Family {
    /// Both families, IPv4 first.
    pub const ALL: [Family; 2] = [Family::Ipv4, Family::Ipv6];

    /// The loopback host to serve on (`--host`).
    pub fn loopback(self) -> std::net::IpAddr {
        match self {
            Family::Ipv4 => std::net::Ipv4Addr::LOCALHOST.into(),
            Family::Ipv6 => std::net::Ipv6Addr::LOCALHOST.into(),
        }
    }

    /// The family of `addr`.
    pub fn of(addr: &std::net::SocketAddr) -> Family {
        if addr.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        }
    }

    /// Its name in scripts and reports: `ipv4`, `ipv6`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A server setting a scenario requires, given to a server program as
/// `--NAME VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The setting, which is also the flag's name (`max-requests`).
    pub name: String,
    /// Its value as the flag takes it (durations in milliseconds).
    pub value: String,
    /// Its value as the script wrote it (`500ms`), for messages.
    pub written: String,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.written)
    }
}

/// The server capabilities a script can require (`requires: NAME` with no
/// value), with what each means.
pub const CAPABILITIES: &[(&str, &str)] = &[(
    "graceful-shutdown",
    "on SIGTERM or SIGINT the server stops accepting at once, lets a \
     connection in the middle of its exchange finish it, then exits 0",
)];

/// Who performs a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The server.
    Server,
    /// The client with this index in [`Scenario::clients`].
    Client(usize),
}

/// One line of the conversation.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its line in the file.
    pub line: usize,
    /// Its text as written, for reports.
    pub text: String,
    /// Who performs it.
    pub actor: Actor,
    /// For a server step: the client connection(s) it acts on; empty for
    /// a step on the server itself (`signal`, `expect refused`, `expect
    /// exit`). Empty for a client step (a client has one connection).
    pub peers: Vec<usize>,
    /// What it does.
    pub action: Action,
    /// Its time limit (`within`, else the scenario's `timeout:`).
    pub timeout: Duration,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// A client connects to the server (a client program is started).
    Connect,
    /// The server accepts the connection of its peer.
    Accept,
    /// Writes bytes (to a client program: to its stdin).
    Send(Payload),
    /// Shuts down the writing half (a client program's stdin is closed).
    HalfClose,
    /// Closes the connection normally.
    Close,
    /// Closes the connection with a reset (`SO_LINGER` 0).
    Abort,
    /// Leaves what arrives in the kernel's buffers until the next
    /// expectation on this connection.
    StopReading,
    /// Waits until what arrives matches.
    Expect(Expectation),
    /// Sends the server's process a signal (a scripted server stops
    /// accepting, as a server stopping gracefully does).
    Signal(Signal),
}

impl Action {
    /// The step's verb as scripts spell it.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::Connect => "connect",
            Action::Accept => "accept",
            Action::Send(_) => "send",
            Action::HalfClose => "half-close",
            Action::Close => "close",
            Action::Abort => "abort",
            Action::StopReading => "stop-reading",
            Action::Expect(_) => "expect",
            Action::Signal(_) => "signal",
        }
    }
}

/// A signal a script can send the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `SIGINT` (Ctrl-C).
    Int,
    /// `SIGTERM` (what `kill` and service managers send).
    Term,
}

impl Signal {
    /// The names scripts use.
    pub const NAMES: &'static str = "SIGTERM, SIGINT";

    /// Its name in scripts.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
        }
    }
}

/// What an `expect` step waits for.
#[derive(Debug, Clone)]
pub enum Expectation {
    /// The next line (up to `\n`) is exactly this text.
    Line(String),
    /// The next line matches this pattern.
    LineMatching(Pattern),
    /// The next bytes are exactly these.
    Bytes(Payload),
    /// The next bytes are what this side sent since its last `expect echo`.
    Echo,
    /// The peer closes normally with nothing more to read.
    Eof,
    /// Whatever arrives is discarded until the peer closes or resets.
    Closed,
    /// The connection fails with this kind of error, nothing arriving first.
    Error(ErrorKind),
    /// Nothing at all arrives (no data, no close) for this long.
    Silence(Duration),
    /// A client program, or the server's, exits like this (a scripted
    /// side ignores it).
    Exit(ExitCheck),
    /// New connections to the server are refused (its listener is closed).
    Refused,
}

/// A compiled regular expression that keeps its source for messages.
#[derive(Debug, Clone)]
pub struct Pattern(pub Regex);

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0.as_str())
    }
}

/// The kinds of connection error a script can expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `reset`: the peer reset the connection.
    Reset,
    /// `aborted`: the connection was aborted locally.
    Aborted,
    /// `any`: any error.
    Any,
}

impl ErrorKind {
    /// The names scripts use.
    pub const NAMES: &'static str = "reset, aborted, any";

    /// Whether an I/O error of kind `kind` is this one.
    pub fn matches(self, kind: io::ErrorKind) -> bool {
        match self {
            ErrorKind::Reset => kind == io::ErrorKind::ConnectionReset,
            ErrorKind::Aborted => kind == io::ErrorKind::ConnectionAborted,
            ErrorKind::Any => true,
        }
    }

    /// Its name in scripts.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Reset => "reset",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Any => "any",
        }
    }
}

/// How a client program must exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCheck {
    /// With exactly this status.
    Code(i32),
    /// With any status but 0 (`exit failure`).
    Failure,
}

impl fmt::Display for ExitCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitCheck::Code(c) => write!(f, "exit status {c}"),
            ExitCheck::Failure => f.write_str("a non-zero exit status"),
        }
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Line(l) => write!(f, "the line {l:?}"),
            Expectation::LineMatching(p) => write!(f, "a line matching {p}"),
            Expectation::Bytes(p) => write!(f, "{}", p.describe()),
            Expectation::Echo => f.write_str("the echo of what was sent"),
            Expectation::Eof => f.write_str("EOF (a normal close, nothing more to read)"),
            Expectation::Closed => f.write_str("the connection closed (EOF or reset)"),
            Expectation::Error(k) => write!(f, "a connection error of kind {}", k.name()),
            Expectation::Silence(d) => write!(f, "silence for {}", crate::units::show(*d)),
            Expectation::Exit(e) => write!(f, "{e}"),
            Expectation::Refused => f.write_str("new connections refused"),
        }
    }
}
