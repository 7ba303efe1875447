//! Which servers a bench run compares: every layer's example servers that
//! exist, the baselines, and any outside server given on the command line.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::scenario::Scenario;
use crate::target::Target;

/// A layer crate and the prefix of its example servers
/// (`PREFIX-SCENARIO-server`, as `shared` scenarios fix the names).
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    /// The package.
    pub package: &'static str,
    /// The example name prefix, also the column name in the table.
    pub prefix: &'static str,
}

/// Every layer, bottom up. A layer whose package or example does not exist
/// yet is skipped with a note, and picked up once it lands.
pub const LAYERS: [Layer; 4] = [
    Layer {
        package: "netprim",
        prefix: "raw",
    },
    Layer {
        package: "tcp-ports",
        prefix: "ports",
    },
    Layer {
        package: "tcp-server",
        prefix: "threaded",
    },
    Layer {
        package: "tcp-server-async",
        prefix: "async",
    },
];

/// The baselines: column name and binary (in this package).
pub const BASELINES: [(&str, &str); 3] = [
    ("tokio", "baseline-tokio"),
    ("threads", "baseline-threads"),
    ("mio", "baseline-mio"),
];

impl Layer {
    /// The example that serves `scenario`: `raw-echo-server`.
    pub fn example(&self, scenario: Scenario) -> String {
        format!("{}-{}-server", self.prefix, scenario.name())
    }
}

/// What kind of column a server is.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// One of our layers.
    Layer,
    /// A baseline every layer is divided by.
    Baseline,
    /// A server already running, given with `--server`.
    External,
}

/// How to reach a server for one scenario.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// Start `program` with `args`, then `--host 127.0.0.1 --port 0`, and
    /// read `listening on ADDR`.
    Program {
        /// The executable.
        program: PathBuf,
        /// Arguments before the address ones.
        args: Vec<String>,
    },
    /// Already listening there.
    Running(Target),
}

/// A column of the table: a server and how to start it per scenario.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The column name: `raw`, `ports`, `tokio`, `127.0.0.1:7000`.
    pub name: String,
    /// Layer, baseline or outside server.
    pub role: Role,
    /// The scenarios it serves.
    pub launch: BTreeMap<Scenario, Launch>,
}

/// An outside server from `--server [SCENARIO=]ADDR` (echo by default).
///
/// Scheme: none.
///
/// # Errors
///
/// A message naming the value: an unknown scenario, or an address that
/// [`Target`] refuses.
pub fn parse_external(s: &str) -> Result<Server, String> {
    let (scenario, addr) = match s.split_once('=') {
        Some((name, addr)) => {
            let scenario = Scenario::ALL
                .into_iter()
                .find(|sc| sc.name() == name)
                .ok_or_else(|| {
                    format!(
                        "--server {s:?}: unknown scenario {name:?} (daytime, hello, echo, chat)"
                    )
                })?;
            (scenario, addr)
        }
        None => (Scenario::Echo, s),
    };
    let target = Target::parse(addr).map_err(|e| format!("--server {s:?}: {e}"))?;
    Ok(Server {
        name: target.to_string(),
        role: Role::External,
        launch: BTreeMap::from([(scenario, Launch::Running(target))]),
    })
}

