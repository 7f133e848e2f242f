//! Positions in a policy file, as `file:line:column`. Each file is parsed for positions
//! once, into an index of every key path, so that locating a key costs the same however
//! large the policy is.

use crate::files::{line_col, line_starts};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

pub use crate::files::Location;
use toml::de::{DeTable, DeValue};

/// Where every key of one policy file is written: its key and its value.
#[derive(Debug, Default)]
pub struct KeyIndex {
    spans: HashMap<Vec<String>, (Range<usize>, Range<usize>)>,
    lines: Vec<usize>,
}

impl KeyIndex {
    /// The index of `text`; empty when it does not parse (the parse error is reported
    /// elsewhere, with its own position).
    pub fn new(text: &str) -> KeyIndex {
        let mut index = KeyIndex { spans: HashMap::new(), lines: line_starts(text) };
        if let Ok(document) = DeTable::parse(text) {
            index.add(document.get_ref(), &mut Vec::new());
        }
        index
    }

    fn add(&mut self, table: &DeTable<'_>, keys: &mut Vec<String>) {
        for (key, value) in table {
            keys.push(key.get_ref().to_string());
            self.spans.insert(keys.clone(), (key.span(), value.span()));
            if let DeValue::Table(inner) = value.get_ref() {
                self.add(inner, keys);
            }
            keys.pop();
        }
    }

    /// The value at `keys`, or else the key of the nearest enclosing table that is written.
    pub fn at(&self, path: &Path, text: &str, keys: &[&str]) -> Location {
        self.find(path, text, keys, false)
    }

    /// Like [`KeyIndex::at`], but the key itself rather than its value.
    pub fn key_at(&self, path: &Path, text: &str, keys: &[&str]) -> Location {
        self.find(path, text, keys, true)
    }

    fn find(&self, path: &Path, text: &str, keys: &[&str], key_itself: bool) -> Location {
        let span = (1..=keys.len()).rev().find_map(|n| {
            let found: Vec<String> = keys[..n].iter().map(|k| (*k).to_owned()).collect();
            let (key, value) = self.spans.get(&found)?;
            Some(if n == keys.len() && !key_itself { value.start } else { key.start })
        });
        Location { path: path.to_owned(), line_col: span.map(|offset| line_col(text, &self.lines, offset)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_found_by_line_and_column() {
        let text = "[host]\nlocale = \"pl\"\n\n[slots.search-policy]\nconfig = { a = 1, \"b.c\" = 2 }\n";
        let index = KeyIndex::new(text);
        let at = |keys: &[&str]| index.at(Path::new("p.toml"), text, keys).to_string();
        assert_eq!(at(&["host", "locale"]), "p.toml:2:10");
        assert_eq!(index.key_at(Path::new("p.toml"), text, &["host", "locale"]).to_string(), "p.toml:2:1");
        assert_eq!(at(&["slots", "search-policy", "config", "a"]), "p.toml:5:16");
        assert_eq!(at(&["slots", "search-policy", "config", "b.c"]), "p.toml:5:27");
        assert_eq!(at(&["slots", "search-policy", "config", "missing"]), "p.toml:5:1", "the nearest table");
        assert_eq!(at(&["nothing"]), "p.toml");
    }
}
