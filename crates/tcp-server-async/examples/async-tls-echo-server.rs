//! Serves echo over TLS with tcp-server-async: the certificate is made at
//! start (self-signed, for `localhost`, with rcgen) and the handshake runs
//! in the upgrade step with tokio-rustls, on the connection's task, under
//! its own deadline.
//!
//! `cargo run -p tcp-server-async --example async-tls-echo-server --
//! --cert-out cert.pem [--host H] [--port P] [--max-requests N]
//! [--diagnostics [PREFIX]] [--deadline MS]`
//!
//! The certificate is written as PEM to `--cert-out` before `listening on
//! ADDR` is printed, so a client can trust it:
//! `openssl s_client -connect 127.0.0.1:PORT -CAfile cert.pem -servername localhost`.

mod common;

use std::path::PathBuf;

use clap::Parser;
use example_support::{ExitOnError, parse_args};
use tokio_rustls::TlsAcceptor;

/// The flags of the async examples, plus where to put the certificate.
#[derive(Debug, Clone, Parser)]
#[command(about = "A TLS echo server with tcp-server-async and tokio-rustls")]
struct TlsArgs {
    #[command(flatten)]
    server: common::AsyncArgs,

    /// Where to write the server's certificate (PEM) for clients to trust.
    #[arg(long, value_name = "PATH")]
    cert_out: PathBuf,
}

fn main() {
    let args = parse_args::<TlsArgs>();
    let pki = common::tls::test_pki().or_exit("cannot make a certificate");
    std::fs::write(&args.cert_out, &pki.pem)
        .or_exit(format_args!("cannot write {}", args.cert_out.display()));
    let tls = common::tls::Tls(TlsAcceptor::from(pki.server));
    let builder = common::builder(&args.server).upgrade(tls);
    common::serve(&args.server, builder, |input, output, _peer| {
        common::echo(input, output)
    });
}
