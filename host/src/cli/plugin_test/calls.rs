//! The hooks a case can call, their inputs read from the case, and the calls themselves,
//! made through the host's slots so that the host's checks on answers apply as in a till.

use super::fixtures::Fixtures;
use pos_host::bindings::erp::ErpError;
use pos_host::bindings::local_db::DbError;
use pos_host::bindings::merge::{Candidate, Plan};
use pos_host::bindings::search::{
    ErpDecision, ErpSearchOutcome, LocalDecision, LocalSearchOutcome, RetrieveAction, RetrieveDecision,
};
use pos_host::bindings::{ConfigEntry, ConfigError, Customer, Message};
use pos_host::cases::Hook;
use pos_host::cases::node::{self, Node};
use pos_host::cases::wit::{Problem, Shown, Wit, join, names, problem, record_entries};
use pos_host::runtime::{Slot, SlotKind};
use pos_host::slots::{NotificationTextsKind, SearchPolicyKind, WebMergeRulesKind};
use pos_host::{Decided, Source};

/// A hook call with its inputs.
pub enum Call {
    AfterLocalSearch(LocalSearchOutcome),
    AfterErpSearch(pos_host::bindings::SearchQuery, ErpSearchOutcome),
    AfterErpRetrieveFailed(RetrieveAction, ErpError),
    Render(Message, String),
    Candidates(Customer),
    TakeOverLocal(Customer, Customer),
    TakeOverWeb(Customer),
    PushLocal(Customer, Customer),
    ValidateConfig(Vec<ConfigEntry>),
}

impl Call {
    /// Reads the `input` table of a case calling `hook`: every parameter, by its WIT name.
    pub fn read(hook: &Hook, input: &Node) -> Result<Call, Problem> {
        let params: Vec<String> = hook.params.iter().map(|p| p.to_string()).collect();
        let entries = record_entries(input, "input", &format!("the input of {}", hook.name), &params)?;
        let arg = |name: &str| -> Result<&Node, Problem> {
            node::get(entries, name).map(|entry| &entry.node).ok_or_else(|| {
                let takes = names(hook.params);
                problem(input, &join("input", name), format!("missing; {} takes {takes}", hook.name))
            })
        };
        fn read<T: Wit>(node: &Node, name: &str) -> Result<T, Problem> {
            T::read(node, &join("input", name))
        }
        Ok(match hook.name {
            "after-local-search" => Call::AfterLocalSearch(read(arg("outcome")?, "outcome")?),
            "after-erp-search" => {
                Call::AfterErpSearch(read(arg("query")?, "query")?, read(arg("outcome")?, "outcome")?)
            }
            "after-erp-retrieve-failed" => {
                Call::AfterErpRetrieveFailed(read(arg("action")?, "action")?, read(arg("error")?, "error")?)
            }
            "render" => Call::Render(read(arg("message")?, "message")?, read(arg("locale")?, "locale")?),
            "candidates" => Call::Candidates(read(arg("web")?, "web")?),
            "take-over-local" => Call::TakeOverLocal(read(arg("web")?, "web")?, read(arg("local")?, "local")?),
            "take-over-web" => Call::TakeOverWeb(read(arg("web")?, "web")?),
            "push-local" => Call::PushLocal(read(arg("local")?, "local")?, read(arg("web")?, "web")?),
            _ => Call::ValidateConfig(config_entries(arg("config")?, "input.config")?.entries),
        })
    }

    /// Checks that `expect` is something the hook can answer, before anything runs.
    pub fn check_expect(&self, expect: &Node) -> Result<(), Problem> {
        fn check<T: Wit>(expect: &Node) -> Result<(), Problem> {
            T::read(expect, "expect").map(drop)
        }
        match self {
            Call::AfterLocalSearch(_) => check::<LocalDecision>(expect),
            Call::AfterErpSearch(..) => check::<ErpDecision>(expect),
            Call::AfterErpRetrieveFailed(..) => check::<RetrieveDecision>(expect),
            Call::Render(..) => check::<Option<String>>(expect),
            Call::Candidates(_) => check::<Result<Vec<Candidate>, DbError>>(expect),
            Call::TakeOverLocal(..) | Call::TakeOverWeb(_) | Call::PushLocal(..) => check::<Plan>(expect),
            Call::ValidateConfig(_) => check::<Result<(), Vec<ConfigError>>>(expect),
        }
    }

    /// The call as a line: `render(message = { ... }, locale = "en")`.
    pub fn describe(&self, hook: &Hook) -> String {
        let inputs: Vec<Shown> = match self {
            Call::AfterLocalSearch(outcome) => vec![outcome.show()],
            Call::AfterErpSearch(query, outcome) => vec![query.show(), outcome.show()],
            Call::AfterErpRetrieveFailed(action, error) => vec![action.show(), error.show()],
            Call::Render(message, locale) => vec![message.show(), locale.show()],
            Call::Candidates(web) | Call::TakeOverWeb(web) => vec![web.show()],
            Call::TakeOverLocal(a, b) | Call::PushLocal(a, b) => vec![a.show(), b.show()],
            Call::ValidateConfig(entries) => {
                let fields = entries.iter().map(|e| (e.key.clone(), config_value(&e.value))).collect();
                vec![Shown::Record(fields)]
            }
        };
        let args: Vec<String> =
            hook.params.iter().zip(inputs).map(|(name, value)| format!("{name} = {}", value.toml())).collect();
        format!("{}({})", hook.name, args.join(", "))
    }
}

