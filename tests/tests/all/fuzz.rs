//! Fuzzing that stays: property-based tests (proptest) over everything the host reads from
//! outside itself: policies, the ERP's and the web shop's answers, the operator's search
//! phrases and `plugin test` cases files. Whatever the input, nothing panics, nothing hangs,
//! and every refusal says where and why.
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
use pos_host::bindings::caps::pos::plugin::erp::ErpError;
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
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

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

// ---------------------------------------------------------------------------------------
// 1. The policy checker

const POLICY_FILE: &str = "fuzz.toml";

/// Checks `text` as `fuzz.toml`: no panic, and every problem located.
fn check_policy(text: &str, tally: &Tally) -> TestCaseResult {
    let path = Path::new(POLICY_FILE);
    let Err(PolicyErrors(errors)) = Policy::parse(path, text) else {
        tally.count("accepted");
        return Ok(());
    };
    tally.count(if errors.len() == 1 { "refused with 1 problem" } else { "refused with several problems" });
    prop_assert!(!errors.is_empty(), "a refusal without a problem");
    for error in &errors {
        prop_assert!(!error.message.trim().is_empty(), "a problem without a message: {error}");
        // A policy may extend files on disk (relative to the working directory); a problem
        // may be in one of them, and then it names that file.
        let in_text = if error.location.path == path {
            text.to_owned()
        } else {
            prop_assert!(text.contains("extends"), "{error} names another file, and nothing is extended");
            match std::fs::read_to_string(&error.location.path) {
                Ok(other) => other,
                Err(_) => {
                    prop_assert!(error.location.line_col.is_none(), "{error} places a line in an unreadable file");
                    continue;
                }
            }
        };
        let read_problem = error.message.starts_with("cannot read");
        if !read_problem {
            prop_assert!(error.location.line_col.is_some(), "{error} has no line and column");
        }
        if let Some(line_col) = error.location.line_col {
            prop_assert!(within(&in_text, line_col), "{error} is past the end of its file");
        }
    }
    Ok(())
}

const MISSPELLINGS: &[&str] = &[
    "workstaton",
    "local",
    "locales",
    "erp-url",
    "customer",
    "mode",
    "timeout",
    "timeout_ms",
    "online_search",
    "url",
    "plugins",
    "grant",
    "limit",
    "configs",
    "memory",
    "fuel ",
    "Slots",
    "HOST",
    "extend",
];

fn text_value() -> BoxedStrategy<V> {
    prop_oneof![4 => text().prop_map(V::Str), 1 => text().prop_map(V::Escaped)].boxed()
}

/// One of `valid` mostly, one of `invalid` or any text at times.
fn pick(valid: &'static [&'static str], invalid: &'static [&'static str]) -> BoxedStrategy<V> {
    prop_oneof![30 => select(valid).prop_map(V::str), 2 => select(invalid).prop_map(V::str), 1 => text_value()].boxed()
}

fn strings(options: &'static [&'static str]) -> BoxedStrategy<V> {
    prop_oneof![4 => select(options).prop_map(V::str), 1 => text_value()].boxed()
}

/// An integer in `valid` mostly, one of `edges` or any at times.
fn int_in(valid: std::ops::RangeInclusive<i64>, edges: &'static [i64]) -> BoxedStrategy<V> {
    prop_oneof![15 => valid.prop_map(V::Int), 1 => integers(edges)].boxed()
}

fn integers(edges: &'static [i64]) -> BoxedStrategy<V> {
    prop_oneof![2 => select(edges).prop_map(V::Int), 1 => any::<i64>().prop_map(V::Int)].boxed()
}

/// A config table: any keys, nested or dotted, with values of every type.
fn config_table(json: bool) -> BoxedStrategy<V> {
    const CONFIG_KEYS: &[&str] = &[
        "offer-erp-at-most",
        "erp-show-at-most",
        "waiting-window-after-ms",
        "max-candidates",
        "fallback-locale",
        "name-prefixes",
        "gendered-suffixes",
        "match-email",
        "min-score",
        "a.b",
    ];
    let value = prop_oneof![
        3 => any_value(json),
        1 => prop::collection::vec(text().prop_map(V::Str), 0..4).prop_map(V::Arr),
    ];
    let nested = (prop::collection::vec((key(CONFIG_KEYS), value), 0..8), style())
        .prop_map(|(entries, style)| V::Tab(distinct(entries), style));
    prop_oneof![4 => nested, 1 => deep(), 1 => many_keys()].boxed()
}

/// Tables nested up to 64 deep, written as sections, inline or dotted.
fn deep() -> BoxedStrategy<V> {
    (1usize..64, style(), any_value(false))
        .prop_map(|(depth, style, leaf)| {
            (0..depth).fold(leaf, |inner, level| V::Tab(vec![(format!("k{level}"), inner)], style))
        })
        .boxed()
}

/// A table of hundreds of keys.
fn many_keys() -> BoxedStrategy<V> {
    (50usize..400, any::<i64>())
        .prop_map(|(n, seed)| {
            let entries = (0..n).map(|i| (format!("key-{i}"), V::Int(seed.wrapping_add(i as i64)))).collect();
            V::Tab(entries, Style::Section)
        })
        .boxed()
}

/// Policies as integrators write them and get them wrong: the host's and the slots' keys
/// with plausible values and wrong types, unknown and misspelled keys, extended files that
/// exist or not, deep nesting and many keys.
fn policy() -> BoxedStrategy<String> {
    const HOST_KEYS: &[&str] = &["workstation", "locale", "cache-dir", "database", "customers", "erp", "webshop"];
    const SLOT_KEYS: &[&str] = &["plugin", "grants", "config", "limits"];
    const SLOT_NAMES: &[&str] = &["search-policy", "notification-texts", "web-merge-rules", "search_policy", "texts"];
    let timeouts = || int_in(1..=600_000, &[1, 0, -1, 600_000, 600_001, i64::MAX, i64::MIN]);
    let url = || pick(&["http://127.0.0.1:8780", "https://erp.example"], &["ftp://x", "http://a b", "http://", ""]);
    let host = table(
        vec![
            entry(
                "workstation",
                typed(pick(&["POS-01", "till_7"], &["", "POS 01", "a-very-long-workstation-name-of-40-chars"]), false),
            ),
            entry(
                "locale",
                typed(pick(&["en", "pl", "nl", "nl-BE", "EN"], &["e", "engl", "en-", "-BE", "pl-PL-x"]), false),
            ),
            entry("cache-dir", typed(text_value(), false)),
            entry("database", typed(text_value(), false)),
            entry(
                "customers",
                typed(
                    table(
                        vec![entry("mode", typed(pick(&["local-only", "sync-all"], &["sync_all", ""]), false))],
                        &["mode"],
                        false,
                    ),
                    false,
                ),
            ),
            entry(
                "erp",
                typed(
                    table(
                        vec![
                            entry("url", typed(url(), false)),
                            entry("timeout-ms", typed(timeouts(), false)),
                            entry("online-search", typed(any::<bool>().prop_map(V::Bool), false)),
                        ],
                        &["url", "timeout-ms", "online-search"],
                        false,
                    ),
                    false,
                ),
            ),
            entry(
                "webshop",
                typed(
                    table(
                        vec![entry("url", typed(url(), false)), entry("timeout-ms", typed(timeouts(), false))],
                        &["url", "timeout-ms"],
                        false,
                    ),
                    false,
                ),
            ),
        ],
        HOST_KEYS,
        false,
    );
    let limits = table(
        vec![
            entry("fuel", typed(int_in(1_000_000..=i64::MAX, &[0, 1_000_000, 999_999, i64::MAX, -5]), false)),
            entry("memory-mib", typed(int_in(2..=4096, &[1, 2, 4096, 4097, -1]), false)),
            entry("timeout-ms", typed(int_in(1..=60_000, &[0, 1, 60_000, 600_001]), false)),
            entry("prompt-timeout-ms", typed(int_in(1..=600_000, &[0, 1, i64::MAX]), false)),
        ],
        &["fuel", "memory-mib", "timeout-ms", "prompt-timeout-ms"],
        false,
    );
    let grant = pick(&["local-db", "erp", "ui", "log", "config"], &["disk", "LOCAL-DB", ""]);
    let slot = table(
        vec![
            entry(
                "plugin",
                typed(pick(&["../plugins/search-thresholds.wasm", "x.wasm"], &["", "/dev/null", "."]), false),
            ),
            entry("grants", typed(prop::collection::vec(grant, 0..5).prop_map(V::Arr), false)),
            entry("config", typed(config_table(false), false)),
            entry("limits", typed(limits, false)),
        ],
        SLOT_KEYS,
        false,
    );
    let slot_name = prop_oneof![6 => select(&SLOT_NAMES[..3]).prop_map(String::from), 1 => key(SLOT_NAMES)];
    let slots = (prop::collection::vec((slot_name, slot), 0..4), style())
        .prop_map(|(entries, style)| V::Tab(distinct(entries), style));
    let extends =
        pick(&["../policies/default.toml"], &["missing.toml", "", "fuzz.toml", "/dev/null", ".", "Cargo.toml"]);
    let root_extra = prop::collection::vec(
        (key(MISSPELLINGS), prop_oneof![3 => any_value(false), 1 => deep(), 1 => many_keys()]),
        0..3,
    );
    (
        prop_oneof![5 => Just(None), 1 => typed(extends, false).prop_map(Some)],
        prop_oneof![1 => Just(None), 4 => typed(host, false).prop_map(Some)],
        prop_oneof![1 => Just(None), 4 => typed(slots, false).prop_map(Some)],
        prop_oneof![9 => Just(Vec::new()), 1 => root_extra],
    )
        .prop_map(|(extends, host, slots, extra)| {
            let mut entries = Vec::new();
            entries.extend(extends.map(|v| ("extends".to_owned(), v)));
            entries.extend(host.map(|v| ("host".to_owned(), v)));
            entries.extend(slots.map(|v| ("slots".to_owned(), v)));
            entries.extend(extra);
            V::Tab(distinct(entries), Style::Section).toml()
        })
        .boxed()
}

