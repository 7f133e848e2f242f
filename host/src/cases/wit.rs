//! WIT values written in cases files, both ways: read with the WIT's own names (records by
//! field, enum and variant cases by name, all kebab-case) into the host's binding types, and
//! shown the same way for comparing and printing answers.
//!
//! A field left out of a record takes its zero value (`none`, `[]`, `false`, `0`, `""`, the
//! first case of an enum or variant), so that a case says only what matters to it.

use super::node::{self, Entry, Node, Value};
use std::ops::Range;

/// A WIT value as cases files write it.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    Bool(bool),
    Integer(i128),
    Float(f64),
    Text(String),
    List(Vec<Shown>),
    /// Fields in WIT order, by their WIT names.
    Record(Vec<(String, Shown)>),
    /// An enum case, or a variant case with its payload if it has one.
    Case(String, Option<Box<Shown>>),
    None,
    Some(Box<Shown>),
    /// The `_` of `result<_, e>`.
    Unit,
}

impl Shown {
    /// A variant case; a `Unit` payload is no payload.
    pub fn case(name: &str, payload: Shown) -> Shown {
        match payload {
            Shown::Unit => Shown::Case(name.to_owned(), None),
            payload => Shown::Case(name.to_owned(), Some(Box::new(payload))),
        }
    }

    /// The value as TOML on one line, ready to paste into a case.
    pub fn toml(&self) -> String {
        match self {
            Shown::Bool(value) => value.to_string(),
            Shown::Integer(value) => value.to_string(),
            Shown::Float(value) => toml::Value::Float(*value).to_string(),
            Shown::Text(text) => node::quote(text),
            Shown::List(items) => format!("[{}]", items.iter().map(Shown::toml).collect::<Vec<_>>().join(", ")),
            Shown::Record(fields) if fields.is_empty() => "{}".into(),
            Shown::Record(fields) => {
                let fields: Vec<String> =
                    fields.iter().map(|(name, value)| format!("{} = {}", node::key(name), value.toml())).collect();
                format!("{{ {} }}", fields.join(", "))
            }
            Shown::Case(name, None) => node::quote(name),
            Shown::Case(name, Some(payload)) => format!("{{ {} = {} }}", node::key(name), payload.toml()),
            Shown::None => "\"none\"".into(),
            Shown::Some(value) => value.toml(),
            Shown::Unit => "{}".into(),
        }
    }
}

/// A problem with a value in a cases file.
#[derive(Debug)]
pub struct Problem {
    pub span: Option<Range<usize>>,
    /// The key path, such as `input.outcome.result-count`.
    pub path: String,
    pub message: String,
}

/// A type that cases files can write.
pub trait Wit: Sized {
    /// The WIT type, as error messages name it.
    fn wit() -> String;
    /// The value of a field left out.
    fn zero() -> Self;
    fn read(node: &Node, path: &str) -> Result<Self, Problem>;
    fn show(&self) -> Shown;
}

pub fn problem(node: &Node, path: &str, message: impl Into<String>) -> Problem {
    Problem { span: node.span.clone(), path: path.to_owned(), message: message.into() }
}

fn expected(node: &Node, path: &str, what: &str) -> Problem {
    let found = match node.value {
        Value::Array(_) | Value::Table(_) => node.kind().to_owned(),
        _ => format!("{} ({})", node.kind(), node::toml_inline(&node.value)),
    };
    problem(node, path, format!("expected {what}, found {found}"))
}

/// `path.key`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// `` `a`, `b`, `c` ``.
pub fn names<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|name| format!("`{}`", name.as_ref())).collect::<Vec<_>>().join(", ")
}

/// `Rust_or_Pascal` identifiers as WIT names: `result_count` and `ResultCount` give `result-count`.
pub fn kebab(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, c) in ident.chars().enumerate() {
        if c == '_' {
            out.push('-');
        } else if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The entries of a record, refusing fields it does not have.
pub fn record_entries<'a>(node: &'a Node, path: &str, wit: &str, fields: &[String]) -> Result<&'a [Entry], Problem> {
    let entries = node.as_table().ok_or_else(|| expected(node, path, &format!("a table ({wit})")))?;
    if let Some(entry) = entries.iter().find(|entry| !fields.contains(&entry.key)) {
        return Err(Problem {
            span: entry.key_span.clone().or_else(|| node.span.clone()),
            path: join(path, &entry.key),
            message: format!("{wit} has no field `{}`; its fields are {}", entry.key, names(fields)),
        });
    }
    Ok(entries)
}

/// The field `name` of a record, `None` when left out.
pub fn field<T: Wit>(entries: &[Entry], path: &str, name: &str) -> Result<Option<T>, Problem> {
    node::get(entries, name).map(|entry| T::read(&entry.node, &join(path, name))).transpose()
}

