//! Serves echo over TLS with tcp-server: the certificate is made at start
//! (self-signed, for `localhost`, with rcgen) and the handshake runs in the
//! upgrade hook with rustls, on the worker, under its own deadline.
//!
//! `cargo run -p tcp-server --example threaded-tls-echo-server -- --cert-out
//! cert.pem [--host H] [--port P] [--max-requests N] [--diagnostics [PREFIX]]
//! [--deadline MS]`
//!
//! The certificate is written as PEM to `--cert-out` before `listening on
//! ADDR` is printed, so a client can trust it:
//! `openssl s_client -connect 127.0.0.1:PORT -CAfile cert.pem -servername localhost`.

mod common;

use std::path::PathBuf;

use clap::Parser;
use example_support::{ExitOnError, parse_args};

/// The flags of the threaded examples, plus where to put the certificate.
#[derive(Debug, Clone, Parser)]
#[command(about = "A TLS echo server with tcp-server and rustls")]
struct TlsArgs {
    #[command(flatten)]
    threaded: common::ThreadedArgs,

    /// Where to write the server's certificate (PEM) for clients to trust.
    #[arg(long, value_name = "PATH")]
    cert_out: PathBuf,
}

fn main() {
    let args = parse_args::<TlsArgs>();
    let identity = common::tls::Identity::localhost().or_exit("cannot make a certificate");
    std::fs::write(&args.cert_out, &identity.pem)
        .or_exit(format_args!("cannot write {}", args.cert_out.display()));
    let config = identity.server_config().or_exit("cannot configure TLS");
    let builder = common::builder(&args.threaded).upgrade(common::tls::Tls(config));
    common::serve(&args.threaded, builder, common::echo);
}