/// The policies this repository ships, as seeds for mutation.
fn shipped_policies() -> Vec<String> {
    let mut files = vec![root().join("policies/default.toml"), root().join("policies/demo.toml")];
    for dir in ["policies/clients", "host/templates/plugin/search-policy", "host/templates/plugin/web-merge-rules"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") && !path.ends_with("cases.toml") {
                files.push(path);
            }
        }
    }
    files.iter().map(|path| std::fs::read_to_string(path).unwrap()).collect()
}

#[test]
fn policy_check_of_any_text_locates_every_problem() {
    let seeds = shipped_policies();
    let strategy = prop_oneof![1 => any_text(), 2 => mutated(select(seeds)), 1 => mutated(policy())];
    fuzz("policy check, any text", Cost::Cheap, strategy, |text, tally| check_policy(&text, tally));
}

#[test]
fn policy_check_of_generated_policies_locates_every_problem() {
    fuzz("policy check, generated policies", Cost::Cheap, policy(), |text, tally| check_policy(&text, tally));
}

// ---------------------------------------------------------------------------------------
// 2. and 3. The ERP's and the web shop's answers

/// Strings as customer fields hold them, sometimes escaped.
fn json_text() -> BoxedStrategy<V> {
    let unstorable = (field_text(), select(UNSTORABLE), any::<Index>()).prop_map(|(text, bad, at)| {
        let mut chars: Vec<char> = text.chars().collect();
        chars.insert(at.index(chars.len() + 1), bad);
        chars.into_iter().collect::<String>()
    });
    prop_oneof![
        60 => field_text().prop_map(V::Str),
        10 => field_text().prop_map(V::Escaped),
        1 => unstorable.prop_map(V::Str),
    ]
    .boxed()
}

/// Texts for fields that mostly hold what a person would type, so that whole records are
/// often storable; any text at times.
fn field_text() -> BoxedStrategy<String> {
    prop_oneof![
        12 => "[A-Z][a-z]{1,12}( [A-Z][a-z'-]{1,12}){0,2}",
        8 => prop::collection::vec(select(PALETTE), 1..16).prop_map(|cs| cs.into_iter().collect()),
        1 => text(),
    ]
    .boxed()
}

fn unsigned() -> BoxedStrategy<V> {
    prop_oneof![
        40 => (0u64..1_000_000).prop_map(|n| V::Int(n as i64)),
        10 => any::<u64>().prop_map(|n| V::Raw(n.to_string())),
        1 => select(&["0", "18446744073709551615", "18446744073709551616", "-1", "1.5", "1e3", "-0", "00", "1e400"][..])
            .prop_map(|raw| V::Raw(raw.into())),
    ]
    .boxed()
}

fn signed() -> BoxedStrategy<V> {
    prop_oneof![
        50 => any::<i64>().prop_map(V::Int),
        1 => select(&["-9223372036854775808", "9223372036854775808", "1.0", "-1e2", "1_000"][..])
            .prop_map(|raw| V::Raw(raw.into())),
    ]
    .boxed()
}

fn boolean() -> BoxedStrategy<V> {
    any::<bool>().prop_map(V::Bool).boxed()
}

fn maybe(value: BoxedStrategy<V>) -> BoxedStrategy<V> {
    prop_oneof![4 => value, 1 => Just(V::Null)].boxed()
}

/// A customer object: every field, at times left out or of the wrong type.
fn customer_json(web: bool) -> BoxedStrategy<V> {
    const OPTIONAL: [&str; 8] = ["company", "tax_id", "email", "phone", "street", "postal_code", "city", "country"];
    let number = prop_oneof![3 => "K-[0-9]{7}".prop_map(V::str), 1 => json_text()].boxed();
    let mut fields = if web {
        vec![
            required("id", seldom_wrong(prop_oneof![3 => "W-[0-9]{6}".prop_map(V::str), 1 => json_text()])),
            entry("customer_number", seldom_wrong(maybe(number))),
        ]
    } else {
        vec![required("number", seldom_wrong(number))]
    };
    fields.push(required("first_name", seldom_wrong(json_text())));
    fields.push(required("last_name", seldom_wrong(json_text())));
    fields.extend(OPTIONAL.into_iter().map(|field| entry(field, seldom_wrong(maybe(json_text())))));
    if !web {
        fields.push(required("active", seldom_wrong(boolean())));
    }
    fields.push(required("version", seldom_wrong(unsigned())));
    fields.push(required("updated_at", seldom_wrong(signed())));
    if !web {
        fields.push(entry("previewable", seldom_wrong(boolean())));
        fields.push(entry("editable", seldom_wrong(boolean())));
    }
    // A required field left out, at times.
    let omit = prop_oneof![100 => Just(None), 1 => any::<Index>().prop_map(Some)];
    (table(fields, &["number", "id", "active"], true), omit)
        .prop_map(|(customer, omit)| match (customer, omit) {
            (V::Tab(mut entries, style), Some(at)) if !entries.is_empty() => {
                entries.remove(at.index(entries.len()));
                V::Tab(entries, style)
            }
            (customer, _) => customer,
        })
        .boxed()
}

fn list_of(item: BoxedStrategy<V>) -> BoxedStrategy<V> {
    typed(prop::collection::vec(item, 0..6).prop_map(V::Arr), true)
}

/// The pages and customers the ERP answers with, by endpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ErpAnswer {
    Search,
    Customer,
    List,
    Changes,
}

fn erp_json(answer: ErpAnswer) -> BoxedStrategy<V> {
    match answer {
        ErpAnswer::Search => table(
            vec![required("customers", list_of(customer_json(false))), required("has_more", typed(boolean(), true))],
            &["customers"],
            true,
        ),
        ErpAnswer::Customer => customer_json(false),
        ErpAnswer::List => table(
            vec![
                required("customers", list_of(customer_json(false))),
                required("next_after", typed(maybe(json_text()), true)),
                required("as_of", typed(unsigned(), true)),
                entry("total", typed(maybe(unsigned()), true)),
            ],
            &["customers", "as_of"],
            true,
        ),
        ErpAnswer::Changes => {
            let change = table(
                vec![
                    required("version", typed(unsigned(), true)),
                    required("number", typed(json_text(), true)),
                    seldom("deleted_at", typed(maybe(signed()), true)),
                    entry("customer", typed(maybe(customer_json(false)), true)),
                ],
                &["customer", "deleted_at"],
                true,
            );
            table(
                vec![
                    required("changes", list_of(change)),
                    required("next", typed(unsigned(), true)),
                    required("has_more", typed(boolean(), true)),
                ],
                &["changes"],
                true,
            )
        }
    }
}

