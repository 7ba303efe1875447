//! What plays each side of a case: the runner itself (scripted), a layer's
//! example programs, or an external server or client command. A case is one
//! scenario, over one address family, with one server side and one client
//! side; what a side cannot do makes the case `unsupported`.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::layers::Layer;
use crate::script::{Family, Scenario};

/// What plays the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTarget {
    /// The runner, following the script's server steps.
    Scripted,
    /// The layer's example server (`PREFIX-PROGRAM`), started for the case.
    Layer(&'static Layer),
    /// A server someone else started, at this address.
    External(SocketAddr),
}

/// What plays the clients that a program can play (the runner plays the
/// others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientTarget {
    /// The runner, following the script's client steps.
    Scripted,
    /// The layer's example clients (`PREFIX-PROGRAM --addr H:P`).
    Layer(&'static Layer),
    /// A command line; `{addr}` becomes the server's address and
    /// `{program}` the client program the participant stands for.
    External(String),
}

impl ServerTarget {
    /// Its short name in reports.
    pub fn label(&self) -> String {
        match self {
            ServerTarget::Scripted => "scripted".into(),
            ServerTarget::Layer(l) => l.name.into(),
            ServerTarget::External(a) => a.to_string(),
        }
    }
}

impl ClientTarget {
    /// Its short name in reports.
    pub fn label(&self) -> String {
        match self {
            ClientTarget::Scripted => "scripted".into(),
            ClientTarget::Layer(l) => l.name.into(),
            ClientTarget::External(cmd) => {
                let first = cmd.split_whitespace().next().unwrap_or("");
                let base = first.rsplit('/').next().unwrap_or(first);
                format!("`{base}`")
            }
        }
    }
}

/// One server side against one client side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The server side.
    pub server: ServerTarget,
    /// The client side.
    pub client: ClientTarget,
}

impl Target {
    /// Its name in reports: `raw server`, `raw client`, `ports->raw` (ports'
    /// clients against raw's server).
    pub fn label(&self) -> String {
        match (&self.server, &self.client) {
            (ServerTarget::Scripted, ClientTarget::Scripted) => "scripted".into(),
            (s, ClientTarget::Scripted) => format!("{} server", s.label()),
            (ServerTarget::Scripted, c) => format!("{} client", c.label()),
            (s, c) => format!("{}->{}", c.label(), s.label()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// One scenario over one family against one target.
#[derive(Debug, Clone)]
pub struct Case {
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// The address family.
    pub family: Family,
    /// What plays each side.
    pub target: Target,
}

impl Case {
    /// Why this target cannot play this scenario, if it cannot. Checked
    /// before anything is started.
    pub fn unsupported(&self) -> Option<String> {
        let s = &self.scenario;
        match &self.target.server {
            ServerTarget::Scripted => {}
            ServerTarget::Layer(layer) => {
                if s.server_program.is_none() {
                    return Some(
                        "no server program plays it (participants: server=PROGRAM)".into(),
                    );
                }
                let missing: Vec<String> = s
                    .requires
                    .iter()
                    .filter(|r| !layer.honours(&r.name))
                    .map(|r| r.to_string())
                    .collect();
                if !missing.is_empty() {
                    return Some(format!(
                        "needs {}, which {} servers do not honour",
                        missing.join(", "),
                        layer.name
                    ));
                }
                let lacking: Vec<&str> = s
                    .capabilities
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !layer.has_capability(c))
                    .collect();
                if !lacking.is_empty() {
                    return Some(format!(
                        "needs {}, which {} servers do not have",
                        lacking.join(", "),
                        layer.name
                    ));
                }
            }
            ServerTarget::External(addr) => {
                if s.server_program.is_none() {
                    return Some(
                        "no server program plays it (participants: server=PROGRAM)".into(),
                    );
                }
                if !s.requires.is_empty() {
                    let needs: Vec<String> = s.requires.iter().map(|r| r.to_string()).collect();
                    return Some(format!(
                        "needs server settings ({}) that only a server the runner starts can be given",
                        needs.join(", ")
                    ));
                }
                if !s.capabilities.is_empty() || s.watches_the_server() {
                    return Some(
                        "signals or watches the server's process, which only a server the \
                         runner starts can be"
                            .into(),
                    );
                }
                if Family::of(addr) != self.family {
                    return Some(format!("the server at {addr} is not {}", self.family));
                }
            }
        }
        match &self.target.client {
            ClientTarget::Scripted => None,
            _ if !s.has_program_clients() => {
                Some("no client program can play its clients (they are all scripted)".into())
            }
            ClientTarget::Layer(layer) => {
                let missing: Vec<&str> = s
                    .client_programs()
                    .into_iter()
                    .filter(|p| !layer.has_client(p))
                    .collect();
                (!missing.is_empty()).then(|| {
                    format!(
                        "{} has no client program {}",
                        layer.name,
                        missing.join(", ")
                    )
                })
            }
            ClientTarget::External(_) => None,
        }
    }
}
