//! Socket options: every typed getter/setter round-trips, and the same
//! options by C name (Guile's `getsockopt`/`setsockopt`), errors included.

mod util;

use std::io;
use std::time::Duration;

use netprim::{Domain, OptValue, Socket, Type, option_names};
use rstest::rstest;
use util::{Family, expect_err};

fn stream(family: Family) -> Socket {
    Socket::new(family.domain(), Type::STREAM, None).unwrap()
}

#[rstest]
fn boolean_socket_options_round_trip(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let s = stream(family);
    type Get = fn(&Socket) -> io::Result<bool>;
    type Set = fn(&Socket, bool) -> io::Result<()>;
    let options: [(&str, Get, Set); 4] = [
        (
            "SO_REUSEADDR",
            Socket::reuse_address,
            Socket::set_reuse_address,
        ),
        ("SO_REUSEPORT", Socket::reuse_port, Socket::set_reuse_port),
        ("SO_KEEPALIVE", Socket::keepalive, Socket::set_keepalive),
        ("SO_BROADCAST", Socket::broadcast, Socket::set_broadcast),
    ];
    for (name, get, set) in options {
        if name == "SO_REUSEPORT" && !family.is_ip() {
            // Recent kernels refuse it outside IP; see the test below.
            continue;
        }
        for value in [true, false, true] {
            set(&s, value).unwrap_or_else(|e| panic!("set {name}: {e}"));
            assert_eq!(get(&s).unwrap(), value, "{name}");
        }
    }
}

#[test]
fn reuse_port_on_unix_sockets_is_the_kernels_call() {
    // Linux 6.x refuses SO_REUSEPORT on Unix sockets (EOPNOTSUPP), older
    // kernels accept it; either way the result is the kernel's, unchanged.
    let s = stream(Family::Unix);
    match s.set_reuse_port(true) {
        Ok(()) => assert!(s.reuse_port().unwrap()),
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::EOPNOTSUPP), "{e}"),
    }
}

#[rstest]
fn tcp_options_round_trip(#[values(Family::V4, Family::V6)] family: Family) {
    let s = stream(family);
    for value in [true, false] {
        s.set_nodelay(value).unwrap();
        assert_eq!(s.nodelay().unwrap(), value);
        s.set_out_of_band_inline(value).unwrap();
        assert_eq!(s.out_of_band_inline().unwrap(), value);
    }
}

#[test]
fn nodelay_does_not_apply_to_unix_sockets() {
    let s = stream(Family::Unix);
    let err = s.set_nodelay(true).unwrap_err();
    assert!(not_for_this_socket(err.raw_os_error()), "{err}");
}

#[test]
fn only_v6_round_trips_on_ipv6_and_not_on_ipv4() {
    let s = stream(Family::V6);
    for value in [true, false] {
        s.set_only_v6(value).unwrap();
        assert_eq!(s.only_v6().unwrap(), value);
    }
    let err = stream(Family::V4).only_v6().unwrap_err();
    assert!(not_for_this_socket(err.raw_os_error()), "{err}");
}

#[rstest]
fn ttl_round_trips(#[values(Type::STREAM, Type::DGRAM)] ty: Type) {
    let s = Socket::new(Domain::IPV4, ty, None).unwrap();
    for ttl in [1, 64, 255] {
        s.set_ttl(ttl).unwrap();
        assert_eq!(s.ttl().unwrap(), ttl);
    }
    expect_err(s.set_ttl(256), io::ErrorKind::InvalidInput);
}

#[rstest]
fn linger_round_trips(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let s = stream(family);
    assert_eq!(s.linger().unwrap(), None, "off by default");
    for value in [Some(Duration::from_secs(3)), Some(Duration::ZERO), None] {
        s.set_linger(value).unwrap();
        assert_eq!(s.linger().unwrap(), value);
    }
    // The kernel counts whole seconds; a fraction rounds up, never to ZERO.
    s.set_linger(Some(Duration::from_millis(1))).unwrap();
    assert_eq!(s.linger().unwrap(), Some(Duration::from_secs(1)));
}

#[rstest]
fn buffer_sizes_take_at_least_what_was_asked(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
) {
    let s = stream(family);
    s.set_recv_buffer_size(64 * 1024).unwrap();
    assert!(s.recv_buffer_size().unwrap() >= 64 * 1024);
    s.set_send_buffer_size(64 * 1024).unwrap();
    assert!(s.send_buffer_size().unwrap() >= 64 * 1024);
}

