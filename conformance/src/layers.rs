//! The one place that knows the layers: a table entry per layer saying
//! which package ships its example programs, how they are named, which
//! server settings they honour and which clients they ship. Adding a layer
//! is adding an entry to [`LAYERS`]; the scripts and the runner do not
//! change. The tcp-server layers will be, once their examples exist:
//!
//! ```text
//! Layer { name: "threaded", package: "tcp-server", prefix: "threaded",
//!         settings: &["read-timeout", "max-connections", "max-requests"], clients: &[] },
//! Layer { name: "async", package: "tcp-server-async", prefix: "async",
//!         settings: &["read-timeout", "max-connections", "max-requests"], clients: CLIENTS },
//! ```

/// A layer whose example programs the suite tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    /// Its name on the command line and in reports (`raw`).
    pub name: &'static str,
    /// The cargo package that ships its examples (`netprim`).
    pub package: &'static str,
    /// The examples' prefix: program `echo-server` is example
    /// `PREFIX-echo-server`.
    pub prefix: &'static str,
    /// The server settings its servers honour, given as `--NAME VALUE`
    /// (every server takes `--host` and `--port`).
    pub settings: &'static [&'static str],
    /// The client programs it ships (empty: it has no clients).
    pub clients: &'static [&'static str],
}

impl Layer {
    /// The example name of `program` (`raw-echo-server`).
    pub fn example(&self, program: &str) -> String {
        format!("{}-{program}", self.prefix)
    }

    /// Whether its servers honour setting `name`.
    pub fn honours(&self, name: &str) -> bool {
        self.settings.contains(&name)
    }

    /// Whether it ships client program `program`.
    pub fn has_client(&self, program: &str) -> bool {
        self.clients.contains(&program)
    }
}

/// The clients the scenarios ask of every layer that can connect.
const CLIENTS: &[&str] = &["daytime-client", "hello-client", "chat-client"];

/// The layers that exist, lowest first.
pub const LAYERS: &[Layer] = &[
    Layer {
        name: "raw",
        package: "netprim",
        prefix: "raw",
        settings: &["read-timeout", "max-connections"],
        clients: CLIENTS,
    },
    Layer {
        name: "ports",
        package: "tcp-ports",
        prefix: "ports",
        settings: &["read-timeout", "max-connections"],
        clients: CLIENTS,
    },
];

/// Layers the project plans, with the package that will ship them, so that
/// asking for one before its entry is in [`LAYERS`] says so. Once it is, this
/// line is ignored.
pub const PLANNED: &[(&str, &str)] = &[("threaded", "tcp-server"), ("async", "tcp-server-async")];

/// The layer called `name`.
///
/// # Errors
///
/// A message naming the known layers when there is none, or saying that it
/// is planned but not there yet.
pub fn find(name: &str) -> Result<&'static Layer, String> {
    if let Some(l) = LAYERS.iter().find(|l| l.name == name) {
        return Ok(l);
    }
    let known = LAYERS.iter().map(|l| l.name).collect::<Vec<_>>().join(", ");
    match PLANNED.iter().find(|(n, _)| *n == name) {
        Some((_, package)) => Err(format!(
            "layer `{name}` ({package}) does not exist yet: it has no adapter in \
             conformance/src/layers.rs; layers: {known}"
        )),
        None => Err(format!("unknown layer `{name}`; layers: {known}")),
    }
}
