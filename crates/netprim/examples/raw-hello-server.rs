//! The hello server on raw sockets: CHICKEN's Unit tcp example
//! (`server.scm`), which writes `Hello!`, prints the line the client sends
//! and closes; with a thread per connection.
//!
//! ```text
//! cargo run -p netprim --example raw-hello-server -- --port 4242
//! ```

#[path = "raw/listener.rs"]
mod listener;
#[path = "raw/serve.rs"]
mod serve;

use std::io::{self, BufReader, Write};

use example_support::{ExitOnError, HELLO, UnixServerArgs, parse_args, read_line};
use netprim::Socket;

fn main() {
    let args: UnixServerArgs = parse_args();
    let listener = listener::listen(&args);
    let read_timeout = args.server.read_timeout;
    serve::serve(
        &listener.socket,
        args.server.max_connections,
        move |conn: Socket| {
            // SO_RCVTIMEO: a client that sends nothing is closed after this.
            conn.set_read_timeout(read_timeout)?;
            // Write before reading: the client does the same.
            (&conn).write_all(format!("{HELLO}\n").as_bytes())?;
            let line = read_line(&mut BufReader::new(&conn))?;
            let mut out = io::stdout().lock();
            writeln!(out, "{line}")?;
            out.flush()?;
            conn.close()
        },
    )
    .or_exit("error");
}
