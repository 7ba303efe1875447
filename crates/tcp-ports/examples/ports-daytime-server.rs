//! Serves daytime: writes the current local time as one line to each
//! client, then closes.
//!
//! `cargo run -p tcp-ports --example ports-daytime-server -- [--host H] [--port P]
//! [--max-connections N]`

mod common;

use std::io::Write;

use example_support::{ServerArgs, daytime_line, parse_args};

fn main() {
    let args = parse_args::<ServerArgs>();
    let l = common::listen(&args, common::server_config(&args));
    common::serve(l, args.max_connections, |i, mut o| {
        writeln!(o, "{}", daytime_line())?;
        o.close()?;
        i.close()
    });
}
