//! The statistics mirrored as `metrics`-crate counters and gauges (feature
//! `metrics`), for a Prometheus or OpenTelemetry exporter installed by the
//! application. Names follow Kestrel's OpenTelemetry ones where there is
//! one.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `tcp_server.connections.accepted` | counter | |
//! | `tcp_server.connections.ended` | counter | `outcome`: served, failed, panicked, rejected, forced |
//! | `tcp_server.connections.active` | gauge | |
//! | `tcp_server.accept_errors` | counter | `class`: per_connection, resource_exhausted, fatal |
//! | `tcp_server.threads` | gauge | `state`: all, idle |

use crate::{AcceptErrorClass, Outcome};

pub(crate) fn connection_accepted() {
    metrics::counter!("tcp_server.connections.accepted").increment(1);
    metrics::gauge!("tcp_server.connections.active").increment(1.0);
}

// Every label value is written out as a literal: with a literal name and
// literal labels the macros build their key at compile time, where a label
// from a variable allocates and hashes a key on every call (some 400
// instructions per connection, measured with callgrind).
macro_rules! labelled_counter {
    ($name:literal, $label:literal, $value:expr, { $($pattern:pat => $text:literal),+ $(,)? }) => {
        match $value {
            $($pattern => metrics::counter!($name, $label => $text).increment(1),)+
        }
    };
}

pub(crate) fn connection_ended(outcome: Outcome) {
    labelled_counter!("tcp_server.connections.ended", "outcome", outcome, {
        Outcome::Served => "served",
        Outcome::Failed => "failed",
        Outcome::Panicked => "panicked",
        Outcome::Rejected => "rejected",
        Outcome::Forced => "forced",
    });
    metrics::gauge!("tcp_server.connections.active").decrement(1.0);
}

pub(crate) fn accept_error(class: AcceptErrorClass) {
    labelled_counter!("tcp_server.accept_errors", "class", class, {
        AcceptErrorClass::PerConnection => "per_connection",
        AcceptErrorClass::ResourceExhausted => "resource_exhausted",
        _ => "fatal",
    });
}

pub(crate) fn threads(all: u64, idle: u64) {
    metrics::gauge!("tcp_server.threads", "state" => "all").set(all as f64);
    metrics::gauge!("tcp_server.threads", "state" => "idle").set(idle as f64);
}
