//! `loadgen`: drive one scenario against one loopback server, or run a
//! ping-pong floor, and print what it measured (a summary, or `--json`).

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use loadgen::cli::parse_duration;
use loadgen::floor::{FloorSocket, ping_pong};
use loadgen::{LoadConfig, Report, Scenario, Target};

#[derive(Debug, Parser)]
#[command(about = "Load generator for the scheme-sockets scenarios (loopback only)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print the report as one line of JSON instead of a summary.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load a server.
    Run {
        /// The server: IP:PORT, [IPv6]:PORT or localhost:PORT, loopback only.
        #[arg(long, value_parser = parse_target)]
        target: Target,
        /// What the server serves.
        #[arg(long, value_enum)]
        scenario: Scenario,
        /// Connections at once (chat: clients).
        #[arg(long, default_value_t = 1)]
        connections: usize,
        /// Bytes per echo request or chat line.
        #[arg(long, default_value_t = 16)]
        payload: usize,
        /// How long to send requests (500ms, 2s, ...).
        #[arg(long, default_value = "1s", value_parser = parse_duration)]
        duration: Duration,
        /// Open loop: requests (chat: lines) per second in all, latency
        /// from each one's due time. Without it: closed loop.
        #[arg(long)]
        rate: Option<f64>,
        /// The longest one connect, request or wait for a line may take.
        #[arg(long, default_value = "5s", value_parser = parse_duration)]
        timeout: Duration,
        /// Runtime worker threads (1: one thread, leaving the other core
        /// of a 2-core machine to the server).
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// The floor: one connection bounced between two threads of this
    /// process, no server.
    Pingpong {
        /// Over TCP on 127.0.0.1 or a Unix socket pair.
        #[arg(long, value_enum)]
        socket: FloorSocket,
        /// Bytes each way per round trip.
        #[arg(long, default_value_t = 16)]
        payload: usize,
        /// How long.
        #[arg(long, default_value = "1s", value_parser = parse_duration)]
        duration: Duration,
    },
}

fn parse_target(s: &str) -> Result<Target, String> {
    s.parse().map_err(|e: std::io::Error| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let report = match cli.command {
        Command::Run {
            target,
            scenario,
            connections,
            payload,
            duration,
            rate,
            timeout,
            threads,
        } => {
            let config = LoadConfig {
                connections,
                payload,
                duration,
                rate,
                op_timeout: timeout,
                ..LoadConfig::new(target, scenario)
            };
            loadgen::load::run(&config, threads)
        }
        Command::Pingpong {
            socket,
            payload,
            duration,
        } => ping_pong(socket, payload, duration),
    };
    match report {
        Ok(r) if cli.json => match serde_json::to_string(&r) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        Ok(r) => {
            print_summary(&r);
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("loadgen: {e}");
            ExitCode::from(2)
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(why: &str) -> ExitCode {
    eprintln!("loadgen: {why}");
    ExitCode::FAILURE
}

fn print_summary(r: &Report) {
    let l = &r.load;
    let mode = match l.rate {
        Some(rate) => format!("open loop at {rate}/s"),
        None => "closed loop".to_string(),
    };
    println!(
        "{} x{} payload {} B, {mode}: {} ops in {:.3} s = {:.0}/s",
        l.scenario, l.connections, l.payload, r.ops, r.elapsed_s, r.ops_per_s
    );
    let t = &r.latency_us;
    println!(
        "latency us: p50 {} p99 {} p99.9 {} max {}",
        t.p50, t.p99, t.p999, t.max
    );
    println!(
        "loadgen cpu: {:.3} s user, {:.3} s system",
        r.cpu.user_s, r.cpu.system_s
    );
    match r.errors.is_empty() {
        true => println!("errors: none"),
        false => println!("errors: {:?}", r.errors),
    }
}
