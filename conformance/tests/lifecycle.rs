//! The server lifecycle steps (`signal`, `expect refused`, `expect exit`)
//! against a real process: the fixture hello server (examples/), right,
//! and wrong in each way the `graceful-shutdown` scenario must catch:
//! ignoring SIGTERM, dropping the connection in flight, exiting with a
//! failure, never exiting.

mod util;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use conformance::{
    Case, CaseResult, ClientTarget, Examples, Family, Layer, Outcome, ServerTarget, Target,
    run_case,
};
use rstest::rstest;

use util::{assert_passed, bundled_scenario, failure};

/// The fixture, as a layer that claims to drain gracefully.
static FIXTURE: Layer = Layer {
    name: "fixture",
    package: "conformance",
    prefix: "fixture",
    settings: &[],
    capabilities: &["graceful-shutdown"],
    clients: &[],
};

/// The same fixture as a layer that claims nothing.
static PLAIN: Layer = Layer {
    name: "plain",
    package: "conformance",
    prefix: "fixture",
    settings: &[],
    capabilities: &[],
    clients: &[],
};

fn fixture() -> PathBuf {
    test_support::example_path("fixture-hello-server").expect("build the fixture server")
}

/// Runs `scenario` against the fixture started with `--fault FAULT` (when
/// given): a small script in `dir` that execs it, so that the signal
/// reaches the fixture itself.
fn against_fixture(dir: &Path, scenario: &str, family: Family, fault: Option<&str>) -> CaseResult {
    let wrapper = dir.join("fixture-hello-server");
    let fault = fault.map(|f| format!(" --fault {f}")).unwrap_or_default();
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec '{}'{fault} \"$@\"\n", fixture().display()),
    )
    .expect("write the wrapper");
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
        .expect("make the wrapper executable");
    let mut examples = Examples::default();
    examples.insert("fixture-hello-server", &wrapper);
    let case = Case {
        scenario: bundled_scenario(scenario),
        family,
        target: Target {
            server: ServerTarget::Layer(&FIXTURE),
            client: ClientTarget::Scripted,
        },
    };
    run_case(&case, &examples)
}

/// The line of `needle` in bundled scenario `name`.
fn line_of(name: &str, needle: &str) -> usize {
    let s = bundled_scenario(name);
    s.steps
        .iter()
        .find(|st| st.text == needle)
        .unwrap_or_else(|| panic!("no step {needle:?} in {name}"))
        .line
}

#[rstest]
fn a_server_that_drains_passes(#[values(Family::Ipv4, Family::Ipv6)] family: Family) {
    let dir = tempfile::tempdir().unwrap();
    assert_passed(&against_fixture(
        dir.path(),
        "graceful-shutdown",
        family,
        None,
    ));
}

#[test]
fn a_server_that_ignores_sigterm_is_still_accepting() {
    let dir = tempfile::tempdir().unwrap();
    let r = against_fixture(
        dir.path(),
        "graceful-shutdown",
        Family::Ipv4,
        Some("ignores-sigterm"),
    );
    let f = failure(&r);
    assert_eq!(
        f.line,
        line_of("graceful-shutdown", "server: expect refused within 2s")
    );
    assert_eq!(f.expected, "new connections refused within its timeout");
    assert!(f.actual.contains("connection(s) to 127.0.0.1:"), "{f:?}");
    assert!(f.actual.contains("accepted"), "{f:?}");
}

#[test]
fn a_server_that_drops_the_connection_in_flight_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let f = failure(&against_fixture(
        dir.path(),
        "graceful-shutdown",
        Family::Ipv6,
        Some("drops-in-flight"),
    ));
    assert_eq!(
        f.line,
        line_of("graceful-shutdown", "alice: expect silence 300ms")
    );
    assert_eq!(f.actual, "EOF");
}

#[test]
fn a_server_that_exits_with_a_failure_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let f = failure(&against_fixture(
        dir.path(),
        "graceful-shutdown",
        Family::Ipv4,
        Some("exits-one"),
    ));
    assert_eq!(
        f.line,
        line_of("graceful-shutdown", "server: expect exit 0 within 3s")
    );
    assert_eq!(f.expected, "the server's exit status 0");
    assert_eq!(f.actual, "it exited with exit status: 1");
}

#[test]
fn a_server_that_never_exits_fails_when_the_time_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let r = against_fixture(
        dir.path(),
        "graceful-shutdown",
        Family::Ipv4,
        Some("never-exits"),
    );
    let f = failure(&r);
    assert_eq!(
        f.line,
        line_of("graceful-shutdown", "server: expect exit 0 within 3s")
    );
    assert_eq!(f.expected, "the server's exit status 0 within its timeout");
    assert_eq!(f.actual, "it is still running");
}

#[test]
fn a_layer_without_the_capability_is_unsupported_not_run() {
    let case = Case {
        scenario: bundled_scenario("graceful-shutdown"),
        family: Family::Ipv4,
        target: Target {
            server: ServerTarget::Layer(&PLAIN),
            client: ClientTarget::Scripted,
        },
    };
    // No program is given: an attempt to start one would fail the case.
    match run_case(&case, &Examples::default()).outcome {
        Outcome::Unsupported(why) => assert_eq!(
            why,
            "needs graceful-shutdown, which plain servers do not have"
        ),
        other => panic!("{other:?}"),
    }
}
