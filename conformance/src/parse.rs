//! Reading scenario scripts (the language is described in
//! `scenarios/README.md`). A malformed script gives one [`ParseError`]
//! naming its file, line, and what was expected there.

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use thiserror::Error;

use crate::payload::Payload;
use crate::script::{
    Action, Actor, CAPABILITIES, Client, ErrorKind, ExitCheck, Expectation, Family, Pattern,
    Scenario, Setting, Signal, Step,
};
use crate::units::{parse_duration, parse_size, show};

/// The time limit of an expectation when the script gives none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The hard limit on a whole case when the script gives none.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// The header keys, which cannot be participant names.
const HEADERS: [&str; 6] = [
    "origin",
    "participants",
    "families",
    "requires",
    "timeout",
    "deadline",
];

/// What follows `server: expect` when the step is about the server itself,
/// not a connection; so these cannot be client names.
const SERVER_EXPECTATIONS: [&str; 2] = ["refused", "exit"];

/// The steps, for messages.
const STEPS: &str = "connect, accept, send, half-close, close, abort, stop-reading, expect, signal";

/// Why a script could not be read.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{}:{line}: {message}", file.display())]
pub struct ParseError {
    /// The script's file.
    pub file: PathBuf,
    /// The line (from 1; 0 when the file could not be read at all).
    pub line: usize,
    /// What was wrong, usually `expected X, found Y`.
    pub message: String,
}

/// Reads and parses the script at `path`; its name is the file name without
/// its extension.
///
/// # Errors
///
/// A [`ParseError`] when the file cannot be read or is malformed.
pub fn parse_file(path: &Path) -> Result<Scenario, ParseError> {
    let text = std::fs::read_to_string(path).map_err(|e| ParseError {
        file: path.to_path_buf(),
        line: 0,
        message: format!("cannot read the script: {e}"),
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse(&name, path, &text)
}

/// Parses `text` as the script called `name`, read from `path` (used in
/// messages only).
///
/// # Errors
///
/// A [`ParseError`] at the first malformed line.
pub fn parse(name: &str, path: &Path, text: &str) -> Result<Scenario, ParseError> {
    let mut p = Parser {
        path,
        line: 0,
        scenario: Scenario {
            name: name.to_string(),
            path: path.to_path_buf(),
            origin: String::new(),
            server_program: None,
            clients: Vec::new(),
            families: Family::ALL.to_vec(),
            requires: Vec::new(),
            capabilities: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            steps: Vec::new(),
        },
        seen_participants: false,
        seen: Vec::new(),
        states: Vec::new(),
        server_states: Vec::new(),
        signalled: None,
        exited: None,
    };
    for (number, line) in expand_repeats(path, text)? {
        p.line = number;
        p.line(&line)?;
    }
    p.finish()
}

/// The most rounds a `repeat` block may have.
const MAX_REPEAT: usize = 1000;

/// The script's meaningful lines (no blanks, no comments), trimmed, with
/// their line numbers, and every `repeat N:` ... `end` block written out N
/// times, `{n}` in it replaced by the round (from 1). Blocks do not nest.
fn expand_repeats(path: &Path, text: &str) -> Result<Vec<(usize, String)>, ParseError> {
    let error = |line: usize, message: String| ParseError {
        file: path.to_path_buf(),
        line,
        message,
    };
    /// Lines with their numbers.
    type Lines = Vec<(usize, String)>;
    let mut out: Lines = Vec::new();
    // The open block: its line, its count, and its lines so far.
    let mut block: Option<(usize, usize, Lines)> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("repeat ") {
            if let Some((start, _, _)) = block {
                return Err(error(
                    number,
                    format!(
                        "expected `end` for the `repeat` of line {start} first: blocks do not nest"
                    ),
                ));
            }
            let count = rest
                .strip_suffix(':')
                .and_then(|n| n.trim().parse::<usize>().ok())
                .filter(|n| (1..=MAX_REPEAT).contains(n))
                .ok_or_else(|| {
                    error(
                        number,
                        format!(
                            "expected `repeat N:` with N from 1 to {MAX_REPEAT}, found {line:?}"
                        ),
                    )
                })?;
            block = Some((number, count, Vec::new()));
        } else if line == "end" {
            let Some((_, count, lines)) = block.take() else {
                return Err(error(
                    number,
                    "`end` without a `repeat N:` before it".into(),
                ));
            };
            for round in 1..=count {
                for (n, l) in &lines {
                    out.push((*n, l.replace("{n}", &round.to_string())));
                }
            }
        } else if let Some((_, _, lines)) = block.as_mut() {
            lines.push((number, line.to_string()));
        } else {
            out.push((number, line.to_string()));
        }
    }
    match block {
        Some((start, _, _)) => Err(error(
            text.lines().count().max(1),
            format!("expected `end` for the `repeat` of line {start}, found the end of the file"),
        )),
        None => Ok(out),
    }
}

/// Where a connection is, so that a step on a connection that is not open
/// is caught when the script is read rather than when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnState {
    NotYet,
    Open,
    Closed(usize),
}

