//! The runner playing the server against client programs started the way a
//! layer's are (`PREFIX-PROGRAM --addr ADDR`): here small bash clients, a
//! right one and deliberately wrong ones, each wrong one failing at the
//! step that shows its mistake.

mod util;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use conformance::{
    Case, ClientTarget, Examples, Family, Layer, Outcome, Scenario, ServerTarget, Target, run_case,
};
use rstest::rstest;

use util::{bundled_scenario, failure};

static FAKE: Layer = Layer {
    name: "fake",
    package: "none",
    prefix: "fake",
    settings: &[],
    capabilities: &[],
    clients: &["hello-client"],
};

/// Connects to `--addr H:P` on fd 3 (bash's /dev/tcp, brackets removed).
const CONNECT: &str = r#"#!/usr/bin/env bash
a=$2; h=${a%:*}; h=${h#[}; h=${h%]}
exec 3<>"/dev/tcp/$h/${a##*:}" || exit 1
"#;

/// A right hello client: writes first, prints the line, exits 0 iff Hello!.
const RIGHT: &str = r#"printf 'Good Bye!\n' >&3
IFS= read -r l <&3; printf '%s\n' "$l"; [ "$l" = Hello! ]
"#;

/// Waits for the greeting before it says good bye.
const READS_FIRST: &str = r#"IFS= read -r l <&3; printf 'Good Bye!\n' >&3
printf '%s\n' "$l"; [ "$l" = Hello! ]
"#;

/// Exits 0 whatever the greeting.
const LENIENT: &str = r#"printf 'Good Bye!\n' >&3
IFS= read -r l <&3; printf '%s\n' "$l"; exit 0
"#;

fn run_with(client_body: &str, scenario: &str, family: Family) -> conformance::CaseResult {
    run_scenario(client_body, bundled_scenario(scenario), family)
}

fn run_scenario(
    client_body: &str,
    scenario: Arc<Scenario>,
    family: Family,
) -> conformance::CaseResult {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fake-hello-client");
    std::fs::write(&path, format!("{CONNECT}{client_body}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut examples = Examples::default();
    examples.insert("fake-hello-client", &path);
    let case = Case {
        scenario,
        family,
        target: Target {
            server: ServerTarget::Scripted,
            client: ClientTarget::Layer(&FAKE),
        },
    };
    run_case(&case, &examples)
}

fn line_of(name: &str, needle: &str) -> usize {
    let s = bundled_scenario(name);
    s.steps
        .iter()
        .find(|st| st.text == needle)
        .map(|st| st.line)
        .unwrap_or(0)
}

#[rstest]
fn a_right_client_passes(
    #[values("hello", "hello-client-first", "hello-wrong-greeting")] scenario: &str,
    #[values(Family::Ipv4, Family::Ipv6)] family: Family,
) {
    let r = run_with(RIGHT, scenario, family);
    assert_eq!(r.outcome, Outcome::Passed, "{:?}", r.outcome);
}

#[test]
fn a_client_that_waits_for_the_greeting_fails_hello_client_first() {
    // The bundled script with a short timeout, to fail fast.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hello-client-first.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("participants:", "timeout: 300ms\nparticipants:");
    let scenario = conformance::parse("hello-client-first", &path, &text).unwrap();
    let r = run_scenario(READS_FIRST, Arc::new(scenario), Family::Ipv4);
    let f = failure(&r);
    assert_eq!(
        f.line,
        1 + line_of(
            "hello-client-first",
            "server: expect alice line \"Good Bye!\""
        )
    );
    assert_eq!(f.actual, "nothing (timed out)");
    assert!(
        f.notes.iter().any(|n| n.contains("still running")),
        "{:?}",
        f.notes
    );
}

#[test]
fn a_client_that_accepts_any_greeting_fails_hello_wrong_greeting() {
    let f = failure(&run_with(LENIENT, "hello-wrong-greeting", Family::Ipv6));
    assert_eq!(
        f.line,
        line_of("hello-wrong-greeting", "alice: expect exit failure")
    );
    assert_eq!(f.expected, "a non-zero exit status");
    assert!(
        f.actual.starts_with("it exited with exit status: 0"),
        "{}",
        f.actual
    );
}

#[test]
fn a_missing_example_fails_naming_it() {
    let case = Case {
        scenario: bundled_scenario("hello"),
        family: Family::Ipv4,
        target: Target {
            server: ServerTarget::Scripted,
            client: ClientTarget::Layer(&FAKE),
        },
    };
    let f = failure(&run_case(&case, &Examples::default()));
    assert_eq!(f.expected, "example fake-hello-client of none");
    assert_eq!(f.actual, "there is no such example");
}
