//! The plugin runtime: one engine, a linker with every capability, the compilation cache,
//! loading with all checks, and calls with limits and fallbacks.

mod background;
mod cache;
mod call;
mod egress;
mod engine;
mod error;
mod inspect;
mod integrity;
mod kind;
mod limits;
mod output;
mod plugin;
mod shadow;
mod slot;

pub use cache::{CompileCache, Compiled, sha256_hex};
pub use call::{CallEnv, CallFailure, CallState};
pub use egress::{AllowedHost, Egress, MAX_RESPONSE_BYTES};
pub use error::{LoadError, LoadProblem};
pub use inspect::{ImportReport, check_header, expected_export};
pub use integrity::{Integrity, TrustedKey};
pub use kind::SlotKind;
pub use limits::Limits;
pub use limits::allowed as limits_allowed;
pub use plugin::{LoadedPlugin, PluginInfo, PluginSpec};
pub use shadow::{Shadow, ShadowOutcome, ShadowStatus};
pub use slot::{Compiling, Decided, Rollback, Shows, Slot, SlotStats, Source};

use crate::caps::{self, Capabilities};
use crate::metrics::Metrics;
use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::Engine;
use wasmtime::component::Linker;

/// The shared machinery every plugin runs on.
pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    cache: CompileCache,
    caps: Capabilities,
    metrics: Arc<Metrics>,
    /// Whether the calls of the plugins it loads are counted.
    measured: bool,
}

impl Runtime {
    /// A runtime whose plugins reach `caps`, caching compiled plugins in `cache_dir`.
    pub fn new(caps: Capabilities, cache_dir: Option<PathBuf>) -> anyhow::Result<Runtime> {
        let engine = engine::new_engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        caps::add_to_linker(&mut linker)?;
        Ok(Runtime {
            engine,
            linker,
            cache: CompileCache::new(cache_dir),
            caps,
            metrics: Arc::default(),
            measured: true,
        })
    }

    /// The runtime, its plugins' calls counted in `metrics` (a host's own registry).
    pub fn measured_by(self, metrics: Arc<Metrics>) -> Runtime {
        Runtime { metrics, ..self }
    }

    /// The runtime, its plugins' calls counted in nothing: what a benchmark compares the
    /// counted calls with.
    pub fn unmeasured(self) -> Runtime {
        Runtime { measured: false, ..self }
    }

    /// What its plugins' calls are counted in.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Whether the component `sha256` is compiled already, so that loading it is quick.
    pub fn is_compiled(&self, sha256: &str) -> bool {
        self.cache.holds(&self.engine, sha256)
    }
}

/// `text` cut to at most `max` bytes on a character boundary.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// `2026-12-07T18:50:01Z`.
pub fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60)
}

#[cfg(test)]
mod utc_tests {
    #[test]
    fn utc_writes_the_civil_date() {
        assert_eq!(super::utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(super::utc(1_796_668_201_000), "2026-12-07T18:30:01Z");
    }
}