fn erp_answer() -> impl Strategy<Value = ErpAnswer> {
    select(&[ErpAnswer::Search, ErpAnswer::Customer, ErpAnswer::List, ErpAnswer::Changes][..])
}

/// A response body, shown as text when a case fails.
#[derive(Clone)]
struct Body(Vec<u8>);

impl Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) => write!(f, "{text:?}"),
            Err(_) => write!(f, "{:?} (not UTF-8, shown lossily)", String::from_utf8_lossy(&self.0)),
        }
    }
}

/// Bodies of no particular format: any bytes, or text of any kind.
fn any_body() -> BoxedStrategy<Body> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600).prop_map(Body),
        any_text().prop_map(|text| Body(text.into_bytes())),
    ]
    .boxed()
}

/// A body for `answer`: generated, mutated, or anything at all.
fn erp_body(answer: ErpAnswer) -> BoxedStrategy<Body> {
    prop_oneof![
        12 => erp_json(answer).prop_map(|v| Body(v.json().into_bytes())),
        2 => mutated(erp_json(answer).prop_map(|v| v.json())).prop_map(|text| Body(text.into_bytes())),
        1 => any_body(),
    ]
    .boxed()
}

/// The `serde_json::Value` of a body, `Err(true)` when the body is no JSON (a refusal),
/// `Err(false)` when that cannot be judged: the client's types skip unknown fields without
/// checking their numbers' range or their strings' encoding, which a `Value` checks.
fn json_value(body: &[u8]) -> Result<Value, bool> {
    serde_json::from_slice::<Value>(body).map_err(|error| {
        let message = error.to_string();
        !["number out of range", "unicode", "surrogate", "UTF-8", "escape"].iter().any(|m| message.contains(m))
    })
}

/// What a body should decode to, judged on `serde_json::Value`s: the shape is wrong
/// somewhere (a refusal), cannot be judged here (an array where an object belongs, which
/// serde may read field by field; a key written twice), or right.
#[derive(Default)]
struct Shape {
    malformed: bool,
    unknown: bool,
}

impl Shape {
    fn object<'a>(&mut self, value: Option<&'a Value>) -> Option<&'a Map<String, Value>> {
        match value {
            Some(Value::Object(map)) => Some(map),
            Some(Value::Array(_)) => {
                self.unknown = true;
                None
            }
            _ => {
                self.malformed = true;
                None
            }
        }
    }

    /// An optional object (`null` or left out is none).
    fn maybe_object<'a>(&mut self, value: Option<&'a Value>) -> Option<&'a Map<String, Value>> {
        match value {
            None | Some(Value::Null) => None,
            other => self.object(other),
        }
    }

    fn string<'a>(&mut self, map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
        let found = map.get(key).and_then(Value::as_str);
        self.malformed |= found.is_none();
        found
    }

    fn maybe_string<'a>(&mut self, map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
        match map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                self.malformed = true;
                None
            }
        }
    }

    fn boolean(&mut self, map: &Map<String, Value>, key: &str, default: Option<bool>) -> bool {
        match (map.get(key), default) {
            (None, Some(default)) => default,
            (Some(Value::Bool(b)), _) => *b,
            _ => {
                self.malformed = true;
                false
            }
        }
    }

    fn unsigned(&mut self, map: &Map<String, Value>, key: &str) -> u64 {
        let found = map.get(key).and_then(Value::as_u64);
        self.malformed |= found.is_none();
        found.unwrap_or_default()
    }

    fn signed(&mut self, map: &Map<String, Value>, key: &str) -> i64 {
        let found = map.get(key).and_then(Value::as_i64);
        self.malformed |= found.is_none();
        found.unwrap_or_default()
    }

    fn maybe_number(&mut self, map: &Map<String, Value>, key: &str, signed: bool) -> Option<Value> {
        match map.get(key) {
            None | Some(Value::Null) => None,
            Some(value) if signed && value.as_i64().is_some() => Some(value.clone()),
            Some(value) if !signed && value.as_u64().is_some() => Some(value.clone()),
            Some(_) => {
                self.malformed = true;
                None
            }
        }
    }

    fn array<'a>(&mut self, map: &'a Map<String, Value>, key: &str) -> &'a [Value] {
        match map.get(key) {
            Some(Value::Array(items)) => items,
            _ => {
                self.malformed = true;
                &[]
            }
        }
    }

    /// The customer `value` holds, as the ERP (`web` false) or the web shop sends it.
    fn customer(&mut self, value: Option<&Value>, web: bool) -> Option<Customer> {
        let map = self.object(value)?;
        let mut text = |key: &str| self.maybe_string(map, key).map(String::from);
        let optional = [
            text("company"),
            text("tax_id"),
            text("email"),
            text("phone"),
            text("street"),
            text("postal_code"),
            text("city"),
            text("country"),
        ];
        let [company, tax_id, email, phone, street, postal_code, city, country] = optional;
        let (number, web_id) = if web {
            let id = self.string(map, "id").map(String::from);
            let number = self.maybe_string(map, "customer_number").filter(|n| !is_blank(n)).map(String::from);
            (number, id)
        } else {
            (self.string(map, "number").map(String::from), None)
        };
        let first_name = self.string(map, "first_name").unwrap_or_default().to_owned();
        let last_name = self.string(map, "last_name").unwrap_or_default().to_owned();
        let active = if web { true } else { self.boolean(map, "active", None) };
        let version = self.unsigned(map, "version");
        let updated_at = self.signed(map, "updated_at");
        let (previewable, editable) = if web {
            (true, true)
        } else {
            (self.boolean(map, "previewable", Some(true)), self.boolean(map, "editable", Some(true)))
        };
        Some(Customer {
            number,
            web_id,
            first_name,
            last_name,
            company,
            tax_id,
            email,
            phone,
            street,
            postal_code,
            city,
            country,
            active,
            origin: if web { Origin::Web } else { Origin::Erp },
            version,
            updated_at,
            previewable,
            editable,
        })
    }
}

/// Whether the store can hold `customer` as the ERP sent it.
fn storable_erp(customer: &Customer) -> bool {
    !is_blank(customer.number.as_deref().unwrap_or(""))
        && !is_blank(&customer.last_name)
        && fields_of(customer).iter().all(|text| check_text(text).is_ok())
}

/// Whether the store can hold `customer` as the web shop sent it.
fn storable_web(customer: &Customer) -> bool {
    !is_blank(customer.web_id.as_deref().unwrap_or(""))
        && !is_blank(&customer.last_name)
        && fields_of(customer).iter().all(|text| check_text(text).is_ok())
}

fn fields_of(customer: &Customer) -> Vec<&str> {
    let optional = [
        &customer.number,
        &customer.web_id,
        &customer.company,
        &customer.tax_id,
        &customer.email,
        &customer.phone,
        &customer.street,
        &customer.postal_code,
        &customer.city,
        &customer.country,
    ];
    let mut fields: Vec<&str> = optional.into_iter().flatten().map(String::as_str).collect();
    fields.extend([customer.first_name.as_str(), customer.last_name.as_str()]);
    fields
}

/// Whether some object of `body` writes a key twice, which serde refuses for known fields.
fn repeats_a_key(body: &[u8]) -> bool {
    struct Check;
    impl<'de> serde::Deserialize<'de> for Check {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Check, D::Error> {
            deserializer.deserialize_any(CheckVisitor)
        }
    }
    struct CheckVisitor;
    impl<'de> serde::de::Visitor<'de> for CheckVisitor {
        type Value = Check;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_str<E>(self, _: &str) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_unit<E>(self) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Check, A::Error> {
            while seq.next_element::<Check>()?.is_some() {}
            Ok(Check)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Check, A::Error> {
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !keys.insert(key) {
                    return Err(serde::de::Error::custom("a repeated key"));
                }
                map.next_value::<Check>()?;
            }
            Ok(Check)
        }
    }
    serde_json::from_slice::<Check>(body).is_err()
}

