//! A slot's `config` table, flattened into the dotted entries plugins receive, each with its
//! place in the policy file so that a plugin's complaint can point at the line.

use super::{Location, Locator, PolicyError};
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
    /// Flattens `table`, the config of `slot` in the policy `locator` reads.
    pub fn from_table(locator: &Locator<'_>, slot: SlotId, table: &toml::Table) -> Result<PluginConfig, PolicyError> {
        let mut config = PluginConfig {
            table: Some(locator.at(&["slots", slot.name(), "config"])),
            slot: Some(slot),
            ..PluginConfig::default()
        };
        let mut pending: Vec<(String, &toml::Value)> = table.iter().rev().map(|(k, v)| (k.clone(), v)).collect();
        while let Some((key, value)) = pending.pop() {
            let keys: Vec<&str> = ["slots", slot.name(), "config"].into_iter().chain(key.split('.')).collect();
            let location = locator.at(&keys);
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
                            return Err(PolicyError {
                                location,
                                message: format!(
                                    "slots.{}.config.{key}: only arrays of strings can be passed to a plugin",
                                    slot.name()
                                ),
                            });
                        }
                    }
                }
            };
            config.entries.push(ConfigEntry { key, value });
            config.locations.push(location);
        }
        Ok(config)
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
