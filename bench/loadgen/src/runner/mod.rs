//! `cargo xtask bench`: build the servers, run every load on every server
//! interleaved (A B C A B C, so that the machine's drift hits all alike),
//! several rounds, and write the table and the charts.

pub mod chart;
pub mod exec;
pub mod plan;
pub mod servers;
pub mod table;

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use self::exec::{Outcome, run_loadgen, run_one};
use self::plan::Plan;
use self::servers::{LAYERS, Server, discover, examples_in_metadata};
use self::table::{Header, Measurement, cell, cells, markdown};
use crate::cli::parse_duration;
use crate::scenario::Scenario;
use crate::stats::Report;

/// The command line of `bench-run` (what `cargo xtask bench` passes on).
///
/// Scheme: none.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    about = "Measure every layer's servers against the baselines, interleaved",
    long_about = None
)]
pub struct RunnerArgs {
    /// A short run (about a minute): small loads, 0.5 s each, 3 rounds.
    #[arg(long)]
    pub quick: bool,
    /// Add a running server as a column: `[SCENARIO=]HOST:PORT` (loopback;
    /// echo when no scenario is given). Repeatable.
    #[arg(long = "server", value_name = "[SCENARIO=]ADDR", value_parser = servers::parse_external)]
    pub external: Vec<Server>,
    /// Only these servers (column names: raw, ports, threaded, async,
    /// tokio, threads, mio), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Only these scenarios, comma-separated.
    #[arg(long, value_delimiter = ',', value_enum)]
    pub scenarios: Vec<Scenario>,
    /// Rounds (default 3 with --quick, else 5).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub reps: Option<u16>,
    /// Length of each run (default 500ms with --quick, else 2s).
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Where to write results.md, results.json and the charts (default
    /// `target/bench`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not build: take the executables already in --bin-dir.
    #[arg(long)]
    pub no_build: bool,
    /// The cargo profile directory holding the servers (default
    /// `target/release`).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Leave out the ping-pong floors.
    #[arg(long)]
    pub no_floors: bool,
}

/// The workspace root (two levels above this crate).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(workspace_root());
    c
}

fn checked(cmd: &mut Command) -> io::Result<Vec<u8>> {
    let out = cmd.stderr(std::process::Stdio::inherit()).output()?;
    match out.status.success() {
        true => Ok(out.stdout),
        false => Err(io::Error::other(format!("{cmd:?} failed ({})", out.status))),
    }
}

/// Builds the load generator, the baselines and every layer example server
/// that exists, in release; returns the profile directory and notes.
fn build() -> io::Result<(PathBuf, Vec<String>)> {
    eprintln!("bench: building in release (loadgen, baselines, layer examples)");
    checked(cargo().args(["build", "--quiet", "--release", "-p", "loadgen", "--bins"]))?;
    let meta = checked(cargo().args(["metadata", "--no-deps", "--format-version", "1"]))?;
    let meta = String::from_utf8_lossy(&meta);
    let target_dir = serde_json::from_str::<serde_json::Value>(&meta)
        .ok()
        .and_then(|v| v["target_directory"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| workspace_root().join("target"));
    let found = examples_in_metadata(&meta)?;
    let mut notes = Vec::new();
    for layer in LAYERS {
        let Some(examples) = found.get(layer.package) else {
            notes.push(format!(
                "{}: package {} is not in the workspace yet; its column is skipped",
                layer.prefix, layer.package
            ));
            continue;
        };
        let ours: Vec<String> = Scenario::ALL
            .into_iter()
            .map(|s| layer.example(s))
            .filter(|e| examples.contains(e))
            .collect();
        if ours.is_empty() {
            continue;
        }
        let mut cmd = cargo();
        cmd.args(["build", "--quiet", "--release", "-p", layer.package]);
        for e in &ours {
            cmd.args(["--example", e]);
        }
        checked(&mut cmd)?;
    }
    Ok((target_dir.join("release"), notes))
}

/// What results.json holds for one run.
#[derive(Debug, Serialize)]
struct RunRecord<'a> {
    server: &'a str,
    load: String,
    rep: usize,
    report: Option<&'a Report>,
    failure: Option<&'a str>,
    server_cpu_s: Option<f64>,
    listen_overflows: Option<u64>,
    listen_drops: Option<u64>,
}

