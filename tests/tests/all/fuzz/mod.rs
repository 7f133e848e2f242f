//! Fuzzing that stays: property-based tests (proptest) over everything the host reads from
//! outside itself: policies, the ERP's and the web shop's answers, the operator's search
//! phrases, `plugin test` cases files and the HTTP API's requests. Whatever the input,
//! nothing panics, nothing hangs, and every refusal says where and why.
//!
//! Every `cargo test` runs a bounded number of cases, new ones each run; the long run is a
//! command:
//!
//! ```sh
//! POS_FUZZ_CASES=5000 POS_FUZZ_SLOW_CASES=300 cargo test -p pos-tests --test all fuzz:: -- --nocapture
//! ```
//!
//! `POS_FUZZ_CASES` is the number of cases of each property that runs in-process (default
//! 500), `POS_FUZZ_SLOW_CASES` of each that spawns `pos-host` or talks HTTP (default 32).
//! Each property prints how many cases it ran (`--nocapture` shows it). A failure prints the
//! minimal input proptest shrank it to; `PROPTEST_RNG_SEED=<n>` replays a run's inputs.
//! Nothing is written into the source tree: make a failure a named test of its own.

use pos_host::Policy;
use pos_host::bindings::erp::ErpError;
use pos_host::bindings::{Customer, Field, Filter, Origin, SearchQuery, field_name};
use pos_host::erp::{ErpClient, ErpConfig};
use pos_host::policy::PolicyErrors;
use pos_host::store::{MAX_PHRASE_WORDS, Store, check_fields, check_person, check_text, is_blank, match_expression};
use pos_host::webshop::{Registration, WebshopClient, WebshopConfig, WebshopError};
use pos_tests::{artifacts, root, shared_cache};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseResult, TestRunner};
use serde_json::{Map, Value};
use std::fmt::Debug;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod answers;
mod cases;
mod http;
mod policy;
mod search;

use answers::{boolean, field_text, runtime};
use policy::{config_table, int_in, pick, strings, text_value};

// ---------------------------------------------------------------------------------------
// Running

/// What one case costs, which decides how many run.
#[derive(Clone, Copy)]
enum Cost {
    /// In-process, a millisecond or less.
    Cheap,
    /// A process spawned or an HTTP exchange.
    Slow,
}

fn cases(cost: Cost) -> u32 {
    let (variable, default) = match cost {
        Cost::Cheap => ("POS_FUZZ_CASES", 500),
        Cost::Slow => ("POS_FUZZ_SLOW_CASES", 32),
    };
    match std::env::var(variable) {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| panic!("{variable}={value:?} is not a number")),
        Err(_) => default,
    }
}

/// How the cases of a property ended, by kind, to show what the inputs reached.
#[derive(Default)]
struct Tally(Mutex<std::collections::BTreeMap<&'static str, u64>>);

impl Tally {
    fn count(&self, outcome: &'static str) {
        *self.0.lock().unwrap().entry(outcome).or_default() += 1;
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counts = self.0.lock().unwrap();
        let parts: Vec<String> = counts.iter().map(|(outcome, n)| format!("{n} {outcome}")).collect();
        f.write_str(&parts.join(", "))
    }
}

/// Runs `test` on the cases `strategy` draws: a panic, a failed assertion or a case that
/// runs past its time limit fails the property with the smallest input proptest finds.
fn fuzz<S>(name: &str, cost: Cost, strategy: S, test: impl Fn(S::Value, &Tally) -> TestCaseResult)
where
    S: Strategy,
    S::Value: Debug,
{
    let (hang, shrink_iters) = match cost {
        Cost::Cheap => (Duration::from_secs(30), 4096),
        Cost::Slow => (Duration::from_secs(180), 64),
    };
    let config = Config {
        cases: cases(cost),
        // Failures are printed with their minimal input; a regression worth keeping becomes a
        // named test rather than a seed file in the source tree.
        failure_persistence: None,
        max_shrink_iters: shrink_iters,
        max_shrink_time: 120_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let ran = AtomicU64::new(0);
    let tally = Tally::default();
    let watchdog = Watchdog::start(name, hang);
    let started = Instant::now();
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        let _case = watchdog.enter(&value);
        test(value, &tally)
    });
    let ran = ran.load(Ordering::Relaxed);
    eprintln!("fuzz {name}: {ran} cases in {:.1?} ({tally})", started.elapsed());
    if let Err(error) = result {
        panic!("fuzz {name}: {error}");
    }
}

