//! Every bundled scenario, with the runner playing both sides: the scripts
//! are consistent (each side's steps are what the other side expects), and
//! the runner's two halves agree.

mod util;

use std::collections::BTreeSet;

use conformance::Family;
use rstest::rstest;

use util::{assert_passed, bundled, bundled_scenario, scripted};

#[rstest]
fn plays_against_itself(
    #[values(
        "abort",
        "chat",
        "chat-slow-reader",
        "daytime",
        "daytime-two-lines",
        "echo",
        "echo-large",
        "graceful-shutdown",
        "half-close",
        "hello",
        "hello-client-first",
        "hello-wrong-greeting",
        "max-requests",
        "read-timeout",
        "stop-on-signal"
    )]
    name: &str,
    #[values(Family::Ipv4, Family::Ipv6)] family: Family,
) {
    assert_passed(&scripted(bundled_scenario(name), family));
}

#[test]
fn every_bundled_scenario_is_played_above_and_parses() {
    let suite = bundled();
    assert!(suite.malformed.is_empty(), "{:?}", suite.malformed);
    let names: BTreeSet<String> = suite.scenarios.iter().map(|s| s.name.clone()).collect();
    let source = include_str!("scripted.rs");
    for n in &names {
        assert!(
            source.contains(&format!("\"{n}\",")) || source.contains(&format!("\"{n}\"\n")),
            "{n} is not in plays_against_itself"
        );
    }
    assert!(names.len() >= 15, "{names:?}");
}
