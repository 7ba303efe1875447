//! The script parser: a good script becomes the steps it says, and every
//! kind of mistake is reported with its file, line and what was expected.

mod util;

use std::path::Path;
use std::time::Duration;

use conformance::payload::Payload;
use conformance::plan::Suite;
use conformance::script::{Action, Actor, ErrorKind, ExitCheck, Expectation, Signal};
use conformance::{Family, parse};
use rstest::rstest;

const GOOD: &str = r#"# A comment, then the header.
origin: a test of every step
participants: server=echo-server alice=chat-client bob
families: ipv6
requires: read-timeout 300ms
requires: max-requests 2
timeout: 2s
deadline: 20s

alice: connect
bob: connect
server: accept alice
server: accept bob   # a trailing comment
alice: send "hi # not a comment\n"
bob: send hex "00ff 10"
bob: send random 4MiB seed 7
server: send alice,bob lines 64KiB seed 3 within 9s
server: expect alice line "hi # not a comment"
server: expect bob bytes hex 00ff10
alice: expect line matching "^[0-9]+$"
alice: expect echo
bob: expect eof
bob: expect closed
bob: expect error reset
bob: expect silence 250ms
alice: expect exit 0
alice: expect exit failure
bob: stop-reading
alice: half-close
server: abort bob
bob: close
"#;

#[test]
fn a_good_script_becomes_its_steps() {
    let s = util::script(GOOD);
    assert_eq!(s.name, "test");
    assert_eq!(s.origin, "a test of every step");
    assert_eq!(s.server_program.as_deref(), Some("echo-server"));
    assert_eq!(s.clients.len(), 2);
    assert_eq!(s.clients[0].program.as_deref(), Some("chat-client"));
    assert_eq!(s.clients[1].program, None);
    assert_eq!(s.families, vec![Family::Ipv6]);
    assert_eq!(s.requires[0].name, "read-timeout");
    assert_eq!(s.requires[0].value, "300");
    assert_eq!(s.requires[1].value, "2");
    assert_eq!(s.timeout, Duration::from_secs(2));
    assert_eq!(s.deadline, Duration::from_secs(20));
    assert_eq!(s.steps.len(), 22);

    let st = &s.steps[4];
    assert_eq!(st.line, 14);
    assert_eq!(st.actor, Actor::Client(0));
    assert!(
        matches!(&st.action, Action::Send(Payload::Literal(b)) if b == b"hi # not a comment\n")
    );
    assert!(
        matches!(&s.steps[5].action, Action::Send(Payload::Literal(b)) if b == &[0, 0xff, 0x10])
    );
    assert!(matches!(
        s.steps[6].action,
        Action::Send(Payload::Random {
            size: 4194304,
            seed: 7
        })
    ));
    let relay = &s.steps[7];
    assert_eq!(relay.actor, Actor::Server);
    assert_eq!(relay.peers, vec![0, 1]);
    assert_eq!(relay.timeout, Duration::from_secs(9));
    assert_eq!(s.steps[8].timeout, Duration::from_secs(2));
    assert!(
        matches!(&s.steps[8].action, Action::Expect(Expectation::Line(l)) if l == "hi # not a comment")
    );
    assert!(matches!(
        s.steps[14].action,
        Action::Expect(Expectation::Error(ErrorKind::Reset))
    ));
    assert!(matches!(
        s.steps[15].action,
        Action::Expect(Expectation::Silence(d)) if d == Duration::from_millis(250)
    ));
    assert!(matches!(
        s.steps[17].action,
        Action::Expect(Expectation::Exit(ExitCheck::Failure))
    ));
    assert_eq!(s.steps[20].peers, vec![1]);
}

