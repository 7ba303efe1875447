//! Parsing the examples' command line with one-line usage errors, as
//! the scenarios ask: clap's own message spans several lines
//! (usage, tips), which scripts that read stderr line by line cannot use.

use std::fmt::Display;

use clap::Parser;

/// Parses the process's arguments into `T`. On bad arguments prints one
/// line, `error: … (see --help)`, to stderr and exits with status 2;
/// `--help` prints the help to stdout and exits with status 0.
///
/// Use it instead of `T::parse()` in example programs.
pub fn parse_args<T: Parser>() -> T {
    match T::try_parse() {
        Ok(args) => args,
        // --help and --version: not errors; clap prints them to stdout.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => usage_exit(one_line(&e.render().to_string())),
    }
}

/// Ends the program as for bad arguments: `message` on one line of stderr
/// (followed by `(see --help)` unless it already says so), status 2.
///
/// For values clap cannot check itself, such as an `--addr` that does not
/// parse.
pub fn usage_exit(message: impl Display) -> ! {
    let message = message.to_string();
    if message.contains("--help") {
        eprintln!("{message}");
    } else {
        eprintln!("{message} (see --help)");
    }
    std::process::exit(2)
}

/// clap's first paragraph (`error: …` and its indented details) on one line.
fn one_line(rendered: &str) -> String {
    let first_paragraph = rendered.split("\n\n").next().unwrap_or(rendered);
    first_paragraph
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerArgs;

    fn rendered(args: &[&str]) -> String {
        one_line(
            &ServerArgs::try_parse_from(args)
                .unwrap_err()
                .render()
                .to_string(),
        )
    }

    #[test]
    fn usage_errors_become_one_line_naming_the_argument() {
        let msg = rendered(&["srv", "--port", "70000"]);
        assert!(msg.starts_with("error: "), "{msg}");
        assert!(msg.contains("--port") && msg.contains("70000"), "{msg}");
        let msg = rendered(&["srv", "--bogus"]);
        assert!(msg.contains("--bogus") && !msg.contains("Usage"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn indented_details_join_the_line() {
        let msg = one_line(
            "error: the following required arguments were not provided:\n  --addr <H:P>\n\nUsage: x\n",
        );
        assert_eq!(
            msg,
            "error: the following required arguments were not provided: --addr <H:P>"
        );
    }
}
