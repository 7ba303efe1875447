//! The conformance runner: plays the scenario scripts against the layers'
//! example programs, or a server or client of your own, and reports a
//! scenario-by-target table. Usually run as `cargo xtask conformance`; see
//! `conformance/scenarios/README.md`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use conformance::layers::{self, LAYERS, Layer};
use conformance::plan::{self, Selection, Suite};
use conformance::pool;
use conformance::report::Report;
use conformance::{Examples, Family, Outcome, run_case};

/// Plays the scenario scripts against the layers' example programs, or
/// against a server or client of your own.
///
/// By default every scenario runs against every layer's server (with the
/// runner playing the clients) and every layer's clients (with the runner
/// playing the server), over IPv4 and IPv6 (or the families asked for).
#[derive(Debug, Parser)]
#[command(name = "conformance")]
struct Args {
    /// Test this layer: raw, ports, threaded, async (repeatable; default:
    /// every layer, unless --server or --client is given).
    #[arg(long = "layer", value_name = "L", value_parser = layers::find)]
    layers: Vec<&'static Layer>,

    /// Run this scenario (a script's file name without `.txt`; repeatable;
    /// default: all).
    #[arg(long = "scenario", value_name = "S")]
    scenarios: Vec<String>,

    /// Play the clients against this running server.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_server)]
    server: Option<SocketAddr>,

    /// Play the server against this client command; `{addr}` becomes the
    /// server's address, `{program}` the client program a participant
    /// stands for (e.g. `chat-client`).
    #[arg(long, value_name = "'COMMAND {addr}'", value_parser = parse_client)]
    client: Option<String>,

    /// Also run every client target against every server target.
    #[arg(long)]
    matrix: bool,

    /// Run over this address family only: ipv4 or ipv6 (repeatable;
    /// default: each scenario's own). For a peer that speaks only IPv4.
    #[arg(long = "family", value_name = "F", value_parser = parse_family)]
    families: Vec<Family>,

    /// List the scenarios and layers, and run nothing.
    #[arg(long)]
    list: bool,

    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// Also write the report as Markdown to FILE.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
}

fn parse_server(s: &str) -> Result<SocketAddr, String> {
    s.to_socket_addrs()
        .map_err(|e| format!("expected HOST:PORT, e.g. 127.0.0.1:7000 or [::1]:7000: {e}"))?
        .next()
        .ok_or_else(|| format!("`{s}` resolves to no address"))
}

fn parse_family(s: &str) -> Result<Family, String> {
    Family::ALL
        .into_iter()
        .find(|f| f.name() == s)
        .ok_or_else(|| format!("unknown family `{s}`; families: ipv4, ipv6"))
}

fn parse_client(s: &str) -> Result<String, String> {
    let words = shlex::split(s).ok_or("unbalanced quotes in the command")?;
    if words.is_empty() {
        return Err("an empty command".into());
    }
    if !words.iter().any(|w| w.contains("{addr}")) {
        return Err("the command must say where the server's address goes: `{addr}`".into());
    }
    Ok(s.to_string())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let dir = plan::scenarios_dir();
    let mut suite = match Suite::load(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "conformance: cannot read the scenarios in {}: {e}",
                dir.display()
            );
            return ExitCode::from(2);
        }
    };
    if args.list {
        return list(&suite);
    }
    if let Err(e) = suite.select(&args.scenarios) {
        eprintln!("conformance: {e}");
        return ExitCode::from(2);
    }
    let mut layers = args.layers.clone();
    if layers.is_empty() && args.server.is_none() && args.client.is_none() {
        layers = LAYERS.iter().collect();
    }
    layers.dedup_by_key(|l| l.name);
    let selection = Selection {
        layers,
        server: args.server,
        client: args.client.clone(),
        matrix: args.matrix,
        families: args.families.clone(),
    };
    let examples = if selection.needs_examples() {
        // A cold build takes minutes and cargo's own output is captured.
        eprintln!("conformance: building the example programs");
        match Examples::build() {
            Ok(e) => e,
            Err(e) => {
                eprintln!("conformance: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        Examples::default()
    };
    let cases = plan::cases(&suite.scenarios, &selection.targets(), &selection.families);
    let threads = pool::default_threads();
    eprintln!(
        "conformance: {} cases from {} scenarios on {threads} threads",
        cases.len(),
        suite.scenarios.len()
    );
    let start = Instant::now();
    let results = pool::run(
        &cases,
        threads,
        |case| run_case(case, &examples),
        |r| {
            if let Outcome::Failed(_) = r.outcome {
                eprintln!(
                    "conformance: FAIL {}/{} on {}",
                    r.case.scenario.name,
                    r.case.family,
                    r.case.target.label()
                );
            }
        },
    );
    let report = Report {
        results,
        malformed: suite.malformed,
        elapsed: start.elapsed(),
    };
    let mut ok = report.failed() == 0;
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report.json()).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("conformance: cannot write {}: {e}", path.display());
            ok = false;
        }
    }
    if let Some(path) = &args.markdown {
        if let Err(e) = std::fs::write(path, report.markdown()) {
            eprintln!("conformance: cannot write {}: {e}", path.display());
            ok = false;
        }
    }
    println!("{}", report.terminal());
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn list(suite: &Suite) -> ExitCode {
    println!("scenarios:");
    for s in &suite.scenarios {
        let clients: Vec<String> = s
            .clients
            .iter()
            .map(|c| match &c.program {
                Some(p) => format!("{}={p}", c.name),
                None => c.name.clone(),
            })
            .collect();
        let server = match &s.server_program {
            Some(p) => format!("server={p}"),
            None => "server".into(),
        };
        let families: Vec<&str> = s.families.iter().map(|f| f.name()).collect();
        let requires: Vec<String> = s
            .requires
            .iter()
            .map(|r| r.to_string())
            .chain(s.capabilities.iter().cloned())
            .collect();
        println!(
            "  {:<20} {} {} [{}]{}",
            s.name,
            server,
            clients.join(" "),
            families.join(" "),
            if requires.is_empty() {
                String::new()
            } else {
                format!(" requires {}", requires.join(", "))
            }
        );
        println!("  {:<20} origin: {}", "", s.origin);
    }
    println!("layers:");
    for l in LAYERS {
        println!(
            "  {:<8} package {}, examples {}-*, settings: {}, capabilities: {}, clients: {}",
            l.name,
            l.package,
            l.prefix,
            l.settings.join(" "),
            if l.capabilities.is_empty() {
                "none".into()
            } else {
                l.capabilities.join(" ")
            },
            if l.clients.is_empty() {
                "none".into()
            } else {
                l.clients.join(" ")
            }
        );
    }
    for e in &suite.malformed {
        println!("MALFORMED {e}");
    }
    if suite.malformed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