/// What an ERP body should decode to: `None` when it cannot be judged, else whether it is
/// refused and, when not, the customers in it (with the numbers and versions of removals).
#[derive(Debug, PartialEq)]
enum Expected<T> {
    Refused,
    Decoded(T),
}

type ErpDecoded = (Vec<Customer>, Vec<(String, u64)>);

fn expected_erp(answer: ErpAnswer, body: &[u8]) -> Option<Expected<ErpDecoded>> {
    let value = match json_value(body) {
        Ok(value) => value,
        Err(refused) => return refused.then_some(Expected::Refused),
    };
    let mut shape = Shape::default();
    let mut customers = Vec::new();
    let mut removed = Vec::new();
    let mut storable = true;
    let mut take = |customer: Option<Customer>, storable: &mut bool| {
        if let Some(customer) = customer {
            *storable &= storable_erp(&customer);
            customers.push(customer);
        }
    };
    match answer {
        ErpAnswer::Customer => take(shape.customer(Some(&value), false), &mut storable),
        ErpAnswer::Search | ErpAnswer::List => {
            if let Some(page) = shape.object(Some(&value)) {
                for customer in shape.array(page, "customers") {
                    take(shape.customer(Some(customer), false), &mut storable);
                }
                if answer == ErpAnswer::Search {
                    shape.boolean(page, "has_more", None);
                } else {
                    shape.maybe_string(page, "next_after");
                    shape.unsigned(page, "as_of");
                    shape.maybe_number(page, "total", false);
                }
            }
        }
        ErpAnswer::Changes => {
            if let Some(page) = shape.object(Some(&value)) {
                for change in shape.array(page, "changes") {
                    let Some(change) = shape.object(Some(change)) else { continue };
                    let version = shape.unsigned(change, "version");
                    let number = shape.string(change, "number").unwrap_or_default().to_owned();
                    let deleted = shape.maybe_number(change, "deleted_at", true).is_some();
                    let customer = match shape.maybe_object(change.get("customer")) {
                        Some(_) => shape.customer(change.get("customer"), false),
                        None => None,
                    };
                    match (deleted, customer) {
                        (false, Some(customer)) => take(Some(customer), &mut storable),
                        _ => removed.push((number, version)),
                    }
                }
                shape.unsigned(page, "next");
                shape.boolean(page, "has_more", None);
            }
        }
    }
    if shape.malformed {
        return Some(Expected::Refused);
    }
    if shape.unknown || repeats_a_key(body) {
        return None;
    }
    Some(if storable { Expected::Decoded((customers, removed)) } else { Expected::Refused })
}

/// Decodes `body` as the ERP client does for `answer`: the customers and the removals, or
/// the error.
fn decode_erp(answer: ErpAnswer, body: &[u8]) -> Result<ErpDecoded, ErpError> {
    use pos_host::erp::{Change, decode};
    Ok(match answer {
        ErpAnswer::Search => (decode::search_page(body)?.customers, Vec::new()),
        ErpAnswer::Customer => (vec![decode::customer(body)?], Vec::new()),
        ErpAnswer::List => (decode::list_page(body)?.customers, Vec::new()),
        ErpAnswer::Changes => {
            let mut decoded = (Vec::new(), Vec::new());
            for change in decode::changes_page(body)?.changes {
                match change {
                    Change::Upsert(customer) => decoded.0.push(*customer),
                    Change::Removed { number, version } => decoded.1.push((number, version)),
                }
            }
            decoded
        }
    })
}

const ERP_MALFORMED: &str = "the data service sent a malformed response: ";

/// Decodes `body`: no panic; a refusal is an `unavailable` that says what was malformed;
/// what is decoded can be stored; and the outcome is the one the wire format implies.
fn check_erp(answer: ErpAnswer, body: &[u8], tally: &Tally) -> TestCaseResult {
    let decoded = decode_erp(answer, body);
    tally.count(match &decoded {
        Ok((customers, _)) if customers.is_empty() => "decoded without customers",
        Ok(_) => "decoded with customers",
        Err(_) => "refused",
    });
    match &decoded {
        Ok((customers, _)) => {
            for customer in customers {
                prop_assert!(check_fields(customer).is_ok(), "an unstorable customer was decoded: {customer:?}");
                prop_assert_eq!(customer.origin, Origin::Erp);
            }
        }
        Err(ErpError::Unavailable(why)) => {
            let detail = why.strip_prefix(ERP_MALFORMED);
            prop_assert!(detail.is_some_and(|d| !d.trim().is_empty()), "an unclear refusal: {why:?}");
        }
        Err(other) => prop_assert!(false, "a body refused as something else than malformed: {other:?}"),
    }
    match (expected_erp(answer, body), decoded) {
        (None, _) => tally.count("of them not judged on their JSON"),
        (Some(Expected::Refused), Err(_)) => {}
        (Some(Expected::Refused), Ok(decoded)) => prop_assert!(false, "decoded what should be refused: {decoded:?}"),
        (Some(Expected::Decoded(_)), Err(error)) => prop_assert!(false, "refused what should decode: {error:?}"),
        (Some(Expected::Decoded(expected)), Ok(decoded)) => prop_assert_eq!(decoded, expected),
    }
    Ok(())
}

#[test]
fn erp_answers_of_any_bytes_decode_or_fail_clearly() {
    fuzz("ERP answers, any bytes", Cost::Cheap, (erp_answer(), any_body()), |(answer, body), tally| {
        check_erp(answer, &body.0, tally)
    });
}

#[test]
fn erp_answers_decode_as_the_wire_format_says() {
    let strategy = erp_answer().prop_flat_map(|answer| (Just(answer), erp_body(answer)));
    fuzz("ERP answers, generated", Cost::Cheap, strategy, |(answer, body), tally| check_erp(answer, &body.0, tally));
}