/// The value carried by a variant case, if the case file gives one.
pub struct Payload<'a> {
    node: Option<&'a Node>,
    path: String,
    case: &'static str,
    wit: String,
}

impl Payload<'_> {
    /// The payload; its zero value when not given.
    pub fn read<T: Wit>(&self) -> Result<T, Problem> {
        self.node.map_or_else(|| Ok(T::zero()), |node| T::read(node, &self.path))
    }

    /// For a case that carries nothing.
    pub fn none(&self) -> Result<(), Problem> {
        match self.node {
            Some(node) => {
                Err(problem(node, &self.path, format!("case `{}` of {} carries no value", self.case, self.wit)))
            }
            None => Ok(()),
        }
    }
}

/// A variant's case: `"name"`, or `{ name = payload }`.
pub fn variant<'a>(
    node: &'a Node,
    path: &str,
    wit: &str,
    cases: &[&'static str],
) -> Result<(&'static str, Payload<'a>), Problem> {
    let (name, payload) = match &node.value {
        Value::Text(name) => (name.as_str(), None),
        Value::Table(entries) if entries.len() == 1 => (entries[0].key.as_str(), Some(&entries[0].node)),
        _ => {
            let what = format!(
                "a case of {wit}: a string such as \"{}\", or a table of one case and its value such as {{ {} = ... }}",
                cases[0],
                cases.last().expect("a variant has cases")
            );
            return Err(expected(node, path, &what));
        }
    };
    let case = cases.iter().find(|case| **case == name).ok_or_else(|| {
        problem(node, path, format!("`{name}` is not a case of {wit}; expected one of {}", names(cases)))
    })?;
    Ok((case, Payload { node: payload, path: join(path, case), case, wit: wit.to_owned() }))
}

/// An enum's case, by name.
pub fn enum_case(node: &Node, path: &str, wit: &str, cases: &[String]) -> Result<usize, Problem> {
    let name = node.as_text().ok_or_else(|| expected(node, path, &format!("a string, one of {}", names(cases))))?;
    cases
        .iter()
        .position(|case| case == name)
        .ok_or_else(|| problem(node, path, format!("`{name}` is not a {wit}; expected one of {}", names(cases))))
}

/// Implements [`Wit`] for records: `Type => "wit-name" { field, field = default, ... }`, a
/// default replacing the field's zero value.
#[doc(hidden)]
#[macro_export]
macro_rules! __wit_record {
    ($($ty:ty => $wit:literal { $($field:ident $(= $default:expr)?),* $(,)? })*) => {$(
        impl $crate::cases::wit::Wit for $ty {
            fn wit() -> String {
                $wit.into()
            }

            fn zero() -> Self {
                Self { $($field: $crate::__wit_record!(@default $($default)?)),* }
            }

            fn read(node: &$crate::cases::node::Node, path: &str)
                -> Result<Self, $crate::cases::wit::Problem>
            {
                use $crate::cases::wit::{field, kebab, record_entries};
                let fields = [$(kebab(stringify!($field))),*];
                let entries = record_entries(node, path, $wit, &fields)?;
                Ok(Self {
                    $($field: field(entries, path, &kebab(stringify!($field)))?
                        .unwrap_or_else(|| $crate::__wit_record!(@default $($default)?)),)*
                })
            }

            fn show(&self) -> $crate::cases::wit::Shown {
                use $crate::cases::wit::{Wit, kebab};
                $crate::cases::wit::Shown::Record(vec![
                    $((kebab(stringify!($field)), Wit::show(&self.$field))),*
                ])
            }
        }
    )*};
    (@default) => { $crate::cases::wit::Wit::zero() };
    (@default $default:expr) => { $default };
}

/// Implements [`Wit`] for enums: `Type => "wit-name" [Case, ...]`, the first case the zero.
macro_rules! enumeration {
    ($($ty:ty => $wit:literal [$first:ident $(, $case:ident)* $(,)?])*) => {$(
        impl $crate::cases::wit::Wit for $ty {
            fn wit() -> String {
                $wit.into()
            }

            fn zero() -> Self {
                Self::$first
            }

            fn read(node: &$crate::cases::node::Node, path: &str)
                -> Result<Self, $crate::cases::wit::Problem>
            {
                use $crate::cases::wit::{enum_case, kebab};
                let cases = [kebab(stringify!($first)) $(, kebab(stringify!($case)))*];
                let values = [Self::$first $(, Self::$case)*];
                enum_case(node, path, $wit, &cases).map(|i| values[i])
            }

            fn show(&self) -> $crate::cases::wit::Shown {
                let name = match self {
                    Self::$first => stringify!($first),
                    $(Self::$case => stringify!($case),)*
                };
                $crate::cases::wit::Shown::Case($crate::cases::wit::kebab(name), None)
            }
        }
    )*};
}