struct Parser<'a> {
    path: &'a Path,
    line: usize,
    scenario: Scenario,
    seen_participants: bool,
    seen: Vec<&'static str>,
    /// Each client's end of its connection.
    states: Vec<ConnState>,
    /// The server's end of each client's connection.
    server_states: Vec<ConnState>,
    /// The line of the first `server: signal`: the server accepts nothing
    /// after it, and no client connects.
    signalled: Option<usize>,
    /// The line of `server: expect exit`: the server does nothing after it.
    exited: Option<usize>,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            file: self.path.to_path_buf(),
            line: self.line,
            message: message.into(),
        }
    }

    fn line(&mut self, line: &str) -> Result<(), ParseError> {
        let Some((head, rest)) = line.split_once(':') else {
            return Err(self.error(format!(
                "expected `HEADER: VALUE` or `PARTICIPANT: STEP`, found {line:?}"
            )));
        };
        let head = head.trim();
        if head.is_empty() || head.contains(|c: char| c.is_whitespace() || c == '"') {
            return Err(self.error(format!(
                "expected `HEADER: VALUE` or `PARTICIPANT: STEP`, found {line:?}"
            )));
        }
        let mut toks = self.tokens(rest)?;
        if let Some(key) = HEADERS.iter().find(|h| **h == head) {
            if !self.scenario.steps.is_empty() {
                return Err(self.error(format!(
                    "header `{key}:` after the first step; headers come first"
                )));
            }
            if self.seen.contains(key) && *key != "requires" {
                return Err(self.error(format!("header `{key}:` given twice")));
            }
            self.seen.push(key);
            return self.header(key, rest.trim(), &mut toks);
        }
        if !self.seen_participants {
            return Err(self.error(format!(
                "expected the `participants:` header before the first step, found {head:?}"
            )));
        }
        let actor = if head == "server" {
            Actor::Server
        } else if let Some(i) = self.scenario.client_index(head) {
            Actor::Client(i)
        } else {
            return Err(self.error(format!(
                "expected a participant ({}) or a header ({}), found `{head}`",
                self.participant_names(),
                HEADERS.join(", ")
            )));
        };
        let step = self.step(actor, line, &mut toks)?;
        self.scenario.steps.push(step);
        Ok(())
    }

    fn participant_names(&self) -> String {
        std::iter::once("server")
            .chain(self.scenario.clients.iter().map(|c| c.name.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn header(&mut self, key: &str, value: &str, toks: &mut Tokens) -> Result<(), ParseError> {
        match key {
            "origin" => {
                if value.is_empty() {
                    return Err(self.error(
                        "expected the Scheme document or rule this scenario checks after `origin:`",
                    ));
                }
                self.scenario.origin = value.to_string();
                return Ok(());
            }
            "participants" => self.participants(toks)?,
            "families" => {
                let mut families = Vec::new();
                while let Some(w) = toks.word_opt() {
                    let f = match w.as_str() {
                        "ipv4" => Family::Ipv4,
                        "ipv6" => Family::Ipv6,
                        _ => {
                            return Err(
                                self.error(format!("expected `ipv4` or `ipv6`, found `{w}`"))
                            );
                        }
                    };
                    if !families.contains(&f) {
                        families.push(f);
                    }
                }
                if families.is_empty() {
                    return Err(self.error("expected `ipv4`, `ipv6` or both after `families:`"));
                }
                families.sort();
                self.scenario.families = families;
            }
            "requires" => {
                let name = self.word(
                    toks,
                    "a server setting or capability, e.g. `read-timeout 500ms` or \
                     `graceful-shutdown`",
                )?;
                if !is_name(&name) {
                    return Err(self.error(format!(
                        "expected a setting name like `max-requests`, found `{name}`"
                    )));
                }
                let Some(written) = toks.word_opt() else {
                    return self.capability(name, toks);
                };
                let value = if let Some(d) = parse_duration(&written) {
                    d.as_millis().to_string()
                } else if written.parse::<u64>().is_ok() {
                    written.clone()
                } else {
                    return Err(self.error(format!(
                        "expected a number or a duration like `500ms` for `{name}`, found `{written}`"
                    )));
                };
                if self.scenario.requires.iter().any(|s| s.name == name) {
                    return Err(self.error(format!("setting `{name}` required twice")));
                }
                self.scenario.requires.push(Setting {
                    name,
                    value,
                    written,
                });
            }
            "timeout" | "deadline" => {
                let d = self.duration(toks)?;
                if key == "timeout" {
                    self.scenario.timeout = d;
                } else {
                    self.scenario.deadline = d;
                }
            }
            _ => unreachable!("every header key is handled"),
        }
        self.end(toks, &format!("`{key}:`"))
    }

    /// `requires: NAME` without a value: a capability the server must have.
    fn capability(&mut self, name: String, toks: &mut Tokens) -> Result<(), ParseError> {
        self.end(toks, &format!("`requires: {name}`"))?;
        if !CAPABILITIES.iter().any(|(c, _)| *c == name) {
            let known: Vec<&str> = CAPABILITIES.iter().map(|(c, _)| *c).collect();
            return Err(self.error(format!(
                "expected a value for setting `{name}` (a number or a duration), or a \
                 capability ({})",
                known.join(", ")
            )));
        }
        if self.scenario.capabilities.contains(&name) {
            return Err(self.error(format!("capability `{name}` required twice")));
        }
        self.scenario.capabilities.push(name);
        Ok(())
    }

    fn participants(&mut self, toks: &mut Tokens) -> Result<(), ParseError> {
        let mut server = false;
        while let Some(w) = toks.word_opt() {
            let (name, program) = match w.split_once('=') {
                Some((n, p)) => (n.to_string(), Some(p.to_string())),
                None => (w.clone(), None),
            };
            if let Some(p) = &program {
                if !is_name(p) {
                    return Err(self.error(format!(
                        "expected a program name like `chat-client` after `{name}=`, found `{p}`"
                    )));
                }
            }
            if name == "server" {
                if server {
                    return Err(self.error("participant `server` named twice"));
                }
                server = true;
                self.scenario.server_program = program;
                continue;
            }
            if !is_name(&name)
                || HEADERS.contains(&name.as_str())
                || SERVER_EXPECTATIONS.contains(&name.as_str())
            {
                return Err(self.error(format!(
                    "expected a client name like `alice` (letters, digits, `-`; not a header \
                     name, `refused` or `exit`), found `{name}`"
                )));
            }
            if self.scenario.client_index(&name).is_some() {
                return Err(self.error(format!("participant `{name}` named twice")));
            }
            self.scenario.clients.push(Client { name, program });
            self.states.push(ConnState::NotYet);
            self.server_states.push(ConnState::NotYet);
        }
        if !server || self.scenario.clients.is_empty() {
            return Err(self.error(
                "expected `server[=PROGRAM]` and at least one client, e.g. \
                 `participants: server=echo-server alice=chat-client`",
            ));
        }
        self.seen_participants = true;
        Ok(())
    }

    fn step(&mut self, actor: Actor, text: &str, toks: &mut Tokens) -> Result<Step, ParseError> {
        let mut timeout = self.scenario.timeout;
        let mut has_within = false;
        if let Some(d) = toks.take_within() {
            timeout = d.ok_or_else(|| {
                self.error("expected a duration like `300ms` or `5s` after `within`")
            })?;
            has_within = true;
        }
        let verb = self.word(toks, &format!("a step ({STEPS})"))?;
        let peers = match actor {
            Actor::Server if !self.on_the_server_itself(&verb, toks) => self.peers(toks, &verb)?,
            _ => Vec::new(),
        };
        let action = match verb.as_str() {
            "connect" => match actor {
                Actor::Client(_) => Action::Connect,
                Actor::Server => {
                    return Err(self.error(
                        "the server does not `connect`; it `accept`s (e.g. `server: accept alice`)",
                    ));
                }
            },
            "accept" => match actor {
                Actor::Server => Action::Accept,
                Actor::Client(_) => {
                    return Err(self.error("a client does not `accept`; it `connect`s"));
                }
            },
            "send" => Action::Send(self.payload(toks)?),
            "half-close" => Action::HalfClose,
            "close" => Action::Close,
            "abort" => Action::Abort,
            "stop-reading" => Action::StopReading,
            "expect" => Action::Expect(self.expectation(toks, actor, &peers)?),
            "signal" => match actor {
                Actor::Server => Action::Signal(self.signal(toks)?),
                Actor::Client(_) => {
                    return Err(self.error(
                        "only the server is signalled (`server: signal SIGTERM`); a client \
                         program stops when its stdin ends (`half-close`)",
                    ));
                }
            },
            other => return Err(self.error(format!("expected a step ({STEPS}), found `{other}`"))),
        };
        self.end(toks, &format!("`{verb}`"))?;
        if has_within && matches!(action, Action::Expect(Expectation::Silence(_))) {
            return Err(self.error("`expect silence` takes its own duration, not `within`"));
        }
        if has_within && matches!(action, Action::Signal(_)) {
            return Err(self.error("`signal` does not wait, so it takes no `within`"));
        }
        self.check_state(actor, &peers, &action)?;
        if let Actor::Client(i) = actor {
            self.check_program(i, &action)?;
        }
        Ok(Step {
            line: self.line,
            text: text.to_string(),
            actor,
            peers,
            action,
            timeout,
        })
    }

    /// Whether a server step acts on the server itself rather than on
    /// connections: `signal`, `expect refused`, `expect exit`.
    fn on_the_server_itself(&self, verb: &str, toks: &Tokens) -> bool {
        match verb {
            "connect" | "signal" => true,
            "expect" => {
                matches!(toks.peek(), Some(Tok::Word(w)) if SERVER_EXPECTATIONS.contains(&w.as_str()))
            }
            _ => false,
        }
    }

    fn signal(&self, toks: &mut Tokens) -> Result<Signal, ParseError> {
        let w = self.word(toks, &format!("a signal ({})", Signal::NAMES))?;
        match w.as_str() {
            "SIGTERM" => Ok(Signal::Term),
            "SIGINT" => Ok(Signal::Int),
            _ => Err(self.error(format!(
                "expected a signal ({}), found `{w}`",
                Signal::NAMES
            ))),
        }
    }

    fn peers(&self, toks: &mut Tokens, verb: &str) -> Result<Vec<usize>, ParseError> {
        let what =
            format!("the client(s) the server's `{verb}` acts on, e.g. `alice` or `alice,bob`");
        let list = self.word(toks, &what)?;
        let mut peers = Vec::new();
        for name in list.split(',') {
            let Some(i) = self.scenario.client_index(name) else {
                return Err(self.error(format!(
                    "expected {what}, found `{name}` (clients: {})",
                    self.participant_names()
                )));
            };
            if !peers.contains(&i) {
                peers.push(i);
            }
        }
        if peers.len() > 1 && !matches!(verb, "send" | "close" | "half-close" | "abort") {
            return Err(self.error(format!(
                "the server's `{verb}` acts on one client at a time"
            )));
        }
        Ok(peers)
    }

    /// Every step must act on an open connection: a client connects before
    /// anything else, the server accepts a client that has connected, and
    /// nothing follows a close or an abort.
    fn check_state(
        &mut self,
        actor: Actor,
        peers: &[usize],
        action: &Action,
    ) -> Result<(), ParseError> {
        let line = self.line;
        match actor {
            Actor::Client(i) => {
                let name = self.scenario.clients[i].name.clone();
                match (self.states[i], action) {
                    (ConnState::NotYet, Action::Connect) => {
                        if let Some(at) = self.signalled {
                            return Err(self.error(format!(
                                "`{name}` connects after the server was signalled at line \
                                 {at}; to check that new connections are refused, say \
                                 `server: expect refused`"
                            )));
                        }
                        self.states[i] = ConnState::Open;
                    }
                    (ConnState::NotYet, _) => {
                        return Err(self.error(format!(
                            "`{name}` has not connected yet: expected `{name}: connect` first"
                        )));
                    }
                    (_, Action::Connect) => {
                        return Err(self.error(format!("`{name}` connects twice")));
                    }
                    (ConnState::Closed(at), Action::Expect(Expectation::Exit(_))) => {
                        let _ = at;
                    }
                    (ConnState::Closed(at), _) => {
                        return Err(self.error(format!(
                            "`{name}` closed its connection at line {at}; nothing can follow"
                        )));
                    }
                    (ConnState::Open, Action::Close | Action::Abort) => {
                        self.states[i] = ConnState::Closed(line);
                    }
                    (ConnState::Open, _) => {}
                }
            }
            Actor::Server => {
                if let Some(at) = self.exited {
                    return Err(self.error(format!(
                        "the server exited at line {at}; no server step can follow"
                    )));
                }
                match action {
                    Action::Signal(_) => {
                        self.signalled.get_or_insert(line);
                    }
                    Action::Expect(Expectation::Exit(_)) => self.exited = Some(line),
                    Action::Accept => {
                        if let Some(at) = self.signalled {
                            return Err(self.error(format!(
                                "the server accepts after it was signalled at line {at}; a \
                                 server that stops accepts nothing new"
                            )));
                        }
                    }
                    _ => {}
                }
                for &i in peers {
                    let name = self.scenario.clients[i].name.clone();
                    match (self.server_states[i], action) {
                        (ConnState::NotYet, Action::Accept) => {
                            if self.states[i] == ConnState::NotYet {
                                return Err(self.error(format!(
                                    "the server accepts `{name}` before `{name}: connect`"
                                )));
                            }
                            self.server_states[i] = ConnState::Open;
                        }
                        (ConnState::NotYet, _) => {
                            return Err(self.error(format!(
                                "the server has not accepted `{name}` yet: expected \
                                 `server: accept {name}` first"
                            )));
                        }
                        (_, Action::Accept) => {
                            return Err(self.error(format!("the server accepts `{name}` twice")));
                        }
                        (ConnState::Closed(at), _) => {
                            return Err(self.error(format!(
                                "the server closed `{name}` at line {at}; nothing can follow"
                            )));
                        }
                        (ConnState::Open, Action::Close | Action::Abort) => {
                            self.server_states[i] = ConnState::Closed(line);
                        }
                        (ConnState::Open, _) => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// A client that a program can play may only do what a program can be
    /// asked to do, or be seen doing.
    fn check_program(&self, client: usize, action: &Action) -> Result<(), ParseError> {
        let c = &self.scenario.clients[client];
        let Some(program) = &c.program else {
            return Ok(());
        };
        let refused = match action {
            Action::Close | Action::Abort | Action::StopReading => Some(action.verb()),
            Action::Expect(Expectation::Error(_)) => Some("expect error"),
            _ => None,
        };
        match refused {
            Some(what) => Err(self.error(format!(
                "`{}` may be played by the program {program}, which cannot `{what}`; a program \
                 client can connect, send, half-close and expect (line, bytes, echo, eof, \
                 closed, silence, exit): drop `={program}` to make it a scripted client",
                c.name
            ))),
            None => Ok(()),
        }
    }

    fn payload(&self, toks: &mut Tokens) -> Result<Payload, ParseError> {
        const WHAT: &str =
            "a payload: \"text\", hex \"00ff\", random SIZE seed N or lines SIZE seed N";
        match toks.next() {
            Some(Tok::Quoted(b)) => Ok(Payload::Literal(b)),
            Some(Tok::Word(w)) if w == "hex" => {
                let digits: String = match toks.next() {
                    Some(Tok::Quoted(b)) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Tok::Word(w)) => w,
                    None => String::new(),
                };
                let digits: String = digits.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.is_empty()
                    || digits.len() % 2 != 0
                    || !digits.chars().all(|c| c.is_ascii_hexdigit())
                {
                    return Err(self.error(format!(
                        "expected an even number of hex digits after `hex`, found {digits:?}"
                    )));
                }
                let bytes = (0..digits.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap_or_default())
                    .collect();
                Ok(Payload::Literal(bytes))
            }
            Some(Tok::Word(w)) if w == "random" || w == "lines" => {
                let size_word = self.word(toks, "a size like `4MiB` or `1000`")?;
                let size = parse_size(&size_word).ok_or_else(|| {
                    self.error(format!(
                        "expected a size like `4MiB`, `64KiB` or `1000` (at most 1 GiB) after \
                         `{w}`, found `{size_word}`"
                    ))
                })?;
                match toks.word_opt().as_deref() {
                    Some("seed") => {}
                    other => {
                        return Err(self.error(format!(
                            "expected `seed N` after `{w} {size_word}`, found {}",
                            found(other)
                        )));
                    }
                }
                let seed_word = self.word(toks, "a seed (a whole number)")?;
                let seed = seed_word.parse::<u64>().map_err(|_| {
                    self.error(format!(
                        "expected a seed (a whole number), found `{seed_word}`"
                    ))
                })?;
                Ok(if w == "random" {
                    Payload::Random { size, seed }
                } else {
                    Payload::Lines { size, seed }
                })
            }
            Some(Tok::Word(w)) => Err(self.error(format!("expected {WHAT}, found `{w}`"))),
            None => Err(self.error(format!("expected {WHAT}, found the end of the line"))),
        }
    }

    fn expectation(
        &self,
        toks: &mut Tokens,
        actor: Actor,
        peers: &[usize],
    ) -> Result<Expectation, ParseError> {
        const WHAT: &str =
            "an expectation (line, bytes, echo, eof, closed, error, silence, exit, refused)";
        let kind = self.word(toks, WHAT)?;
        let about_server = kind == "exit" || kind == "refused";
        match actor {
            Actor::Client(_) if kind == "refused" => {
                return Err(self.error(
                    "`expect refused` is about the server: write `server: expect refused`",
                ));
            }
            Actor::Server if peers.is_empty() && !about_server => {
                return Err(self.error(format!(
                    "expected `refused`, `exit STATUS`, or a client's name after \
                     `server: expect`, found `{kind}`"
                )));
            }
            Actor::Server if !peers.is_empty() && about_server => {
                return Err(self.error(format!(
                    "`expect {kind}` is about the server itself, not a connection: write \
                     `server: expect {kind}`"
                )));
            }
            _ => {}
        }
        Ok(match kind.as_str() {
            "line" => match toks.next() {
                Some(Tok::Quoted(b)) => Expectation::Line(self.text(b)?),
                Some(Tok::Word(w)) if w == "matching" => {
                    let src = match toks.next() {
                        Some(Tok::Quoted(b)) => self.text(b)?,
                        other => {
                            return Err(self.error(format!(
                                "expected a quoted regular expression after `line matching`, \
                                 found {}",
                                found_tok(other.as_ref())
                            )));
                        }
                    };
                    let re = Regex::new(&src).map_err(|e| {
                        self.error(format!("expected a regular expression, found {src:?}: {e}"))
                    })?;
                    Expectation::LineMatching(Pattern(re))
                }
                other => {
                    return Err(self.error(format!(
                        "expected a quoted line (without its \\n) or `matching \"REGEX\"` after \
                         `line`, found {}",
                        found_tok(other.as_ref())
                    )));
                }
            },
            "bytes" => Expectation::Bytes(self.payload(toks)?),
            "echo" => Expectation::Echo,
            "eof" => Expectation::Eof,
            "closed" => Expectation::Closed,
            "error" => {
                let k = self.word(toks, &format!("an error kind ({})", ErrorKind::NAMES))?;
                Expectation::Error(match k.as_str() {
                    "reset" => ErrorKind::Reset,
                    "aborted" => ErrorKind::Aborted,
                    "any" => ErrorKind::Any,
                    _ => {
                        return Err(self.error(format!(
                            "expected an error kind ({}), found `{k}`",
                            ErrorKind::NAMES
                        )));
                    }
                })
            }
            "silence" => Expectation::Silence(self.duration(toks)?),
            "refused" => Expectation::Refused,
            "exit" => {
                let w = self.word(toks, "an exit status (a number, or `failure`)")?;
                Expectation::Exit(match w.as_str() {
                    "failure" => ExitCheck::Failure,
                    n => ExitCheck::Code(n.parse().map_err(|_| {
                        self.error(format!(
                            "expected an exit status (a number, or `failure`), found `{n}`"
                        ))
                    })?),
                })
            }
            other => return Err(self.error(format!("expected {WHAT}, found `{other}`"))),
        })
    }

    fn text(&self, bytes: Vec<u8>) -> Result<String, ParseError> {
        String::from_utf8(bytes).map_err(|_| self.error("expected UTF-8 text in the quoted line"))
    }

    fn duration(&self, toks: &mut Tokens) -> Result<Duration, ParseError> {
        let w = self.word(toks, "a duration like `300ms` or `5s`")?;
        match parse_duration(&w) {
            Some(d) if !d.is_zero() => Ok(d),
            _ => Err(self.error(format!(
                "expected a duration like `300ms` or `5s` (more than zero), found `{w}`"
            ))),
        }
    }

    fn word(&self, toks: &mut Tokens, what: &str) -> Result<String, ParseError> {
        match toks.next() {
            Some(Tok::Word(w)) => Ok(w),
            other => Err(self.error(format!(
                "expected {what}, found {}",
                found_tok(other.as_ref())
            ))),
        }
    }

    fn end(&self, toks: &mut Tokens, after: &str) -> Result<(), ParseError> {
        match toks.next() {
            None => Ok(()),
            Some(t) => Err(self.error(format!(
                "expected the end of the line after {after}, found {}",
                found_tok(Some(&t))
            ))),
        }
    }

    fn tokens(&self, s: &str) -> Result<Tokens, ParseError> {
        tokenize(s)
            .map(|toks| Tokens { toks, pos: 0 })
            .map_err(|m| self.error(m))
    }

    fn finish(mut self) -> Result<Scenario, ParseError> {
        self.line = self.line.max(1);
        if self.scenario.origin.is_empty() {
            return Err(self.error(
                "expected an `origin:` header naming the Scheme document or rule this scenario \
                 checks",
            ));
        }
        if !self.seen_participants {
            return Err(self.error("expected a `participants:` header"));
        }
        if self.scenario.steps.is_empty() {
            return Err(self.error("expected at least one step"));
        }
        if let Some(i) = self.states.iter().position(|s| *s == ConnState::NotYet) {
            return Err(self.error(format!(
                "client `{}` never connects",
                self.scenario.clients[i].name
            )));
        }
        if self.scenario.deadline < self.scenario.timeout {
            self.line = 1;
            return Err(self.error(format!(
                "the deadline ({}) is shorter than the timeout of one step ({})",
                show(self.scenario.deadline),
                show(self.scenario.timeout)
            )));
        }
        Ok(self.scenario)
    }
}

fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn found(w: Option<&str>) -> String {
    match w {
        Some(w) => format!("`{w}`"),
        None => "the end of the line".into(),
    }
}

fn found_tok(t: Option<&Tok>) -> String {
    match t {
        Some(Tok::Word(w)) => format!("`{w}`"),
        Some(Tok::Quoted(b)) => crate::payload::show_bytes(b, 40),
        None => "the end of the line".into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Quoted(Vec<u8>),
}

struct Tokens {
    toks: Vec<Tok>,
    pos: usize,
}

impl Tokens {
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn word_opt(&mut self) -> Option<String> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Some(w.clone())
            }
            _ => None,
        }
    }

    /// Removes a trailing `within DURATION`: `None` if there is none,
    /// `Some(None)` if the duration is malformed.
    fn take_within(&mut self) -> Option<Option<Duration>> {
        let n = self.toks.len();
        if n >= 2 && self.toks[n - 2] == Tok::Word("within".into()) {
            let d = match &self.toks[n - 1] {
                Tok::Word(w) => parse_duration(w).filter(|d| !d.is_zero()),
                Tok::Quoted(_) => None,
            };
            self.toks.truncate(n - 2);
            return Some(d);
        }
        if n >= 1 && self.toks[n - 1] == Tok::Word("within".into()) {
            self.toks.truncate(n - 1);
            return Some(None);
        }
        None
    }
}

/// Splits a line into words and quoted strings; a `#` outside quotes starts
/// a comment. Quoted strings take the escapes `\n \r \t \0 \\ \" \xHH`.
fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '#' {
            break;
        } else if c == '"' {
            chars.next();
            let mut bytes = Vec::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string: expected a closing `\"`".into()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('n') => bytes.push(b'\n'),
                        Some('r') => bytes.push(b'\r'),
                        Some('t') => bytes.push(b'\t'),
                        Some('0') => bytes.push(0),
                        Some('\\') => bytes.push(b'\\'),
                        Some('"') => bytes.push(b'"'),
                        Some('x') => {
                            let hex: String = chars.by_ref().take(2).collect();
                            let b = (hex.len() == 2)
                                .then(|| u8::from_str_radix(&hex, 16).ok())
                                .flatten()
                                .ok_or_else(|| {
                                    format!("expected two hex digits after `\\x`, found {hex:?}")
                                })?;
                            bytes.push(b);
                        }
                        other => {
                            return Err(format!(
                                "expected an escape (\\n \\r \\t \\0 \\\\ \\\" \\xHH), found `\\{}`",
                                other.map(String::from).unwrap_or_default()
                            ));
                        }
                    },
                    Some(ch) => {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            toks.push(Tok::Quoted(bytes));
        } else {
            let mut w = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() || ch == '"' {
                    break;
                }
                w.push(ch);
                chars.next();
            }
            toks.push(Tok::Word(w));
        }
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_escapes() {
        let t = tokenize(r#"send "a b\n\x41\"" within 2s # note"#).unwrap();
        assert_eq!(
            t,
            vec![
                Tok::Word("send".into()),
                Tok::Quoted(b"a b\nA\"".to_vec()),
                Tok::Word("within".into()),
                Tok::Word("2s".into()),
            ]
        );
        assert!(tokenize(r#""open"#).unwrap_err().contains("unterminated"));
        assert!(tokenize(r#""\q""#).unwrap_err().contains("escape"));
        assert!(tokenize(r#""\x4""#).unwrap_err().contains("hex"));
    }
}
