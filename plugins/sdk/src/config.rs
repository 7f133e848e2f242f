//! Typed reading of the slot's config table, shared by `validate-config` (which reports
//! every problem) and the hooks (which read values already validated at load).

use crate::types::{ConfigEntry, ConfigError, ConfigValue};
use std::ops::RangeInclusive;

/// The slot's config table.
pub struct Config {
    entries: Vec<ConfigEntry>,
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

impl Config {
    /// The config passed to `validate-config`.
    pub fn new(entries: Vec<ConfigEntry>) -> Config {
        Config { entries }
    }

    /// The config of the running call, read from the host.
    pub fn load() -> Config {
        Config::new(crate::config_import::entries())
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.entries.iter().find(|entry| entry.key == key).map(|entry| &entry.value)
    }

    /// Every key present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| entry.key.as_str())
    }

    /// The integer at `key`, `default` when absent; a wrong type or a value outside `range`
    /// is recorded in `errors` and gives `default`.
    pub fn u32_in(&self, key: &str, default: u32, range: RangeInclusive<u32>, errors: &mut ConfigErrors) -> u32 {
        match self.get(key) {
            None => default,
            Some(ConfigValue::Integer(value)) if (*range.start() as i64..=*range.end() as i64).contains(value) => {
                *value as u32
            }
            Some(ConfigValue::Integer(value)) => {
                errors.push(key, format!("must be between {} and {}, found {value}", range.start(), range.end()));
                default
            }
            Some(other) => {
                errors.push(key, format!("must be an integer, found {}", kind(other)));
                default
            }
        }
    }

    /// The string at `key`; a wrong type is recorded in `errors`.
    pub fn text(&self, key: &str, errors: &mut ConfigErrors) -> Option<&str> {
        match self.get(key)? {
            ConfigValue::Text(text) => Some(text),
            other => {
                errors.push(key, format!("must be a string, found {}", kind(other)));
                None
            }
        }
    }

    /// The boolean at `key`, `default` when absent; a wrong type is recorded in `errors` and
    /// gives `default`.
    pub fn boolean(&self, key: &str, default: bool, errors: &mut ConfigErrors) -> bool {
        match self.get(key) {
            None => default,
            Some(ConfigValue::Boolean(value)) => *value,
            Some(other) => {
                errors.push(key, format!("must be a boolean, found {}", kind(other)));
                default
            }
        }
    }

    /// The array of strings at `key`; a wrong type is recorded in `errors`.
    pub fn text_list(&self, key: &str, errors: &mut ConfigErrors) -> Option<&[String]> {
        match self.get(key)? {
            ConfigValue::TextList(items) => Some(items),
            other => {
                errors.push(key, format!("must be an array of strings, found {}", kind(other)));
                None
            }
        }
    }

    /// Records every key that is neither in `known` nor starts with one of `prefixes`.
    pub fn reject_unknown(&self, known: &[&str], prefixes: &[&str], errors: &mut ConfigErrors) {
        for key in self.keys() {
            if !known.contains(&key) && !prefixes.iter().any(|prefix| key.starts_with(prefix)) {
                let mut expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                expected.extend(prefixes.iter().map(|p| format!("`{p}*`")));
                errors.push(key, format!("unknown key; expected one of {}", expected.join(", ")));
            }
        }
    }
}

/// The TOML type of a value, for error messages.
fn kind(value: &ConfigValue) -> &'static str {
    match value {
        ConfigValue::Boolean(_) => "a boolean",
        ConfigValue::Integer(_) => "an integer",
        ConfigValue::Float(_) => "a float",
        ConfigValue::Text(_) => "a string",
        ConfigValue::TextList(_) => "an array",
    }
}
