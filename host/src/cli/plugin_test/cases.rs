//! A cases file: the config and capability data shared by its cases, and the cases, each a
//! hook, its input and the expected answer. Everything is read and checked before any case
//! runs, and every problem is reported at once with its file, line and key path.

use super::calls::{Call, config_entries};
use super::fixtures::{ErpFixture, Fixture, UiFixture};
use pos_host::SlotId;
use pos_host::bindings::{ConfigEntry, Customer};
use pos_host::cases::node::{self, Entry, FileError, Node, Source};
use pos_host::cases::wit::{Problem, Wit, names};
use pos_host::cases::{Hook, find_hook};
use pos_host::policy::{Location, PluginConfig};

const FILE_KEYS: [&str; 5] = ["config", "local-db", "erp", "ui", "case"];
const CASE_KEYS: [&str; 9] = ["name", "hook", "input", "expect", "config", "local-db", "erp", "ui", "calls"];

/// A config table of a cases file.
#[derive(Clone)]
pub struct ConfigTable {
    pub entries: Vec<ConfigEntry>,
    pub locations: Vec<Location>,
    pub table: Location,
}

impl ConfigTable {
    /// The config as the plugin receives it; its complaints name the places in the file.
    pub fn plugin_config(&self) -> PluginConfig {
        PluginConfig::from_entries(self.entries.clone(), self.locations.clone(), Some(self.table.clone()))
    }
}

pub struct CaseFile {
    /// The config every case runs with, unless it has its own.
    pub config: Option<ConfigTable>,
    pub cases: Vec<Case>,
}

pub struct Case {
    pub name: String,
    /// Where the case starts.
    pub location: Location,
    pub hook: &'static Hook,
    pub call: Call,
    pub expect: Option<Node>,
    /// The case's own config, replacing the file's.
    pub config: Option<ConfigTable>,
    pub fixture: Fixture,
}

/// Reads every case of `source` for `slot`.
pub fn read(source: &Source, slot: SlotId) -> Result<CaseFile, Vec<FileError>> {
    let root = source.parse().map_err(|error| vec![error])?;
    let mut problems = Vec::new();
    let mut report = |context: &str, problem: Problem| {
        let at = if problem.path.is_empty() { String::new() } else { format!("{}: ", problem.path) };
        problems.push(FileError {
            location: source.locate(problem.span.as_ref()),
            message: format!("{context}{at}{}", problem.message),
        });
    };
    let entries = match known_keys(&root, "", "a cases file", &FILE_KEYS) {
        Ok(entries) => entries,
        Err(problem) => {
            report("", problem);
            return Err(problems);
        }
    };
    let config = node::get(entries, "config")
        .and_then(|entry| config_table(source, &entry.node, "config").map_err(|problem| report("", problem)).ok());
    let shared = fixture(entries, &Fixture::default()).unwrap_or_else(|problem| {
        report("", problem);
        Fixture::default()
    });
    let mut cases = Vec::new();
    match node::get(entries, "case").map(|entry| &entry.node) {
        None => report("", Problem { span: root.span.clone(), path: String::new(), message: no_cases(slot) }),
        Some(Node { value: node::Value::Array(items), .. }) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                match read_case(source, slot, item, i, &shared) {
                    Ok(case) => cases.push(case),
                    Err((context, problem)) => report(&context, problem),
                }
            }
        }
        Some(Node { value: node::Value::Array(_), span }) => {
            report("", Problem { span: span.clone(), path: "case".into(), message: no_cases(slot) })
        }
        Some(other) => report(
            "",
            Problem {
                span: other.span.clone(),
                path: "case".into(),
                message: format!("expected an array of cases ([[case]] tables), found {}", other.kind()),
            },
        ),
    }
    if problems.is_empty() { Ok(CaseFile { config, cases }) } else { Err(problems) }
}

fn no_cases(slot: SlotId) -> String {
    let hook = pos_host::cases::hooks_of(slot).next().map_or("validate-config", |hook| hook.name);
    format!("no cases; add a [[case]] table with a `name`, a `hook` (such as \"{hook}\"), an `input` and an `expect`")
}