/// One HTTP server on loopback answering every request with `body` (200, JSON).
async fn answering(body: Arc<Mutex<Vec<u8>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(move || {
        let body = body.lock().unwrap().clone();
        async move { ([("content-type", "application/json")], body) }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn erp_client_reads_answers_as_the_decoder_does() {
    let runtime = runtime();
    let body = Arc::new(Mutex::new(Vec::new()));
    let url = runtime.block_on(answering(body.clone()));
    // Long enough never to expire on a loaded machine: a malformed answer is retried twice,
    // 100 and 300 ms apart, and then reported as it was.
    let config = ErpConfig { url, workstation: "POS-01".into(), timeout: Duration::from_secs(10) };
    let client = ErpClient::new(config).unwrap();
    let strategy = erp_answer().prop_flat_map(|answer| {
        let body = prop_oneof![3 => erp_json(answer).prop_map(|v| Body(v.json().into_bytes())), 1 => erp_body(answer)];
        (Just(answer), body)
    });
    fuzz("ERP client over HTTP", Cost::Slow, strategy, |(answer, Body(answer_body)), tally| {
        *body.lock().unwrap() = answer_body.clone();
        let query = SearchQuery { phrase: "kowal".into(), filters: Vec::new(), include_inactive: false };
        let got = runtime.block_on(async {
            use pos_host::erp::{Change, ChangesError};
            Ok::<_, ErpError>(match answer {
                ErpAnswer::Search => (client.search(&query, 10).await?.customers, Vec::new()),
                ErpAnswer::Customer => (client.fetch("K-0000001").await?.into_iter().collect(), Vec::new()),
                ErpAnswer::List => (client.list(None, 100).await?.customers, Vec::new()),
                ErpAnswer::Changes => {
                    let page = client.changes(0, 100).await.map_err(|error| match error {
                        ChangesError::Erp(error) => error,
                        ChangesError::CursorExpired => ErpError::Rejected("cursor expired".into()),
                    })?;
                    let mut decoded = (Vec::new(), Vec::new());
                    for change in page.changes {
                        match change {
                            Change::Upsert(customer) => decoded.0.push(*customer),
                            Change::Removed { number, version } => decoded.1.push((number, version)),
                        }
                    }
                    decoded
                }
            })
        });
        prop_assert_eq!(format!("{got:?}"), format!("{:?}", decode_erp(answer, &answer_body)));
        check_erp(answer, &answer_body, tally)
    });
}

/// The registrations feed and one web customer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum WebAnswer {
    Registrations,
    Customer,
}

fn web_answer() -> impl Strategy<Value = WebAnswer> {
    select(&[WebAnswer::Registrations, WebAnswer::Customer][..])
}

fn web_json(answer: WebAnswer) -> BoxedStrategy<V> {
    match answer {
        WebAnswer::Customer => customer_json(true),
        WebAnswer::Registrations => {
            let change = table(
                vec![
                    required("version", typed(unsigned(), true)),
                    required("id", typed(prop_oneof![3 => "W-[0-9]{6}".prop_map(V::str), 1 => json_text()], true)),
                    seldom("deleted_at", typed(maybe(signed()), true)),
                    entry("customer", typed(maybe(customer_json(true)), true)),
                ],
                &["customer", "deleted_at"],
                true,
            );
            table(
                vec![
                    required("changes", list_of(change)),
                    required("next", typed(unsigned(), true)),
                    required("has_more", typed(boolean(), true)),
                ],
                &["changes"],
                true,
            )
        }
    }
}

fn web_body(answer: WebAnswer) -> BoxedStrategy<Body> {
    prop_oneof![
        12 => web_json(answer).prop_map(|v| Body(v.json().into_bytes())),
        2 => mutated(web_json(answer).prop_map(|v| v.json())).prop_map(|text| Body(text.into_bytes())),
        1 => any_body(),
    ]
    .boxed()
}

/// One change of the feed as it should be decoded.
#[derive(Debug, PartialEq)]
enum WebItem {
    Changed(Box<Customer>),
    Deleted(String, u64),
    Refused(String),
}

fn expected_web(answer: WebAnswer, body: &[u8]) -> Option<Expected<Vec<WebItem>>> {
    let value = match json_value(body) {
        Ok(value) => value,
        Err(refused) => return refused.then_some(Expected::Refused),
    };
    let mut shape = Shape::default();
    let mut items = Vec::new();
    let mut refused = false;
    match answer {
        WebAnswer::Customer => match shape.customer(Some(&value), true) {
            Some(customer) if storable_web(&customer) => items.push(WebItem::Changed(Box::new(customer))),
            Some(_) => refused = true,
            None => {}
        },
        WebAnswer::Registrations => {
            if let Some(page) = shape.object(Some(&value)) {
                for change in shape.array(page, "changes") {
                    let Some(change) = shape.object(Some(change)) else { continue };
                    let version = shape.unsigned(change, "version");
                    let id = shape.string(change, "id").unwrap_or_default().to_owned();
                    let deleted = shape.maybe_number(change, "deleted_at", true).is_some();
                    let customer = match shape.maybe_object(change.get("customer")) {
                        Some(_) => shape.customer(change.get("customer"), true),
                        None => None,
                    };
                    items.push(match (deleted, customer) {
                        (false, Some(customer)) if storable_web(&customer) => WebItem::Changed(Box::new(customer)),
                        (false, Some(_)) => WebItem::Refused(id),
                        _ => WebItem::Deleted(id, version),
                    });
                }
                shape.unsigned(page, "next");
                shape.boolean(page, "has_more", None);
            }
        }
    }
    if shape.malformed {
        return Some(Expected::Refused);
    }
    if shape.unknown || repeats_a_key(body) {
        return None;
    }
    Some(if refused { Expected::Refused } else { Expected::Decoded(items) })
}

fn decode_web(answer: WebAnswer, body: &[u8]) -> Result<Vec<Registration>, WebshopError> {
    use pos_host::webshop::decode;
    Ok(match answer {
        WebAnswer::Customer => vec![Registration::Changed(Box::new(decode::customer(body)?))],
        WebAnswer::Registrations => decode::registrations_page(body)?.changes,
    })
}

const WEB_MALFORMED: &str = "a malformed response: ";

/// Decodes `body`: no panic; a refusal is a lost answer that says what was malformed; a
/// registration that cannot be stored is refused with its reason while the rest of the page
/// is read; and the outcome is the one the wire format implies.
fn check_web(answer: WebAnswer, body: &[u8], tally: &Tally) -> TestCaseResult {
    let decoded = decode_web(answer, body);
    if let Ok(items) = &decoded {
        let refused = items.iter().filter(|item| matches!(item, Registration::Refused { .. })).count();
        tally.count(match refused {
            0 => "decoded",
            n if n == items.len() => "decoded, every registration refused",
            _ => "decoded, some registrations refused and the others read",
        });
    } else {
        tally.count("refused");
    }
    match &decoded {
        Ok(items) => {
            for item in items {
                match item {
                    Registration::Changed(customer) => {
                        prop_assert!(
                            check_person(customer).is_ok(),
                            "an unstorable customer was decoded: {customer:?}"
                        );
                        prop_assert_eq!(customer.origin, Origin::Web);
                        prop_assert!(customer.web_id.as_deref().is_some_and(|id| !is_blank(id)));
                    }
                    Registration::Refused { reason, .. } => {
                        prop_assert!(!reason.trim().is_empty(), "a registration refused without a reason");
                    }
                    Registration::Deleted { .. } => {}
                }
            }
        }
        Err(WebshopError::NoAnswer(why)) => {
            let detail = why.strip_prefix(WEB_MALFORMED);
            prop_assert!(detail.is_some_and(|d| !d.trim().is_empty()), "an unclear refusal: {why:?}");
        }
        Err(other) => prop_assert!(false, "a body refused as something else than malformed: {other:?}"),
    }
    let as_items = |items: Vec<Registration>| -> Vec<WebItem> {
        items
            .into_iter()
            .map(|item| match item {
                Registration::Changed(customer) => WebItem::Changed(customer),
                Registration::Deleted { web_id, version } => WebItem::Deleted(web_id, version),
                Registration::Refused { web_id, .. } => WebItem::Refused(web_id),
            })
            .collect()
    };
    match (expected_web(answer, body), decoded) {
        (None, _) => tally.count("of them not judged on their JSON"),
        (Some(Expected::Refused), Err(_)) => {}
        (Some(Expected::Refused), Ok(decoded)) => prop_assert!(false, "decoded what should be refused: {decoded:?}"),
        (Some(Expected::Decoded(_)), Err(error)) => prop_assert!(false, "refused what should decode: {error:?}"),
        (Some(Expected::Decoded(expected)), Ok(decoded)) => prop_assert_eq!(as_items(decoded), expected),
    }
    Ok(())
}

#[test]
fn webshop_answers_of_any_bytes_decode_or_fail_clearly() {
    fuzz("web shop answers, any bytes", Cost::Cheap, (web_answer(), any_body()), |(answer, body), tally| {
        check_web(answer, &body.0, tally)
    });
}

#[test]
fn webshop_registrations_refuse_only_what_cannot_be_stored() {
    let strategy = web_answer().prop_flat_map(|answer| (Just(answer), web_body(answer)));
    fuzz("web shop answers, generated", Cost::Cheap, strategy, |(answer, body), tally| {
        check_web(answer, &body.0, tally)
    });
}

#[test]
fn webshop_client_reads_answers_as_the_decoder_does() {
    let runtime = runtime();
    let body = Arc::new(Mutex::new(Vec::new()));
    let url = runtime.block_on(answering(body.clone()));
    let config = WebshopConfig { url, workstation: "POS-01".into(), timeout: Duration::from_secs(10) };
    let client = WebshopClient::new(config).unwrap();
    let strategy = web_answer().prop_flat_map(|answer| {
        let body = prop_oneof![3 => web_json(answer).prop_map(|v| Body(v.json().into_bytes())), 1 => web_body(answer)];
        (Just(answer), body)
    });
    fuzz("web shop client over HTTP", Cost::Slow, strategy, |(answer, Body(answer_body)), tally| {
        *body.lock().unwrap() = answer_body.clone();
        let got = runtime.block_on(async {
            Ok::<_, WebshopError>(match answer {
                WebAnswer::Customer => {
                    client.get("W-000001").await?.map(|c| Registration::Changed(Box::new(c))).into_iter().collect()
                }
                WebAnswer::Registrations => client.registrations(0, 100).await?.changes,
            })
        });
        prop_assert_eq!(format!("{got:?}"), format!("{:?}", decode_web(answer, &answer_body)));
        check_web(answer, &answer_body, tally)
    });
}

// ---------------------------------------------------------------------------------------
// 4. Search phrases

/// Phrases as operators type them and as FTS5 would read them: query syntax, SQL, words
/// of the stored customers, unicode, anything.
fn phrase() -> BoxedStrategy<String> {
    const WORDS: &[&str] = &[
        "\"",
        "\"\"",
        "*",
        "^",
        ":",
        "(",
        ")",
        "-",
        "+",
        "NEAR",
        "NEAR(",
        "NEAR/2",
        "AND",
        "OR",
        "NOT",
        "{",
        "}",
        "number:",
        "last_name:",
        "city :",
        "'",
        ";",
        "--",
        "DROP TABLE customers",
        "%",
        "_",
        "\\",
        "\0",
        "kowal",
        "Wójcik",
        "K-0000117",
        "lukasz",
        "ŁÓDŹ",
        "de Vries",
        "zoë",
        "5261040828",
        "@example",
        "🙂",
        "漢字",
        "İ",
        "ﬁ",
        "ß",
        "\u{200B}",
        "\u{202E}",
        "\u{FEFF}",
    ];
    let soup = prop::collection::vec((select(WORDS), select(&["", " ", "  ", "\t", "*", "\""][..])), 0..24)
        .prop_map(|parts| parts.into_iter().map(|(word, sep)| format!("{word}{sep}")).collect::<String>());
    prop_oneof![3 => soup, 2 => any::<String>(), 1 => text(), 1 => any_text()].boxed()
}

fn filters() -> BoxedStrategy<Vec<Filter>> {
    const FIELDS: &[Field] = &[
        Field::Number,
        Field::FirstName,
        Field::LastName,
        Field::Company,
        Field::TaxId,
        Field::Email,
        Field::Phone,
        Field::Street,
        Field::PostalCode,
        Field::City,
        Field::Country,
    ];
    prop::collection::vec((select(FIELDS), phrase()), 0..4)
        .prop_map(|filters| filters.into_iter().map(|(field, value)| Filter { field, value }).collect())
        .boxed()
}

/// `"word"` or `"word"*`: one folded word, quoted, so that FTS5 reads it as text.
fn is_quoted_term(term: &str, prefix: bool) -> bool {
    let term = if prefix { term.strip_suffix('*').unwrap_or(term) } else { term };
    let Some(word) = term.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else { return false };
    !word.is_empty() && word.chars().count() <= 64 && word.chars().all(char::is_alphanumeric)
}

#[test]
fn search_expressions_of_any_phrase_are_quoted_words() {
    let strategy = (phrase(), filters(), any::<bool>());
    fuzz("search expressions", Cost::Cheap, strategy, |(phrase, filters, prefix), tally| {
        let query = SearchQuery { phrase, filters, include_inactive: false };
        let Some(expression) = match_expression(&query, prefix) else {
            tally.count("without words");
            return Ok(());
        };
        tally.count("with words");
        let columns: Vec<&str> = query.filters.iter().map(|f| field_name(f.field)).collect();
        let mut tokens = expression.split(' ').peekable();
        let mut phrase_terms = 0;
        while let Some(token) = tokens.next() {
            if columns.contains(&token) && tokens.peek() == Some(&":") {
                tokens.next();
                let term = tokens.next().unwrap_or_default();
                prop_assert!(is_quoted_term(term, prefix), "{term:?} of {expression:?}");
            } else {
                phrase_terms += 1;
                prop_assert!(is_quoted_term(token, prefix), "{token:?} of {expression:?}");
            }
        }
        prop_assert!(phrase_terms <= MAX_PHRASE_WORDS, "{expression:?} holds more than {MAX_PHRASE_WORDS} words");
        Ok(())
    });
}

/// A few customers to find, with the letters search folds.
fn stored_customers() -> Vec<Customer> {
    let person = |number: &str, first: &str, last: &str| Customer {
        origin: Origin::Erp,
        ..crate::customer(Some(number), first, last)
    };
    vec![
        Customer {
            company: Some("Piekarnia Wójcik sp. z o.o.".into()),
            tax_id: Some("PL 526-104-08-28".into()),
            email: Some("lukasz.wojcik@example.pl".into()),
            phone: Some("+48 12 345 67 89".into()),
            ..person("K-0000117", "Łukasz", "Wójcik")
        },
        Customer { city: Some("Łódź".into()), ..person("K-0000118", "Zoë", "de Vries") },
        Customer { active: false, ..person("K-0000119", "Jan", "Wojcik") },
        person("K-0000200", "Anna", "Kowalska"),
        person("K-0000201", "İlkay", "Straße 漢字 🙂"),
        person("K-0000202", "NEAR", "\"OR\" AND * ^ -"),
    ]
}

#[test]
fn store_search_of_any_phrase_answers_without_an_sql_error() {
    let runtime = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("customers.sqlite")).unwrap();
    runtime.block_on(async {
        for customer in stored_customers() {
            store.save(customer).await.unwrap();
        }
    });
    let strategy = (phrase(), prop_oneof![3 => Just(Vec::new()), 1 => filters()], any::<bool>(), 0u32..20);
    fuzz("store search", Cost::Cheap, strategy, |(phrase, filters, include_inactive, limit), tally| {
        let query = SearchQuery { phrase, filters, include_inactive };
        let found = runtime.block_on(store.search(&query, limit));
        let found = match found {
            Ok(found) => found,
            Err(error) => return Err(TestCaseError::fail(format!("the search failed: {error}"))),
        };
        tally.count(if found.is_empty() { "found nobody" } else { "found customers" });
        prop_assert!(found.len() <= limit as usize);
        prop_assert!(include_inactive || found.iter().all(|c| c.active), "an inactive customer was found");
        Ok(())
    });
}

#[test]
fn store_search_of_any_plain_phrase_answers_without_an_sql_error() {
    let runtime = runtime();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("customers.sqlite")).unwrap();
    runtime.block_on(async {
        for customer in stored_customers() {
            store.save(customer).await.unwrap();
        }
    });
    fuzz("store search, phrase only", Cost::Cheap, phrase(), |phrase, tally| {
        let query = SearchQuery { phrase, filters: vec![], include_inactive: false };
        match runtime.block_on(store.search(&query, 10)) {
            Ok(found) => {
                tally.count(if found.is_empty() { "found nobody" } else { "found customers" });
                prop_assert!(found.len() <= 10 && found.iter().all(|c| c.active));
                Ok(())
            }
            Err(error) => Err(TestCaseError::fail(format!("the search failed: {error}"))),
        }
    });
}