/// The layers' example servers and the baselines found as executables in
/// `bin_dir` (a cargo profile directory such as `target/release`), and a
/// note for each layer example that is not there.
///
/// Scheme: none.
pub fn discover(bin_dir: &Path) -> (Vec<Server>, Vec<String>) {
    let mut servers = Vec::new();
    let mut notes = Vec::new();
    for layer in LAYERS {
        let mut launch = BTreeMap::new();
        let mut missing = Vec::new();
        for scenario in Scenario::ALL {
            let program = bin_dir.join("examples").join(layer.example(scenario));
            match program.is_file() {
                true => {
                    launch.insert(
                        scenario,
                        Launch::Program {
                            program,
                            args: Vec::new(),
                        },
                    );
                }
                false => missing.push(layer.example(scenario)),
            }
        }
        if !missing.is_empty() {
            notes.push(format!(
                "{} ({}): skipped {} (no such example built)",
                layer.prefix,
                layer.package,
                missing.join(", ")
            ));
        }
        if !launch.is_empty() {
            servers.push(Server {
                name: layer.prefix.to_string(),
                role: Role::Layer,
                launch,
            });
        }
    }
    for (name, bin) in BASELINES {
        let program = bin_dir.join(bin);
        if !program.is_file() {
            notes.push(format!("baseline {name}: {} not built", program.display()));
            continue;
        }
        let launch = Scenario::ALL
            .into_iter()
            .map(|s| {
                let args = vec!["--scenario".to_string(), s.name().to_string()];
                (
                    s,
                    Launch::Program {
                        program: program.clone(),
                        args,
                    },
                )
            })
            .collect();
        servers.push(Server {
            name: name.to_string(),
            role: Role::Baseline,
            launch,
        });
    }
    (servers, notes)
}

/// The example servers each layer package has, from `cargo metadata`'s
/// JSON: package name to example names. Packages not in the workspace
/// (a layer not landed yet) are absent.
///
/// Scheme: none.
///
/// # Errors
///
/// `InvalidData` when `json` is not cargo metadata.
pub fn examples_in_metadata(json: &str) -> io::Result<BTreeMap<String, Vec<String>>> {
    let bad =
        |why: &str| io::Error::new(io::ErrorKind::InvalidData, format!("cargo metadata: {why}"));
    let meta: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    let packages = meta["packages"]
        .as_array()
        .ok_or_else(|| bad("no packages"))?;
    let mut found = BTreeMap::new();
    for p in packages {
        let Some(name) = p["name"].as_str() else {
            continue;
        };
        if !LAYERS.iter().any(|l| l.package == name) {
            continue;
        }
        let examples = p["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "example"))
            })
            .filter_map(|t| t["name"].as_str())
            .filter(|n| n.ends_with("-server"))
            .map(str::to_string)
            .collect();
        found.insert(name.to_string(), examples);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_servers_default_to_echo_and_stay_on_loopback() {
        let s = parse_external("127.0.0.1:7000").unwrap();
        assert_eq!(s.name, "127.0.0.1:7000");
        assert!(s.launch.contains_key(&Scenario::Echo));
        let s = parse_external("chat=[::1]:7000").unwrap();
        assert!(s.launch.contains_key(&Scenario::Chat));
        assert!(
            parse_external("ftp=127.0.0.1:7000")
                .unwrap_err()
                .contains("ftp")
        );
        assert!(
            parse_external("192.0.2.1:7000")
                .unwrap_err()
                .contains("loopback")
        );
    }

    #[test]
    fn metadata_lists_only_layer_server_examples() {
        let json = r#"{"packages":[
            {"name":"netprim","targets":[
                {"name":"netprim","kind":["lib"]},
                {"name":"raw-echo-server","kind":["example"]},
                {"name":"raw-hello-client","kind":["example"]}]},
            {"name":"conformance","targets":[{"name":"x-server","kind":["example"]}]}]}"#;
        let found = examples_in_metadata(json).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found["netprim"], ["raw-echo-server"]);
        assert!(examples_in_metadata("[]").is_err());
        assert!(examples_in_metadata("not json").is_err());
    }

    #[test]
    fn discovery_notes_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("examples")).unwrap();
        std::fs::write(dir.path().join("examples/raw-echo-server"), "").unwrap();
        std::fs::write(dir.path().join("baseline-mio"), "").unwrap();
        let (servers, notes) = discover(dir.path());
        let names: Vec<_> = servers.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["raw", "mio"]);
        assert_eq!(servers[0].launch.len(), 1);
        assert_eq!(servers[1].launch.len(), 4);
        assert!(
            notes.iter().any(|n| n.contains("async-echo-server")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.contains("baseline tokio")),
            "{notes:?}"
        );
    }
}