/// Runs the bench as `args` says, printing the Markdown table and writing
/// it, the raw results and the charts under the output directory.
///
/// Scheme: none.
///
/// # Errors
///
/// Building, finding no server, writing the output; a failed run is a
/// cell of the table, not an error.
pub fn run(args: &RunnerArgs, command_line: &str) -> io::Result<()> {
    let (bin_dir, mut notes) = match args.no_build {
        true => (
            args.bin_dir
                .clone()
                .unwrap_or_else(|| workspace_root().join("target/release")),
            Vec::new(),
        ),
        false => build()?,
    };
    let (mut servers, found_notes) = discover(&bin_dir);
    // A layer whose package is missing was noted by the build already.
    let found_notes: Vec<String> = found_notes
        .into_iter()
        .filter(|found| {
            let layer = found.split(' ').next().unwrap_or_default();
            !notes.iter().any(|n| n.starts_with(&format!("{layer}:")))
        })
        .collect();
    notes.extend(found_notes);
    for note in &notes {
        eprintln!("bench: note: {note}");
    }
    servers.extend(args.external.iter().cloned());
    if !args.only.is_empty() {
        servers.retain(|s| args.only.contains(&s.name) || args.external.contains(s));
    }
    let loadgen = bin_dir.join("loadgen");
    if servers.is_empty() || !loadgen.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "nothing to measure: no servers or no loadgen in {}",
                bin_dir.display()
            ),
        ));
    }
    let mut plan = match args.quick {
        true => Plan::quick(),
        false => Plan::full(),
    }
    .only(&args.scenarios);
    if let Some(reps) = args.reps {
        plan.reps = usize::from(reps);
    }
    if let Some(d) = args.duration {
        plan.duration = d;
    }
    // A thousand connections need two thousand descriptors between the
    // load generator and the server; both inherit this.
    raise_descriptor_limit();

    let preamble = preamble(command_line, &plan);
    let mut runs = Vec::new();
    let mut floor_runs: Vec<(String, Outcome)> = Vec::new();
    for rep in 0..plan.reps {
        if !args.no_floors {
            for socket in ["tcp", "unix"] {
                let a = [
                    "pingpong".to_string(),
                    "--json".into(),
                    "--socket".into(),
                    socket.into(),
                    "--duration".into(),
                    format!("{}ms", plan.duration.as_millis()),
                ];
                let report = run_loadgen(&loadgen, &a, plan.duration + Duration::from_secs(30));
                eprintln!(
                    "bench: round {}/{}: pingpong-{socket}: {}",
                    rep + 1,
                    plan.reps,
                    brief(&report)
                );
                floor_runs.push((
                    format!("pingpong-{socket} 16 B"),
                    Outcome {
                        report,
                        server_cpu: None,
                        drops: None,
                    },
                ));
            }
        }
        for (i, load) in plan.loads.iter().enumerate() {
            for server in &servers {
                let Some(launch) = server.launch.get(&load.scenario) else {
                    continue;
                };
                let outcome = run_one(&loadgen, launch, load, plan.duration);
                let flag = match outcome.drops {
                    Some(d) if d.any() => format!(" [listen drops +{}/+{}]", d.overflows, d.drops),
                    _ => String::new(),
                };
                eprintln!(
                    "bench: round {}/{}: {} on {}: {}{flag}",
                    rep + 1,
                    plan.reps,
                    load.label(),
                    server.name,
                    brief(&outcome.report)
                );
                runs.push(Measurement {
                    load: i,
                    server: server.name.clone(),
                    rep,
                    outcome,
                });
            }
        }
    }

    let mut floors: Vec<(String, table::Cell)> = Vec::new();
    for name in ["pingpong-tcp 16 B", "pingpong-unix 16 B"] {
        let of_it: Vec<&Outcome> = floor_runs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, o)| o)
            .collect();
        if !of_it.is_empty() {
            floors.push((name.to_string(), cell(of_it)));
        }
    }
    let header = Header { preamble, notes };
    let md = markdown(&header, &plan.loads, &servers, &runs, &floors);
    let out = args.out.clone().unwrap_or_else(|| {
        bin_dir
            .parent()
            .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
            .join("bench")
    });
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("results.md"), &md)?;
    let records: Vec<RunRecord<'_>> = runs
        .iter()
        .map(|m| RunRecord {
            server: &m.server,
            load: plan.loads[m.load].label(),
            rep: m.rep,
            report: m.outcome.report.as_ref().ok(),
            failure: m.outcome.report.as_ref().err().map(String::as_str),
            server_cpu_s: m.outcome.server_cpu.map(|c| c.total_s()),
            listen_overflows: m.outcome.drops.map(|d| d.overflows),
            listen_drops: m.outcome.drops.map(|d| d.drops),
        })
        .collect();
    let json = serde_json::to_string_pretty(&records).map_err(io::Error::other)?;
    std::fs::write(out.join("results.json"), json)?;
    let names: Vec<String> = servers.iter().map(|s| s.name.clone()).collect();
    let grid = cells(&plan.loads, &servers, &runs);
    let mut charts = Vec::new();
    for s in chart::series(&plan.loads, &names, &grid) {
        charts.push(chart::draw(&s, &out)?);
    }
    println!("{md}");
    eprintln!("bench: wrote {}", out.join("results.md").display());
    for c in charts {
        eprintln!("bench: wrote {}", c.display());
    }
    Ok(())
}

fn brief(r: &Result<Report, String>) -> String {
    match r {
        Ok(r) if r.error_count() > 0 => format!("{:.0}/s, errors {:?}", r.ops_per_s, r.errors),
        Ok(r) => format!("{:.0}/s", r.ops_per_s),
        Err(e) => format!("failed: {e}"),
    }
}

fn raise_descriptor_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        // Best effort: at the old limit the 1,024-connection rows fail
        // visibly, as errors in their cells.
        let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
    }
}

fn preamble(command_line: &str, plan: &Plan) -> Vec<String> {
    let commit = Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=7"])
        .current_dir(workspace_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or("unknown".into(), |o| {
            String::from_utf8_lossy(&o.stdout).trim().to_string()
        });
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    vec![
        format!(
            "Measured {} at commit `{commit}` with `{command_line}`.",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        ),
        format!(
            "{} rounds, each load {} ms per server per round, servers interleaved within each round.",
            plan.reps,
            plan.duration.as_millis()
        ),
        format!(
            "{cpus} CPUs, load average {load} at the start; the load generator (one thread) and \
             the server run on the same machine and share its cores."
        ),
    ]
}