// ---------------------------------------------------------------------------------------
// 5. `plugin test` cases files

/// The `pos-host` binary of this build, built first when it is missing or older than the
/// host's sources (`cargo test --workspace` builds it; `-p pos-tests` alone does not).
fn pos_host_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("POS_HOST_BIN") {
            return PathBuf::from(path);
        }
        let exe = std::env::current_exe().unwrap();
        // target/<profile>/deps/all-<hash>
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
        let binary = profile_dir.join(format!("pos-host{}", std::env::consts::EXE_SUFFIX));
        let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok();
        let sources = newest_change(&[root().join("host/src"), root().join("host/Cargo.toml"), root().join("wit")]);
        if built.is_none_or(|built| built < sources) {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = std::process::Command::new(cargo);
            build.args(["build", "--package", "pos-host", "--bin", "pos-host"]).current_dir(root());
            match profile_dir.file_name().and_then(|n| n.to_str()) {
                Some("debug") | None => {}
                Some("release") => {
                    build.arg("--release");
                }
                Some(profile) => {
                    build.args(["--profile", profile]);
                }
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "building pos-host failed");
        }
        binary
    })
}

/// When the newest file under `paths` was changed.
fn newest_change(paths: &[PathBuf]) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let mut pending = paths.to_vec();
    while let Some(path) = pending.pop() {
        let Ok(metadata) = std::fs::metadata(&path) else { continue };
        if metadata.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(modified) = metadata.modified() {
            newest = newest.max(modified);
        }
    }
    newest
}

