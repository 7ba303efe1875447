//! The client side: an async connect with tcp-ports' address forms and
//! connect timeout, giving the same input and output as a server's
//! connection.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tcp_ports::{IntoTarget, Target, TcpConfig};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::input::ReadSide;
use crate::output::WriteSide;
use crate::socket::Socket;
use crate::timeout::{Op, Timeout};
use crate::{Input, Output};

/// Connects to `target` with the default configuration
/// ([`TcpConfig::new`]: no connect timeout, read and write timeouts of
/// 60 s) and returns the connection's input and output.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let port = listener.local_addr()?.port();
/// // (define-values (i o) (tcp-connect "localhost" port))
/// let (_input, _output) = tcp_server_async::connect(("localhost", port)).await?;
/// # Ok(())
/// # }
/// ```
///
/// Scheme: `tcp-connect`.
///
/// # Errors
///
/// As [`connect_with`].
#[doc(alias = "tcp-connect")]
pub async fn connect(target: impl IntoTarget) -> io::Result<(Input, Output)> {
    connect_with(target, &TcpConfig::new()).await
}

/// Connects to `target` (`"host:port"`, a service name as the port,
/// `"[v6]:port"`, `(host, port)`, socket addresses) with `config`'s connect
/// timeout over every address the host resolves to, and its read and write
/// timeouts and output buffer for the input and output.
///
/// Scheme: `tcp-connect` with `tcp-connect-timeout`, `tcp-read-timeout`,
/// `tcp-write-timeout` and `tcp-buffer-size` in force.
///
/// # Errors
///
/// As [`connect_stream`].
#[doc(alias(
    "tcp-connect",
    "tcp-connect-timeout",
    "tcp-read-timeout",
    "tcp-write-timeout",
    "tcp-buffer-size"
))]
pub async fn connect_with(
    target: impl IntoTarget,
    config: &TcpConfig,
) -> io::Result<(Input, Output)> {
    // A connect of our own: the socket is registered with the reactor once,
    // while it connects, and served from then on as the server serves its
    // connections (tokio's connect registers it, and `split` would take it
    // off the reactor again).
    let (socket, peer) = first_connected(target, config, |addr| async move {
        let (stream, connected) = tcp_ports::start_connect(addr)?;
        let socket = Socket::new(stream);
        if !connected {
            std::future::poll_fn(|cx| socket.poll_connected(cx)).await?;
        }
        Ok((socket, addr))
    })
    .await?;
    Ok(sides(Arc::new(socket), peer, config))
}

/// Connects to `target` as [`connect_with`] does and returns the tokio
/// stream itself (`TCP_NODELAY` on).
///
/// A host name is resolved on tokio's blocking pool (`getaddrinfo` blocks);
/// addresses are used as they are. The addresses are tried in order, all
/// within the one connect timeout.
///
/// Scheme: `tcp-connect`.
///
/// # Errors
///
/// `InvalidInput` for a malformed target; a failed lookup naming the host;
/// the error of the last address tried, its kind kept (`TimedOut` when the
/// connect timeout ran out, `ConnectionRefused` …), naming the target and
/// every address tried.
#[doc(alias = "tcp-connect")]
pub async fn connect_stream(target: impl IntoTarget, config: &TcpConfig) -> io::Result<TcpStream> {
    first_connected(target, config, |addr| async move {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    })
    .await
}

/// Tries `attempt` on each address `target` resolves to, in order, all
/// within `config`'s connect timeout: the first that connects, or the last
/// error, naming the target and every address tried.
async fn first_connected<T, F>(
    target: impl IntoTarget,
    config: &TcpConfig,
    mut attempt: impl FnMut(SocketAddr) -> F,
) -> io::Result<T>
where
    F: Future<Output = io::Result<T>>,
{
    let target = target.into_target()?;
    let addrs = resolve(&target).await?;
    let deadline = config.connect_timeout.map(|t| Instant::now() + t);
    let mut tried = Vec::with_capacity(addrs.len());
    let mut last = None;
    for addr in addrs {
        tried.push(addr);
        let attempt = attempt(addr);
        let result = match deadline {
            None => attempt.await,
            Some(deadline) => match tokio::time::timeout_at(deadline, attempt).await {
                Ok(result) => result,
                Err(_) => {
                    let limit = config.connect_timeout.unwrap_or_default();
                    last = Some(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("timed out after {limit:?}"),
                    ));
                    break;
                }
            },
        };
        match result {
            Ok(connected) => return Ok(connected),
            Err(e) => last = Some(e),
        }
    }
    let last =
        last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address to connect to"));
    Err(target.connect_error(&tried, last))
}

async fn resolve(target: &Target) -> io::Result<Vec<SocketAddr>> {
    // Addresses resolve without a lookup: no need for another thread.
    if target.host().parse::<IpAddr>().is_ok() {
        return target.resolve();
    }
    let target = target.clone();
    match tokio::task::spawn_blocking(move || target.resolve()).await {
        Ok(result) => result,
        Err(e) => Err(io::Error::other(format!("the lookup task failed: {e}"))),
    }
}

/// The input and output of a connected tokio stream, with `config`'s read
/// and write timeouts and output buffer (0: [`crate::DEFAULT_OUTPUT_BUFFER`]).
///
/// Scheme: none.
///
/// # Errors
///
/// The error of learning the peer's address (the stream is not connected),
/// or of taking it off tokio's reactor.
pub fn split(stream: TcpStream, config: &TcpConfig) -> io::Result<(Input, Output)> {
    let peer = stream.peer_addr()?;
    // Served as the server serves its connections: off the reactor until a
    // read or write has to wait. (Non-blocking, as tokio leaves it.)
    let stream = Arc::new(Socket::new(stream.into_std()?));
    Ok(sides(stream, peer, config))
}

/// The input and output over a connected socket, with `config`'s timeouts
/// and output buffer.
fn sides(stream: Arc<Socket>, peer: SocketAddr, config: &TcpConfig) -> (Input, Output) {
    let input = Input::new(
        ReadSide::Tcp(Arc::clone(&stream)),
        peer,
        Timeout::new(Op::Read, config.read_timeout, None),
        None,
    );
    let mut output = Output::new(
        WriteSide::Tcp(stream),
        peer,
        Timeout::new(Op::Write, config.write_timeout, None),
        None,
    );
    if config.buffer_size > 0 {
        output.set_output_buffer(config.buffer_size);
    }
    (input, output)
}
