//! Guile's `write-network-long` and `read-network-long`, ported, and used
//! over a connection: `server` sends each VALUE as a 32-bit integer in
//! network byte order to the first client and closes; `client` reads such
//! integers until the server closes and prints each.
//!
//! `guide-network-long server [--host H] [--port P] VALUE...`
//! `guide-network-long client [--host H] --port P`

use std::io::{self, BufRead, BufReader, Write};
use std::net::IpAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use netprim::{Domain, SockAddr, Socket, Type, htonl, ntohl};

/// Network-order integers over TCP, as in Guile's manual.
#[derive(Debug, Parser)]
struct Args {
    #[command(subcommand)]
    side: Side,
}

#[derive(Debug, Subcommand)]
enum Side {
    /// Send VALUEs to the first client, then close.
    Server {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The integers to send (0 to 4294967295).
        values: Vec<u32>,
    },
    /// Print every integer the server sends.
    Client {
        /// The server's address.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// The server's port.
        #[arg(long)]
        port: u16,
    },
}

fn main() -> ExitCode {
    let result = match Args::parse().side {
        Side::Server { host, port, values } => server(host, port, &values),
        Side::Client { host, port } => client(host, port),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guide-network-long: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `(write-network-long value port)`: the value in network order, the four
/// bytes written as they lie in memory, as `uniform-vector-write` does.
fn write_network_long(value: u32, port: &mut impl Write) -> io::Result<()> {
    // (uniform-vector-set! v 0 (htonl value)) (uniform-vector-write v port)
    port.write_all(&htonl(value).to_ne_bytes())
}

/// `(read-network-long port)`, with the end of the stream as `None`. The
/// value is read whole or not at all: a stream that ends inside it is an
/// `UnexpectedEof` error, not a short value.
fn read_network_long(port: &mut impl BufRead) -> io::Result<Option<u32>> {
    if port.fill_buf()?.is_empty() {
        return Ok(None);
    }
    // (uniform-vector-read! v port)
    let mut v = [0; 4];
    port.read_exact(&mut v)?;
    // (ntohl (uniform-vector-ref v 0))
    Ok(Some(ntohl(u32::from_ne_bytes(v))))
}

fn server(host: IpAddr, port: u16, values: &[u32]) -> io::Result<()> {
    let family = if host.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let s = Socket::new(family, Type::STREAM, None)?;
    s.set_reuse_address(true)?;
    s.bind(&SockAddr::from((host, port)))?;
    s.listen(5)?;
    println!("listening on {}", s.local_addr()?);
    let (con, _peer) = s.accept()?;
    // A socket is unbuffered, as Guile's ports are: one send per value
    // unless a BufWriter collects them.
    let mut port = io::BufWriter::new(&con);
    for &value in values {
        write_network_long(value, &mut port)?;
    }
    port.flush()
}

fn client(host: IpAddr, port: u16) -> io::Result<()> {
    let family = if host.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let con = Socket::new(family, Type::STREAM, None)?;
    con.connect(&SockAddr::from((host, port)))?;
    let mut port = BufReader::new(&con);
    while let Some(value) = read_network_long(&mut port)? {
        println!("{value}");
    }
    Ok(())
}
