//! Reading a slot's config table: the same reading for a plugin's `validate-config` (which
//! reports every problem), its hooks, and the host's built-in fallback (which decides with
//! the slot's configured values when the plugin fails).

use std::ops::RangeInclusive;

/// A value of a config table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Boolean(bool),
    Integer(i64),
    Float(f64),
    Text(&'a str),
    TextList(&'a [String]),
}

/// A slot's config table: dotted keys and their values.
pub trait Table {
    /// The value at `key`.
    fn value(&self, key: &str) -> Option<Value<'_>>;

    /// Every key present.
    fn keys(&self) -> Vec<&str>;
}

/// Where problems found while reading go.
pub trait Problems {
    fn push(&mut self, key: &str, message: String);
}

/// Problems nobody reads: for reading a config that was validated already.
pub struct Ignore;

impl Problems for Ignore {
    fn push(&mut self, _key: &str, _message: String) {}
}

/// The integer at `key`, `default` when absent; a wrong type or a value outside `range`
/// is a problem and gives `default`.
pub fn u32_in(
    table: &(impl Table + ?Sized),
    key: &str,
    default: u32,
    range: RangeInclusive<u32>,
    problems: &mut (impl Problems + ?Sized),
) -> u32 {
    match table.value(key) {
        None => default,
        Some(Value::Integer(value)) if (i64::from(*range.start())..=i64::from(*range.end())).contains(&value) => {
            value as u32
        }
        Some(Value::Integer(value)) => {
            problems.push(key, format!("must be between {} and {}, found {value}", range.start(), range.end()));
            default
        }
        Some(other) => {
            problems.push(key, format!("must be an integer, found {}", kind(&other)));
            default
        }
    }
}

/// The string at `key`; a wrong type is a problem.
pub fn text<'t>(
    table: &'t (impl Table + ?Sized),
    key: &str,
    problems: &mut (impl Problems + ?Sized),
) -> Option<&'t str> {
    match table.value(key)? {
        Value::Text(text) => Some(text),
        other => {
            problems.push(key, format!("must be a string, found {}", kind(&other)));
            None
        }
    }
}

/// The boolean at `key`, `default` when absent; a wrong type is a problem and gives
/// `default`.
pub fn boolean(
    table: &(impl Table + ?Sized),
    key: &str,
    default: bool,
    problems: &mut (impl Problems + ?Sized),
) -> bool {
    match table.value(key) {
        None => default,
        Some(Value::Boolean(value)) => value,
        Some(other) => {
            problems.push(key, format!("must be a boolean, found {}", kind(&other)));
            default
        }
    }
}

/// The array of strings at `key`; a wrong type is a problem.
pub fn text_list<'t>(
    table: &'t (impl Table + ?Sized),
    key: &str,
    problems: &mut (impl Problems + ?Sized),
) -> Option<&'t [String]> {
    match table.value(key)? {
        Value::TextList(items) => Some(items),
        other => {
            problems.push(key, format!("must be an array of strings, found {}", kind(&other)));
            None
        }
    }
}

/// Every key that is neither in `known` nor starts with one of `prefixes` is a problem.
pub fn reject_unknown(
    table: &(impl Table + ?Sized),
    known: &[&str],
    prefixes: &[&str],
    problems: &mut (impl Problems + ?Sized),
) {
    for key in table.keys() {
        if !known.contains(&key) && !prefixes.iter().any(|prefix| key.starts_with(prefix)) {
            let mut expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            expected.extend(prefixes.iter().map(|p| format!("`{p}*`")));
            problems.push(key, format!("unknown key; expected one of {}", expected.join(", ")));
        }
    }
}

/// The TOML type of a value, for problems.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Boolean(_) => "a boolean",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Text(_) => "a string",
        Value::TextList(_) => "an array",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A table for the rules' tests.
    pub struct Entries(pub Vec<(&'static str, Value<'static>)>);

    impl Table for Entries {
        fn value(&self, key: &str) -> Option<Value<'_>> {
            self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
        }

        fn keys(&self) -> Vec<&str> {
            self.0.iter().map(|(k, _)| *k).collect()
        }
    }

    impl Problems for Vec<(String, String)> {
        fn push(&mut self, key: &str, message: String) {
            Vec::push(self, (key.to_owned(), message));
        }
    }

    #[test]
    fn values_outside_their_range_or_type_are_problems_and_give_the_default() {
        let table = Entries(vec![("a", Value::Integer(0)), ("b", Value::Text("x")), ("c", Value::Integer(5))]);
        let mut problems = Vec::new();
        assert_eq!(u32_in(&table, "a", 6, 1..=99, &mut problems), 6);
        assert_eq!(u32_in(&table, "b", 6, 1..=99, &mut problems), 6);
        assert_eq!(u32_in(&table, "c", 6, 1..=99, &mut problems), 5);
        assert_eq!(u32_in(&table, "d", 6, 1..=99, &mut problems), 6);
        let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        reject_unknown(&table, &["a", "b"], &[], &mut problems);
        assert_eq!(problems.last().unwrap().0, "c");
    }
}
