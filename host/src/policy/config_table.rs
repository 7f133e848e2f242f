//! A slot's `config` table, flattened into the dotted entries plugins receive, each with its
//! place in the policy file so that a plugin's complaint can point at the line.

use super::Location;
use super::checker::Checker;
use crate::bindings::{ConfigEntry, ConfigValue};
use crate::slots::SlotId;

/// A slot's configuration as plugins see it.
#[derive(Clone, Debug, Default)]
pub struct PluginConfig {
    entries: Vec<ConfigEntry>,
    locations: Vec<Location>,
    /// Where the table itself is, for problems with no key.
    table: Option<Location>,
    slot: Option<SlotId>,
}

impl PluginConfig {
    /// Flattens `table`, the config of `slot`; values that cannot be passed to a plugin are
    /// the checker's problems.
    pub(super) fn from_table(checker: &mut Checker<'_>, slot: SlotId, table: &toml::Table) -> PluginConfig {
        let mut config = PluginConfig {
            table: Some(checker.locate(&["slots", slot.name(), "config"])),
            slot: Some(slot),
            ..PluginConfig::default()
        };
        let mut pending: Vec<(String, &toml::Value)> = table.iter().rev().map(|(k, v)| (k.clone(), v)).collect();
        while let Some((key, value)) = pending.pop() {
            let keys: Vec<&str> = ["slots", slot.name(), "config"].into_iter().chain(key.split('.')).collect();
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
            config.entries.push(ConfigEntry { key, value });
            config.locations.push(location);
        }
        config
    }

    /// A config from elsewhere than a policy, such as a plugin test's cases file: `locations`
    /// (one per entry) and `table` are where the plugin's complaints point.
    pub fn from_entries(entries: Vec<ConfigEntry>, locations: Vec<Location>, table: Option<Location>) -> PluginConfig {
        PluginConfig { entries, locations, table, slot: None }
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.entries.iter().find(|entry| entry.key == key).map(|entry| &entry.value)
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> Vec<ConfigEntry> {
        self.entries.clone()
    }

    /// A plugin's complaint about `key`, prefixed with where that key is.
    pub fn describe_error(&self, key: &str, message: &str) -> String {
        let location = self
            .entries
            .iter()
            .position(|entry| entry.key == key)
            .and_then(|i| self.locations.get(i))
            .or(self.table.as_ref());
        let dotted = match (self.slot, key.is_empty()) {
            (Some(slot), false) => format!("slots.{}.config.{key}: ", slot.name()),
            (Some(slot), true) => format!("slots.{}.config: ", slot.name()),
            (None, false) => format!("{key}: "),
            (None, true) => String::new(),
        };
        match location {
            Some(location) => format!("{location}: {dotted}{message}"),
            None => format!("{dotted}{message}"),
        }
    }
}

/// The built-in fallbacks read the config as the shipped plugins do.
impl pos_seed_rules::config::Table for PluginConfig {
    fn value(&self, key: &str) -> Option<pos_seed_rules::config::Value<'_>> {
        use pos_seed_rules::config::Value;
        Some(match self.get(key)? {
            ConfigValue::Boolean(b) => Value::Boolean(*b),
            ConfigValue::Integer(i) => Value::Integer(*i),
            ConfigValue::Float(x) => Value::Float(*x),
            ConfigValue::Text(s) => Value::Text(s),
            ConfigValue::TextList(items) => Value::TextList(items),
        })
    }

    fn keys(&self) -> Vec<&str> {
        self.entries.iter().map(|entry| entry.key.as_str()).collect()
    }
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
