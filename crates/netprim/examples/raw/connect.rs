//! The raw clients' connection: SCM's `socket:connect`, to a TCP address or
//! a Unix socket path.

use std::io;

use example_support::ServerAddr;
use netprim::{SockAddr, Socket, Type, annotate};

/// Connects to `addr`, trying each address of its host in turn.
///
/// # Errors
///
/// The last address's error, naming that address
/// (`connect to 127.0.0.1:9: Connection refused (os error 111)`).
pub fn connect(addr: &ServerAddr) -> io::Result<Socket> {
    let candidates = match addr {
        ServerAddr::Unix(path) => vec![SockAddr::unix(path)?],
        ServerAddr::Inet { host, port } => netprim::resolve(host, *port)?
            .into_iter()
            .map(SockAddr::from)
            .collect(),
    };
    let mut last_error = None;
    for candidate in candidates {
        let connect = || {
            let socket = Socket::new(candidate.family(), Type::STREAM, None)?;
            socket.connect(&candidate)?;
            Ok(socket)
        };
        match connect() {
            Ok(socket) => return Ok(socket),
            Err(e) => last_error = Some(annotate(e, "connect to", &candidate)),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, format!("{addr} has no address"))
    }))
}
