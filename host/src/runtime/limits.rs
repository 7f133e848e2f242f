//! Per-call limits: CPU (fuel), memory, wall-clock time, and how long a prompt may wait.

use serde::Deserialize;
use std::time::Duration;

/// The limits of every call into one plugin; set per slot in the policy (`limits = {...}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Limits {
    /// CPU budget in fuel units (about one per WebAssembly instruction).
    pub fuel: u64,
    /// The most linear memory the plugin may use, in MiB.
    pub memory_mib: u32,
    /// Wall-clock limit of one call in milliseconds, not counting time spent waiting on the
    /// operator in `ui.confirm`.
    pub timeout_ms: u64,
    /// How long `ui.confirm` waits for the operator before it counts as dismissed.
    pub prompt_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { fuel: 200_000_000, memory_mib: 32, timeout_ms: 1_000, prompt_timeout_ms: 120_000 }
    }
}

impl Limits {
    /// The memory cap in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.memory_mib as usize * 1024 * 1024
    }

    /// The wall-clock limit of one call.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// How long a prompt waits.
    pub fn prompt_timeout(&self) -> Duration {
        Duration::from_millis(self.prompt_timeout_ms)
    }

    /// Refuses limits that would make every call fail or never end.
    pub fn check(&self) -> Result<(), String> {
        let problems: Vec<&str> = [
            (self.fuel < 1_000_000, "`fuel` must be at least 1000000"),
            (!(2..=4096).contains(&self.memory_mib), "`memory-mib` must be between 2 and 4096"),
            (!(1..=60_000).contains(&self.timeout_ms), "`timeout-ms` must be between 1 and 60000"),
            (!(1..=3_600_000).contains(&self.prompt_timeout_ms), "`prompt-timeout-ms` must be between 1 and 3600000"),
        ]
        .into_iter()
        .filter_map(|(bad, problem)| bad.then_some(problem))
        .collect();
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}
