//! From a selection (layers, external server or client, `--matrix`) and
//! the scenarios to the list of cases to run.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::layers::Layer;
use crate::parse::{ParseError, parse_file};
use crate::script::{Family, Scenario};
use crate::target::{Case, ClientTarget, ServerTarget, Target};

/// The scenarios of a folder, and the scripts that could not be read.
#[derive(Debug, Default)]
pub struct Suite {
    /// The scripts that parsed, by file name.
    pub scenarios: Vec<Arc<Scenario>>,
    /// The ones that did not.
    pub malformed: Vec<ParseError>,
}

impl Suite {
    /// Reads every `*.txt` in `dir`, in name order.
    ///
    /// # Errors
    ///
    /// When the folder cannot be read (a bad script is not an error here:
    /// it goes to [`Suite::malformed`]).
    pub fn load(dir: &Path) -> std::io::Result<Suite> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        // By scenario name, so that `chat` comes before `chat-slow-reader`.
        files.sort_by_key(|p| p.file_stem().map(|s| s.to_os_string()));
        let mut suite = Suite::default();
        for f in files {
            match parse_file(&f) {
                Ok(s) => suite.scenarios.push(Arc::new(s)),
                Err(e) => suite.malformed.push(e),
            }
        }
        Ok(suite)
    }

    /// Keeps only the scenarios (and malformed scripts) named in `names`
    /// (all when empty).
    ///
    /// # Errors
    ///
    /// The first name that is no script's, with the known names.
    pub fn select(&mut self, names: &[String]) -> Result<(), String> {
        if names.is_empty() {
            return Ok(());
        }
        let stem = |e: &ParseError| {
            e.file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        for n in names {
            let known = self.scenarios.iter().any(|s| &s.name == n)
                || self.malformed.iter().any(|e| &stem(e) == n);
            if !known {
                let all: Vec<String> = self
                    .scenarios
                    .iter()
                    .map(|s| s.name.clone())
                    .chain(self.malformed.iter().map(stem))
                    .collect();
                return Err(format!(
                    "unknown scenario `{n}`; scenarios: {}",
                    all.join(", ")
                ));
            }
        }
        self.scenarios.retain(|s| names.contains(&s.name));
        self.malformed.retain(|e| names.contains(&stem(e)));
        Ok(())
    }
}

/// The folder of the bundled scenarios, or `$CONFORMANCE_SCENARIOS`.
pub fn scenarios_dir() -> PathBuf {
    match std::env::var_os("CONFORMANCE_SCENARIOS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
    }
}

/// What to test.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Layers whose programs play servers and clients.
    pub layers: Vec<&'static Layer>,
    /// A running server to play the clients against.
    pub server: Option<SocketAddr>,
    /// A client command to play the server against.
    pub client: Option<String>,
    /// Also every client target against every server target.
    pub matrix: bool,
    /// Only these families (empty: each scenario's own families).
    pub families: Vec<Family>,
}

impl Selection {
    /// The targets, in report order: each server target with the scripted
    /// clients and each client target against the scripted server (a layer's
    /// server then its clients), then with `matrix` every client target
    /// against every server target.
    pub fn targets(&self) -> Vec<Target> {
        let servers: Vec<ServerTarget> = self
            .layers
            .iter()
            .map(|l| ServerTarget::Layer(l))
            .chain(self.server.map(ServerTarget::External))
            .collect();
        let clients: Vec<ClientTarget> = self
            .layers
            .iter()
            .filter(|l| !l.clients.is_empty())
            .map(|l| ClientTarget::Layer(l))
            .chain(self.client.clone().map(ClientTarget::External))
            .collect();
        let mut targets = Vec::new();
        for l in &self.layers {
            targets.push(Target {
                server: ServerTarget::Layer(l),
                client: ClientTarget::Scripted,
            });
            if !l.clients.is_empty() {
                targets.push(Target {
                    server: ServerTarget::Scripted,
                    client: ClientTarget::Layer(l),
                });
            }
        }
        if let Some(addr) = self.server {
            targets.push(Target {
                server: ServerTarget::External(addr),
                client: ClientTarget::Scripted,
            });
        }
        if let Some(cmd) = &self.client {
            targets.push(Target {
                server: ServerTarget::Scripted,
                client: ClientTarget::External(cmd.clone()),
            });
        }
        if self.matrix {
            for s in &servers {
                for c in &clients {
                    targets.push(Target {
                        server: s.clone(),
                        client: c.clone(),
                    });
                }
            }
        }
        targets
    }

    /// Whether any case runs a layer's example program (else nothing is
    /// built: only outside servers and clients are played against).
    pub fn needs_examples(&self) -> bool {
        !self.layers.is_empty()
    }
}

/// Every scenario over each of its families (those of them in `only`, if
/// any) against every target; an external server is tried only over its
/// own family.
pub fn cases(scenarios: &[Arc<Scenario>], targets: &[Target], only: &[Family]) -> Vec<Case> {
    let mut cases = Vec::new();
    for s in scenarios {
        let families = s
            .families
            .iter()
            .filter(|f| only.is_empty() || only.contains(f));
        for &family in families {
            for t in targets {
                if let ServerTarget::External(addr) = &t.server {
                    if Family::of(addr) != family {
                        continue;
                    }
                }
                cases.push(Case {
                    scenario: Arc::clone(s),
                    family,
                    target: t.clone(),
                });
            }
        }
    }
    cases
}