#[rstest]
fn timeouts_round_trip_and_fire(#[values(Family::V4, Family::V6, Family::Unix)] family: Family) {
    let dir = util::scratch();
    let (client, _server, _) = util::connected(family, dir.path());
    client.set_read_timeout(None).unwrap();
    assert_eq!(client.read_timeout().unwrap(), None);
    client
        .set_write_timeout(Some(Duration::from_secs(7)))
        .unwrap();
    assert_eq!(
        client.write_timeout().unwrap(),
        Some(Duration::from_secs(7))
    );
    expect_err(
        client.set_read_timeout(Some(Duration::ZERO)),
        io::ErrorKind::InvalidInput,
    );
    expect_err(
        client.set_write_timeout(Some(Duration::ZERO)),
        io::ErrorKind::InvalidInput,
    );

    let timeout = Duration::from_millis(200);
    client.set_read_timeout(Some(timeout)).unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0; 1];
    expect_err(client.recv(&mut buf), io::ErrorKind::WouldBlock);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(190), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[rstest]
fn type_and_listener_state(
    #[values(Family::V4, Family::V6, Family::Unix)] family: Family,
    #[values(Type::STREAM, Type::DGRAM)] ty: Type,
) {
    let s = Socket::new(family.domain(), ty, None).unwrap();
    assert_eq!(s.r#type().unwrap(), ty);
    assert!(!s.is_listener().unwrap());
    if ty == Type::STREAM {
        let dir = util::scratch();
        let (l, _) = util::listener(family, dir.path());
        assert!(l.is_listener().unwrap());
    }
}

#[rstest]
fn take_error_reports_a_refused_non_blocking_connect(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let (_holder, closed) = util::closed_address(family);
    let s = stream(family);
    assert!(s.take_error().unwrap().is_none());
    s.set_nonblocking(true).unwrap();
    match s.connect(&closed) {
        // Loopback may refuse at once; otherwise the answer comes later.
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return,
        Err(e) => assert_eq!(e.raw_os_error(), None, "{e}"),
        Ok(()) => panic!("connected to a port nobody listens on"),
    }
    assert!(netprim::wait_writable(&s, Some(util::WAIT)).unwrap());
    let pending = s.take_error().unwrap().expect("a pending error");
    assert_eq!(pending.kind(), io::ErrorKind::ConnectionRefused);
    assert!(s.take_error().unwrap().is_none(), "taking it clears it");
}

#[test]
fn every_option_by_name_round_trips_on_the_socket_it_applies_to() {
    let tcp6 = stream(Family::V6);
    let udp4 = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
    let cases = [
        (&tcp6, "SO_REUSEADDR", OptValue::Bool(true)),
        (&tcp6, "SO_REUSEPORT", OptValue::Bool(true)),
        (&tcp6, "SO_KEEPALIVE", OptValue::Bool(true)),
        (
            &tcp6,
            "SO_LINGER",
            OptValue::Linger(Some(Duration::from_secs(2))),
        ),
        (&tcp6, "SO_LINGER", OptValue::Linger(None)),
        (&udp4, "SO_BROADCAST", OptValue::Bool(true)),
        (&tcp6, "SO_OOBINLINE", OptValue::Bool(true)),
        (
            &tcp6,
            "SO_RCVTIMEO",
            OptValue::Timeout(Some(Duration::from_secs(3))),
        ),
        (
            &tcp6,
            "SO_SNDTIMEO",
            OptValue::Timeout(Some(Duration::from_secs(4))),
        ),
        (&tcp6, "SO_RCVTIMEO", OptValue::Timeout(None)),
        (&tcp6, "TCP_NODELAY", OptValue::Bool(true)),
        (&tcp6, "IPV6_V6ONLY", OptValue::Bool(true)),
        (&udp4, "IP_TTL", OptValue::Int(42)),
    ];
    for (s, name, value) in cases {
        s.set_option_by_name(name, value)
            .unwrap_or_else(|e| panic!("set {name}: {e}"));
        assert_eq!(s.option_by_name(name).unwrap(), value, "{name}");
    }
    // Each of these went through the typed accessor of the same option.
    assert!(tcp6.keepalive().unwrap());
    assert_eq!(udp4.ttl().unwrap(), 42);
    assert_eq!(tcp6.write_timeout().unwrap(), Some(Duration::from_secs(4)));
}

#[test]
fn int_options_by_name() {
    let s = stream(Family::V4);
    s.set_option_by_name("SO_RCVBUF", OptValue::Int(65536))
        .unwrap();
    match s.option_by_name("SO_RCVBUF").unwrap() {
        OptValue::Int(n) => assert!(n >= 65536, "{n}"),
        other => panic!("{other:?}"),
    }
    s.set_option_by_name("SO_SNDBUF", OptValue::Int(65536))
        .unwrap();
    assert_eq!(s.option_by_name("SO_ERROR").unwrap(), OptValue::Int(0));
    assert_eq!(
        s.option_by_name("SO_TYPE").unwrap(),
        OptValue::Type(Type::STREAM)
    );
    assert_eq!(
        s.option_by_name("SO_ACCEPTCONN").unwrap(),
        OptValue::Bool(false)
    );
}

#[test]
fn bool_options_take_guile_integers_and_names_ignore_case() {
    let s = stream(Family::V4);
    s.set_option_by_name("so_reuseaddr", OptValue::Int(1))
        .unwrap();
    assert!(s.reuse_address().unwrap());
    s.set_option_by_name("So_ReuseAddr", OptValue::Int(0))
        .unwrap();
    assert!(!s.reuse_address().unwrap());
    // Guile's SO_LINGER pair.
    s.set_option_by_name("SO_LINGER", OptValue::from_linger_pair(1, 9).unwrap())
        .unwrap();
    assert_eq!(
        s.option_by_name("SO_LINGER").unwrap().linger_pair(),
        Some((1, 9))
    );
}

#[test]
fn an_unknown_name_lists_the_known_ones() {
    let s = stream(Family::V4);
    let err = expect_err(s.option_by_name("SO_NOPE"), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, "\"SO_NOPE\"");
    for known in option_names() {
        util::assert_mentions(&err, known);
    }
    expect_err(
        s.set_option_by_name("SO_NOPE", OptValue::Int(1)),
        io::ErrorKind::InvalidInput,
    );
}

#[rstest]
#[case("SO_ERROR", OptValue::Int(0))]
#[case("SO_TYPE", OptValue::Type(Type::DGRAM))]
#[case("SO_ACCEPTCONN", OptValue::Bool(true))]
fn read_only_options_refuse_to_be_set(#[case] name: &str, #[case] value: OptValue) {
    let s = stream(Family::V4);
    let err = expect_err(
        s.set_option_by_name(name, value),
        io::ErrorKind::InvalidInput,
    );
    util::assert_mentions(&err, name);
    util::assert_mentions(&err, "read-only");
}

#[rstest]
#[case("SO_REUSEADDR", OptValue::Linger(None))]
#[case("SO_LINGER", OptValue::Int(1))]
#[case("SO_LINGER", OptValue::Bool(true))]
#[case("SO_RCVBUF", OptValue::Bool(true))]
#[case("SO_RCVTIMEO", OptValue::Int(5))]
#[case("TCP_NODELAY", OptValue::Timeout(None))]
#[case("IP_TTL", OptValue::Type(Type::STREAM))]
fn values_of_the_wrong_shape_are_refused(#[case] name: &str, #[case] value: OptValue) {
    let s = stream(Family::V4);
    let err = expect_err(
        s.set_option_by_name(name, value),
        io::ErrorKind::InvalidInput,
    );
    util::assert_mentions(&err, name);
    util::assert_mentions(&err, "takes");
}

#[test]
fn values_the_typed_setter_refuses_are_invalid_input() {
    let s = stream(Family::V4);
    let err = expect_err(
        s.set_option_by_name("SO_RCVBUF", OptValue::Int(-1)),
        io::ErrorKind::InvalidInput,
    );
    util::assert_mentions(&err, "-1");
    expect_err(
        s.set_option_by_name("SO_SNDTIMEO", OptValue::Timeout(Some(Duration::ZERO))),
        io::ErrorKind::InvalidInput,
    );
    expect_err(
        s.set_option_by_name("IP_TTL", OptValue::Int(-3)),
        io::ErrorKind::InvalidInput,
    );
}

#[test]
fn os_errors_by_name_name_the_option() {
    let unix = stream(Family::Unix);
    let err = unix
        .set_option_by_name("TCP_NODELAY", OptValue::Bool(true))
        .unwrap_err();
    util::assert_mentions(&err, "set socket option TCP_NODELAY");
    let v4 = stream(Family::V4);
    let err = v4.option_by_name("IPV6_V6ONLY").unwrap_err();
    util::assert_mentions(&err, "get socket option IPV6_V6ONLY");
    let op = netprim::OpError::find(&err).unwrap();
    assert!(not_for_this_socket(op.cause().raw_os_error()), "{err}");
}

/// The errno of an option that does not apply: ENOPROTOOPT, or EOPNOTSUPP
/// on recent kernels.
fn not_for_this_socket(errno: Option<i32>) -> bool {
    matches!(errno, Some(libc::ENOPROTOOPT | libc::EOPNOTSUPP))
}
