//! The on-disk compilation cache: a component compiled once is reused on every later start,
//! keyed by the component's SHA-256 and the engine's compatibility hash, so that a new host
//! version or different compiler settings never load stale machine code.
//!
//! Compiled code runs natively in the host, and wasmtime trusts it blindly. So every entry
//! carries a MAC (BLAKE3 in keyed mode), under a key only this installation's user can read,
//! of the component's SHA-256, the engine's hash and the code: an entry copied over
//! another's name, edited, or made on another machine fails the check and is recompiled,
//! never run.

use sha2::{Digest, Sha256};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
#[derive(Clone, Default)]
pub struct CompileCache {
    dir: Option<PathBuf>,
    /// Vouches for the entries this installation wrote.
    key: Arc<[u8; 32]>,
}

impl std::fmt::Debug for CompileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompileCache").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// The length of an entry's MAC, before the compiled code.
const MAC_BYTES: usize = blake3::OUT_LEN;

impl CompileCache {
    /// A cache in `dir`, created on first use, whose entries this installation's cache key
    /// (`cache-key` in the host's state directory, made on first use) vouches for. Without
    /// a usable key file, a key of this process only: entries then serve this run alone.
    pub fn new(dir: Option<PathBuf>) -> CompileCache {
        let key = match crate::secrets::state_dir().map(|state| state.join("cache-key")) {
            Some(path) => crate::secrets::load_or_create(&path).unwrap_or_else(|why| {
                tracing::warn!(
                    "the compilation cache key {}: {why}; compiled plugins serve this run only",
                    path.display()
                );
                crate::secrets::random_hex()
            }),
            None => crate::secrets::random_hex(),
        };
        CompileCache { dir, key: Arc::new(blake3::derive_key("pos-host compilation cache entries", key.as_bytes())) }
    }

    /// The MAC that vouches for `code` as the compiled form of the component `sha256`.
    fn mac(&self, sha256: &str, engine: &str, code: &[u8]) -> blake3::Hash {
        let mut mac = blake3::Hasher::new_keyed(&self.key);
        for part in [sha256.as_bytes(), b"\0", engine.as_bytes(), b"\0", code] {
            mac.update(part);
        }
        mac.finalize()
    }

    /// The entry of component `sha256` for `engine`, when there is a cache.
    fn entry(&self, engine: &Engine, sha256: &str) -> Option<PathBuf> {
        // `.mac`: entries that carry their MAC; older entries, without one, are left alone
        // rather than taken for tampered ones.
        self.dir.as_ref().map(|dir| dir.join(format!("{sha256}-{}.mac.cwasm", engine_key(engine))))
    }

    /// Whether the cache holds an entry for component `sha256`: loading it takes
    /// milliseconds, not a compile (unless the entry turns out damaged).
    pub fn holds(&self, engine: &Engine, sha256: &str) -> bool {
        self.entry(engine, sha256).is_some_and(|entry| entry.is_file())
    }

    /// Loads the compiled form of `bytes`, whose SHA-256 is `sha256`, from the cache, or
    /// compiles and stores it. A damaged, unreadable or foreign cache entry is recompiled,
    /// never an error.
    pub fn load_or_compile(&self, engine: &Engine, bytes: &[u8], sha256: String) -> wasmtime::Result<CompileReport> {
        let started = Instant::now();
        let engine_key = engine_key(engine);
        let entry = self.entry(engine, &sha256);
        if let Some(entry) = entry.as_ref().filter(|entry| entry.is_file()) {
            match self.load(engine, entry, &sha256, &engine_key) {
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
        // Only the compile goes to the background threads: a cache hit must not queue behind
        // another plugin's compile there (seconds for a JavaScript one).
        let component = super::background::run(|| Component::new(engine, bytes))?;
        let elapsed = started.elapsed();
        if let Some(entry) = entry
            && let Err(error) = self.store(&component, &entry, &sha256, &engine_key)
        {
            tracing::warn!(entry = %entry.display(), "cannot write the compilation cache: {error:#}");
        }
        Ok(CompileReport { component, compiled: Compiled::Fresh, elapsed, sha256 })
    }
}

impl CompileCache {
    /// Reads an entry into memory rather than mapping it (a file changed in place under a
    /// mapping would crash the host), and checks that this installation made it for the
    /// component `sha256` before any of it runs.
    fn load(&self, engine: &Engine, entry: &Path, sha256: &str, engine_key: &str) -> anyhow::Result<Component> {
        let bytes = crate::files::read(entry, MAX_ENTRY_BYTES)?;
        anyhow::ensure!(bytes.len() > MAC_BYTES, "the entry is truncated");
        let (tag, code) = bytes.split_at(MAC_BYTES);
        let tag: [u8; MAC_BYTES] = tag.try_into().expect("split at MAC_BYTES");
        // `blake3::Hash` compares in constant time.
        (self.mac(sha256, engine_key, code) == blake3::Hash::from(tag)).then_some(()).ok_or_else(|| {
            anyhow::anyhow!(
                "the entry is not the one this installation compiled from component {sha256} \
                 (copied from another entry or machine, or changed)"
            )
        })?;
        // SAFETY: the MAC above proves that this installation's `store` wrote these bytes,
        // from `Component::serialize` of this very component with an engine of this
        // compatibility hash; wasmtime checks the header and version again.
        Ok(unsafe { Component::deserialize(engine, code) }?)
    }

    /// Writes the entry, its MAC first, through a temporary file and a rename, so that a
    /// reader never sees a half-written entry.
    fn store(&self, component: &Component, entry: &Path, sha256: &str, engine_key: &str) -> anyhow::Result<()> {
        let dir = entry.parent().expect("cache entries live in the cache directory");
        std::fs::create_dir_all(dir)?;
        let code = component.serialize()?;
        let mut bytes = self.mac(sha256, engine_key, &code).as_bytes().to_vec();
        bytes.extend_from_slice(&code);
        let temp = tempfile_in(dir)?;
        std::fs::write(&temp, bytes)?;
        std::fs::rename(&temp, entry).inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })?;
        Ok(())
    }
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
