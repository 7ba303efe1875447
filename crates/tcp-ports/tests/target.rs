//! Properties of `"host:port"` parsing: no input panics, bad input is
//! `InvalidInput`, and addresses survive printing and parsing.

use std::io;
use std::net::{IpAddr, SocketAddr};

use proptest::prelude::*;
use tcp_ports::{IntoTarget, Target};

proptest! {
    #[test]
    fn any_string_parses_or_is_invalid_input(s in "\\PC{0,40}") {
        if let Err(e) = Target::parse(&s) {
            prop_assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{:?}: {}", s, e);
        }
    }

    #[test]
    fn host_colon_digits_is_checked_for_range(host in "[a-z][a-z0-9.-]{0,20}", port in 0u32..200_000) {
        let parsed = Target::parse(&format!("{host}:{port}"));
        match u16::try_from(port) {
            Ok(p) if p > 0 => {
                let t = parsed.unwrap();
                prop_assert_eq!((t.host(), t.port()), (host.as_str(), p));
            }
            _ => prop_assert_eq!(parsed.unwrap_err().kind(), io::ErrorKind::InvalidInput),
        }
    }

    #[test]
    fn addresses_print_and_parse_back(ip in any::<IpAddr>(), port in 1u16..) {
        let addr = SocketAddr::new(ip, port);
        let t = Target::parse(&addr.to_string()).unwrap();
        prop_assert_eq!(t.host(), ip.to_string());
        prop_assert_eq!(t.port(), port);
        prop_assert_eq!(t.to_string(), addr.to_string());
        prop_assert_eq!(addr.into_target().unwrap(), t.clone());
        prop_assert_eq!((ip, port).into_target().unwrap(), t);
    }
}