/// The slots a cases file is run for, with their plugins.
const SLOTS: [(&str, &str); 3] = [
    ("search-policy", artifacts::SEARCH_THRESHOLDS),
    ("notification-texts", artifacts::NOTIFICATION_TEXTS),
    ("web-merge-rules", artifacts::WEB_MERGE_RULES),
];

/// The hooks of each slot, with their parameters.
fn hooks(slot: &str) -> &'static [(&'static str, &'static [&'static str])] {
    match slot {
        "search-policy" => &[
            ("after-local-search", &["outcome"]),
            ("after-erp-search", &["query", "outcome"]),
            ("after-erp-retrieve-failed", &["action", "error"]),
            ("validate-config", &["config"]),
        ],
        "notification-texts" => &[("render", &["message", "locale"]), ("validate-config", &["config"])],
        _ => &[
            ("candidates", &["web"]),
            ("take-over-local", &["web", "local"]),
            ("take-over-web", &["web"]),
            ("push-local", &["local", "web"]),
            ("validate-config", &["config"]),
        ],
    }
}

const HOOK_NAMES: &[&str] = &[
    "after-local-search",
    "after-erp-search",
    "after-erp-retrieve-failed",
    "render",
    "candidates",
    "take-over-local",
    "take-over-web",
    "push-local",
    "validate-config",
    "after-lokal-search",
];

/// An inline table of `entries`.
fn inline(entries: Vec<(&str, V)>) -> V {
    V::Tab(entries.into_iter().map(|(key, value)| (key.to_owned(), value)).collect(), Style::Inline)
}

/// A customer as cases files write it (kebab-case).
fn case_customer(json: bool) -> BoxedStrategy<V> {
    let fields = vec![
        entry("number", typed("K-[0-9]{4}".prop_map(V::str), json)),
        entry("web-id", typed("W-[0-9]{3}".prop_map(V::str), json)),
        entry("first-name", typed(field_text().prop_map(V::Str), json)),
        entry("last-name", typed(field_text().prop_map(V::Str), json)),
        entry("city", typed(field_text().prop_map(V::Str), json)),
        entry("email", typed(field_text().prop_map(V::Str), json)),
        entry("origin", typed(pick(&["local", "erp", "web"], &["shop"]), json)),
        entry("active", typed(boolean(), json)),
        entry("version", typed(int_in(0..=1000, &[-1, i64::MAX]), json)),
    ];
    table(fields, &["number", "last-name", "origin"], json)
}

fn search_query(json: bool) -> BoxedStrategy<V> {
    let filter = table(
        vec![entry("field", pick(&["city", "last-name"], &["town"])), entry("value", text_value())],
        &["field"],
        json,
    );
    table(
        vec![
            entry("phrase", typed(field_text().prop_map(V::Str), json)),
            entry("include-inactive", typed(boolean(), json)),
            entry("filters", typed(prop::collection::vec(filter, 0..3).prop_map(V::Arr), json)),
        ],
        &["phrase"],
        json,
    )
}

fn erp_error(json: bool) -> BoxedStrategy<V> {
    prop_oneof![
        10 => pick(&["timeout", "cancelled"], &["unavailable", "rejected", "lost"]),
        10 => (pick(&["unavailable", "rejected"], &["timeout", "bogus"]), text_value()).prop_map(|(case, why)| {
            let V::Str(case) = case else { return inline(vec![("unavailable", why)]) };
            V::Tab(vec![(case, why)], Style::Inline)
        }),
        1 => any_value(json),
    ]
    .boxed()
}

fn message(json: bool) -> BoxedStrategy<V> {
    table(
        vec![
            entry(
                "key",
                typed(
                    pick(
                        &["local-no-results", "existing-customer-overwritten", "erp-no-results"],
                        &["", "no-such-text"],
                    ),
                    json,
                ),
            ),
            entry(
                "args",
                typed(
                    prop::collection::vec(
                        (
                            key(&["web-last-name", "local-last-name", "count"]),
                            prop_oneof![20 => text_value(), 1 => any_value(json)],
                        ),
                        0..4,
                    )
                    .prop_map(|e| V::Tab(distinct(e), Style::Inline)),
                    json,
                ),
            ),
        ],
        &["key", "args"],
        json,
    )
}

fn notice(json: bool) -> BoxedStrategy<V> {
    let message = message(json);
    let notice = table(
        vec![entry("severity", pick(&["info", "warning", "error"], &["fatal"])), entry("message", message)],
        &["severity"],
        json,
    );
    prop_oneof![strings(&["none"]), notice].boxed()
}

/// The parameter `name` of `hook`.
fn hook_param(hook: &str, name: &str, json: bool) -> BoxedStrategy<V> {
    match (hook, name) {
        ("after-local-search", _) => table(
            vec![
                entry("query", typed(search_query(json), json)),
                entry("result-count", typed(int_in(0..=20, &[-1, 4_294_967_295, 4_294_967_296]), json)),
                entry("criteria-changed", typed(boolean(), json)),
                entry("online-search-enabled", typed(boolean(), json)),
            ],
            &["result-count"],
            json,
        ),
        (_, "outcome") => prop_oneof![
            erp_error(json).prop_map(|error| inline(vec![("failed", error)])),
            (int_in(0..=20, &[-3, 4_294_967_296]), boolean()).prop_map(|(count, more)| {
                inline(vec![("found", inline(vec![("count", count), ("has-more", more)]))])
            }),
        ]
        .boxed(),
        (_, "query") => search_query(json),
        (_, "action") => pick(&["select", "edit", "preview"], &["delete"]),
        (_, "error") => erp_error(json),
        (_, "message") => message(json),
        (_, "locale") => pick(&["en", "pl", "nl", "nl-BE"], &["xx", ""]),
        (_, "web" | "local") => case_customer(json),
        _ => slot_config(hook_slot(hook), json),
    }
}

/// The slot `hook` belongs to (`validate-config` to any: the search policy's, here).
fn hook_slot(hook: &str) -> &'static str {
    SLOTS.iter().map(|(slot, _)| *slot).find(|slot| hooks(slot).iter().any(|(h, _)| *h == hook)).unwrap()
}

/// A config for `slot`'s plugin: its keys with plausible values mostly, anything at times.
fn slot_config(slot: &str, json: bool) -> BoxedStrategy<V> {
    let names = || prop::collection::vec(pick(&["van", "de", "v.d."], &[""]), 0..3).prop_map(V::Arr);
    let plausible = match slot {
        "search-policy" => table(
            vec![
                entry("offer-erp-at-most", int_in(1..=99, &[0, 100])),
                entry("erp-show-at-most", int_in(1..=99, &[0, -1])),
                entry("waiting-window-after-ms", int_in(0..=10_000, &[-1])),
            ],
            &["offer-erp-at-most"],
            json,
        ),
        "notification-texts" => table(
            vec![entry("fallback-locale", pick(&["en", "pl", "nl"], &["English", ""]))],
            &["fallback-locale"],
            json,
        ),
        _ => table(
            vec![
                entry("max-candidates", int_in(1..=200, &[0, -1])),
                entry("match-email", boolean()),
                entry("match-tax-id", boolean()),
                entry("min-score", int_in(0..=100, &[-1])),
                entry("name-prefixes", names()),
                entry(
                    "gendered-suffixes",
                    prop::collection::vec(pick(&["ski:ska", "cki:cka"], &["ski"]), 0..3).prop_map(V::Arr),
                ),
            ],
            &["max-candidates"],
            json,
        ),
    };
    prop_oneof![6 => plausible.prop_map(|config| match config {
        V::Tab(entries, _) => V::Tab(entries, Style::Inline),
        other => other,
    }), 1 => config_table(json)]
    .boxed()
}

