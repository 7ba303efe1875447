//! The daytime server on raw sockets: the tcp-server egg's time-of-day
//! example, `(write-line (seconds->string (current-seconds)))`, with a
//! thread per connection.
//!
//! ```text
//! cargo run -p netprim --example raw-daytime-server -- --port 6504
//! ```

#[path = "raw/listener.rs"]
mod listener;
#[path = "raw/serve.rs"]
mod serve;

use std::io::Write;

use example_support::{ExitOnError, UnixServerArgs, daytime_line, parse_args};
use netprim::Socket;

fn main() {
    let args: UnixServerArgs = parse_args();
    let listener = listener::listen(&args);
    serve::serve(
        &listener.socket,
        args.server.max_connections,
        |conn: Socket| {
            (&conn).write_all(format!("{}\n", daytime_line()).as_bytes())?;
            // Nothing is left unread, so the close is a FIN after the line.
            conn.close()
        },
    )
    .or_exit("error");
}
