//! Every parser that reads what a user or a peer gives, fed arbitrary input
//! and near-misses of valid input. A property fails only by panicking (or
//! by breaking an invariant noted beside it); errors are the expected
//! answer to garbage.
//!
//! The stable toolchain has no cargo-fuzz, so this is proptest: random
//! cases, shrunk to a minimal one on failure. The case count comes from
//! `PROPTEST_CASES` (default 256).

use std::path::Path;

use clap::Parser;
use proptest::prelude::*;

/// Strings that look like what a parser expects, broken in small ways, and
/// plain garbage.
fn near(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
    let edited = (
        prop::sample::select(valid),
        any::<prop::sample::Index>(),
        ".{0,4}",
        0usize..4,
    )
        .prop_map(|(base, at, insert, cut)| {
            let mut s = base.to_string();
            let mut i = at.index(s.len() + 1);
            while !s.is_char_boundary(i) {
                i -= 1;
            }
            s.insert_str(i, &insert);
            let mut end = s.len().saturating_sub(cut);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            s
        });
    prop_oneof![".{0,48}", "[0-9a-f:\\[\\].%]{0,48}", edited]
}

const HOST_PORTS: &[&str] = &[
    "127.0.0.1:4242",
    "[::1]:4242",
    "localhost:80",
    "localhost:http",
    "[fe80::1%2]:80",
    "[::ffff:127.0.0.1]:1",
    "255.255.255.255:65535",
];

proptest! {
    #[test]
    fn tcp_ports_target(s in near(HOST_PORTS), port in any::<u16>()) {
        let _ = tcp_ports::Target::parse(&s);
        let _ = tcp_ports::Target::new(&s, port);
    }

    #[test]
    fn loadgen_target_accepts_only_loopback(s in near(HOST_PORTS)) {
        if let Ok(t) = loadgen::Target::parse(&s) {
            prop_assert!(t.addr().ip().is_loopback());
        }
    }

    #[test]
    fn netprim_addresses(s in near(HOST_PORTS)) {
        let _ = s.parse::<netprim::SockAddr>();
        let _ = netprim::inet_pton(netprim::Domain::IPV4, &s);
        let _ = netprim::inet_pton(netprim::Domain::IPV6, &s);
        let _ = netprim::inet_pton(netprim::Domain::UNIX, &s);
    }

    #[test]
    fn example_server_addresses(s in near(&["127.0.0.1:4242", "[::1]:1", "/tmp/x.sock", "h:0"])) {
        if let Ok(a) = s.parse::<example_support::ServerAddr>() {
            // What it prints parses back to the same address.
            prop_assert_eq!(a.to_string().parse::<example_support::ServerAddr>(), Ok(a));
        }
    }

    // Raw `struct sockaddr` bytes: any length, any family, and the three
    // supported families with arbitrary contents.
    #[test]
    fn sockaddr_bytes(
        family in prop_oneof![any::<u16>(), Just(1u16), Just(2), Just(10)],
        rest in prop::collection::vec(any::<u8>(), 0..140),
        whole in prop::collection::vec(any::<u8>(), 0..3),
    ) {
        let mut bytes = family.to_ne_bytes().to_vec();
        bytes.extend_from_slice(&rest);
        let _ = netprim::SockAddr::from_bytes(&bytes);
        let _ = netprim::SockAddr::from_bytes(&whole);
    }

    #[test]
    fn service_names(
        name in near(&["http", "https", "ftp", "domain", "80"]),
        proto in prop_oneof![Just(None), Just(Some("tcp".to_string())), Just(Some("udp".to_string())), ".{0,6}".prop_map(Some)],
    ) {
        let _ = netprim::service_by_name(&name, proto.as_deref());
        let _ = netprim::protocol_by_name(&name);
    }

    #[test]
    fn socket_option_names(name in near(&["SO_TYPE", "SO_ERROR", "TCP_NODELAY", "SO_LINGER", "IPV6_V6ONLY"])) {
        let s = netprim::Socket::new(netprim::Domain::IPV4, netprim::Type::STREAM, None).unwrap();
        let _ = s.option_by_name(&name);
    }

    #[test]
    fn load_generator_values(d in near(&["500ms", "2s", "1.5", "1m"]), chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..6)) {
        let _ = loadgen::cli::parse_duration(&d);
        let mut splitter = loadgen::LineSplitter::new(16);
        for c in &chunks {
            if splitter.feed(c, |line| assert!(line.len() <= 16 && line.ends_with(b"\n"))).is_err() {
                break;
            }
        }
    }
}

/// Flags and values the examples' and the bench's command lines know, to
/// build near-valid command lines from.
const WORDS: &[&str] = &[
    "--host",
    "--port",
    "--max-connections",
    "--read-timeout",
    "--unix",
    "--addr",
    "--scenario",
    "--help",
    "127.0.0.1",
    "::1",
    "0",
    "65536",
    "-1",
    "4242",
    "echo",
    "chat",
    "/tmp/s",
    "",
    "--",
    "--quick",
    "--server",
    "--reps",
    "--duration",
    "--only",
    "500ms",
    "x",
];

fn command_line() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(WORDS).prop_map(str::to_string),
            ".{0,10}"
        ],
        0..8,
    )
}

proptest! {
    #[test]
    fn example_command_lines(args in command_line()) {
        let argv = || std::iter::once("prog".to_string()).chain(args.iter().cloned());
        if let Ok(a) = example_support::ClientArgs::try_parse_from(argv()) {
            let _ = a.addr.parse::<example_support::ServerAddr>();
        }
        let _ = example_support::ServerArgs::try_parse_from(argv());
        let _ = example_support::UnixServerArgs::try_parse_from(argv());
        let _ = loadgen::baseline::BaselineArgs::try_parse_from(argv());
        let _ = loadgen::runner::RunnerArgs::try_parse_from(argv());
    }
}

/// The scenario scripts of the conformance suite, to mutate.
fn scripts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/scenarios");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    texts.sort();
    assert!(
        !texts.is_empty(),
        "no scenario scripts in {}",
        dir.display()
    );
    texts
}

proptest! {
    #[test]
    fn scenario_language(
        pick in any::<prop::sample::Index>(),
        lines in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, ".{0,24}"), 0..4),
        garbage in ".{0,200}",
    ) {
        let path = Path::new("fuzz.txt");
        let _ = conformance::parse("fuzz", path, &garbage);
        let all = scripts();
        let base = &all[pick.index(all.len())];
        let mut text: Vec<String> = base.lines().map(str::to_string).collect();
        for (at, how, s) in lines {
            let i = at.index(text.len() + 1);
            match how {
                // Insert a random line, replace one, delete one, or cut a
                // line short.
                0 => text.insert(i, s),
                1 if i < text.len() => text[i] = s,
                2 if i < text.len() => { text.remove(i); }
                _ if i < text.len() => {
                    let line = &mut text[i];
                    let mut end = line.len() / 2;
                    while !line.is_char_boundary(end) { end -= 1; }
                    line.truncate(end);
                }
                _ => {}
            }
        }
        let _ = conformance::parse("fuzz", path, &text.join("\n"));
    }
}
