//! The reactor sees a connection only once it has to wait: a handler that
//! writes without waiting leaves its socket out of epoll (no `epoll_ctl` to
//! add it, none to remove it); a read that finds nothing puts it in.
//!
//! The tests run on tokio's `current_thread` runtime: a message the
//! handler sends is seen by the test only after the handler's poll has
//! ended, so what the handler did in that poll is done.

mod util;

use std::collections::HashSet;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex};

use tcp_server_async::ServerBuilder;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::{Notify, mpsc};
use util::PATIENCE;

/// The descriptors this process's epoll instances watch: the `tfd:` lines
/// of `/proc/self/fdinfo` for each `anon_inode:[eventpoll]` descriptor.
fn watched() -> HashSet<RawFd> {
    let mut fds = HashSet::new();
    for entry in std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd") {
        let entry = entry.expect("an fd entry");
        let is_epoll = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.as_os_str() == "anon_inode:[eventpoll]");
        if !is_epoll {
            continue;
        }
        let info = format!("/proc/self/fdinfo/{}", entry.file_name().to_string_lossy());
        // The epoll descriptor may close between the listing and this read.
        let Ok(info) = std::fs::read_to_string(info) else {
            continue;
        };
        for line in info.lines() {
            if let Some(fd) = line
                .strip_prefix("tfd:")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|fd| fd.parse().ok())
            {
                fds.insert(fd);
            }
        }
    }
    fds
}

#[tokio::test]
async fn a_connection_joins_epoll_only_when_a_read_must_wait() {
    let accepted: Arc<Mutex<Option<RawFd>>> = Arc::default();
    let (said, mut heard) = mpsc::unbounded_channel::<&'static str>();
    let go_on = Arc::new(Notify::new());
    let builder = {
        let accepted = Arc::clone(&accepted);
        ServerBuilder::new().addresses_hook(move |stream| {
            *accepted.lock().unwrap() = Some(stream.as_raw_fd());
            Ok((stream.local_addr()?, stream.peer_addr()?))
        })
    };
    let go = Arc::clone(&go_on);
    let server = util::start(builder, move |mut input, mut output, _| {
        let (said, go) = (said.clone(), Arc::clone(&go));
        async move {
            output.write_all(b"hello\n").await?;
            output.flush().await?;
            let _ = said.send("written");
            go.notified().await;
            let _ = said.send("reading");
            let mut line = String::new();
            input.read_line(&mut line).await?;
            output.write_all(line.as_bytes()).await?;
            output.flush().await
        }
    });

    let mut client = util::connect(server.addr).await;
    assert_eq!(client.line().await.unwrap(), "hello");
    let heard_first = tokio::time::timeout(PATIENCE, heard.recv()).await;
    assert_eq!(heard_first.unwrap(), Some("written"));
    let fd = accepted.lock().unwrap().expect("the hook saw the socket");
    assert!(
        !watched().contains(&fd),
        "a connection that wrote without waiting is not in epoll"
    );

    go_on.notify_one();
    let heard_next = tokio::time::timeout(PATIENCE, heard.recv()).await;
    assert_eq!(heard_next.unwrap(), Some("reading"));
    assert!(
        watched().contains(&fd),
        "a read that found nothing registered the connection"
    );
    client.send("ping").await;
    assert_eq!(client.line().await.unwrap(), "ping");
    server.stop().await.unwrap();
}
