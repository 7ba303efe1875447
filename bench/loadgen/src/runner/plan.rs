//! The loads a bench run applies, in the order of the table.

use std::time::Duration;

use crate::scenario::Scenario;

/// One row of the table: a scenario at one size, closed or open loop.
///
/// Scheme: none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadSpec {
    /// The scenario.
    pub scenario: Scenario,
    /// Connections (chat: clients).
    pub connections: usize,
    /// Bytes per echo request or chat line; 0 for daytime and hello.
    pub payload: usize,
    /// Open loop at this many requests per second; `None`: closed loop.
    pub rate: Option<f64>,
}

impl LoadSpec {
    const fn closed(scenario: Scenario, connections: usize, payload: usize) -> LoadSpec {
        LoadSpec {
            scenario,
            connections,
            payload,
            rate: None,
        }
    }

    /// The row label: `echo 16 B x128`, `chat 64 B x16 open 2000/s`.
    pub fn label(&self) -> String {
        let mut s = self.scenario.name().to_string();
        if self.payload > 0 {
            s += &match self.payload {
                p if p >= 1024 && p % 1024 == 0 => format!(" {} KiB", p / 1024),
                p => format!(" {p} B"),
            };
        }
        s += &format!(" x{}", self.connections);
        if let Some(r) = self.rate {
            s += &format!(" open {r}/s");
        }
        s
    }
}

/// How much a run does.
///
/// Scheme: none.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The loads, in table order.
    pub loads: Vec<LoadSpec>,
    /// How long each load runs per server and repetition.
    pub duration: Duration,
    /// How many times the whole interleaved round is repeated.
    pub reps: usize,
}

impl Plan {
    /// About a minute with the seven servers of a full tree: small
    /// loads, half a second each, three rounds.
    pub fn quick() -> Plan {
        use Scenario::*;
        Plan {
            loads: vec![
                LoadSpec::closed(Daytime, 16, 0),
                LoadSpec::closed(Hello, 16, 0),
                LoadSpec::closed(Echo, 1, 16),
                LoadSpec::closed(Echo, 16, 16),
                LoadSpec::closed(Echo, 128, 16),
                LoadSpec::closed(Chat, 16, 64),
            ],
            duration: Duration::from_millis(500),
            reps: 3,
        }
    }

    /// Every size the issue asks for: echo over 1 to 1,024 connections with
    /// 16 B and 16 KiB, chat fan-out to 16, 64 and 1,024, and an open-loop
    /// echo whose latency cannot hide a stall.
    pub fn full() -> Plan {
        use Scenario::*;
        let mut loads = vec![
            LoadSpec::closed(Daytime, 16, 0),
            LoadSpec::closed(Hello, 16, 0),
        ];
        for payload in [16, 16 * 1024] {
            for c in [1, 16, 128, 1024] {
                loads.push(LoadSpec::closed(Echo, c, payload));
            }
        }
        loads.push(LoadSpec {
            rate: Some(5000.0),
            ..LoadSpec::closed(Echo, 16, 16)
        });
        for c in [16, 64, 1024] {
            loads.push(LoadSpec::closed(Chat, c, 64));
        }
        Plan {
            loads,
            duration: Duration::from_secs(2),
            reps: 5,
        }
    }

    /// Keeps only the loads of `scenarios` (all when empty).
    pub fn only(mut self, scenarios: &[Scenario]) -> Plan {
        if !scenarios.is_empty() {
            self.loads.retain(|l| scenarios.contains(&l.scenario));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_plans() {
        assert_eq!(
            LoadSpec::closed(Scenario::Echo, 128, 16384).label(),
            "echo 16 KiB x128"
        );
        assert_eq!(
            LoadSpec::closed(Scenario::Daytime, 16, 0).label(),
            "daytime x16"
        );
        let full = Plan::full();
        assert!(
            full.loads
                .iter()
                .any(|l| l.connections == 1024 && l.scenario == Scenario::Chat)
        );
        assert!(full.loads.iter().any(|l| l.rate.is_some()));
        let echo = Plan::quick().only(&[Scenario::Echo]);
        assert!(echo.loads.iter().all(|l| l.scenario == Scenario::Echo));
        assert_eq!(echo.loads.len(), 3);
    }
}