#[rstest]
#[case::no_colon(
    "origin: x\nparticipants: server alice\nalice connect\n",
    3,
    "expected `HEADER: VALUE` or `PARTICIPANT: STEP`"
)]
#[case::unknown_participant(
    "origin: x\nparticipants: server alice\ndave: connect\n",
    3,
    "expected a participant (server, alice) or a header"
)]
#[case::step_before_participants(
    "origin: x\nalice: connect\n",
    2,
    "expected the `participants:` header before the first step"
)]
#[case::header_after_steps(
    "origin: x\nparticipants: server alice\nalice: connect\ntimeout: 1s\n",
    4,
    "header `timeout:` after the first step"
)]
#[case::unknown_verb(
    "origin: x\nparticipants: server alice\nalice: conect\n",
    3,
    "expected a step (connect, accept, send, half-close, close, abort, stop-reading, expect, signal), found `conect`"
)]
#[case::bad_duration(
    "origin: x\nparticipants: server alice\ntimeout: fast\nalice: connect\n",
    3,
    "expected a duration like `300ms` or `5s` (more than zero), found `fast`"
)]
#[case::bad_within(
    "origin: x\nparticipants: server alice\nalice: connect within soon\n",
    3,
    "expected a duration like `300ms` or `5s` after `within`"
)]
#[case::unterminated(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: send \"abc\n",
    4,
    "unterminated string"
)]
#[case::bad_payload(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: send abc\n",
    4,
    "expected a payload"
)]
#[case::bad_size(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: send random 4MB seed 1\n",
    4,
    "expected a size like `4MiB`"
)]
#[case::no_seed(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: send random 4MiB\n",
    4,
    "expected `seed N` after `random 4MiB`, found the end of the line"
)]
#[case::odd_hex(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: send hex abc\n",
    4,
    "expected an even number of hex digits"
)]
#[case::send_before_connect(
    "origin: x\nparticipants: server alice\nalice: send \"x\"\n",
    3,
    "`alice` has not connected yet: expected `alice: connect` first"
)]
#[case::accept_before_connect(
    "origin: x\nparticipants: server alice\nserver: accept alice\nalice: connect\n",
    3,
    "the server accepts `alice` before `alice: connect`"
)]
#[case::server_before_accept(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: send alice \"x\"\n",
    4,
    "the server has not accepted `alice` yet"
)]
#[case::after_close(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: close\nalice: send \"x\"\n",
    5,
    "`alice` closed its connection at line 4"
)]
#[case::program_abort(
    "origin: x\nparticipants: server alice=chat-client\nalice: connect\nalice: abort\n",
    4,
    "`alice` may be played by the program chat-client, which cannot `abort`"
)]
#[case::bad_expectation(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: expect nothing\n",
    4,
    "expected an expectation (line, bytes, echo, eof, closed, error, silence, exit, refused), found `nothing`"
)]
#[case::bad_regex(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: expect line matching \"(\"\n",
    4,
    "expected a regular expression"
)]
#[case::silence_within(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: expect silence 1s within 2s\n",
    4,
    "`expect silence` takes its own duration"
)]
#[case::server_exit_on_a_connection(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: accept alice\nserver: expect alice exit 0\n",
    5,
    "`expect exit` is about the server itself, not a connection: write `server: expect exit`"
)]
#[case::refused_on_a_connection(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: accept alice\nserver: expect alice refused\n",
    5,
    "`expect refused` is about the server itself"
)]
#[case::client_refused(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: expect refused\n",
    4,
    "`expect refused` is about the server: write `server: expect refused`"
)]
#[case::bad_signal(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: signal SIGKILL\n",
    4,
    "expected a signal (SIGTERM, SIGINT), found `SIGKILL`"
)]
#[case::no_signal(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: signal\n",
    4,
    "expected a signal (SIGTERM, SIGINT), found the end of the line"
)]
#[case::signal_within(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: signal SIGTERM within 1s\n",
    4,
    "`signal` does not wait, so it takes no `within`"
)]
#[case::client_signal(
    "origin: x\nparticipants: server alice\nalice: connect\nalice: signal SIGTERM\n",
    4,
    "only the server is signalled"
)]
#[case::signal_then_trailing(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: signal SIGTERM alice\n",
    4,
    "expected the end of the line after `signal`, found `alice`"
)]
#[case::accept_after_signal(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: signal SIGTERM\nserver: accept alice\n",
    5,
    "the server accepts after it was signalled at line 4"
)]
#[case::connect_after_signal(
    "origin: x\nparticipants: server alice bob\nalice: connect\nserver: signal SIGINT\nbob: connect\n",
    5,
    "`bob` connects after the server was signalled at line 4; to check that new connections are refused, say `server: expect refused`"
)]
#[case::server_step_after_exit(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: accept alice\nserver: expect exit 0\nserver: close alice\n",
    6,
    "the server exited at line 5; no server step can follow"
)]
#[case::bad_server_exit_status(
    "origin: x\nparticipants: server alice\nalice: connect\nserver: expect exit clean\n",
    4,
    "expected an exit status (a number, or `failure`), found `clean`"
)]
#[case::client_named_like_a_server_expectation(
    "origin: x\nparticipants: server refused\n",
    2,
    "expected a client name like `alice` (letters, digits, `-`; not a header name, `refused` or `exit`), found `refused`"
)]
#[case::unknown_capability(
    "origin: x\nrequires: graceful\n",
    2,
    "expected a value for setting `graceful` (a number or a duration), or a capability (graceful-shutdown)"
)]
#[case::capability_twice(
    "origin: x\nrequires: graceful-shutdown\nrequires: graceful-shutdown\n",
    3,
    "capability `graceful-shutdown` required twice"
)]
#[case::trailing(
    "origin: x\nparticipants: server alice\nalice: connect now\n",
    3,
    "expected the end of the line after `connect`, found `now`"
)]
#[case::bad_family(
    "origin: x\nfamilies: ipv5\n",
    2,
    "expected `ipv4` or `ipv6`, found `ipv5`"
)]
#[case::bad_setting(
    "origin: x\nrequires: max-requests lots\n",
    2,
    "expected a number or a duration like `500ms` for `max-requests`, found `lots`"
)]
#[case::no_server(
    "origin: x\nparticipants: alice\n",
    2,
    "expected `server[=PROGRAM]` and at least one client"
)]
#[case::twice("origin: x\norigin: y\n", 2, "header `origin:` given twice")]
#[case::no_origin(
    "participants: server alice\nalice: connect\n",
    2,
    "expected an `origin:` header"
)]
#[case::never_connects(
    "origin: x\nparticipants: server alice bob\nalice: connect\n",
    3,
    "client `bob` never connects"
)]
#[case::no_steps(
    "origin: x\nparticipants: server alice\n",
    2,
    "expected at least one step"
)]
#[case::nested_repeat(
    "origin: x\nparticipants: server alice\nalice: connect\nrepeat 2:\nrepeat 3:\n",
    5,
    "expected `end` for the `repeat` of line 4 first: blocks do not nest"
)]
#[case::bad_repeat(
    "origin: x\nparticipants: server alice\nalice: connect\nrepeat 0:\nend\n",
    4,
    "expected `repeat N:` with N from 1 to 1000"
)]
#[case::end_alone(
    "origin: x\nparticipants: server alice\nalice: connect\nend\n",
    4,
    "`end` without a `repeat N:` before it"
)]
#[case::open_repeat(
    "origin: x\nparticipants: server alice\nalice: connect\nrepeat 2:\nalice: send \"x\"\n",
    5,
    "expected `end` for the `repeat` of line 4, found the end of the file"
)]
#[case::error_inside_repeat(
    "origin: x\nparticipants: server alice\nalice: connect\nrepeat 2:\n  alice: sned \"x\"\nend\n",
    5,
    "found `sned`"
)]
#[case::multi_accept(
    "origin: x\nparticipants: server alice bob\nalice: connect\nbob: connect\nserver: accept alice,bob\n",
    5,
    "the server's `accept` acts on one client at a time"
)]
fn a_bad_script_is_reported_with_file_line_and_what_was_expected(
    #[case] text: &str,
    #[case] line: usize,
    #[case] message: &str,
) {
    let e = parse("bad", Path::new("scenarios/bad.txt"), text).unwrap_err();
    assert_eq!(e.file, Path::new("scenarios/bad.txt"));
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.contains(message), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("scenarios/bad.txt:{line}: ")),
        "{e}"
    );
}

