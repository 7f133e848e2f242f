//! `pos-host plugin check`: everything a plugin developer wants to know about a component
//! before handing it to an integrator.

use super::PolicyArgs;
use futures_util::future::BoxFuture;
use pos_host::runtime::{Compiled, ImportReport, LoadedPlugin, PluginSpec, SlotKind, expected_export};
use pos_host::slots::{KindVisitor, with_kind};
use pos_host::{Capability, SlotId};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub async fn run(file: &Path, slot: SlotId, grants: Vec<Capability>, args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let (policy, spec) = args.plugin_spec(file, slot, grants).await?;
    let cache_dir = args.cache_dir(policy.as_ref());
    struct Check(PluginSpec, Option<PathBuf>);
    impl KindVisitor for Check {
        type Output = BoxFuture<'static, anyhow::Result<ExitCode>>;
        fn visit<K: SlotKind>(self) -> Self::Output {
            Box::pin(async move { check::<K>(&self.0, self.1).await })
        }
    }
    with_kind(slot, Check(spec, cache_dir)).await
}

/// Loads the plugin through the cache a host with this policy uses, so that the host finds it
/// compiled, then once more from that cache. A component the cache held already is compiled
/// cold once more, in a cache of its own, for the cold figure.
async fn check<K: SlotKind>(spec: &PluginSpec, cache_dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let runtime = super::runtime(cache_dir.clone())?;
    let first: LoadedPlugin<K> = match runtime.load(spec).await {
        Ok(plugin) => plugin,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let cold = match first.info.compiled {
        Compiled::Fresh => first,
        Compiled::Cached => {
            let own = tempfile::tempdir()?;
            super::runtime(Some(own.path().to_owned()))?.load::<K>(spec).await?
        }
    };
    let cached: LoadedPlugin<K> = runtime.load(spec).await?;
    let info = &cold.info;
    println!("plugin   {}", info.path.display());
    println!("slot     {}", K::ID);
    let version = info.version;
    println!("world    pos:plugin/{}@{} (exports {})", K::ID, version.number(), expected_export(K::ID, version));
    println!("size     {} bytes", info.size);
    println!("sha256   {}", info.sha256);
    println!("exports  {}", info.exports.join(", "));
    for (i, import) in info.imports.iter().enumerate() {
        println!("{}{:<40} {}", if i == 0 { "imports  " } else { "         " }, import.name, grant_note(import));
    }
    println!("grants   {}", if spec.grants.is_empty() { "(none)".to_owned() } else { names(&spec.grants) });
    match cached.info.compiled {
        Compiled::Cached => {
            println!("compile  cold {:.1} ms, cached {:.1} ms", ms(info.compile_time), ms(cached.info.compile_time))
        }
        Compiled::Fresh => {
            println!("compile  cold {:.1} ms, cached: the cache could not be written", ms(info.compile_time))
        }
    }
    match (&cache_dir, cached.info.compiled) {
        (Some(dir), Compiled::Cached) => {
            println!("cache    {} (a host with this policy starts with it compiled)", dir.display())
        }
        _ => println!("cache    none: a host compiles it when it loads it"),
    }
    println!("config   accepted ({} entries)", spec.config.entries().len());
    Ok(ExitCode::SUCCESS)
}

fn grant_note(import: &ImportReport) -> String {
    match import.capability {
        Some(capability) => format!("granted: {capability}"),
        None if import.name.starts_with("wasi:") => "deny-all WASI".to_owned(),
        None if !import.functions => "types only".to_owned(),
        None => "always granted".to_owned(),
    }
}

fn names(grants: &[Capability]) -> String {
    grants.iter().map(|g| g.name()).collect::<Vec<_>>().join(", ")
}

fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
