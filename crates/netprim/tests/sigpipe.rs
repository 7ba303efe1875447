//! No write of netprim raises SIGPIPE (docs/differences.md, "Broken
//! pipes"). The Rust runtime ignores SIGPIPE before `main`, which would hide a missing `MSG_NOSIGNAL`;
//! this binary puts back the default action (terminate the process), so the
//! test only survives if no write raises the signal. It is alone in its
//! binary because the action is process-wide.

mod util;

use std::io::{self, Write};

use netprim::{Domain, MsgFlags, Socket, Type};
use nix::sys::signal::{SigHandler, Signal, signal};
use util::{Family, expect_err};

#[test]
fn writes_to_a_closed_peer_are_errors_not_signals() {
    // SAFETY: SIG_DFL installs no handler code; nothing else in this binary
    // depends on SIGPIPE being ignored.
    unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) }.unwrap();

    // Every way of writing: send, send with flags, send_to, Write, and
    // vectored Write, on streams of each family whose peer is gone.
    let dir = util::scratch();
    for family in [Family::V4, Family::V6, Family::Unix] {
        let (client, _server, _) = util::connected(family, dir.path());
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let peer = client.peer_addr().unwrap();
        expect_err(client.send(b"x"), io::ErrorKind::BrokenPipe);
        expect_err(
            client.send_with_flags(b"x", MsgFlags::DONTWAIT),
            io::ErrorKind::BrokenPipe,
        );
        if family.is_ip() {
            expect_err(client.send_to(b"x", &peer), io::ErrorKind::BrokenPipe);
        }
        expect_err((&client).write(b"x"), io::ErrorKind::BrokenPipe);
        let mut owned = client.try_clone().unwrap();
        expect_err(owned.write_all(b"x"), io::ErrorKind::BrokenPipe);
        let bufs = [io::IoSlice::new(b"a"), io::IoSlice::new(b"b")];
        expect_err(owned.write_vectored(&bufs), io::ErrorKind::BrokenPipe);
    }
    let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None).unwrap();
    drop(b);
    expect_err(a.send(b"x"), io::ErrorKind::BrokenPipe);
    expect_err((&a).write_all(b"x"), io::ErrorKind::BrokenPipe);
}
