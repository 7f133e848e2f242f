//! `pos-host policy check`: the resolved policy, value by value with the file that set it,
//! and every problem at once, the plugins' own included.

use super::PolicyArgs;
use futures_util::future::BoxFuture;
use pos_host::Policy;
use pos_host::policy::SlotPolicy;
use pos_host::runtime::{LoadError, PluginInfo, PluginSpec, Runtime, SlotKind};
use pos_host::slots::{KindVisitor, with_kind};
use std::path::Path;
use std::process::ExitCode;

pub async fn check(file: &Path, args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let Inspected { policy, loaded, problems } = match inspect(file, args).await? {
        Ok(inspected) => inspected,
        Err(errors) => {
            for error in &errors {
                eprintln!("error: {error}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };

    let files: Vec<String> = policy.layers.files.iter().rev().map(|f| f.path.display().to_string()).collect();
    println!("policy {}", files.join("\n  extends "));
    println!();
    let resolved = policy.resolved();
    let width = resolved.iter().map(|r| r.key.len() + r.value.chars().count() + 3).max().unwrap_or(0).min(72);
    for setting in &resolved {
        let assignment = format!("{} = {}", setting.key, setting.value);
        let source = setting.source.as_ref().map_or("(built-in default)".to_owned(), ToString::to_string);
        println!("{assignment:<width$}  {source}");
    }
    if !loaded.is_empty() {
        println!();
    }
    for (key, info) in &loaded {
        let mut uses: Vec<&str> =
            info.imports.iter().filter(|i| i.functions).filter_map(|i| i.capability.map(|c| c.name())).collect();
        uses.dedup();
        println!(
            "{key}: {} loads ({} bytes, sha256 {}…, calls {})",
            info.name,
            info.size,
            &info.sha256[..16],
            if uses.is_empty() { "no capability".to_owned() } else { uses.join(", ") }
        );
    }
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A policy as far as it is usable, the plugins that load, and every problem.
struct Inspected {
    policy: Policy,
    /// Each plugin that loads, by its table (`slots.<name>`, or its `shadow`).
    loaded: Vec<(String, PluginInfo)>,
    problems: Vec<String>,
}

/// Checks the policy `file` and loads its plugins: every problem at once, the plugins' own
/// included; `Err` with the problems when the files cannot be read or parsed at all.
async fn inspect(file: &Path, args: &PolicyArgs) -> anyhow::Result<Result<Inspected, Vec<String>>> {
    let (policy, mut problems): (Policy, Vec<String>) = match Policy::inspect(file) {
        Ok((policy, problems)) => (policy, problems.iter().map(ToString::to_string).collect()),
        Err(errors) => return Ok(Err(errors.0.iter().map(ToString::to_string).collect())),
    };
    let runtime = super::runtime(args.cache_dir(Some(&policy)))?;
    let mut loaded = Vec::new();
    let tables = policy.slots.iter().flat_map(|slot| std::iter::once(slot).chain(slot.shadow.as_deref()));
    for table in tables.filter(|table| table.plugin.is_file()) {
        match load(&runtime, table, &policy).await {
            Ok(info) => loaded.push((table.key.clone(), info)),
            Err(error) => problems.extend(table.explain(&error)),
        }
    }
    Ok(Ok(Inspected { policy, loaded, problems }))
}

/// The error of a policy that does not load, with every problem `policy check` would
/// report (the plugins' complaints about their config too, which loading stops before).
pub async fn every_problem(file: &Path, args: &PolicyArgs, error: anyhow::Error) -> anyhow::Error {
    match inspect(file, args).await {
        Ok(Err(problems)) | Ok(Ok(Inspected { problems, .. })) if !problems.is_empty() => {
            anyhow::anyhow!(problems.join("\n"))
        }
        _ => error,
    }
}

async fn load(runtime: &Runtime, slot: &SlotPolicy, policy: &Policy) -> Result<PluginInfo, LoadError> {
    struct Info<'a>(&'a Runtime, PluginSpec);
    impl<'a> KindVisitor for Info<'a> {
        type Output = BoxFuture<'a, Result<PluginInfo, LoadError>>;
        fn visit<K: SlotKind>(self) -> Self::Output {
            Box::pin(async move { self.0.load::<K>(&self.1).await.map(|plugin| plugin.info.clone()) })
        }
    }
    with_kind(slot.slot, Info(runtime, slot.spec(&policy.path, &policy.host))).await
}
