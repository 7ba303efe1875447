//! Socket addresses: accessors (Guile's `sockaddr:*`), Display, parsing,
//! conversions, and the raw `struct sockaddr` bytes.

mod util;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use netprim::{Domain, SockAddr, UnixAddr};
use proptest::prelude::*;
use rstest::rstest;
use util::expect_err;

#[test]
fn ipv4_accessors() {
    let a: SockAddr = "192.0.2.7:8080".parse().unwrap();
    assert_eq!(a.family(), Domain::IPV4);
    assert_eq!(a.ip(), Some(IpAddr::from([192, 0, 2, 7])));
    assert_eq!(a.port(), Some(8080));
    assert_eq!(a.path(), None);
    assert_eq!(a.flowinfo(), None);
    assert_eq!(a.scope_id(), None);
    assert_eq!(a.abstract_bytes(), None);
    assert!(!a.is_unnamed());
    assert_eq!(a.as_socket(), Some("192.0.2.7:8080".parse().unwrap()));
}

#[test]
fn ipv6_accessors() {
    let a = SockAddr::from(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 443, 0xabcde, 3));
    assert_eq!(a.family(), Domain::IPV6);
    assert_eq!(a.ip(), Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    assert_eq!(a.port(), Some(443));
    assert_eq!(a.flowinfo(), Some(0xabcde));
    assert_eq!(a.scope_id(), Some(3));
    assert_eq!(a.path(), None);
}

#[test]
fn unix_accessors() {
    let a = SockAddr::unix("/run/chat.sock").unwrap();
    assert_eq!(a.family(), Domain::UNIX);
    assert_eq!(a.path(), Some(Path::new("/run/chat.sock")));
    assert_eq!((a.ip(), a.port(), a.as_socket()), (None, None, None));
    let abs = SockAddr::abstract_name("chat").unwrap();
    assert_eq!(abs.family(), Domain::UNIX);
    assert_eq!(abs.abstract_bytes(), Some(&b"chat"[..]));
    assert_eq!(abs.path(), None);
    let unnamed = SockAddr::Unix(UnixAddr::Unnamed);
    assert!(unnamed.is_unnamed());
    assert_eq!(unnamed.family(), Domain::UNIX);
}

#[rstest]
#[case("127.0.0.1:80", "127.0.0.1:80")]
#[case("[::1]:80", "[::1]:80")]
#[case("[fe80::1%2]:80", "[fe80::1%2]:80")]
#[case("/tmp/a.sock", "/tmp/a.sock")]
#[case("./rel.sock", "./rel.sock")]
#[case("@name", "@name")]
fn display_and_from_str_round_trip(#[case] text: &str, #[case] shown: &str) {
    let a: SockAddr = text.parse().unwrap();
    assert_eq!(a.to_string(), shown);
    assert_eq!(shown.parse::<SockAddr>().unwrap(), a);
}

#[test]
fn display_of_unnamed_and_debug() {
    assert_eq!(SockAddr::Unix(UnixAddr::Unnamed).to_string(), "(unnamed)");
    let a: SockAddr = "127.0.0.1:1".parse().unwrap();
    assert_eq!(format!("{a:?}"), "SockAddr(127.0.0.1:1)");
    assert_eq!(
        format!("{:?}", SockAddr::abstract_name("x").unwrap()),
        "SockAddr(Abstract(\"x\"))"
    );
}

#[rstest]
#[case("")]
#[case("127.0.0.1")]
#[case("127.0.0.1:")]
#[case("127.0.0.1:65536")]
#[case("127.0.0.1:-1")]
#[case("::1:80")]
#[case("[::1]")]
#[case("localhost:80")]
#[case("1.2.3.4.5:6")]
#[case("relative.sock")]
#[case("/nul\0inside")]
fn malformed_strings_are_invalid_input(#[case] text: &str) {
    let err = expect_err(text.parse::<SockAddr>(), io::ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains(&format!("{text:?}")) || err.to_string().contains("NUL"),
        "{err}"
    );
}

#[test]
fn too_long_unix_names_are_invalid_input() {
    let long = format!("/{}", "x".repeat(107));
    let err = expect_err(SockAddr::unix(&long), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, "107");
    expect_err(long.parse::<SockAddr>(), io::ErrorKind::InvalidInput);
    expect_err(SockAddr::unix(""), io::ErrorKind::InvalidInput);
    expect_err(
        SockAddr::abstract_name([b'a'; 108]),
        io::ErrorKind::InvalidInput,
    );
    // The longest that fit.
    SockAddr::unix(&long[..107]).unwrap();
    SockAddr::abstract_name([b'a'; 107]).unwrap();
}

