//! The raw servers' listening socket, made with the calls SCM's chat server
//! makes (`make-stream-socket` with SO_REUSEADDR, `socket:bind`,
//! `socket:listen`), on TCP or on a Unix socket path.

use std::io;
use std::path::PathBuf;

use example_support::{ExitOnError, UnixServerArgs, announce, exit_cleanly_on_signals_then};
use netprim::{Domain, SockAddr, Socket, Type, annotate, remove_socket_file};

/// Room for a burst of connections in the kernel's queue (capped by
/// `somaxconn`).
const BACKLOG: i32 = 1024;

/// A listening socket; a Unix socket's file goes with it.
#[derive(Debug)]
pub struct Listener {
    pub socket: Socket,
    path: Option<PathBuf>,
}

/// Opens the listener the arguments ask for, makes SIGINT/SIGTERM exit
/// cleanly (removing a Unix socket file), and prints `listening on ADDR`.
/// Exits with status 1 and a message naming the address on failure.
pub fn listen(args: &UnixServerArgs) -> Listener {
    let listener = match &args.unix.unix {
        Some(path) => listen_unix(path.clone()),
        None => listen_tcp(&args.server.host, args.server.port),
    }
    .or_exit("error");
    let path = listener.path.clone();
    exit_cleanly_on_signals_then(move || {
        if let Some(path) = path {
            let _ = remove_socket_file(path);
        }
    });
    let addr = listener.socket.local_addr().or_exit("error");
    announce(addr);
    listener
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = remove_socket_file(path);
        }
    }
}

/// Listens on the first address of `host` (a name or an IP address) that
/// works.
fn listen_tcp(host: &str, port: u16) -> io::Result<Listener> {
    let mut last_error = None;
    for addr in netprim::resolve(host, port)?
        .into_iter()
        .map(SockAddr::from)
    {
        match listen_on(&addr, addr.family()) {
            Ok(socket) => return Ok(Listener { socket, path: None }),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"))
    }))
}

fn listen_unix(path: PathBuf) -> io::Result<Listener> {
    let addr = SockAddr::unix(&path)?;
    // A socket file left by a server that was killed would make bind fail,
    // but one a live server answers on is that server's: ask first.
    let probe = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    match probe.connect(&addr) {
        Ok(()) => {
            return Err(annotate(
                io::Error::new(io::ErrorKind::AddrInUse, "a server is listening there"),
                "listen on",
                &addr,
            ));
        }
        // Nobody answers: stale. Only a socket file is removed, never
        // anything else.
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            remove_socket_file(&path).map_err(|e| annotate(e, "listen on", &addr))?;
        }
        // Nothing there (or something we cannot replace): bind says why.
        Err(_) => {}
    }
    drop(probe);
    let socket = listen_on(&addr, Domain::UNIX)?;
    Ok(Listener {
        socket,
        path: Some(path),
    })
}

fn listen_on(addr: &SockAddr, domain: Domain) -> io::Result<Socket> {
    let listen = || {
        let socket = Socket::new(domain, Type::STREAM, None)?;
        if domain != Domain::UNIX {
            // As SCM's make-stream-socket: a restarted server can bind at
            // once, while the old connections linger in TIME_WAIT.
            socket.set_reuse_address(true)?;
        }
        if domain == Domain::IPV6 {
            // `--host ::` means IPv6 only; dual stack only when asked for.
            socket.set_only_v6(true)?;
        }
        if domain != Domain::UNIX {
            // Inherited by every accepted socket: a reply goes out when it is
            // written, instead of waiting (Nagle) for the client's delayed
            // acknowledgement of the previous one, some 40 ms on loopback.
            socket.set_nodelay(true)?;
        }
        socket.bind(addr)?;
        socket.listen(BACKLOG)?;
        Ok(socket)
    };
    listen().map_err(|e| annotate(e, "listen on", addr))
}
