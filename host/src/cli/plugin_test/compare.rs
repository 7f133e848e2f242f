//! Partial comparison of an answer with a case's expectation: only what the expectation
//! says is compared, and every difference is reported with its key path and its place.

use pos_host::cases::node::{Node, Value, toml_inline};
use pos_host::cases::wit::{Shown, join};
use std::ops::Range;

/// One difference between the expected and the actual answer.
#[derive(Debug)]
pub struct Mismatch {
    /// The key path within the answer, such as `notice.message.key`; empty for the whole.
    pub path: String,
    /// Where the expected value is written.
    pub span: Option<Range<usize>>,
    pub expected: String,
    pub actual: String,
}

/// Every difference between `expected` and `actual`.
pub fn compare(expected: &Node, actual: &Shown) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    walk(expected, actual, "", &mut mismatches);
    mismatches
}

fn walk(expected: &Node, actual: &Shown, path: &str, out: &mut Vec<Mismatch>) {
    let differ = |out: &mut Vec<Mismatch>| {
        out.push(Mismatch {
            path: path.to_owned(),
            span: expected.span.clone(),
            expected: toml_inline(&expected.value),
            actual: actual.toml(),
        })
    };
    match (actual, &expected.value) {
        (Shown::None, Value::Null) => {}
        (Shown::None, Value::Text(text)) if text == "none" => {}
        (Shown::Some(_), Value::Null) => differ(out),
        (Shown::Some(_), Value::Text(text)) if text == "none" => differ(out),
        (Shown::Some(value), Value::Table(entries)) if entries.len() == 1 && entries[0].key == "some" => {
            walk(&entries[0].node, value, &join(path, "some"), out)
        }
        (Shown::Some(value), _) => walk(expected, value, path, out),
        (Shown::Record(fields), Value::Table(entries)) => {
            for entry in entries {
                match fields.iter().find(|(name, _)| *name == entry.key) {
                    Some((_, value)) => walk(&entry.node, value, &join(path, &entry.key), out),
                    None => out.push(Mismatch {
                        path: join(path, &entry.key),
                        span: entry.node.span.clone(),
                        expected: toml_inline(&entry.node.value),
                        actual: "(not in the answer)".into(),
                    }),
                }
            }
        }
        // A case alone compares the case, whatever it carries.
        (Shown::Case(name, _), Value::Text(text)) => {
            if name != text {
                differ(out)
            }
        }
        (Shown::Case(name, payload), Value::Table(entries)) if entries.len() == 1 => match payload {
            Some(payload) if entries[0].key == *name => walk(&entries[0].node, payload, &join(path, name), out),
            _ => differ(out),
        },
        (Shown::List(items), Value::Array(expected_items)) => {
            if items.len() == expected_items.len() {
                for (i, (item, expected_item)) in items.iter().zip(expected_items).enumerate() {
                    walk(expected_item, item, &format!("{path}[{i}]"), out);
                }
            } else {
                out.push(Mismatch {
                    path: path.to_owned(),
                    span: expected.span.clone(),
                    expected: format!("{}: {}", count(expected_items.len()), toml_inline(&expected.value)),
                    actual: format!("{}: {}", count(items.len()), actual.toml()),
                });
            }
        }
        (Shown::Text(a), Value::Text(b)) if a == b => {}
        (Shown::Bool(a), Value::Bool(b)) if a == b => {}
        (Shown::Integer(a), Value::Integer(b)) if *a == i128::from(*b) => {}
        (Shown::Float(a), Value::Float(b)) if a == b => {}
        (Shown::Float(a), Value::Integer(b)) if *a == *b as f64 => {}
        _ => differ(out),
    }
}

fn count(items: usize) -> String {
    if items == 1 { "1 item".into() } else { format!("{items} items") }
}
