//! Lookups against loopback and the local databases only: getaddrinfo and
//! resolve feeding real connections, services, protocols, hosts, and the
//! text form of addresses.

mod util;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use netprim::{
    AddrInfoHints, AiFlags, Domain, Protocol, SockAddr, Socket, Type, getaddrinfo, host_by_addr,
    host_by_name, inet_ntop, inet_pton, protocol_by_name, protocol_by_number, resolve,
    service_by_name, service_by_port,
};
use rstest::rstest;
use util::{Family, expect_err};

#[rstest]
fn resolve_then_connect(#[values(Family::V4, Family::V6)] family: Family) {
    let dir = util::scratch();
    let (listener, addr) = util::listener(family, dir.path());
    let host = addr.ip().unwrap().to_string();
    let port = addr.port().unwrap();
    let addrs = resolve(&host, port).unwrap();
    assert_eq!(addrs, vec![addr.as_socket().unwrap()]);
    let client = Socket::new(family.domain(), Type::STREAM, None).unwrap();
    client.connect(&SockAddr::from(addrs[0])).unwrap();
    let (_conn, peer) = listener.accept().unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
}

#[test]
fn localhost_resolves_to_loopback_and_one_of_them_answers() {
    let dir = util::scratch();
    let (listener, addr) = util::listener(Family::V4, dir.path());
    let addrs = resolve("localhost", addr.port().unwrap()).unwrap();
    assert!(!addrs.is_empty());
    assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    assert!(addrs.contains(&addr.as_socket().unwrap()), "{addrs:?}");
    let client = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    client.connect(&addr).unwrap();
    listener.accept().unwrap();
}

#[rstest]
#[case(Some(Type::STREAM), None, Protocol::TCP)]
#[case(Some(Type::DGRAM), None, Protocol::UDP)]
#[case(None, Some(Protocol::TCP), Protocol::TCP)]
#[case(None, Some(Protocol::UDP), Protocol::UDP)]
fn getaddrinfo_honours_socktype_and_protocol_hints(
    #[case] socktype: Option<Type>,
    #[case] protocol: Option<Protocol>,
    #[case] expected: Protocol,
) {
    let hints = AddrInfoHints {
        flags: AiFlags::NUMERICHOST | AiFlags::NUMERICSERV,
        family: Some(Domain::IPV6),
        socktype,
        protocol,
    };
    let answers = getaddrinfo(Some("::1"), Some("7"), &hints).unwrap();
    assert!(!answers.is_empty());
    for a in &answers {
        assert_eq!(a.protocol, expected, "{a:?}");
        assert_eq!(a.family, Domain::IPV6);
        assert_eq!(a.addr, SockAddr::from((Ipv6Addr::LOCALHOST, 7)));
    }
}

#[test]
fn getaddrinfo_answers_bind_and_connect() {
    let hints = AddrInfoHints {
        flags: AiFlags::PASSIVE | AiFlags::NUMERICSERV,
        family: Some(Domain::IPV4),
        socktype: Some(Type::STREAM),
        protocol: None,
    };
    let answers = getaddrinfo(Some("127.0.0.1"), Some("0"), &hints).unwrap();
    let a = &answers[0];
    let listener = Socket::new(a.family, a.socktype, Some(a.protocol)).unwrap();
    listener.bind(&a.addr).unwrap();
    listener.listen(4).unwrap();
    let client = Socket::new(a.family, a.socktype, Some(a.protocol)).unwrap();
    client.connect(&listener.local_addr().unwrap()).unwrap();
}

#[test]
fn getaddrinfo_v4mapped_maps_ipv4_into_ipv6() {
    let hints = AddrInfoHints {
        flags: AiFlags::NUMERICHOST | AiFlags::V4MAPPED,
        family: Some(Domain::IPV6),
        socktype: Some(Type::STREAM),
        protocol: None,
    };
    let answers = getaddrinfo(Some("127.0.0.1"), Some("80"), &hints).unwrap();
    assert_eq!(
        answers[0].addr.ip(),
        Some(IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()))
    );
}

