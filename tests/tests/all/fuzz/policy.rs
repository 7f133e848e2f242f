//! Property 1: the policy checker.

use super::*;

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

pub(super) fn text_value() -> BoxedStrategy<V> {
    prop_oneof![4 => text().prop_map(V::Str), 1 => text().prop_map(V::Escaped)].boxed()
}

/// One of `valid` mostly, one of `invalid` or any text at times.
pub(super) fn pick(valid: &'static [&'static str], invalid: &'static [&'static str]) -> BoxedStrategy<V> {
    prop_oneof![30 => select(valid).prop_map(V::str), 2 => select(invalid).prop_map(V::str), 1 => text_value()].boxed()
}

pub(super) fn strings(options: &'static [&'static str]) -> BoxedStrategy<V> {
    prop_oneof![4 => select(options).prop_map(V::str), 1 => text_value()].boxed()
}

/// An integer in `valid` mostly, one of `edges` or any at times.
pub(super) fn int_in(valid: std::ops::RangeInclusive<i64>, edges: &'static [i64]) -> BoxedStrategy<V> {
    prop_oneof![15 => valid.prop_map(V::Int), 1 => integers(edges)].boxed()
}

fn integers(edges: &'static [i64]) -> BoxedStrategy<V> {
    prop_oneof![2 => select(edges).prop_map(V::Int), 1 => any::<i64>().prop_map(V::Int)].boxed()
}

/// A config table: any keys, nested or dotted, with values of every type.
pub(super) fn config_table(json: bool) -> BoxedStrategy<V> {
    const CONFIG_KEYS: &[&str] = &[
        "offer-erp-at-most",
        "erp-show-at-most",
        "waiting-window-after-ms",
        "max-candidates",
        "fallback-locale",
        "name-prefixes",
        "gendered-suffixes",
        "transliterations",
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