/// The entries of `node`, refusing keys not in `known`.
fn known_keys<'a>(node: &'a Node, path: &str, what: &str, known: &[&str]) -> Result<&'a [Entry], Problem> {
    let entries = node.as_table().ok_or_else(|| Problem {
        span: node.span.clone(),
        path: path.to_owned(),
        message: format!("expected a table ({what}), found {}", node.kind()),
    })?;
    if let Some(entry) = entries.iter().find(|entry| !known.contains(&entry.key.as_str())) {
        return Err(Problem {
            span: entry.key_span.clone().or_else(|| node.span.clone()),
            path: pos_host::cases::wit::join(path, &entry.key),
            message: format!("unknown key `{}` in {what}; expected one of {}", entry.key, names(known)),
        });
    }
    Ok(entries)
}

fn config_table(source: &Source, node: &Node, path: &str) -> Result<ConfigTable, Problem> {
    let flat = config_entries(node, path)?;
    Ok(ConfigTable {
        entries: flat.entries,
        locations: flat.spans.iter().map(|span| source.locate(span.as_ref())).collect(),
        table: source.locate(node.span.as_ref()),
    })
}

/// The capability data of `entries`, each key given replacing the one of `base`.
fn fixture(entries: &[Entry], base: &Fixture) -> Result<Fixture, Problem> {
    let mut fixture = base.clone();
    if let Some(entry) = node::get(entries, "local-db") {
        fixture.local_db = Vec::<Customer>::read(&entry.node, "local-db")?;
    }
    if let Some(entry) = node::get(entries, "erp") {
        fixture.erp = ErpFixture::read(&entry.node, "erp")?;
    }
    if let Some(entry) = node::get(entries, "ui") {
        fixture.ui = UiFixture::read(&entry.node, "ui")?;
    }
    Ok(fixture)
}

/// Reads the `index`th case; a problem comes with the case it is in.
fn read_case(
    source: &Source,
    slot: SlotId,
    node: &Node,
    index: usize,
    shared: &Fixture,
) -> Result<Case, (String, Problem)> {
    let ordinal = format!("case {}: ", index + 1);
    let entries = known_keys(node, "", "a case", &CASE_KEYS).map_err(|problem| (ordinal.clone(), problem))?;
    let required = |key: &str| {
        node::get(entries, key).map(|entry| &entry.node).ok_or_else(|| {
            let message = "missing; a case has a `name`, a `hook` and an `input` (and mostly an `expect`)".into();
            (ordinal.clone(), Problem { span: node.span.clone(), path: key.to_owned(), message })
        })
    };
    let name_node = required("name")?;
    let name = String::read(name_node, "name").map_err(|problem| (ordinal.clone(), problem))?;
    let context = format!("case {name:?}: ");
    let with_context = |problem: Problem| (context.clone(), problem);
    let hook_node = required("hook")?;
    let hook_name = String::read(hook_node, "hook").map_err(with_context)?;
    let hook = find_hook(slot, &hook_name)
        .map_err(|message| with_context(Problem { span: hook_node.span.clone(), path: "hook".into(), message }))?;
    let call = Call::read(hook, required("input")?).map_err(with_context)?;
    let expect = node::get(entries, "expect").map(|entry| entry.node.clone());
    if let Some(expect) = &expect {
        call.check_expect(expect).map_err(with_context)?;
    }
    let config = match node::get(entries, "config") {
        Some(entry) => Some(config_table(source, &entry.node, "config").map_err(with_context)?),
        None => None,
    };
    let mut fixture = fixture(entries, shared).map_err(with_context)?;
    if let Some(entry) = node::get(entries, "calls") {
        fixture.calls = Some(std::sync::Arc::new(super::replay::read(&entry.node, "calls").map_err(with_context)?));
    }
    Ok(Case { name, location: source.locate(node.span.as_ref()), hook, call, expect, config, fixture })
}
