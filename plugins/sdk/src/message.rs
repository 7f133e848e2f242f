//! Builders for messages and notices.

use crate::types::{Argument, Message, Notice, Severity};

/// A message with `key` and named arguments.
pub fn message<'a>(key: &str, args: impl IntoIterator<Item = (&'a str, &'a str)>) -> Message {
    Message {
        key: key.to_owned(),
        args: args
            .into_iter()
            .map(|(name, value)| Argument { name: name.to_owned(), value: value.to_owned() })
            .collect(),
    }
}

/// A notice with `severity` and an argument-less message `key`.
pub fn notice(severity: Severity, key: &str) -> Notice {
    Notice { severity, message: message(key, []) }
}
