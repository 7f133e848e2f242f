//! `config`: the plugin's own config table, each entry with its place in the policy file so
//! that a plugin's complaint can point at the line; and the empty `types` interface.

use super::CallCaps;
use crate::bindings::{ConfigEntry, ConfigValue};
use crate::bindings::{config, types};
use crate::files::Location;

/// A slot's configuration as plugins see it.
#[derive(Clone, Debug, Default)]
pub struct PluginConfig {
    entries: Vec<ConfigEntry>,
    locations: Vec<Location>,
    /// Where the table itself is, for problems with no key.
    table: Option<Location>,
    /// The table's key path in its policy, such as `slots.search-policy.config`.
    key: Option<String>,
}

impl PluginConfig {
    /// The config table at the key path `key` of a policy (`slots.<name>.config`):
    /// `locations` (one per entry) and `table` are where the entries and the table are written.
    pub fn of_table(key: String, entries: Vec<ConfigEntry>, locations: Vec<Location>, table: Location) -> PluginConfig {
        PluginConfig { entries, locations, table: Some(table), key: Some(key) }
    }

    /// A config from elsewhere than a policy, such as a plugin test's cases file: `locations`
    /// (one per entry) and `table` are where the plugin's complaints point.
    pub fn from_entries(entries: Vec<ConfigEntry>, locations: Vec<Location>, table: Option<Location>) -> PluginConfig {
        PluginConfig { entries, locations, table, key: None }
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
        let dotted = match (&self.key, key.is_empty()) {
            (Some(table), false) => format!("{table}.{key}: "),
            (Some(table), true) => format!("{table}: "),
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

impl config::Host for CallCaps {
    async fn get(&mut self, key: String) -> Option<ConfigValue> {
        let found = async { self.config.get(&key).cloned() };
        crate::trace::capability("config", "get", found, |found| if found.is_some() { "ok" } else { "no-such-key" })
            .await
    }

    async fn entries(&mut self) -> Vec<ConfigEntry> {
        crate::trace::capability("config", "entries", async { self.config.entries() }, |_| "ok").await
    }
}

impl types::Host for CallCaps {}
