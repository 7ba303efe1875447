//! Serves echo: writes back every byte it reads, in order, until the
//! client's EOF; then closes. `--read-timeout` closes a silent client.
//!
//! `cargo run -p tcp-ports --example ports-echo-server -- [--host H] [--port P]
//! [--max-connections N] [--read-timeout MS]`

mod common;

use std::io::{self, Read, Write};

use example_support::{RELAY_CHUNK, ServerArgs, parse_args};
use tcp_ports::{TcpReader, TcpWriter};

fn main() {
    let args = parse_args::<ServerArgs>();
    let l = common::listen(&args, common::server_config(&args));
    common::serve(l, args.max_connections, echo);
}

fn echo(mut i: TcpReader, mut o: TcpWriter) -> io::Result<()> {
    let mut buf = vec![0; RELAY_CHUNK];
    loop {
        let n = i.read(&mut buf)?;
        if n == 0 {
            break;
        }
        // The writer is unbuffered: each chunk goes back at once.
        o.write_all(&buf[..n])?;
    }
    o.close()?;
    i.close()
}