#[test]
fn unknown_names_are_not_found_and_quoted() {
    let numeric = AddrInfoHints {
        flags: AiFlags::NUMERICHOST,
        socktype: Some(Type::STREAM),
        ..AddrInfoHints::default()
    };
    let err = expect_err(
        getaddrinfo(Some("127.0.0.1"), Some("no-such-service"), &numeric),
        io::ErrorKind::NotFound,
    );
    util::assert_mentions(&err, "\"no-such-service\"");
    let err = expect_err(
        getaddrinfo(Some("not.numeric"), None, &numeric),
        io::ErrorKind::NotFound,
    );
    util::assert_mentions(&err, "\"not.numeric\"");

    let err = expect_err(
        service_by_name("nope", Some("tcp")),
        io::ErrorKind::NotFound,
    );
    assert_eq!(err.to_string(), r#"unknown service "nope" for tcp"#);
    expect_err(protocol_by_name("nope"), io::ErrorKind::NotFound);
    expect_err(protocol_by_number(255_000), io::ErrorKind::NotFound);
}

#[test]
fn services_by_name_and_by_port_agree() {
    for (name, port) in [("http", 80), ("ssh", 22), ("echo", 7), ("daytime", 13)] {
        let by_name = service_by_name(name, Some("tcp")).unwrap();
        assert_eq!(by_name.port, port, "{name}");
        assert_eq!(by_name.protocol, "tcp");
        let by_port = service_by_port(port, Some("tcp")).unwrap();
        assert_eq!(by_port.name, name);
        assert_eq!(by_port, by_name);
    }
    let http = service_by_name("http", None).unwrap();
    assert_eq!(http.port, 80);
    // An alias finds the same entry.
    if let Some(alias) = http.aliases.first() {
        assert_eq!(service_by_name(alias, Some("tcp")).unwrap().name, "http");
    }
}

#[test]
fn protocols_by_name_and_number_agree() {
    for (name, number, protocol) in [("tcp", 6, Protocol::TCP), ("udp", 17, Protocol::UDP)] {
        let entry = protocol_by_name(name).unwrap();
        assert_eq!(entry.number, number);
        assert_eq!(entry.protocol(), protocol);
        assert_eq!(protocol_by_number(number).unwrap(), entry);
    }
    // The number makes a socket, as SCM's make-stream-socket takes it.
    let tcp = protocol_by_name("tcp").unwrap();
    Socket::new(Domain::IPV4, Type::STREAM, Some(tcp.protocol())).unwrap();
}

#[test]
fn hosts_by_name_and_by_address() {
    let host = host_by_name("localhost").unwrap();
    assert!(!host.name.is_empty());
    assert!(
        host.addresses
            .iter()
            .any(|a| *a == IpAddr::from(Ipv4Addr::LOCALHOST)
                || *a == IpAddr::from(Ipv6Addr::LOCALHOST)),
        "{host:?}"
    );
    let reverse = host_by_addr(IpAddr::from(Ipv4Addr::LOCALHOST)).unwrap();
    assert!(!reverse.name.is_empty());
    // The name found reverses back to a loopback address.
    let forward = host_by_name(&reverse.name).unwrap();
    assert!(
        forward.addresses.iter().all(IpAddr::is_loopback),
        "{forward:?}"
    );
}

#[rstest]
#[case(Domain::IPV4, "127.0.0.1")]
#[case(Domain::IPV4, "255.255.255.255")]
#[case(Domain::IPV6, "::1")]
#[case(Domain::IPV6, "2001:db8::8:800:200c:417a")]
#[case(Domain::IPV6, "::ffff:192.0.2.1")]
fn pton_and_ntop_round_trip(#[case] family: Domain, #[case] text: &str) {
    let addr = inet_pton(family, text).unwrap();
    assert_eq!(inet_ntop(addr), text);
}

#[rstest]
#[case(Domain::IPV4, "256.0.0.1")]
#[case(Domain::IPV4, "1.2.3")]
#[case(Domain::IPV4, "localhost")]
#[case(Domain::IPV4, "::1")]
#[case(Domain::IPV6, "1.2.3.4")]
#[case(Domain::IPV6, ":::")]
#[case(Domain::IPV6, "::1\0")]
fn bad_address_text_is_invalid_input(#[case] family: Domain, #[case] text: &str) {
    let err = expect_err(inet_pton(family, text), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, &format!("{text:?}"));
}

#[test]
fn inet_pton_refuses_other_families() {
    let err = expect_err(inet_pton(Domain::UNIX, "/x"), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, "AF_UNIX");
}

#[test]
fn resolve_keeps_the_port_for_both_families() {
    let v6 = resolve("::1", 65535).unwrap();
    assert_eq!(v6, vec![SocketAddr::from((Ipv6Addr::LOCALHOST, 65535))]);
    let err = expect_err(resolve("bad\0host", 1), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, "bad\\0host");
}
