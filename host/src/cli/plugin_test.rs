//! `pos-host plugin test`: a plugin author's test harness. It loads a component as the host
//! does, runs its hooks on the cases of a file, and compares every answer with what the case
//! expects, showing each difference against its line in the file.

mod calls;
mod cases;
mod compare;
mod fixtures;
mod replay;

use super::PolicyArgs;
use calls::Loaded;
use cases::Case;
use fixtures::Fixtures;
use pos_host::cases::node::Source;
use pos_host::policy::Location;
use pos_host::runtime::{LoadError, LoadProblem, PluginInfo, PluginSpec, Slot, SlotKind};
use pos_host::slots::{NotificationTextsKind, SearchPolicyKind, WebMergeRulesKind};
use pos_host::{Capability, Runtime, SlotId};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// Indents the details under a case.
const INDENT: &str = "      ";

pub async fn run(
    file: &Path,
    slot: SlotId,
    cases_path: &Path,
    grants: Vec<Capability>,
    args: &PolicyArgs,
) -> anyhow::Result<ExitCode> {
    if slot == SlotId::ErpConnector {
        anyhow::bail!(
            "`plugin test` runs a slot's decisions on cases; a connector is tried against its ERP: \
             `pos-host erp check --policy <policy>` connects through it"
        );
    }
    let source = Source::read(cases_path)?;
    let case_file = match cases::read(&source, slot) {
        Ok(case_file) => case_file,
        Err(problems) => {
            for problem in problems {
                eprintln!("error: {problem}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let (policy, mut spec) = args.plugin_spec(file, slot, grants).await?;
    let slot_policy = policy.as_ref().and_then(|policy| policy.slot(slot));
    if let Some(config) = &case_file.config {
        spec.config = Arc::new(config.plugin_config());
    }

    let fixtures = Arc::new(Fixtures::default());
    let runtime = Runtime::new(Fixtures::capabilities(&fixtures), args.cache_dir(policy.as_ref()))?;
    let (base, info) = match load(&runtime, slot, &spec).await {
        Ok(loaded) => loaded,
        Err(error) => {
            let lines = match slot_policy {
                Some(slot_policy) if case_file.config.is_none() => slot_policy.explain(&error),
                _ => vec![error.to_string()],
            };
            for line in lines {
                eprintln!("error: {line}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    println!("plugin  {} ({slot}, {} bytes, sha256 {}…)", info.path.display(), info.size, &info.sha256[..12]);
    println!("cases   {}\n", source.path.display());

    let width = case_file.cases.iter().map(|case| line_of(&case.location).len()).max().unwrap_or(0);
    let mut failed = 0;
    for case in &case_file.cases {
        let details = match &case.config {
            None => run_case(&base, case, &fixtures, &source).await,
            Some(config) => {
                let spec = PluginSpec { config: Arc::new(config.plugin_config()), ..spec.clone() };
                match load(&runtime, slot, &spec).await {
                    Ok((loaded, _)) => run_case(&loaded, case, &fixtures, &source).await,
                    Err(LoadError { problem: LoadProblem::Config(problems), .. }) => {
                        let mut lines = vec!["the plugin refuses the case's config:".to_owned()];
                        lines.extend(problems.iter().map(|problem| format!("  {problem}")));
                        lines
                    }
                    Err(error) => vec![format!("the plugin does not load with the case's config: {}", error.problem)],
                }
            }
        };
        let verdict = if details.is_empty() { "ok" } else { "FAIL" };
        println!("{verdict:<4}  {:<width$}  {}", line_of(&case.location), case.name);
        for line in &details {
            println!("{INDENT}{line}");
        }
        failed += usize::from(!details.is_empty());
    }
    let total = case_file.cases.len();
    println!("\nplugin test: {} of {total} cases passed, {failed} failed", total - failed);
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `file:line`: where a case starts.
fn line_of(location: &Location) -> String {
    match location.line_col {
        Some((line, _)) => format!("{}:{line}", location.path.display()),
        None => location.path.display().to_string(),
    }
}

/// Loads `spec` into a slot of kind `slot`.
async fn load(runtime: &Runtime, slot: SlotId, spec: &PluginSpec) -> Result<(Loaded, PluginInfo), LoadError> {
    async fn load_as<K: SlotKind>(runtime: &Runtime, spec: &PluginSpec) -> Result<(Slot<K>, PluginInfo), LoadError> {
        let plugin = runtime.load::<K>(spec).await?;
        let info = plugin.info.clone();
        Ok((Slot::new(Some(plugin)), info))
    }
    Ok(match slot {
        SlotId::SearchPolicy => {
            let (slot, info) = load_as::<SearchPolicyKind>(runtime, spec).await?;
            (Loaded::Search(slot), info)
        }
        SlotId::NotificationTexts => {
            let (slot, info) = load_as::<NotificationTextsKind>(runtime, spec).await?;
            (Loaded::Texts(slot), info)
        }
        SlotId::WebMergeRules => {
            let (slot, info) = load_as::<WebMergeRulesKind>(runtime, spec).await?;
            (Loaded::Merge(slot), info)
        }
        SlotId::ErpConnector => unreachable!("`run` refuses the erp-connector slot"),
    })
}

/// Runs `case`: nothing when it passed, else the lines that say why.
async fn run_case(loaded: &Loaded, case: &Case, fixtures: &Fixtures, source: &Source) -> Vec<String> {
    fixtures.set(&case.fixture);
    let answer = loaded.call(&case.call, fixtures).await;
    let call = case.call.describe(case.hook);
    let unanswered = fixtures.unanswered();
    if !unanswered.is_empty() {
        let mut lines = vec![call];
        lines.extend(unanswered.iter().map(|asked| format!("asked {asked}, which the recording holds no answer for")));
        return lines;
    }
    let answer = match answer {
        Ok(answer) => answer,
        Err(failure) => return vec![call, failure],
    };
    let Some(expect) = &case.expect else { return Vec::new() };
    let mismatches = compare::compare(expect, &answer);
    if mismatches.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![call];
    let whole = mismatches.iter().any(|mismatch| mismatch.path.is_empty());
    for mismatch in mismatches {
        let what = if mismatch.path.is_empty() { "the answer".to_owned() } else { mismatch.path };
        lines.push(format!("{what} at {}", source.locate(mismatch.span.as_ref())));
        lines.push(format!("  expected  {}", mismatch.expected));
        lines.push(format!("  actual    {}", mismatch.actual));
    }
    if !whole {
        lines.push(format!("the whole answer: {}", answer.toml()));
    }
    lines
}
