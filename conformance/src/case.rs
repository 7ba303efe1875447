//! Running one case: checking that its target can play it, starting what
//! plays the server (the runner's listener, a layer's example server, or
//! nothing for an external one), deciding who plays each client, playing
//! the steps, and tearing everything down.

use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::time::{Duration, Instant};

use test_support::RunningServer;

use crate::examples::Examples;
use crate::program::StderrFile;
use crate::script::Family;
use crate::session::{Failure, Launcher, ServerSide, Session};
use crate::target::{Case, ClientTarget, ServerTarget};

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every step did what the script says.
    Passed,
    /// A step did not.
    Failed(Failure),
    /// The target cannot play the scenario; why.
    Unsupported(String),
}

/// A case and how it ended.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took, setup included.
    pub elapsed: Duration,
}

/// Runs `case`, taking the layers' programs from `examples`.
pub fn run_case(case: &Case, examples: &Examples) -> CaseResult {
    let start = Instant::now();
    let outcome = match case.unsupported() {
        Some(why) => Outcome::Unsupported(why),
        None if case.family == Family::Ipv6 && !ipv6_available() => {
            Outcome::Unsupported("this machine has no IPv6 loopback (::1)".into())
        }
        None => match play(case, examples, start + case.scenario.deadline) {
            Ok(()) => Outcome::Passed,
            Err(f) => Outcome::Failed(f),
        },
    };
    CaseResult {
        case: case.clone(),
        outcome,
        elapsed: start.elapsed(),
    }
}

/// Whether `::1` can be bound here.
pub fn ipv6_available() -> bool {
    TcpListener::bind((Family::Ipv6.loopback(), 0)).is_ok()
}

fn play(case: &Case, examples: &Examples, deadline: Instant) -> Result<(), Failure> {
    let scenario = &*case.scenario;
    let host = case.family.loopback();
    let (server, addr) = match &case.target.server {
        ServerTarget::Scripted => {
            let l = TcpListener::bind((host, 0)).map_err(|e| {
                Failure::setup("listen", format!("to listen on {host}"), e.to_string())
            })?;
            let addr = l
                .local_addr()
                .map_err(|e| Failure::setup("listen", "the listener's address", e.to_string()))?;
            (ServerSide::Scripted(Some(l)), addr)
        }
        ServerTarget::Layer(layer) => {
            let program = scenario.server_program.as_deref().unwrap_or_default();
            let name = layer.example(program);
            let path = examples.path(&name).ok_or_else(|| {
                Failure::setup(
                    "start the server",
                    format!("example {name} of {}", layer.package),
                    "there is no such example",
                )
            })?;
            let mut cmd = Command::new(path);
            cmd.arg("--host")
                .arg(host.to_string())
                .args(["--port", "0"]);
            for r in &scenario.requires {
                cmd.arg(format!("--{}", r.name)).arg(&r.value);
            }
            let shown = format!("{name} {}", shown_args(&cmd));
            let (stderr, child_stderr) = StderrFile::new().map_err(|e| {
                Failure::setup("start the server", "a file for its stderr", e.to_string())
            })?;
            cmd.stderr(child_stderr);
            let server = RunningServer::start_command(cmd).map_err(|e| {
                let mut f = Failure::setup(
                    &format!("start `{shown}`"),
                    "`listening on ADDR` as its first line",
                    e.to_string(),
                );
                let tail = stderr.tail();
                if !tail.is_empty() {
                    f.notes.push(format!("server stderr: {tail}"));
                }
                f
            })?;
            let addr: SocketAddr = server.addr().parse().map_err(|_| {
                Failure::setup(
                    &format!("start `{shown}`"),
                    "`listening on ADDR` with a socket address",
                    format!("`listening on {}`", server.addr()),
                )
            })?;
            if Family::of(&addr) != case.family || addr.port() == 0 {
                return Err(Failure::setup(
                    &format!("start `{shown}`"),
                    format!(
                        "a {} address with a port, as --host {host} asks",
                        case.family
                    ),
                    format!("`listening on {addr}`"),
                ));
            }
            (ServerSide::Program(server, stderr), addr)
        }
        ServerTarget::External(addr) => (ServerSide::External, *addr),
    };
    let mut plays = Vec::new();
    for client in &scenario.clients {
        let launcher = match (&case.target.client, &client.program) {
            (ClientTarget::Scripted, _) | (_, None) => None,
            (ClientTarget::Layer(layer), Some(program)) => {
                let name = layer.example(program);
                let path = examples.path(&name).ok_or_else(|| {
                    Failure::setup(
                        &format!("start {}'s program", client.name),
                        format!("example {name} of {}", layer.package),
                        "there is no such example",
                    )
                })?;
                Some(Launcher::Example(path.to_path_buf()))
            }
            (ClientTarget::External(cmd), Some(_)) => {
                let words = shlex::split(cmd).ok_or_else(|| {
                    Failure::setup(
                        "start a client",
                        "a command line with balanced quotes",
                        cmd.clone(),
                    )
                })?;
                Some(Launcher::Command(words))
            }
        };
        plays.push(launcher);
    }
    let mut session = Session::new(scenario, addr, server, plays, deadline)
        .map_err(|e| Failure::setup("set up", "a non-blocking listener", e.to_string()))?;
    session.run()
}

fn shown_args(cmd: &Command) -> String {
    cmd.get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