/// Ends the process, naming the input, when one case runs longer than its limit: a hang must
/// fail the run rather than stall it, and cannot be unwound from another thread.
struct Watchdog {
    cases: mpsc::Sender<Option<String>>,
}

struct CaseRunning<'a>(&'a Watchdog);

impl Watchdog {
    fn start(name: &str, limit: Duration) -> Watchdog {
        let (cases, started) = mpsc::channel::<Option<String>>();
        let name = name.to_owned();
        std::thread::spawn(move || {
            while let Ok(case) = started.recv() {
                let Some(input) = case else { continue };
                match started.recv_timeout(limit) {
                    Ok(_) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                    Err(RecvTimeoutError::Timeout) => {
                        let shown: String = input.chars().take(4000).collect();
                        eprintln!("fuzz {name}: a case ran longer than {limit:?} (a hang); its input:\n{shown}");
                        std::process::abort();
                    }
                }
            }
        });
        Watchdog { cases }
    }

    fn enter(&self, input: &impl Debug) -> CaseRunning<'_> {
        self.cases.send(Some(format!("{input:#?}"))).expect("the watchdog runs");
        CaseRunning(self)
    }
}

impl Drop for CaseRunning<'_> {
    fn drop(&mut self) {
        let _ = self.0.cases.send(None);
    }
}

// ---------------------------------------------------------------------------------------
// Documents: one tree written as TOML or JSON

/// A value of a generated document.
#[derive(Clone, Debug)]
enum V {
    /// JSON's `null`; in TOML, the bare word (a syntax error).
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A string written with every character escaped (`\uXXXX`, surrogate pairs in JSON).
    Escaped(String),
    /// Written as is: numbers out of range or in odd notations, dates.
    Raw(String),
    Arr(Vec<V>),
    Tab(Vec<(String, V)>, Style),
}

/// How a TOML table is written.
#[derive(Clone, Copy, Debug)]
enum Style {
    /// `[a.b]` when it can be, inline otherwise.
    Section,
    Inline,
    /// `b.c = 1` lines in its parent.
    Dotted,
}

impl V {
    fn str(text: impl Into<String>) -> V {
        V::Str(text.into())
    }

    fn json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            V::Null => out.push_str("null"),
            V::Bool(b) => out.push_str(&b.to_string()),
            V::Int(i) => out.push_str(&i.to_string()),
            V::Float(x) if x.is_finite() => out.push_str(&serde_json::to_string(x).unwrap()),
            V::Float(x) => out.push_str(&x.to_string()),
            V::Str(text) => out.push_str(&serde_json::to_string(text).unwrap()),
            V::Escaped(text) => {
                out.push('"');
                for unit in text.encode_utf16() {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
                out.push('"');
            }
            V::Raw(raw) => out.push_str(raw),
            V::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            V::Tab(entries, _) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push_str(": ");
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// The document, when `self` is a table, as a TOML file.
    fn toml(&self) -> String {
        let mut out = String::new();
        match self {
            V::Tab(entries, _) => toml_body(entries, &[], &mut out),
            other => {
                out.push_str("value = ");
                other.write_toml_inline(&mut out);
                out.push('\n');
            }
        }
        out
    }

    fn write_toml_inline(&self, out: &mut String) {
        match self {
            V::Null => out.push_str("null"),
            V::Bool(b) => out.push_str(&b.to_string()),
            V::Int(i) => out.push_str(&i.to_string()),
            V::Float(x) if x.is_nan() => out.push_str("nan"),
            V::Float(x) if x.is_infinite() => out.push_str(if *x > 0.0 { "inf" } else { "-inf" }),
            V::Float(x) => out.push_str(&format!("{x:?}")),
            V::Str(text) => out.push_str(&toml_string(text)),
            V::Escaped(text) => {
                out.push('"');
                for c in text.chars() {
                    match u32::from(c) {
                        code @ 0..=0xFFFF => out.push_str(&format!("\\u{code:04X}")),
                        code => out.push_str(&format!("\\U{code:08X}")),
                    }
                }
                out.push('"');
            }
            V::Raw(raw) => out.push_str(raw),
            V::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_toml_inline(out);
                }
                out.push(']');
            }
            V::Tab(entries, _) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    out.push_str(if i > 0 { ", " } else { " " });
                    out.push_str(&toml_key(key));
                    out.push_str(" = ");
                    value.write_toml_inline(out);
                }
                out.push_str(if entries.is_empty() { "}" } else { " }" });
            }
        }
    }

    fn is_section(&self) -> bool {
        matches!(self, V::Tab(_, Style::Section))
    }
}