/// Implements [`Wit`] for a record type by its fields, with a default for each field left out.
pub use crate::__wit_record as record;
pub(crate) use enumeration;

impl Wit for bool {
    fn wit() -> String {
        "bool".into()
    }

    fn zero() -> Self {
        false
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        match node.value {
            Value::Bool(value) => Ok(value),
            _ => Err(expected(node, path, "true or false")),
        }
    }

    fn show(&self) -> Shown {
        Shown::Bool(*self)
    }
}

impl Wit for String {
    fn wit() -> String {
        "string".into()
    }

    fn zero() -> Self {
        String::new()
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        node.as_text().map(str::to_owned).ok_or_else(|| expected(node, path, "a string"))
    }

    fn show(&self) -> Shown {
        Shown::Text(self.clone())
    }
}

macro_rules! integer {
    ($($ty:ty => $wit:literal),*) => {$(
        impl Wit for $ty {
            fn wit() -> String {
                $wit.into()
            }

            fn zero() -> Self {
                0
            }

            fn read(node: &Node, path: &str) -> Result<Self, Problem> {
                let Value::Integer(value) = node.value else {
                    return Err(expected(node, path, concat!("an integer (", $wit, ")")));
                };
                <$ty>::try_from(value).map_err(|_| {
                    problem(
                        node,
                        path,
                        format!("must be between {} and {} ({}), found {value}", <$ty>::MIN, <$ty>::MAX, $wit),
                    )
                })
            }

            fn show(&self) -> Shown {
                Shown::Integer(i128::from(*self))
            }
        }
    )*};
}

integer!(u8 => "u8", u32 => "u32", u64 => "u64", i64 => "s64");

impl Wit for f64 {
    fn wit() -> String {
        "f64".into()
    }

    fn zero() -> Self {
        0.0
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        match node.value {
            Value::Float(value) => Ok(value),
            Value::Integer(value) => Ok(value as f64),
            _ => Err(expected(node, path, "a number")),
        }
    }

    fn show(&self) -> Shown {
        Shown::Float(*self)
    }
}

impl Wit for () {
    fn wit() -> String {
        "_".into()
    }

    fn zero() -> Self {}

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        Err(problem(node, path, "carries no value"))
    }

    fn show(&self) -> Shown {
        Shown::Unit
    }
}

impl<T: Wit> Wit for Option<T> {
    fn wit() -> String {
        format!("option<{}>", T::wit())
    }

    fn zero() -> Self {
        None
    }

    /// `"none"` (or JSON's `null`) is none; `{ some = x }` or `x` alone is some.
    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        match &node.value {
            Value::Null => Ok(None),
            Value::Text(text) if text == "none" => Ok(None),
            Value::Table(entries) if entries.len() == 1 && entries[0].key == "some" => {
                T::read(&entries[0].node, &join(path, "some")).map(Some)
            }
            _ => T::read(node, path).map(Some),
        }
    }

    fn show(&self) -> Shown {
        match self {
            None => Shown::None,
            Some(value) => Shown::Some(Box::new(value.show())),
        }
    }
}

impl<T: Wit> Wit for Vec<T> {
    fn wit() -> String {
        format!("list<{}>", T::wit())
    }

    fn zero() -> Self {
        Vec::new()
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let Value::Array(items) = &node.value else {
            return Err(expected(node, path, &format!("an array ({})", Self::wit())));
        };
        items.iter().enumerate().map(|(i, item)| T::read(item, &format!("{path}[{i}]"))).collect()
    }

    fn show(&self) -> Shown {
        Shown::List(self.iter().map(Wit::show).collect())
    }
}

impl<T: Wit, E: Wit> Wit for Result<T, E> {
    fn wit() -> String {
        format!("result<{}, {}>", T::wit(), E::wit())
    }

    fn zero() -> Self {
        Ok(T::zero())
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let (case, payload) = variant(node, path, &Self::wit(), &["ok", "err"])?;
        match case {
            "ok" => payload.read().map(Ok),
            _ => payload.read().map(Err),
        }
    }

    fn show(&self) -> Shown {
        match self {
            Ok(value) => Shown::case("ok", value.show()),
            Err(error) => Shown::case("err", error.show()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_names_become_wit_names() {
        assert_eq!(kebab("result_count"), "result-count");
        assert_eq!(kebab("SameLastNameWithoutPrefix"), "same-last-name-without-prefix");
        assert_eq!(kebab("Erp"), "erp");
    }
}
