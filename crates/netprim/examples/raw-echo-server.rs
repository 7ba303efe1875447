//! The echo server on raw sockets: every byte read is written back, in
//! order, until the client's EOF; a thread per connection, so clients are
//! served at once.
//!
//! ```text
//! cargo run -p netprim --example raw-echo-server -- --port 7777
//! ```

#[path = "raw/listener.rs"]
mod listener;
#[path = "raw/serve.rs"]
mod serve;

use std::io;

use example_support::{ExitOnError, UnixServerArgs, parse_args};
use netprim::Socket;

fn main() {
    let args: UnixServerArgs = parse_args();
    let listener = listener::listen(&args);
    let read_timeout = args.server.read_timeout;
    serve::serve(
        &listener.socket,
        args.server.max_connections,
        move |conn: Socket| {
            // SO_RCVTIMEO: a client silent for this long is closed.
            conn.set_read_timeout(read_timeout)?;
            // `&Socket` reads (recv) and writes (send) at once.
            io::copy(&mut &conn, &mut &conn)?;
            conn.close()
        },
    )
    .or_exit("error");
}