/// The lines of a table whose header (`path`) is written: its keys, then its sections.
fn toml_body(entries: &[(String, V)], path: &[String], out: &mut String) {
    let array_of_sections =
        |value: &V| matches!(value, V::Arr(items) if !items.is_empty() && items.iter().all(V::is_section));
    for (key, value) in entries {
        match value {
            _ if value.is_section() || array_of_sections(value) => {}
            V::Tab(inner, Style::Dotted) => toml_dotted(inner, std::slice::from_ref(key), out),
            _ => {
                out.push_str(&toml_key(key));
                out.push_str(" = ");
                value.write_toml_inline(out);
                out.push('\n');
            }
        }
    }
    for (key, value) in entries {
        let mut inner_path = path.to_vec();
        inner_path.push(key.clone());
        let header = inner_path.iter().map(|k| toml_key(k)).collect::<Vec<_>>().join(".");
        match value {
            V::Tab(inner, Style::Section) => {
                out.push_str(&format!("\n[{header}]\n"));
                toml_body(inner, &inner_path, out);
            }
            V::Arr(items) if array_of_sections(value) => {
                for item in items {
                    let V::Tab(inner, _) = item else { unreachable!() };
                    out.push_str(&format!("\n[[{header}]]\n"));
                    toml_body(inner, &inner_path, out);
                }
            }
            _ => {}
        }
    }
}

/// `a.b.c = value` lines for the keys of a dotted table.
fn toml_dotted(entries: &[(String, V)], prefix: &[String], out: &mut String) {
    for (key, value) in entries {
        let mut keys = prefix.to_vec();
        keys.push(key.clone());
        match value {
            V::Tab(inner, Style::Dotted | Style::Section) if !inner.is_empty() => toml_dotted(inner, &keys, out),
            _ => {
                out.push_str(&keys.iter().map(|k| toml_key(k)).collect::<Vec<_>>().join("."));
                out.push_str(" = ");
                value.write_toml_inline(out);
                out.push('\n');
            }
        }
    }
}

fn toml_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The entries with every key once (the first), as a valid document has them.
fn distinct(entries: Vec<(String, V)>) -> Vec<(String, V)> {
    let mut seen = std::collections::HashSet::new();
    entries.into_iter().filter(|(key, _)| seen.insert(key.clone())).collect()
}

// ---------------------------------------------------------------------------------------
// Strategies shared by the properties

/// Characters that try escaping, folding and tokenizing: syntax of TOML, JSON and FTS5,
/// letters with diacritics, right-to-left letters, astral characters and emoji, combining
/// marks, separators, invisible characters, non-characters, characters whose case changes
/// their length.
const PALETTE: &[char] = &[
    'a',
    'Z',
    'k',
    '0',
    '9',
    ' ',
    '"',
    '\'',
    '\\',
    '/',
    '{',
    '}',
    '[',
    ']',
    '=',
    ',',
    '.',
    '#',
    ':',
    '*',
    '^',
    '(',
    ')',
    '-',
    '+',
    '_',
    '%',
    '&',
    '<',
    '>',
    ';',
    '@',
    'ą',
    'Ł',
    'ż',
    'ë',
    'ß',
    'é',
    'Ø',
    'İ',
    'ﬁ',
    'ẞ',
    'Σ',
    'ς',
    '²',
    '½',
    '٣',
    '漢',
    '字',
    '🙂',
    '👍',
    '\u{1F3FD}',
    '\u{05D0}',
    '\u{0627}',
    '\u{0301}',
    '\u{2028}',
    '\u{2029}',
    '\u{3000}',
    '\u{00A0}',
    '\u{FEFF}',
    '\u{200B}',
    '\u{200D}',
    '\u{00AD}',
    '\u{3164}',
    '\u{FE0F}',
    '\u{E0041}',
    '\u{FFFD}',
    '\u{FFFF}',
    '\u{10FFFF}',
];