#[test]
fn server_lifecycle_steps_become_steps_on_the_server_itself() {
    let s = util::script(
        "origin: x\nparticipants: server=hello-server alice\nrequires: graceful-shutdown\n\
         requires: max-requests 2\n\
         alice: connect\nserver: accept alice\nserver: signal SIGTERM\n\
         server: expect refused within 2s\nserver: signal SIGINT\n\
         server: expect alice line \"Good Bye!\"\nserver: close alice\n\
         alice: expect eof\nserver: expect exit 0 within 3s\nalice: expect exit 0\n",
    );
    assert_eq!(s.capabilities, vec!["graceful-shutdown".to_string()]);
    assert_eq!(s.requires.len(), 1);
    assert_eq!(s.requires[0].name, "max-requests");
    assert!(s.watches_the_server());
    let on_server: Vec<(usize, &Action)> = s
        .steps
        .iter()
        .filter(|st| st.actor == Actor::Server && st.peers.is_empty())
        .map(|st| (st.line, &st.action))
        .collect();
    assert_eq!(on_server.len(), 4, "{on_server:?}");
    assert!(matches!(on_server[0], (7, Action::Signal(Signal::Term))));
    assert!(matches!(
        on_server[1],
        (8, Action::Expect(Expectation::Refused))
    ));
    assert!(matches!(on_server[2], (9, Action::Signal(Signal::Int))));
    assert!(matches!(
        on_server[3],
        (13, Action::Expect(Expectation::Exit(ExitCheck::Code(0))))
    ));
    assert_eq!(s.steps[3].timeout, Duration::from_secs(2));
    assert_eq!(s.steps[8].timeout, Duration::from_secs(3));
    // A client's own `expect exit` is still about its program.
    assert_eq!(s.steps[9].actor, Actor::Client(0));
    // A script without them does not watch the server.
    assert!(!util::script(GOOD).watches_the_server());
}

