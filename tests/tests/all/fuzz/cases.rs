//! Property 5: `plugin test` cases files.

use super::*;
use pos_tests::pos_host_binary;

// ---------------------------------------------------------------------------------------
// 5. `plugin test` cases files

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
                entry(
                    "transliterations",
                    prop::collection::vec(pick(&["ü=ue", "ø=oe", "Ü=UE"], &["ü", "ue=ü", "ü="]), 0..3).prop_map(V::Arr),
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
