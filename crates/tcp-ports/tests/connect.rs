//! Connecting: every address form over IPv4 and IPv6, service names, what
//! failures say, and bad input.

mod util;

use std::io::{self, BufRead, Write};
use std::net::SocketAddr;

use rstest::rstest;
use tcp_ports::{IntoTarget, Target};
use util::{Family, patient};

/// The forms a target can take.
#[derive(Debug, Clone, Copy)]
enum Form {
    HostColonPort,
    HostAndPort,
    SocketAddress,
    ParsedTarget,
}

fn target(form: Form, family: Family, port: u16) -> Box<dyn FnOnce() -> io::Result<Target>> {
    match form {
        Form::HostColonPort => Box::new(move || family.host_port(port).into_target()),
        Form::HostAndPort => Box::new(move || (family.host(), port).into_target()),
        Form::SocketAddress => Box::new(move || SocketAddr::new(family.ip(), port).into_target()),
        Form::ParsedTarget => Box::new(move || family.host_port(port).parse::<Target>()),
    }
}

#[rstest]
fn every_form_connects(
    #[values(Family::V4, Family::V6)] family: Family,
    #[values(
        Form::HostColonPort,
        Form::HostAndPort,
        Form::SocketAddress,
        Form::ParsedTarget
    )]
    form: Form,
) {
    let l = util::listener(family);
    let t = target(form, family, l.port())().unwrap();
    let (mut i, mut o) = tcp_ports::connect(t).unwrap();
    let (mut si, mut so) = l.accept_with(&patient()).unwrap();
    writeln!(o, "Good Bye!").unwrap();
    writeln!(so, "Hello!").unwrap();
    let mut line = String::new();
    si.read_line(&mut line).unwrap();
    assert_eq!(line, "Good Bye!\n");
    line.clear();
    i.read_line(&mut line).unwrap();
    assert_eq!(line, "Hello!\n");
    assert_eq!(i.peer_addr(), l.local_addr());
}

#[rstest]
fn a_refused_connect_names_host_port_and_cause(
    #[values(Family::V4, Family::V6)] family: Family,
    #[values(Form::HostColonPort, Form::HostAndPort, Form::SocketAddress)] form: Form,
) {
    let closed = test_support::closed_address(family).unwrap();
    let port = closed.socket_addr().unwrap().port();
    let err = tcp_ports::connect(target(form, family, port)().unwrap()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
    assert!(tcp_ports::is_network_error(&err));
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("connect to {}", family.host_port(port))),
        "{text}"
    );
    assert!(
        text.contains(&io::Error::from_raw_os_error(111).to_string()),
        "{text}"
    );
}

#[test]
fn a_host_name_lists_the_addresses_tried() {
    let closed = test_support::closed_address(Family::V4).unwrap();
    let port = closed.socket_addr().unwrap().port();
    let err = tcp_ports::connect(format!("localhost:{port}")).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("connect to localhost:{port} (tried ")),
        "{text}"
    );
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
}

#[test]
fn a_name_with_several_addresses_falls_through_to_one_that_listens() {
    // `localhost` may resolve to ::1 before 127.0.0.1; only IPv4 listens.
    let l = util::listener(Family::V4);
    let (i, _o) = tcp_ports::connect(format!("localhost:{}", l.port())).unwrap();
    assert_eq!(i.peer_addr(), l.local_addr());
}

#[test]
fn service_names_are_ports() {
    let t: Target = "localhost:http".parse().unwrap();
    assert_eq!((t.host(), t.port()), ("localhost", 80));
    let t: Target = "[::1]:ssh".parse().unwrap();
    assert_eq!((t.host(), t.port()), ("::1", 22));
    // Whatever answers on port 80 here, the attempt went to port 80.
    if let Err(err) = tcp_ports::connect("127.0.0.1:http") {
        assert!(
            err.to_string().starts_with("connect to 127.0.0.1:80"),
            "{err}"
        );
    }
}

#[rstest]
#[case::no_port("localhost")]
#[case::empty_port("localhost:")]
#[case::empty_host(":4242")]
#[case::port_out_of_range("localhost:65536")]
#[case::port_zero("localhost:0")]
#[case::negative_port("localhost:-5")]
#[case::unknown_service("localhost:no-such-service")]
#[case::unbracketed_ipv6("::1:4242")]
#[case::unclosed_bracket("[::1:4242")]
#[case::nothing_after_bracket("[::1]")]
fn malformed_targets_are_invalid_input_quoting_them(#[case] bad: &str) {
    let err = tcp_ports::connect(bad).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}: {err}");
    assert!(err.to_string().contains(bad), "{err} should quote {bad:?}");
    assert!(!tcp_ports::is_network_error(&err));
}

#[test]
fn bad_host_and_port_pairs_are_invalid_input() {
    for (host, port) in [("", 80), ("localhost", 0), ("a b", 80)] {
        let err = tcp_ports::connect((host, port)).unwrap_err();
        assert_eq!(
            err.kind(),
            io::ErrorKind::InvalidInput,
            "{host:?} {port}: {err}"
        );
    }
    let err = tcp_ports::connect(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[rstest]
fn a_started_connect_is_non_blocking_and_ends_connected(
    #[values(Family::V4, Family::V6)] family: Family,
) {
    let l = util::listener(family);
    let (stream, _) = tcp_ports::start_connect(l.local_addr()).unwrap();
    // Non-blocking: nothing to read is `WouldBlock`, not a wait.
    let mut probe = [0; 1];
    let err = stream.peek(&mut probe).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
    assert!(stream.nodelay().unwrap());
    // A blocking write waits for the connect to end, then goes out.
    stream.set_nonblocking(false).unwrap();
    stream.set_write_timeout(Some(util::PATIENCE)).unwrap();
    (&stream).write_all(b"Hello!\n").unwrap();
    assert!(stream.take_error().unwrap().is_none());
    let (mut si, _so) = l.accept_with(&patient()).unwrap();
    let mut line = String::new();
    si.read_line(&mut line).unwrap();
    assert_eq!(line, "Hello!\n");
}

#[rstest]
fn a_started_connect_to_a_closed_port_is_refused(#[values(Family::V4, Family::V6)] family: Family) {
    let closed = test_support::closed_address(family).unwrap();
    let addr = closed.socket_addr().unwrap();
    // Refused at once, or once the connect ends.
    let err = match tcp_ports::start_connect(addr) {
        Err(e) => e,
        Ok((stream, _)) => {
            stream.set_nonblocking(false).unwrap();
            stream.set_write_timeout(Some(util::PATIENCE)).unwrap();
            (&stream).write_all(b"x").unwrap_err()
        }
    };
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
}