/// Characters no customer field may hold: control characters and those that change the
/// direction text is shown in.
const UNSTORABLE: &[char] = &[
    '\0', '\u{1}', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{202A}', '\u{202B}', '\u{202C}',
    '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

/// Texts as people and programs write them, and as attackers do: plain names, odd
/// characters, anything at all, texts around and far over the field limit, blank ones.
fn text() -> BoxedStrategy<String> {
    let chars = |set: &'static [char], len: std::ops::Range<usize>| {
        prop::collection::vec(select(set), len).prop_map(|cs| cs.into_iter().collect::<String>())
    };
    let odd: Vec<char> = PALETTE.iter().chain(UNSTORABLE).copied().collect();
    prop_oneof![
        4 => "[A-Z][a-z]{1,12}( [A-Z][a-z'-]{1,12}){0,2}",
        4 => chars(PALETTE, 0..24),
        2 => any::<String>(),
        1 => prop::collection::vec(select(odd), 1..12).prop_map(|cs| cs.into_iter().collect()),
        1 => (select(&['a', 'ł', '漢', '🙂'][..]), 1000usize..1040).prop_map(|(c, bytes)| {
            std::iter::repeat_n(c, bytes / c.len_utf8()).collect()
        }),
        1 => (1usize..64).prop_map(|kib| "Kowalski ".repeat(kib * 1024 / 9)),
        1 => select(&["", " ", "   ", "\u{200B}", "\u{FEFF} ", "\u{3164}", "\u{00AD}", "\u{2060}\u{180E}"][..])
            .prop_map(String::from),
    ]
    .boxed()
}

/// Keys: the ones the formats know, near misses, and anything.
fn key(known: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(known).prop_map(String::from),
        2 => "[a-z][a-z0-9-]{0,12}",
        1 => select(known).prop_flat_map(|k| {
            let len = k.len();
            (Just(k), 0..=len, "[a-z_.-]?").prop_map(|(k, at, with)| {
                let at = (0..=at).rev().find(|i| k.is_char_boundary(*i)).unwrap_or(0);
                let end = (at + 1..=k.len()).find(|i| k.is_char_boundary(*i)).unwrap_or(k.len());
                format!("{}{with}{}", &k[..at], &k[end..])
            })
        }),
        1 => text(),
    ]
    .boxed()
}

/// Any value at all, as the wrong type of something.
fn any_value(json: bool) -> BoxedStrategy<V> {
    let number_literals: &'static [&'static str] = if json {
        &["18446744073709551615", "18446744073709551616", "-9223372036854775809", "1e400", "-0", "0.0", "1E3", "-1"]
    } else {
        &["0x7FFF_FFFF", "0o17", "0b101", "1_000", "+inf", "-nan", "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27"]
    };
    let float = if json {
        (prop::num::f64::NORMAL | prop::num::f64::ZERO | prop::num::f64::SUBNORMAL).boxed()
    } else {
        any::<f64>().boxed()
    };
    let leaf = prop_oneof![
        any::<bool>().prop_map(V::Bool),
        any::<i64>().prop_map(V::Int),
        select(&[0, -1, 1, i64::MIN, i64::MAX, 600_000, 600_001][..]).prop_map(V::Int),
        float.prop_map(V::Float),
        text().prop_map(V::Str),
        select(number_literals).prop_map(|raw| V::Raw(raw.into())),
        if json { Just(V::Null).boxed() } else { Just(V::Bool(false)).boxed() },
    ];
    leaf.prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(V::Arr),
            prop::collection::vec((key(&["a", "b"]), inner), 0..5).prop_map(|e| V::Tab(distinct(e), Style::Inline)),
        ]
    })
    .boxed()
}

/// `good` mostly, anything else at times.
fn typed(good: impl Strategy<Value = V> + 'static, json: bool) -> BoxedStrategy<V> {
    // Rarely enough that a document of dozens of values is often right as a whole.
    prop_oneof![60 => good, 1 => any_value(json)].boxed()
}

/// `good` but once in a few hundred: for the fields of records that come by the dozen.
fn seldom_wrong(good: impl Strategy<Value = V> + 'static) -> BoxedStrategy<V> {
    prop_oneof![300 => good, 1 => any_value(true)].boxed()
}

type Entry = Option<(String, V)>;