fn config_value(value: &pos_host::bindings::ConfigValue) -> Shown {
    use pos_host::bindings::ConfigValue;
    match value {
        ConfigValue::Boolean(value) => Shown::Bool(*value),
        ConfigValue::Integer(value) => Shown::Integer(i128::from(*value)),
        ConfigValue::Float(value) => Shown::Float(*value),
        ConfigValue::Text(text) => Shown::Text(text.clone()),
        ConfigValue::TextList(items) => Shown::List(items.iter().cloned().map(Shown::Text).collect()),
    }
}

/// A config table as the plugin receives it, and where each value is written.
pub struct FlatConfig {
    pub entries: Vec<ConfigEntry>,
    pub spans: Vec<Option<std::ops::Range<usize>>>,
}

/// A config table flattened as a policy's is: nested tables become dotted keys.
pub fn config_entries(node: &Node, path: &str) -> Result<FlatConfig, Problem> {
    use pos_host::bindings::ConfigValue;
    use pos_host::cases::node::Value;
    let mut entries = Vec::new();
    let mut spans = Vec::new();
    let Some(table) = node.as_table() else {
        return Err(problem(node, path, format!("expected a table of config keys and values, found {}", node.kind())));
    };
    let mut pending: Vec<(String, &Node)> = table.iter().rev().map(|e| (e.key.clone(), &e.node)).collect();
    while let Some((key, node)) = pending.pop() {
        let value = match &node.value {
            Value::Table(inner) => {
                pending.extend(inner.iter().rev().map(|e| (format!("{key}.{}", e.key), &e.node)));
                continue;
            }
            Value::Bool(value) => ConfigValue::Boolean(*value),
            Value::Integer(value) => ConfigValue::Integer(*value),
            Value::Float(value) => ConfigValue::Float(*value),
            Value::Text(text) => ConfigValue::Text(text.clone()),
            Value::Array(items) => match items.iter().map(|item| item.as_text().map(String::from)).collect() {
                Some(texts) => ConfigValue::TextList(texts),
                None => {
                    return Err(problem(node, &join(path, &key), "only arrays of strings can be passed to a plugin"));
                }
            },
            Value::Null => return Err(problem(node, &join(path, &key), "null cannot be passed to a plugin")),
        };
        entries.push(ConfigEntry { key, value });
        spans.push(node.span.clone());
    }
    Ok(FlatConfig { entries, spans })
}

/// A plugin loaded into its slot, ready for calls.
pub enum Loaded {
    Search(Slot<SearchPolicyKind>),
    Texts(Slot<NotificationTextsKind>),
    Merge(Slot<WebMergeRulesKind>),
}

/// What a call answered, or how the plugin failed (the host would then use its fallback).
pub type Answer = Result<Shown, String>;

impl Loaded {
    /// Makes `call`, which [`Call::read`] read for this slot.
    pub async fn call(&self, call: &Call, fixtures: &Fixtures) -> Answer {
        match (self, call) {
            (Loaded::Search(slot), Call::AfterLocalSearch(outcome)) => answer(slot.after_local_search(outcome).await),
            (Loaded::Search(slot), Call::AfterErpSearch(query, outcome)) => {
                answer(slot.after_erp_search(query, outcome).await)
            }
            (Loaded::Search(slot), Call::AfterErpRetrieveFailed(action, error)) => {
                answer(slot.after_erp_retrieve_failed(*action, error).await)
            }
            (Loaded::Texts(slot), Call::Render(message, locale)) => answer(slot.render_raw(message, locale).await),
            (Loaded::Merge(slot), Call::Candidates(web)) => answer(slot.candidates(fixtures, web).await),
            (Loaded::Merge(slot), Call::TakeOverLocal(web, local)) => answer(slot.take_over_local(web, local).await),
            (Loaded::Merge(slot), Call::TakeOverWeb(web)) => answer(slot.take_over_web(web).await),
            (Loaded::Merge(slot), Call::PushLocal(local, web)) => answer(slot.push_local(local, web).await),
            (Loaded::Search(slot), Call::ValidateConfig(entries)) => validate(slot, entries).await,
            (Loaded::Texts(slot), Call::ValidateConfig(entries)) => validate(slot, entries).await,
            (Loaded::Merge(slot), Call::ValidateConfig(entries)) => validate(slot, entries).await,
            _ => Err("this hook is not one of the slot's".into()),
        }
    }
}

fn answer<T: Wit>(decided: Decided<T>) -> Answer {
    match decided.source {
        Source::Plugin(_) => Ok(decided.value.show()),
        Source::Fallback { failure, .. } => {
            Err(format!("the plugin {failure}; the host would answer with its built-in fallback instead"))
        }
        Source::NoPlugin | Source::Compiling(_) => Err("no plugin is loaded".into()),
    }
}

async fn validate<K: SlotKind>(slot: &Slot<K>, entries: &[ConfigEntry]) -> Answer {
    let Some(plugin) = slot.current() else { return Err("no plugin is loaded".into()) };
    let entries = entries.to_vec();
    match plugin.call(|store, bindings| K::validate_config(store, bindings, entries)).await {
        Ok(verdict) => Ok(verdict.show()),
        Err(failure) => Err(format!("the plugin {failure}; the host would refuse to load it")),
    }
}
