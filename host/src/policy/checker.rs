//! Reads typed values out of a merged policy, collecting every problem (with its file, line,
//! column and key path) instead of stopping at the first.

use super::layers::{Layers, describe};
use super::{Location, PolicyError};
use std::fmt::Display;
use std::ops::RangeInclusive;

pub(super) struct Checker<'a> {
    pub layers: &'a Layers,
    pub problems: Vec<PolicyError>,
}

impl<'a> Checker<'a> {
    pub fn new(layers: &'a Layers) -> Checker<'a> {
        Checker { layers, problems: Vec::new() }
    }

    pub fn locate(&self, keys: &[&str]) -> Location {
        self.layers.locate(keys)
    }

    /// Records a problem with the value at `keys`.
    pub fn problem(&mut self, keys: &[&str], message: impl Display) {
        self.problems.push(PolicyError {
            location: self.locate(keys),
            key: keys.join("."),
            message: message.to_string(),
        })
    }

    /// The value at `keys`, if set.
    pub fn value(&self, keys: &[&str]) -> Option<&'a toml::Value> {
        self.layers.value_at(keys)
    }

    /// The table at `keys` (the whole policy when empty), if set; every key in it that is
    /// not in `known` is a problem.
    pub fn table(&mut self, keys: &[&str], known: &[&str]) -> Option<&'a toml::Table> {
        let table = self.any_table(keys)?;
        for key in table.keys().filter(|key| !known.contains(&key.as_str())) {
            let path: Vec<&str> = keys.iter().copied().chain([key.as_str()]).collect();
            let expected = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            let suggestion = closest(key, known).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default();
            self.problems.push(PolicyError {
                location: self.layers.locate_key(&path),
                key: path.join("."),
                message: format!("unknown key{suggestion}; expected one of {expected}"),
            });
        }
        Some(table)
    }

    /// The table at `keys` (the whole policy when empty), whatever keys it holds.
    pub fn any_table(&mut self, keys: &[&str]) -> Option<&'a toml::Table> {
        if keys.is_empty() {
            return Some(&self.layers.table);
        }
        match self.value(keys)? {
            toml::Value::Table(table) => Some(table),
            other => {
                self.problem(keys, format!("expected a table, found {}", describe(other)));
                None
            }
        }
    }

    pub fn string(&mut self, keys: &[&str]) -> Option<&'a str> {
        match self.value(keys)? {
            toml::Value::String(text) => Some(text),
            other => {
                self.problem(keys, format!("expected a string, found {}", describe(other)));
                None
            }
        }
    }

    pub fn boolean(&mut self, keys: &[&str]) -> Option<bool> {
        match self.value(keys)? {
            toml::Value::Boolean(value) => Some(*value),
            other => {
                self.problem(keys, format!("expected true or false, found {}", describe(other)));
                None
            }
        }
    }

    pub fn integer(&mut self, keys: &[&str], range: RangeInclusive<i64>) -> Option<i64> {
        match self.value(keys)? {
            toml::Value::Integer(value) if range.contains(value) => Some(*value),
            toml::Value::Integer(value) => {
                self.problem(keys, format!("{value} is out of range; expected {} to {}", range.start(), range.end()));
                None
            }
            other => {
                self.problem(keys, format!("expected an integer, found {}", describe(other)));
                None
            }
        }
    }

    /// A string that must be one of `options`.
    pub fn choice(&mut self, keys: &[&str], options: &[&'static str]) -> Option<&'static str> {
        let text = self.string(keys)?;
        let found = options.iter().find(|option| **option == text).copied();
        if found.is_none() {
            let expected = options.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(" or ");
            self.problem(keys, format!("\"{text}\" is not an option; expected {expected}"));
        }
        found
    }

    /// An array of strings.
    pub fn strings(&mut self, keys: &[&str]) -> Option<Vec<&'a str>> {
        match self.value(keys)? {
            toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => {
                Some(items.iter().filter_map(toml::Value::as_str).collect())
            }
            other => {
                self.problem(keys, format!("expected an array of strings, found {}", describe(other)));
                None
            }
        }
    }

    /// An array of strings each of which must be one of `options`.
    pub fn choices(&mut self, keys: &[&str], options: &[&'static str]) -> Option<Vec<&'static str>> {
        let items = match self.value(keys)? {
            toml::Value::Array(items) => items,
            other => {
                self.problem(keys, format!("expected an array of strings, found {}", describe(other)));
                return None;
            }
        };
        let mut found = Vec::new();
        for item in items {
            let option = item.as_str().and_then(|text| options.iter().find(|o| **o == text));
            match option {
                Some(option) => found.push(*option),
                None => {
                    let expected = options.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(", ");
                    self.problem(keys, format!("{} is not one of {expected}", describe(item)));
                }
            }
        }
        Some(found)
    }
}

/// The known key nearest to a mistyped `key`, if any is near.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known.iter().map(|k| (distance(key, k), *k)).filter(|(d, k)| *d <= 2.max(k.len() / 4)).min().map(|(_, k)| k)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (previous + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            previous = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
