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
pub use slot::{Compiling, Decided, Rollback, Slot, SlotStats, Source};

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