#[test]
fn a_repeat_block_is_written_out_with_its_round_number() {
    let s = util::script(
        "origin: x\nparticipants: server alice\nalice: connect\nrepeat 3:\n  # a comment\n  \
         alice: send lines 1KiB seed {n}\n  alice: expect silence 1ms\nend\nalice: close\n",
    );
    assert_eq!(s.steps.len(), 8);
    let seeds: Vec<u64> = s
        .steps
        .iter()
        .filter_map(|st| match st.action {
            Action::Send(Payload::Lines { seed, .. }) => Some(seed),
            _ => None,
        })
        .collect();
    assert_eq!(seeds, vec![1, 2, 3]);
    // Every round's steps keep the lines they were written on.
    assert_eq!(s.steps[1].line, 6);
    assert_eq!(s.steps[3].line, 6);
    assert_eq!(s.steps[4].line, 7);
    assert_eq!(s.steps[7].line, 9);
}

#[test]
fn a_folder_with_a_bad_script_still_loads_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("good.txt"),
        "origin: x\nparticipants: server alice\nalice: connect\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.txt"),
        "origin: x\nparticipants: server alice\nalice: jump\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "not a script").unwrap();
    let suite = Suite::load(dir.path()).unwrap();
    assert_eq!(suite.scenarios.len(), 1);
    assert_eq!(suite.scenarios[0].name, "good");
    assert_eq!(suite.malformed.len(), 1);
    assert_eq!(suite.malformed[0].file, dir.path().join("bad.txt"));
    assert_eq!(suite.malformed[0].line, 3);
}