#[test]
fn conversions_with_std_types() {
    let v4 = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9);
    let v6 = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0);
    assert_eq!(SockAddr::from(v4), SockAddr::V4(v4));
    assert_eq!(SockAddr::from(v6), SockAddr::V6(v6));
    assert_eq!(SockAddr::from(SocketAddr::V4(v4)), SockAddr::V4(v4));
    assert_eq!(SockAddr::from(([127, 0, 0, 1], 9)), SockAddr::V4(v4));
    assert_eq!(SockAddr::from((Ipv6Addr::LOCALHOST, 9)), SockAddr::V6(v6));
    assert_eq!(
        SocketAddr::try_from(SockAddr::V6(v6)).unwrap(),
        SocketAddr::V6(v6)
    );
    assert_eq!(
        SocketAddr::try_from(&SockAddr::V4(v4)).unwrap(),
        SocketAddr::V4(v4)
    );
    let unix = SockAddr::unix("/tmp/s").unwrap();
    let err = expect_err(SocketAddr::try_from(unix), io::ErrorKind::InvalidInput);
    util::assert_mentions(&err, "/tmp/s");
}

#[rstest]
#[case(&[][..])]
#[case(&[1][..])]
#[case(&[2, 0, 0][..])]
#[case(&[10, 0, 1, 2, 3, 4][..])]
#[case(&[0xff, 0x7f, 1, 2][..])]
fn malformed_bytes_are_invalid_input(#[case] bytes: &[u8]) {
    expect_err(SockAddr::from_bytes(bytes), io::ErrorKind::InvalidInput);
}

#[test]
fn bytes_of_a_real_accepted_address_parse() {
    let dir = util::scratch();
    for family in [util::Family::V4, util::Family::V6, util::Family::Unix] {
        let (client, _server, peer) = util::connected(family, dir.path());
        let bytes = peer.to_bytes();
        assert_eq!(SockAddr::from_bytes(&bytes).unwrap(), peer);
        let local = client.local_addr().unwrap();
        assert_eq!(SockAddr::from_bytes(&local.to_bytes()).unwrap(), local);
    }
}

/// Any address a user can build with the constructors.
fn any_address() -> impl Strategy<Value = SockAddr> {
    let path_byte = any::<u8>().prop_filter("no NUL in a path", |b| *b != 0);
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(ip, port)| SockAddr::from((ip, port))),
        (any::<[u8; 16]>(), any::<u16>(), any::<u32>(), any::<u32>()).prop_map(
            |(ip, port, flow, scope)| {
                SockAddr::from(SocketAddrV6::new(Ipv6Addr::from(ip), port, flow, scope))
            }
        ),
        proptest::collection::vec(path_byte, 1..=107)
            .prop_map(|bytes| { SockAddr::unix(std::ffi::OsStr::from_bytes(&bytes)).unwrap() }),
        proptest::collection::vec(any::<u8>(), 0..=107)
            .prop_map(|name| SockAddr::abstract_name(name).unwrap()),
        Just(SockAddr::Unix(UnixAddr::Unnamed)),
    ]
}

proptest! {
    #[test]
    fn from_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..=200)) {
        let _ = SockAddr::from_bytes(&bytes);
    }

    #[test]
    fn from_bytes_never_panics_on_known_families(
        family in prop_oneof![Just(libc::AF_INET), Just(libc::AF_INET6), Just(libc::AF_UNIX)],
        rest in proptest::collection::vec(any::<u8>(), 0..=200),
    ) {
        // Random bytes rarely start with a known family; these always do.
        let mut bytes = (family as libc::sa_family_t).to_ne_bytes().to_vec();
        bytes.extend_from_slice(&rest);
        if let Ok(a) = SockAddr::from_bytes(&bytes) {
            prop_assert_eq!(a.family(), Domain::from(family));
        }
    }

    #[test]
    fn every_valid_address_round_trips_through_bytes(addr in any_address()) {
        prop_assert_eq!(SockAddr::from_bytes(&addr.to_bytes()).unwrap(), addr);
    }

    #[test]
    fn display_parses_back_for_ip_addresses(addr in any_address()) {
        // Display leaves out the IPv6 flow info; everything else comes back.
        if addr.as_socket().is_some() {
            let parsed: SockAddr = addr.to_string().parse().unwrap();
            prop_assert_eq!(parsed.ip(), addr.ip());
            prop_assert_eq!(parsed.port(), addr.port());
            prop_assert_eq!(parsed.scope_id(), addr.scope_id());
        }
    }
}
