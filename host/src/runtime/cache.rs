//! The on-disk compilation cache: a component compiled once is reused on every later start,
//! keyed by the component's SHA-256 and the engine's compatibility hash, so that a new host
//! version or different compiler settings never load stale machine code.

use sha2::{Digest, Sha256};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The largest cache entry read; compiled JavaScript components take about 45 MB.
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// How a component was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compiled {
    /// Compiled now (and stored in the cache if there is one).
    Fresh,
    /// Loaded from the cache.
    Cached,
}

/// A compiled component with how long it took.
pub struct CompileReport {
    pub component: Component,
    pub compiled: Compiled,
    pub elapsed: Duration,
    /// SHA-256 of the component bytes, hex.
    pub sha256: String,
}

/// A directory of precompiled components; `None` compiles every time.
#[derive(Clone, Debug, Default)]
pub struct CompileCache {
    dir: Option<PathBuf>,
}

impl CompileCache {
    /// A cache in `dir`, created on first use.
    pub fn new(dir: Option<PathBuf>) -> CompileCache {
        CompileCache { dir }
    }

    /// Loads the compiled form of `bytes` from the cache, or compiles and stores it.
    /// A damaged or unreadable cache entry is recompiled, never an error.
    pub fn load_or_compile(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<CompileReport> {
        let started = Instant::now();
        let sha256 = sha256_hex(bytes);
        let entry = self.dir.as_ref().map(|dir| dir.join(format!("{sha256}-{}.cwasm", engine_key(engine))));
        if let Some(entry) = entry.as_ref().filter(|entry| entry.is_file()) {
            match load(engine, entry) {
                Ok(component) => {
                    return Ok(CompileReport {
                        component,
                        compiled: Compiled::Cached,
                        elapsed: started.elapsed(),
                        sha256,
                    });
                }
                Err(error) => {
                    tracing::warn!(entry = %entry.display(), "recompiling a damaged cache entry: {error:#}")
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        let elapsed = started.elapsed();
        if let Some(entry) = entry
            && let Err(error) = store(&component, &entry)
        {
            tracing::warn!(entry = %entry.display(), "cannot write the compilation cache: {error:#}");
        }
        Ok(CompileReport { component, compiled: Compiled::Fresh, elapsed, sha256 })
    }
}

/// Reads an entry into memory rather than mapping it: a file changed in place under a
/// mapping would crash the host (SIGBUS) instead of failing one load.
fn load(engine: &Engine, entry: &Path) -> anyhow::Result<Component> {
    let bytes = crate::files::read(entry, MAX_ENTRY_BYTES)?;
    // SAFETY: entries are written only by `store` below from `Component::serialize` of an
    // engine with this compatibility hash (part of the entry's name), in a directory that
    // belongs to the host; wasmtime checks the header and version of the bytes.
    Ok(unsafe { Component::deserialize(engine, &bytes) }?)
}

/// Writes the entry through a temporary file and a rename, so that a reader never sees a
/// half-written entry.
fn store(component: &Component, entry: &Path) -> anyhow::Result<()> {
    let dir = entry.parent().expect("cache entries live in the cache directory");
    std::fs::create_dir_all(dir)?;
    let temp = tempfile_in(dir)?;
    std::fs::write(&temp, component.serialize()?)?;
    std::fs::rename(&temp, entry).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })?;
    Ok(())
}

fn tempfile_in(dir: &Path) -> std::io::Result<PathBuf> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    Ok(dir.join(format!(".tmp-{}-{nanos}", std::process::id())))
}

fn engine_key(engine: &Engine) -> String {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The SHA-256 of `bytes`, in lowercase hex: how plugins and policy files are identified.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