/// `key = value`, or the key left out.
fn entry(key: &'static str, value: impl Strategy<Value = V> + 'static) -> BoxedStrategy<Entry> {
    prop_oneof![4 => value.prop_map(move |v| Some((key.to_owned(), v))), 1 => Just(None)].boxed()
}

/// `key = value` at times, mostly left out.
fn seldom(key: &'static str, value: impl Strategy<Value = V> + 'static) -> BoxedStrategy<Entry> {
    prop_oneof![1 => value.prop_map(move |v| Some((key.to_owned(), v))), 3 => Just(None)].boxed()
}

/// `key = value` always.
fn required(key: &'static str, value: impl Strategy<Value = V> + 'static) -> BoxedStrategy<Entry> {
    value.prop_map(move |v| Some((key.to_owned(), v))).boxed()
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![4 => Just(Style::Section), 2 => Just(Style::Inline), 1 => Just(Style::Dotted)]
}

/// A table of `entries` and, rarely, unknown keys (near misses of `known` at times).
fn table(entries: Vec<BoxedStrategy<Entry>>, known: &'static [&'static str], json: bool) -> BoxedStrategy<V> {
    let extra = prop::collection::vec((key(known), any_value(json)), 0..3);
    let extra = prop_oneof![40 => Just(Vec::new()), 1 => extra];
    (entries, extra, style())
        .prop_map(|(entries, extra, style)| {
            V::Tab(distinct(entries.into_iter().flatten().chain(extra).collect()), style)
        })
        .boxed()
}

/// Edits at random places of a document: deletions, insertions of syntax, duplicated and
/// dropped lines, so that inputs stay near a format instead of far from all of them.
fn mutated(document: impl Strategy<Value = String> + 'static) -> BoxedStrategy<String> {
    const SNIPPETS: &[&str] = &[
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        "=",
        ",",
        ".",
        "\n",
        "#",
        "\\",
        "\\u",
        "[[",
        "]]",
        "= 1",
        "= \"x\"",
        "null",
        "true",
        "-",
        "9999999999999999999999",
        "1e999",
        "\u{0}",
        "\u{202E}",
        "🙂",
        "\u{FEFF}",
        "\r\n",
        "\t",
    ];
    let edit = (any::<Index>(), 0u8..5, select(SNIPPETS), 0usize..16);
    (document, prop::collection::vec(edit, 1..6))
        .prop_map(|(document, edits)| {
            let mut chars: Vec<char> = document.chars().collect();
            for (at, kind, snippet, len) in edits {
                let at = at.index(chars.len() + 1);
                match kind {
                    0 => {
                        chars.drain(at..(at + len).min(chars.len()));
                    }
                    1 | 2 => {
                        chars.splice(at..at, snippet.chars());
                    }
                    3 => {
                        let line = lines_around(&chars, at);
                        let copy: Vec<char> = chars[line.clone()].to_vec();
                        chars.splice(line.end..line.end, copy);
                    }
                    _ => {
                        chars.drain(lines_around(&chars, at));
                    }
                }
            }
            chars.into_iter().collect()
        })
        .boxed()
}

/// The line (with its line break) holding the character at `at`.
fn lines_around(chars: &[char], at: usize) -> std::ops::Range<usize> {
    let at = at.min(chars.len());
    let start = chars[..at].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
    let end = chars[at..].iter().position(|c| *c == '\n').map_or(chars.len(), |i| at + i + 1);
    start..end
}

/// Text of any kind: anything at all, or made of the syntax of TOML and JSON.
fn any_text() -> BoxedStrategy<String> {
    prop_oneof![
        2 => any::<String>(),
        2 => "[\\[\\]{}=\",.#a-z0-9 \\n\\t\\\\:'-]{0,200}",
        1 => prop::collection::vec(select(PALETTE), 0..200).prop_map(|cs| cs.into_iter().collect()),
        1 => (1usize..3000, select(&["[", "{ a = ", "[[a]]\n", "a.", "{\"a\":"][..]))
            .prop_map(|(depth, open)| open.repeat(depth)),
        1 => prop::collection::vec(any::<u8>(), 0..400).prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    ]
    .boxed()
}

/// `line:column` within `text`: the line exists, the column is at most one past its end.
fn within(text: &str, (line, column): (usize, usize)) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    line >= 1 && line <= lines.len() && column >= 1 && column <= lines[line - 1].chars().count() + 1
}
