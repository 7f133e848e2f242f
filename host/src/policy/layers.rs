//! A policy and the files it `extends` (default -> client -> workstation), merged into one
//! table in which every value remembers the file it came from.

use super::location::KeyIndex;
use super::{Location, PolicyError};
use crate::files::{self, MAX_POLICY_BYTES};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many files a policy may stack, itself included.
pub const MAX_LAYERS: usize = 8;

/// One policy file as read.
#[derive(Debug)]
pub struct Layer {
    pub path: PathBuf,
    pub text: String,
    /// Where each key is written.
    keys: KeyIndex,
}

impl Layer {
    fn new(path: PathBuf, text: String) -> Layer {
        Layer { keys: KeyIndex::new(&text), path, text }
    }

    /// Where the value at `keys` is written in this file.
    pub fn locate(&self, keys: &[&str]) -> Location {
        self.keys.at(&self.path, &self.text, keys)
    }
}

/// The files of a policy, the least specific first, and their merged table.
#[derive(Debug)]
pub struct Layers {
    pub files: Vec<Layer>,
    pub table: toml::Table,
    /// For every key path of `table`, the index in `files` of the file that set it. Ordered,
    /// so that the paths under a key are one range.
    origins: BTreeMap<Vec<String>, usize>,
}

impl Layers {
    /// Reads the policy at `path` and every file it extends, and merges them.
    pub fn read(path: &Path) -> Result<Layers, PolicyError> {
        let text = files::read_text(path, MAX_POLICY_BYTES).map_err(|error| PolicyError {
            location: Location::file(path),
            key: String::new(),
            message: format!("cannot read the policy: {error}"),
        })?;
        Layers::parse(path, text)
    }

    /// Merges the policy `text` read from `path` with the files it extends, read from disk.
    pub fn parse(path: &Path, text: String) -> Result<Layers, PolicyError> {
        let mut chain = vec![(path.to_owned(), text)];
        loop {
            let (path, text) = chain.last().expect("the chain starts with the policy itself");
            let table = parse_table(path, text)?;
            let Some(extends) = table.get("extends") else { break };
            let here = || KeyIndex::new(text).at(path, text, &["extends"]);
            let Some(parent) = extends.as_str() else {
                return Err(PolicyError {
                    location: here(),
                    key: "extends".into(),
                    message: format!("expected the path of a policy file, found {}", describe(extends)),
                });
            };
            let parent = normalize(&path.parent().unwrap_or(Path::new("")).join(parent));
            if chain.iter().any(|(seen, _)| same_file(seen, &parent)) {
                return Err(PolicyError {
                    location: here(),
                    key: "extends".into(),
                    message: format!("{} is already part of this policy (a cycle)", parent.display()),
                });
            }
            if chain.len() == MAX_LAYERS {
                return Err(PolicyError {
                    location: here(),
                    key: "extends".into(),
                    message: format!("a policy may stack at most {MAX_LAYERS} files"),
                });
            }
            let parent_text = files::read_text(&parent, MAX_POLICY_BYTES).map_err(|error| PolicyError {
                location: here(),
                key: "extends".into(),
                message: format!("cannot read {}: {error}", parent.display()),
            })?;
            chain.push((parent, parent_text));
        }
        chain.reverse();
        let mut layers = Layers { files: Vec::new(), table: toml::Table::new(), origins: BTreeMap::new() };
        for (index, (path, text)) in chain.into_iter().enumerate() {
            let mut table = parse_table(&path, &text)?;
            table.remove("extends");
            layers.restart_replaced_slots(&table, &path);
            merge(&mut layers.table, table, &mut Vec::new(), index, &mut layers.origins);
            layers.files.push(Layer::new(path, text));
        }
        Ok(layers)
    }

    /// A file that names another plugin for a slot starts that slot afresh: the config,
    /// grants and limits below it were written for the plugin it replaces.
    fn restart_replaced_slots(&mut self, over: &toml::Table, path: &Path) {
        let Some(slots) = over.get("slots").and_then(toml::Value::as_table) else { return };
        for (name, slot) in slots {
            let Some(plugin) = slot.get("plugin").and_then(toml::Value::as_str) else { continue };
            let keys = ["slots", name.as_str(), "plugin"];
            let below = self.value_at(&keys).and_then(toml::Value::as_str).map(|p| self.resolve(&keys, p));
            let here = normalize(&path.parent().unwrap_or(Path::new("")).join(plugin));
            if below.is_some_and(|below| below != here) {
                if let Some(toml::Value::Table(slots)) = self.table.get_mut("slots") {
                    slots.remove(name);
                }
                remove_under(&mut self.origins, &["slots".to_owned(), name.clone()]);
            }
        }
    }

