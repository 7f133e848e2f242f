//! Per-call limits: CPU (fuel), memory, wall-clock time, and how long a prompt may wait.

use std::ops::RangeInclusive;
use std::time::Duration;

/// The limits of every call into one plugin; set per slot in the policy (`limits = {...}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// What a policy may set each limit to: outside these, every call would fail or never end.
pub mod allowed {
    use super::RangeInclusive;
    pub const FUEL: RangeInclusive<i64> = 1_000_000..=i64::MAX;
    pub const MEMORY_MIB: RangeInclusive<i64> = 2..=4096;
    pub const TIMEOUT_MS: RangeInclusive<i64> = 1..=60_000;
    pub const PROMPT_TIMEOUT_MS: RangeInclusive<i64> = 1..=3_600_000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits { fuel: 200_000_000, memory_mib: 32, timeout_ms: 1_000, prompt_timeout_ms: 120_000 }
    }
}

impl Limits {
    /// The defaults of `slot`. A connector parses and builds whole pages of thousands of
    /// customers and waits on the network, so it gets more of everything than a hook that
    /// decides; the ERP's own time limit (`host.erp.timeout-ms`) bounds each of its requests.
    pub fn for_slot(slot: crate::contract::SlotId) -> Limits {
        match slot {
            crate::contract::SlotId::ErpConnector => {
                Limits { fuel: 20_000_000_000, memory_mib: 256, timeout_ms: 60_000, ..Limits::default() }
            }
            _ => Limits::default(),
        }
    }

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
}