/// What `hook` may be expected to answer.
fn hook_expect(hook: &str, json: bool) -> BoxedStrategy<V> {
    let plausible = match hook {
        "after-local-search" => table(
            vec![
                entry("search-button", pick(&["hidden", "available", "suggested"], &["shown"])),
                entry("notice", notice(json)),
                entry("erp-limit", int_in(0..=20, &[-1])),
            ],
            &["notice"],
            json,
        ),
        "after-erp-search" => table(
            vec![entry("show", pick(&["erp", "local"], &["both"])), entry("notice", notice(json))],
            &["show"],
            json,
        ),
        "after-erp-retrieve-failed" => {
            table(vec![entry("clear-erp-results", boolean()), entry("notice", notice(json))], &["notice"], json)
        }
        "render" => prop_oneof![text_value(), strings(&["none"])].boxed(),
        "candidates" => {
            let candidate = table(
                vec![
                    entry("customer", case_customer(json)),
                    entry(
                        "reasons",
                        prop::collection::vec(pick(&["same-last-name", "same-number"], &["similar"]), 0..3)
                            .prop_map(V::Arr),
                    ),
                    entry("score", int_in(0..=100, &[-1])),
                ],
                &["customer"],
                json,
            );
            prop::collection::vec(candidate, 0..3)
                .prop_map(|candidates| inline(vec![("ok", V::Arr(candidates))]))
                .boxed()
        }
        "validate-config" => prop::collection::vec((field_text(), field_text()), 0..3)
            .prop_map(|errors| {
                let errors = errors
                    .into_iter()
                    .map(|(key, message)| inline(vec![("key", V::Str(key)), ("message", V::Str(message))]));
                inline(vec![("err", V::Arr(errors.collect()))])
            })
            .boxed(),
        _ => table(
            vec![
                entry("local", pick(&["keep"], &["create"])),
                entry("web", strings(&["keep"])),
                entry("summary", any_value(json)),
            ],
            &["local", "web"],
            json,
        ),
    };
    prop_oneof![30 => plausible, 1 => any_value(json)].boxed()
}

/// A case for a hook of `slot`, mostly with the inputs that hook takes.
fn case_table(slot: &'static str, json: bool) -> BoxedStrategy<V> {
    select(hooks(slot))
        .prop_flat_map(move |(hook, params)| {
            let input: Vec<BoxedStrategy<Entry>> =
                params.iter().map(|param| required(param, typed(hook_param(hook, param, json), json))).collect();
            let answers = typed(prop::collection::vec(pick(&["yes", "no"], &[""]), 0..3).prop_map(V::Arr), json);
            let fields = vec![
                required("name", typed(field_text().prop_map(V::Str), json)),
                required("hook", prop_oneof![20 => Just(V::str(hook)), 1 => strings(HOOK_NAMES)]),
                required("input", typed(table(input, params, json), json)),
                entry("expect", hook_expect(hook, json)),
                seldom("config", typed(slot_config(slot, json), json)),
                seldom("local-db", typed(prop::collection::vec(case_customer(json), 0..3).prop_map(V::Arr), json)),
                seldom("ui", typed(table(vec![entry("answers", answers)], &["answers"], json), json)),
            ];
            table(fields, &["name", "hook", "input", "expect"], json)
        })
        .prop_map(|case| match case {
            // `[[case]]` sections when written as TOML.
            V::Tab(entries, _) => V::Tab(entries, Style::Section),
            other => other,
        })
        .boxed()
}

/// A cases file for `slot`: generated, its template's mutated, or anything at all.
fn cases_file(slot: &'static str, json: bool) -> BoxedStrategy<String> {
    let erp_fixture = table(
        vec![
            entry("online-search", typed(boolean(), json)),
            entry("customers", typed(prop::collection::vec(case_customer(json), 0..3).prop_map(V::Arr), json)),
            entry("error", typed(pick(&["timeout", "cancelled"], &["lost"]), json)),
        ],
        &["online-search", "customers", "error"],
        json,
    );
    let generated = table(
        vec![
            seldom("config", typed(slot_config(slot, json), json)),
            seldom("local-db", typed(prop::collection::vec(case_customer(json), 0..3).prop_map(V::Arr), json)),
            seldom("erp", typed(erp_fixture, json)),
            required("case", typed(prop::collection::vec(case_table(slot, json), 1..5).prop_map(V::Arr), json)),
        ],
        &["config", "case"],
        json,
    )
    .prop_map(move |file| if json { file.json() } else { file.toml() })
    .boxed();
    if json {
        prop_oneof![8 => generated.clone(), 2 => mutated(generated), 1 => any_text()].boxed()
    } else {
        let template =
            std::fs::read_to_string(root().join("host/templates/plugin").join(slot).join("cases.toml")).unwrap();
        prop_oneof![8 => generated.clone(), 1 => mutated(generated), 2 => mutated(Just(template)), 1 => any_text()]
            .boxed()
    }
}

/// Runs `plugin test` on `cases`: it ends with 0, 1 or 2 and without a panic, and a file it
/// refuses is named in every error, with a line and a column (counted in characters from 1)
/// within it when given; only the line of a JSON file unless `json_columns`.
fn check_cases_file(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    (slot, json, cases): (usize, bool, String),
    json_columns: bool,
    tally: &Tally,
) -> TestCaseResult {
    let cases = cases.as_str();
    let (slot, plugin) = SLOTS[slot];
    let name = if json { "cases.json" } else { "cases.toml" };
    std::fs::write(dir.join(name), cases).unwrap();
    let mut command = tokio::process::Command::new(pos_host_binary());
    command.args(["plugin", "test", plugin, "--slot", slot, "--cases", name]);
    if slot == "web-merge-rules" {
        command.args(["--grant", "local-db"]);
    }
    command.current_dir(dir).env("POS_HOST_CACHE_DIR", shared_cache()).kill_on_drop(true);
    let output = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(120), command.output()).await });
    let Ok(output) = output else { return Err(TestCaseError::fail("plugin test ran for more than 120 s")) };
    let output = output.expect("pos-host runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = format!("--- stdout\n{stdout}--- stderr\n{stderr}");
    prop_assert!(matches!(output.status.code(), Some(0..=2)), "plugin test ended with {}\n{shown}", output.status);
    prop_assert!(!stderr.contains("panicked"), "plugin test panicked\n{shown}");
    let refused = output.status.code() == Some(1) && stdout.is_empty();
    tally.count(match output.status.code() {
        _ if refused => "refused",
        Some(0) => "run, every case passed",
        Some(1) => "run, some case failed",
        _ => "usage errors",
    });
    if refused {
        let errors: Vec<&str> = stderr.lines().filter_map(|line| line.strip_prefix("error: ")).collect();
        prop_assert!(!errors.is_empty(), "refused without an error\n{shown}");
        for error in errors {
            // The file's own problems start with it; a plugin's refusal of the file's config
            // names it after the plugin.
            prop_assert!(error.contains(name), "an error that does not name {name}: {error}\n{shown}");
            for (at, _) in error.match_indices(name) {
                let place = error[at + name.len()..].strip_prefix(':').and_then(|rest| {
                    let mut parts = rest.splitn(3, ':');
                    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
                });
                if let Some((line, column)) = place {
                    let column = if json && !json_columns { 1 } else { column };
                    prop_assert!(within(cases, (line, column)), "{error} is not a place in {name}\n{shown}");
                }
            }
        }
    }
    Ok(())
}

fn fuzz_cases_files(name: &str, formats: &'static [bool], json_columns: bool) {
    let binary = pos_host_binary();
    assert!(binary.is_file(), "{} is missing", binary.display());
    let runtime = runtime();
    let dir = tempfile::tempdir().unwrap();
    let strategy = (0usize..SLOTS.len(), select(formats))
        .prop_flat_map(|(slot, json)| (Just(slot), Just(json), cases_file(SLOTS[slot].0, json)));
    fuzz(name, Cost::Slow, strategy, |case, tally| check_cases_file(&runtime, dir.path(), case, json_columns, tally));
}

#[test]
fn plugin_test_of_any_cases_file_ends_cleanly_and_names_its_place() {
    fuzz_cases_files("plugin test cases files", &[false, true], false);
}

/// A JSON cases file's problems are placed at a character column from 1, as TOML's are
/// (serde_json counts bytes, from 0 at the start of a line).
#[test]
fn plugin_test_places_json_problems_at_a_character_column() {
    fuzz_cases_files("plugin test cases files, JSON columns", &[true], true);
}
