//! The four scenarios of `shared` wire behaviour, as loads.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A scenario a server serves (each example server serves one).
///
/// Scheme: none (the scenarios come from the tcp-server egg's daytime,
/// Unit tcp's hello and SCM's chat examples; echo is the load scenario).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// Connect, read one line, see EOF: connections per second.
    Daytime,
    /// Connect, write `Good Bye!\n`, read `Hello!\n`, see EOF.
    Hello,
    /// Persistent connections, each sending a payload and reading it back.
    Echo,
    /// One sender, every client receiving each line: lines delivered per
    /// second and delivery latency.
    Chat,
}

impl Scenario {
    /// Every scenario, in the order tables show them.
    pub const ALL: [Scenario; 4] = [
        Scenario::Daytime,
        Scenario::Hello,
        Scenario::Echo,
        Scenario::Chat,
    ];

    /// The lowercase name, as in example names (`raw-echo-server`).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Daytime => "daytime",
            Scenario::Hello => "hello",
            Scenario::Echo => "echo",
            Scenario::Chat => "chat",
        }
    }

    /// What one counted operation is, for table headings.
    pub fn unit(self) -> &'static str {
        match self {
            Scenario::Daytime | Scenario::Hello => "connections/s",
            Scenario::Echo => "round trips/s",
            Scenario::Chat => "lines delivered/s",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
