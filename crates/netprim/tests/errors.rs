//! Errors keep their kind and say which operation failed on which address.

mod util;

use std::io;
use std::time::Duration;

use netprim::{Domain, OpError, SockAddr, Socket, Type};
use rstest::rstest;
use util::{Family, expect_err};

#[rstest]
fn connecting_to_a_closed_port_is_refused_naming_the_address(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let (_holder, closed) = util::closed_address(family);
    let s = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    let err = expect_err(s.connect(&closed), io::ErrorKind::ConnectionRefused);
    assert_eq!(
        err.to_string(),
        format!(
            "connect to {closed}: {}",
            io::Error::from_raw_os_error(libc::ECONNREFUSED)
        )
    );
    let op = OpError::find(&err).unwrap();
    assert_eq!(
        (op.op(), op.target()),
        ("connect to", closed.to_string().as_str())
    );
    assert_eq!(op.cause().raw_os_error(), Some(libc::ECONNREFUSED));
}

#[rstest]
fn connect_timeout_to_a_closed_port_is_refused_too(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let (_holder, closed) = util::closed_address(family);
    let s = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    let err = expect_err(
        s.connect_timeout(&closed, util::WAIT),
        io::ErrorKind::ConnectionRefused,
    );
    util::assert_mentions(&err, &closed.to_string());
    let err = expect_err(
        s.connect_timeout(&closed, Duration::ZERO),
        io::ErrorKind::InvalidInput,
    );
    util::assert_mentions(&err, "zero");
}

#[test]
fn connecting_to_a_missing_unix_path_is_not_found_naming_it() {
    let dir = util::scratch();
    let missing = util::local_address(Family::Unix, dir.path());
    let s = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    let err = expect_err(s.connect(&missing), io::ErrorKind::NotFound);
    util::assert_mentions(&err, &missing.to_string());
}

#[rstest]
fn binding_a_used_address_is_addr_in_use_naming_it(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
    #[values(Type::STREAM, Type::DGRAM)] ty: Type,
) {
    let dir = util::scratch();
    let first = util::bound(family, ty, dir.path());
    let taken = first.local_addr().unwrap();
    let second = Socket::new(family.domain(), ty, None).unwrap();
    let err = expect_err(second.bind(&taken), io::ErrorKind::AddrInUse);
    assert!(
        err.to_string().starts_with(&format!("bind to {taken}: ")),
        "{err}"
    );
}

#[test]
fn binding_an_address_that_is_not_local_is_not_available() {
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    // TEST-NET-1: never a local address.
    let addr: SockAddr = "192.0.2.1:0".parse().unwrap();
    let err = expect_err(s.bind(&addr), io::ErrorKind::AddrNotAvailable);
    util::assert_mentions(&err, "192.0.2.1:0");
}

#[test]
fn an_unnamed_unix_address_cannot_be_bound_or_connected() {
    let s = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    let unnamed = SockAddr::Unix(netprim::UnixAddr::Unnamed);
    expect_err(s.bind(&unnamed), io::ErrorKind::InvalidInput);
    expect_err(s.connect(&unnamed), io::ErrorKind::InvalidInput);
}

#[test]
fn a_family_mismatch_is_the_kernels_error() {
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let v6: SockAddr = "[::1]:1".parse().unwrap();
    let err = s.connect(&v6).unwrap_err();
    let op = OpError::find(&err).unwrap();
    assert_eq!(op.cause().raw_os_error(), Some(libc::EAFNOSUPPORT), "{err}");
}

#[test]
fn an_unknown_service_is_not_found_naming_it() {
    let err = expect_err(
        netprim::service_by_name("no-such-service", Some("tcp")),
        io::ErrorKind::NotFound,
    );
    assert_eq!(
        err.to_string(),
        r#"unknown service "no-such-service" for tcp"#
    );
    let err = expect_err(
        netprim::service_by_port(1, Some("no-such-protocol")),
        io::ErrorKind::NotFound,
    );
    util::assert_mentions(&err, "port 1");
}

#[rstest]
#[case("127.0.0.1")]
#[case("127.0.0.1:http")]
#[case("[::1]:99999")]
#[case("host:80")]
#[case("")]
fn a_malformed_address_string_is_invalid_input_quoting_it(#[case] text: &str) {
    let err = expect_err(text.parse::<SockAddr>(), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, &format!("{text:?}"));
}

#[test]
fn accept_on_a_socket_that_does_not_listen_is_invalid_input() {
    let dir = util::scratch();
    let s = util::bound(Family::V4, Type::STREAM, dir.path());
    let err = s.accept().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EINVAL), "{err}");
}

#[test]
fn listen_on_a_datagram_socket_is_not_supported() {
    let dir = util::scratch();
    let s = util::bound(Family::V4, Type::DGRAM, dir.path());
    let err = s.listen(1).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EOPNOTSUPP), "{err}");
}