    /// The merged value at `keys`, if set.
    pub fn value_at(&self, keys: &[&str]) -> Option<&toml::Value> {
        let (last, parents) = keys.split_last()?;
        let mut table = &self.table;
        for key in parents {
            table = table.get(*key)?.as_table()?;
        }
        table.get(*last)
    }

    /// The file that set the value at `keys` (or the nearest enclosing table).
    pub fn origin(&self, keys: &[&str]) -> &Layer {
        let index = (0..=keys.len())
            .rev()
            .find_map(|n| {
                let prefix: Vec<String> = keys[..n].iter().map(|k| k.to_string()).collect();
                self.origins.get(&prefix).copied()
            })
            .unwrap_or(self.files.len() - 1);
        &self.files[index]
    }

    /// Whether some file sets the value at `keys`.
    pub fn is_set(&self, keys: &[&str]) -> bool {
        self.origins.contains_key(&keys.iter().map(|k| k.to_string()).collect::<Vec<_>>())
    }

    /// Where the value at `keys` was set.
    pub fn locate(&self, keys: &[&str]) -> Location {
        self.origin(keys).locate(keys)
    }

    /// Where the key at the end of `keys` was written.
    pub fn locate_key(&self, keys: &[&str]) -> Location {
        let layer = self.origin(keys);
        layer.keys.key_at(&layer.path, &layer.text, keys)
    }

    /// `path`, set at `keys`, resolved against the directory of the file that set it.
    pub fn resolve(&self, keys: &[&str], path: &str) -> PathBuf {
        normalize(&self.origin(keys).path.parent().unwrap_or(Path::new("")).join(path))
    }
}

/// `path` without `.` and with `dir/..` pairs removed, as written (symbolic links are not
/// followed), so that messages name files as a person would.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn parse_table(path: &Path, text: &str) -> Result<toml::Table, PolicyError> {
    toml::from_str(text).map_err(|error| PolicyError {
        location: Location::of_span(path, text, error.span()),
        key: String::new(),
        message: error.message().trim_end().to_owned(),
    })
}

/// Whether two paths name the same file (when both exist) or the same path.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Lays `over` on `into`: tables merge key by key, anything else replaces what was there.
fn merge(
    into: &mut toml::Table,
    over: toml::Table,
    keys: &mut Vec<String>,
    layer: usize,
    origins: &mut BTreeMap<Vec<String>, usize>,
) {
    for (key, value) in over {
        keys.push(key.clone());
        match (into.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(inner)) => {
                merge(existing, inner, keys, layer, origins);
            }
            (_, value) => {
                remove_under(origins, keys);
                mark(&value, keys, layer, origins);
                into.insert(key, value);
            }
        }
        keys.pop();
    }
}

/// Forgets the origins of `keys` and of every path under it.
fn remove_under(origins: &mut BTreeMap<Vec<String>, usize>, keys: &[String]) {
    let under: Vec<Vec<String>> = origins
        .range(keys.to_vec()..)
        .map(|(path, _)| path)
        .take_while(|path| path.starts_with(keys))
        .cloned()
        .collect();
    for path in under {
        origins.remove(&path);
    }
}

fn mark(value: &toml::Value, keys: &mut Vec<String>, layer: usize, origins: &mut BTreeMap<Vec<String>, usize>) {
    origins.insert(keys.clone(), layer);
    if let toml::Value::Table(table) = value {
        for (key, inner) in table {
            keys.push(key.clone());
            mark(inner, keys, layer, origins);
            keys.pop();
        }
    }
}

/// A value as an error message names it: its type, and the value when short.
pub fn describe(value: &toml::Value) -> String {
    let kind = match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    };
    let shown = value.to_string();
    if matches!(value, toml::Value::Table(_) | toml::Value::Array(_)) || shown.chars().count() > 40 {
        kind.to_owned()
    } else {
        format!("{kind} ({shown})")
    }
}
