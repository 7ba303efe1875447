//! The xtask command line: the tasks the README and CI rely on exist, and a
//! wrong call is a usage error (exit 2), not a silent success.

use assert_cmd::Command;
use predicates::prelude::*;

fn xtask() -> Command {
    Command::cargo_bin("xtask").expect("xtask binary is built for its tests")
}

#[test]
fn help_lists_every_task() {
    xtask().arg("--help").assert().success().stdout(
        predicate::str::contains("ci")
            .and(predicate::str::contains("conformance"))
            .and(predicate::str::contains("actionlint"))
            .and(predicate::str::contains("links"))
            .and(predicate::str::contains("bench"))
            .and(predicate::str::contains("fuzz")),
    );
}

#[test]
fn unknown_task_is_a_usage_error() {
    xtask()
        .arg("deploy")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand 'deploy'"));
}

#[test]
fn missing_task_is_a_usage_error() {
    xtask().assert().code(2);
}
