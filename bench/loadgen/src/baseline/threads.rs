//! The naive std server: a thread per connection, blocking I/O.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use super::{BaselineArgs, CHAT_GREETING, HELLO, MAX_LINE, announce, daytime_line, listen};
use crate::scenario::Scenario;

/// How long a chat write to one client may block the relay: a client that
/// stops reading is dropped after this.
const CHAT_WRITE_TIMEOUT: Duration = Duration::from_secs(1);

type Clients = Arc<Mutex<Vec<(u64, TcpStream)>>>;

/// Serves `args.scenario` until killed.
///
/// Scheme: none.
///
/// # Errors
///
/// Binding the address.
pub fn serve(args: &BaselineArgs) -> io::Result<()> {
    let listener = listen(args.addr())?;
    announce(listener.local_addr()?);
    let clients: Clients = Arc::default();
    for (id, stream) in (0u64..).zip(listener.incoming()) {
        // A connection that failed before accept: skip it.
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let scenario = args.scenario;
        let clients = Arc::clone(&clients);
        // Out of threads: this connection is dropped, the server goes on.
        let _ = thread::Builder::new().spawn(move || {
            let _ = handle(id, stream, scenario, &clients);
        });
    }
    Ok(())
}

fn handle(id: u64, mut stream: TcpStream, scenario: Scenario, clients: &Clients) -> io::Result<()> {
    match scenario {
        Scenario::Daytime => stream.write_all(&daytime_line())?,
        Scenario::Hello => {
            stream.write_all(HELLO)?;
            let mut line = Vec::new();
            BufReader::new(&stream)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut line)?;
        }
        Scenario::Echo => {
            io::copy(&mut &stream, &mut &stream)?;
        }
        Scenario::Chat => {
            let out = stream.try_clone()?;
            out.set_write_timeout(Some(CHAT_WRITE_TIMEOUT))?;
            {
                let mut all = clients.lock().unwrap_or_else(PoisonError::into_inner);
                (&out).write_all(CHAT_GREETING)?;
                all.push((id, out));
            }
            let mut buf = vec![0; 16 * 1024];
            loop {
                let n = stream.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                let mut all = clients.lock().unwrap_or_else(PoisonError::into_inner);
                all.retain(|(_, c)| {
                    let ok = (&*c).write_all(&buf[..n]).is_ok();
                    if !ok {
                        let _ = c.shutdown(Shutdown::Both);
                    }
                    ok
                });
            }
            let mut all = clients.lock().unwrap_or_else(PoisonError::into_inner);
            all.retain(|(other, _)| *other != id);
        }
    }
    stream.shutdown(Shutdown::Write)
}
