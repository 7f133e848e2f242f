//! A slot's `config` table, flattened into the dotted entries plugins receive.

use super::checker::Checker;
use crate::bindings::{ConfigEntry, ConfigValue};
use crate::caps::PluginConfig;

/// Flattens `table`, the config at the key path `base`; values that cannot be passed to a
/// plugin are the checker's problems.
pub(super) fn read(checker: &mut Checker<'_>, base: &[&str], table: &toml::Table) -> PluginConfig {
    let mut entries = Vec::new();
    let mut locations = Vec::new();
    let mut pending: Vec<(String, &toml::Value)> = table.iter().rev().map(|(k, v)| (k.clone(), v)).collect();
    while let Some((key, value)) = pending.pop() {
        let keys: Vec<&str> = base.iter().copied().chain(key.split('.')).collect();
        let location = checker.locate(&keys);
        let value = match value {
            toml::Value::Table(inner) => {
                pending.extend(inner.iter().rev().map(|(k, v)| (format!("{key}.{k}"), v)));
                continue;
            }
            toml::Value::Boolean(b) => ConfigValue::Boolean(*b),
            toml::Value::Integer(i) => ConfigValue::Integer(*i),
            toml::Value::Float(x) => ConfigValue::Float(*x),
            toml::Value::String(s) => ConfigValue::Text(s.clone()),
            toml::Value::Datetime(d) => ConfigValue::Text(d.to_string()),
            toml::Value::Array(items) => {
                let texts: Option<Vec<String>> = items.iter().map(|v| v.as_str().map(String::from)).collect();
                match texts {
                    Some(texts) => ConfigValue::TextList(texts),
                    None => {
                        checker.problem(&keys, "only arrays of strings can be passed to a plugin");
                        continue;
                    }
                }
            }
        };
        entries.push(ConfigEntry { key, value });
        locations.push(location);
    }
    PluginConfig::of_table(base.join("."), entries, locations, checker.locate(base))
}

/// A config value in TOML syntax.
pub(super) fn to_toml(value: &ConfigValue) -> String {
    let toml = match value {
        ConfigValue::Boolean(b) => toml::Value::Boolean(*b),
        ConfigValue::Integer(i) => toml::Value::Integer(*i),
        ConfigValue::Float(x) => toml::Value::Float(*x),
        ConfigValue::Text(s) => toml::Value::String(s.clone()),
        ConfigValue::TextList(items) => toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect()),
    };
    toml.to_string()
}
