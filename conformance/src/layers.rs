//! The one place that knows the layers: a table entry per layer saying
//! which package ships its example programs, how they are named, which
//! server settings and capabilities they have and which clients they ship.
//! Adding a layer is adding an entry to [`LAYERS`]; the scripts and the
//! runner do not change.

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
    /// What its servers do that a script can require without a flag
    /// (`requires: graceful-shutdown`; the names are
    /// [`CAPABILITIES`](crate::script::CAPABILITIES)).
    pub capabilities: &'static [&'static str],
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

    /// Whether its servers have capability `name`.
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities.contains(&name)
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
        // Its servers exit at once on SIGINT/SIGTERM: nothing drains.
        capabilities: &[],
        clients: CLIENTS,
    },
    Layer {
        name: "ports",
        package: "tcp-ports",
        prefix: "ports",
        settings: &["read-timeout", "max-connections"],
        // Its servers exit at once on SIGINT/SIGTERM: nothing drains.
        capabilities: &[],
        clients: CLIENTS,
    },
    Layer {
        name: "threaded",
        package: "tcp-server",
        prefix: "threaded",
        settings: &["read-timeout", "max-connections", "max-requests"],
        capabilities: &["graceful-shutdown"],
        clients: &[],
    },
    Layer {
        name: "async",
        package: "tcp-server-async",
        prefix: "async",
        settings: &["read-timeout", "max-connections", "max-requests"],
        capabilities: &["graceful-shutdown"],
        clients: CLIENTS,
    },
];

/// The layer called `name`.
///
/// # Errors
///
/// A message naming the known layers when there is none.
pub fn find(name: &str) -> Result<&'static Layer, String> {
    LAYERS.iter().find(|l| l.name == name).ok_or_else(|| {
        let known = LAYERS.iter().map(|l| l.name).collect::<Vec<_>>().join(", ");
        format!("unknown layer `{name}`; layers: {known}")
    })
}
