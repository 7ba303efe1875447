//! A hello server for the runner's own tests of the server lifecycle steps
//! (`signal`, `expect refused`, `expect exit`): by default it stops
//! gracefully on SIGTERM or SIGINT (closes its listener, lets the
//! connections in flight finish, exits 0); `--fault` makes it wrong in one
//! way on purpose, so that the tests can show each step failing when it
//! should. Not a layer: it uses std and the runner's own `poll`.
//!
//! `cargo run -p conformance --example fixture-hello-server -- [--host H]
//! [--port P] [--fault ignores-sigterm|drops-in-flight|exits-one|never-exits]`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::thread::JoinHandle;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use conformance::poll::{Interest, ready};
use signal_hook::consts::{SIGINT, SIGTERM};

/// How the server is wrong, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Fault {
    /// Keeps listening and serving after SIGTERM (SIGINT still stops it).
    IgnoresSigterm,
    /// Closes every connection at the stop, in flight or not, and exits 0.
    DropsInFlight,
    /// Stops gracefully but exits with status 1.
    ExitsOne,
    /// Stops accepting and drains, but never exits.
    NeverExits,
}

#[derive(Debug, Parser)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, value_enum)]
    fault: Option<Fault>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match serve(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fixture-hello-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &Args) -> std::io::Result<ExitCode> {
    let listener = TcpListener::bind((args.host.as_str(), args.port))?;
    listener.set_nonblocking(true)?;
    // A signal writes to this pair, which the accept loop polls with the
    // listener: the loop learns of a stop without a timer.
    let (mut woken, wake) = UnixStream::pair()?;
    let wake_int = wake.try_clone()?;
    signal_hook::low_level::pipe::register(SIGTERM, wake)?;
    signal_hook::low_level::pipe::register(SIGINT, wake_int)?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;

    let mut conns: Vec<(TcpStream, JoinHandle<()>)> = Vec::new();
    loop {
        let fds = [
            (listener.as_fd(), Interest::Read),
            (woken.as_fd(), Interest::Read),
        ];
        let ready = ready(&fds, Duration::from_secs(3600))?;
        if ready.contains(&1) {
            let mut byte = [0u8; 16];
            let _ = woken.read(&mut byte);
            // SIGINT still stops it, so that a test can end it.
            if args.fault != Some(Fault::IgnoresSigterm) {
                break;
            }
        }
        if ready.contains(&0) {
            match listener.accept() {
                Ok((conn, _)) => {
                    conn.set_nonblocking(false)?;
                    let kept = conn.try_clone()?;
                    conns.push((kept, std::thread::spawn(move || hello(conn))));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => eprintln!("fixture-hello-server: accept: {e}"),
            }
        }
    }
    drop(listener);
    if args.fault == Some(Fault::DropsInFlight) {
        for (conn, _) in &conns {
            let _ = conn.shutdown(Shutdown::Both);
        }
        return Ok(ExitCode::SUCCESS);
    }
    for (_, handler) in conns {
        let _ = handler.join();
    }
    match args.fault {
        Some(Fault::ExitsOne) => Ok(ExitCode::FAILURE),
        Some(Fault::NeverExits) => loop {
            std::thread::park();
        },
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Writes `Hello!`, reads one line (at most 1 KiB), closes.
fn hello(mut conn: TcpStream) {
    if conn.write_all(b"Hello!\n").is_err() {
        return;
    }
    let mut line = Vec::new();
    let _ = BufReader::new((&conn).take(1024)).read_until(b'\n', &mut line);
}
