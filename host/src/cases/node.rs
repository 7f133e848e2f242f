//! The values of a cases file, TOML or JSON, each with its place in the file so that every
//! problem and every failed expectation can name its line.

use crate::policy::Location;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// One value and where it is (`None` in JSON, which keeps no positions).
#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub span: Option<Range<usize>>,
}

#[derive(Clone, Debug)]
pub enum Value {
    /// JSON `null`; TOML has none.
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(String),
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

/// A key of a table and its value.
#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub key_span: Option<Range<usize>>,
    pub node: Node,
}

impl Node {
    /// What kind of value this is, for messages: "a string", "a table"...
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Text(_) => "a string",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    pub fn as_table(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Table(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// The entry at `key` of `entries`.
pub fn get<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    entries.iter().find(|entry| entry.key == key)
}

/// A cases file as read: its text, for turning positions into lines.
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    /// Reads `path`.
    pub fn read(path: &Path) -> anyhow::Result<Source> {
        let text = crate::files::read_text(path, crate::files::MAX_CASES_BYTES)
            .map_err(|error| anyhow::anyhow!("cannot read the cases file {}: {error}", path.display()))?;
        Ok(Source { path: path.to_owned(), text })
    }

    /// `file:line:column` of `span`, or the file alone.
    pub fn locate(&self, span: Option<&Range<usize>>) -> Location {
        Location::of_span(&self.path, &self.text, span.cloned())
    }

    /// Parses the file: JSON when its name ends in `.json`, TOML otherwise.
    pub fn parse(&self) -> Result<Node, FileError> {
        if self.path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json")) {
            let value: serde_json::Value = serde_json::from_str(&self.text).map_err(|error| FileError {
                location: self.locate(Some(&json_offset(&self.text, error.line(), error.column()))),
                message: format!("invalid JSON: {error}"),
            })?;
            Ok(from_json(value))
        } else {
            let table = DeTable::parse(&self.text).map_err(|error| FileError {
                location: self.locate(error.span().as_ref()),
                message: format!("invalid TOML: {}", error.message()),
            })?;
            let span = table.span();
            Ok(Node { value: Value::Table(from_toml_table(table.into_inner())), span: Some(span) })
        }
    }
}

/// The byte range, in `text`, of what serde_json reports at `line` and byte `column` (both
/// from 1; column 0 is before the line's first character), for a position in characters.
fn json_offset(text: &str, line: usize, column: usize) -> Range<usize> {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let at = (start + column.saturating_sub(1)).min(text.len());
    at..at
}

/// A problem with a cases file, at its place.
#[derive(Debug)]
pub struct FileError {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

fn from_toml_table(table: DeTable<'_>) -> Vec<Entry> {
    table
        .into_iter()
        .map(|(key, value)| {
            let key_span = Some(key.span());
            Entry { key: key.into_inner().into_owned(), key_span, node: from_toml(value.span(), value.into_inner()) }
        })
        .collect()
}

fn from_toml(span: Range<usize>, value: DeValue<'_>) -> Node {
    let value = match value {
        DeValue::String(text) => Value::Text(text.into_owned()),
        // TOML integers are 64-bit signed: a literal outside that range does not parse.
        DeValue::Integer(integer) => match i64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(value) => Value::Integer(value),
            Err(_) => Value::Text(integer.to_string()),
        },
        DeValue::Float(float) => match float.as_str().parse() {
            Ok(value) => Value::Float(value),
            Err(_) => Value::Text(float.to_string()),
        },
        DeValue::Boolean(value) => Value::Bool(value),
        DeValue::Datetime(datetime) => Value::Text(datetime.to_string()),
        DeValue::Array(items) => {
            Value::Array(items.into_iter().map(|item| from_toml(item.span(), item.into_inner())).collect())
        }
        DeValue::Table(table) => Value::Table(from_toml_table(table)),
    };
    Node { value, span: Some(span) }
}

fn from_json(value: serde_json::Value) -> Node {
    let value = match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(value) => Value::Bool(value),
        serde_json::Value::Number(number) => match number.as_i64() {
            Some(integer) => Value::Integer(integer),
            None => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(text) => Value::Text(text),
        serde_json::Value::Array(items) => Value::Array(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => Value::Table(
            map.into_iter().map(|(key, value)| Entry { key, key_span: None, node: from_json(value) }).collect(),
        ),
    };
    Node { value, span: None }
}

/// `value` as TOML, on one line: how expectations and answers are shown.
pub fn toml_inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(value) => value.to_string(),
        Value::Integer(value) => value.to_string(),
        Value::Float(value) => toml::Value::Float(*value).to_string(),
        Value::Text(text) => quote(text),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|item| toml_inline(&item.value)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Table(entries) if entries.is_empty() => "{}".into(),
        Value::Table(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|entry| format!("{} = {}", key(&entry.key), toml_inline(&entry.node.value)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// A TOML string literal.
pub fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A TOML key: bare when it can be.
pub fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        name.to_owned()
    } else {
        quote(name)
    }
}
