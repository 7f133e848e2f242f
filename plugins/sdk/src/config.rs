//! Typed reading of the slot's config table, shared by `validate-config` (which reports
//! every problem) and the hooks (which read values already validated at load). The reading
//! itself is `pos_seed_rules::config`, which the host's fallbacks use too.

use crate::types::{ConfigEntry, ConfigError, ConfigValue};
use pos_seed_rules::config::{self as read, Problems, Table, Value};
use std::ops::RangeInclusive;

/// The slot's config table.
pub struct Config {
    entries: Vec<ConfigEntry>,
    /// Indexes into `entries`, sorted by key: a lookup costs the same in a config of
    /// thousands of keys, so that checking each key stays linear in the config's size.
    by_key: Vec<usize>,
}

/// The problems found while reading a config, in the WIT shape the host expects.
#[derive(Default)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// Records a problem with `key`.
    pub fn push(&mut self, key: &str, message: impl Into<String>) {
        self.0.push(ConfigError { key: key.to_owned(), message: message.into() });
    }

    /// `Ok` when nothing was recorded.
    pub fn into_result(self) -> Result<(), Vec<ConfigError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}

impl Problems for ConfigErrors {
    fn push(&mut self, key: &str, message: String) {
        ConfigErrors::push(self, key, message);
    }
}

impl Table for Config {
    fn value(&self, key: &str) -> Option<Value<'_>> {
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

impl Config {
    /// The config passed to `validate-config`.
    pub fn new(entries: Vec<ConfigEntry>) -> Config {
        let mut by_key: Vec<usize> = (0..entries.len()).collect();
        // Stable: of two entries with one key, the first in the file is found.
        by_key.sort_by(|a, b| entries[*a].key.cmp(&entries[*b].key));
        Config { entries, by_key }
    }

    /// The config of the running call, read from the host.
    pub fn load() -> Config {
        Config::new(crate::config_import::entries())
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        let at = self.by_key.partition_point(|i| self.entries[*i].key.as_str() < key);
        let entry = &self.entries[*self.by_key.get(at)?];
        (entry.key == key).then_some(&entry.value)
    }

    /// Every key present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| entry.key.as_str())
    }

    /// The integer at `key`, `default` when absent; a wrong type or a value outside `range`
    /// is recorded in `errors` and gives `default`.
    pub fn u32_in(&self, key: &str, default: u32, range: RangeInclusive<u32>, errors: &mut ConfigErrors) -> u32 {
        read::u32_in(self, key, default, range, errors)
    }

    /// The string at `key`; a wrong type is recorded in `errors`.
    pub fn text(&self, key: &str, errors: &mut ConfigErrors) -> Option<&str> {
        read::text(self, key, errors)
    }

    /// The boolean at `key`, `default` when absent; a wrong type is recorded in `errors` and
    /// gives `default`.
    pub fn boolean(&self, key: &str, default: bool, errors: &mut ConfigErrors) -> bool {
        read::boolean(self, key, default, errors)
    }

    /// The array of strings at `key`; a wrong type is recorded in `errors`.
    pub fn text_list(&self, key: &str, errors: &mut ConfigErrors) -> Option<&[String]> {
        read::text_list(self, key, errors)
    }

    /// Records every key that is neither in `known` nor starts with one of `prefixes`.
    pub fn reject_unknown(&self, known: &[&str], prefixes: &[&str], errors: &mut ConfigErrors) {
        read::reject_unknown(self, known, prefixes, errors)
    }
}
