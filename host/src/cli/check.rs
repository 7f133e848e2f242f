//! `pos-host plugin check`: everything a plugin developer wants to know about a component
//! before handing it to an integrator.

use super::PolicyArgs;
use pos_host::runtime::{Compiled, ImportReport, LoadedPlugin, PluginSpec, SlotKind, expected_export};
use pos_host::slots::{NotificationTextsKind, SearchPolicyKind, WebMergeRulesKind};
use pos_host::{Capability, SlotId};
use std::path::Path;
use std::process::ExitCode;

pub async fn run(file: &Path, slot: SlotId, grants: Vec<Capability>, args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let (_, spec) = args.plugin_spec(file, slot, grants)?;
    match slot {
        SlotId::SearchPolicy => check::<SearchPolicyKind>(&spec).await,
        SlotId::NotificationTexts => check::<NotificationTextsKind>(&spec).await,
        SlotId::WebMergeRules => check::<WebMergeRulesKind>(&spec).await,
    }
}

/// Loads the plugin twice through a fresh cache: once compiled cold, once from the cache.
async fn check<K: SlotKind>(spec: &PluginSpec) -> anyhow::Result<ExitCode> {
    let cache = tempfile::tempdir()?;
    let runtime = super::runtime(Some(cache.path().to_owned()))?;
    let cold: LoadedPlugin<K> = match runtime.load(spec).await {
        Ok(plugin) => plugin,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let cached: LoadedPlugin<K> = runtime.load(spec).await?;
    assert_eq!(cached.info.compiled, Compiled::Cached, "the second load comes from the cache");
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
