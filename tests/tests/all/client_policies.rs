//! The client policies in `policies/clients/` and the `cautious-search` plugin the Polish
//! chain's policy names: what each client file changes over the default, and where the
//! customized plugin decides differently from `search-thresholds`.

use pos_host::bindings::erp::ErpError;
use pos_host::bindings::search::{
    ErpFound, ErpSearchOutcome, LocalDecision, LocalSearchOutcome, ResultList, RetrieveAction, SearchButton,
};
use pos_host::bindings::{ConfigValue, Message, SearchQuery, Severity};
use pos_host::caps::Capabilities;
use pos_host::policy::{PluginConfig, SyncMode};
use pos_host::runtime::{LoadProblem, Slot};
use pos_host::slots::SearchPolicyKind;
use pos_host::slots::notification_texts::fallback_render;
use pos_host::slots::search_policy::{fallback_erp, fallback_retrieve};
use pos_host::{Plugins, Policy, SlotId, Source};
use pos_tests::{artifacts, load, root, runtime, spec};
use std::path::{Path, PathBuf};

/// The shipped client policy `name`, checked as it stands in the repository (plugin files
/// are not looked for: `cargo xtask plugins` builds them, the tests do not need it).
fn shipped(name: &str) -> Policy {
    let path = root().join("policies/clients").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    Policy::parse(&path, &text).unwrap_or_else(|errors| panic!("{errors}"))
}

/// The file that set the value at `keys`.
fn set_in(policy: &Policy, keys: &[&str]) -> PathBuf {
    let location = policy.layers.locate(keys);
    assert!(location.line_col.is_some(), "{} is not set in a file", keys.join("."));
    location.path
}

fn default_toml() -> PathBuf {
    root().join("policies/default.toml")
}

fn client_toml(name: &str) -> PathBuf {
    root().join("policies/clients").join(name)
}

fn integer(policy: &Policy, slot: SlotId, key: &str) -> Option<i64> {
    match policy.slot(slot).unwrap().config.get(key)? {
        ConfigValue::Integer(value) => Some(*value),
        other => panic!("{key} = {other:?}"),
    }
}

#[test]
fn the_dutch_shop_resolves_over_the_default() {
    let policy = shipped("dutch-shop.toml");
    let files: Vec<&Path> = policy.layers.files.iter().map(|f| f.path.as_path()).collect();
    assert_eq!(files, [default_toml(), client_toml("dutch-shop.toml")]);

    assert_eq!((policy.host.workstation.as_str(), policy.host.locale.as_str()), ("KASSA-1", "nl"));
    assert_eq!(policy.host.webshop.url.as_deref(), Some("http://127.0.0.1:8782"));
    assert_eq!(policy.host.customers.mode, SyncMode::LocalOnly);
    assert_eq!(policy.host.erp.url, None);
    for keys in [
        &["host", "workstation"][..],
        &["host", "locale"],
        &["host", "webshop", "url"],
        &["host", "webshop", "timeout-ms"],
        &["slots", "web-merge-rules", "config", "max-candidates"],
        &["slots", "notification-texts", "config", "texts", "nl", "local-no-results"],
    ] {
        assert_eq!(set_in(&policy, keys), client_toml("dutch-shop.toml"), "{}", keys.join("."));
    }
    for keys in [
        &["slots", "search-policy", "plugin"][..],
        &["slots", "search-policy", "config", "offer-erp-at-most"],
        &["slots", "notification-texts", "plugin"],
        &["slots", "web-merge-rules", "plugin"],
        &["slots", "web-merge-rules", "grants"],
    ] {
        assert_eq!(set_in(&policy, keys), default_toml(), "{}", keys.join("."));
    }

    assert_eq!(integer(&policy, SlotId::WebMergeRules, "max-candidates"), Some(20));
    assert_eq!(integer(&policy, SlotId::SearchPolicy, "offer-erp-at-most"), Some(6));
    let search = policy.slot(SlotId::SearchPolicy).unwrap();
    assert_eq!(search.plugin, root().join("plugins/search-thresholds.wasm"));
    let texts = &policy.slot(SlotId::NotificationTexts).unwrap().config;
    let overridden: Vec<String> = texts.entries().into_iter().map(|e| e.key).collect();
    assert!(!overridden.is_empty());
    for key in &overridden {
        let (locale, message) = key.strip_prefix("texts.").unwrap().split_once('.').unwrap();
        assert_eq!(locale, "nl", "{key}");
        assert!(shipped_text(message).is_some(), "{key}: `{message}` is not a message key of the shipped texts");
    }
}

/// The shipped Dutch text of `key`, as the host renders it without a plugin; `None` for a
/// key the shipped texts lack, which that rendering shows as the key itself.
fn shipped_text(key: &str) -> Option<String> {
    let text = fallback_render(&PluginConfig::default(), &Message { key: key.into(), args: Vec::new() }, "nl");
    (text != key).then_some(text)
}

#[test]
fn the_polish_chain_resolves_over_the_default() {
    let policy = shipped("polish-chain.toml");
    assert_eq!(policy.host.locale, "pl");
    assert_eq!(policy.host.customers.mode, SyncMode::SyncAll);
    assert_eq!(policy.host.erp.url.as_deref(), Some("http://127.0.0.1:8780"));
    assert_eq!(policy.host.erp.timeout_ms, 8000);
    assert_eq!(policy.host.workstation, "POS-01");
    for keys in [
        &["host", "locale"][..],
        &["host", "customers", "mode"],
        &["host", "erp", "url"],
        &["host", "erp", "timeout-ms"],
        &["slots", "search-policy", "plugin"],
        &["slots", "search-policy", "config", "min-erp-phrase-chars"],
        &["slots", "search-policy", "config", "erp-show-at-most"],
        &["slots", "search-policy", "config", "waiting-window-after-ms"],
    ] {
        assert_eq!(set_in(&policy, keys), client_toml("polish-chain.toml"), "{}", keys.join("."));
    }
    // Another plugin for the slot starts it afresh: nothing of the default's slot is inherited.
    for keys in [&["slots", "search-policy", "grants"][..], &["slots", "search-policy", "config", "offer-erp-at-most"]]
    {
        assert!(!policy.layers.is_set(keys), "{}", keys.join("."));
    }
    assert_eq!(integer(&policy, SlotId::SearchPolicy, "offer-erp-at-most"), None);
    for keys in [
        &["host", "workstation"][..],
        &["slots", "notification-texts", "plugin"],
        &["slots", "web-merge-rules", "config", "max-candidates"],
    ] {
        assert_eq!(set_in(&policy, keys), default_toml(), "{}", keys.join("."));
    }

    let search = policy.slot(SlotId::SearchPolicy).unwrap();
    assert_eq!(search.plugin, root().join("plugins/cautious-search.wasm"), "relative to the client file");
    assert_eq!(search.grants, []);
    assert_eq!(integer(&policy, SlotId::SearchPolicy, "min-erp-phrase-chars"), Some(3));
    assert_eq!(integer(&policy, SlotId::SearchPolicy, "erp-show-at-most"), Some(10));
    assert_eq!(integer(&policy, SlotId::SearchPolicy, "waiting-window-after-ms"), Some(300));
    assert_eq!(policy.slot(SlotId::NotificationTexts).unwrap().plugin, root().join("plugins/notification-texts.wasm"));

    // What `pos-host policy check` prints, value by value with its source.
    let resolved = policy.resolved();
    let timeout = resolved.iter().find(|r| r.key == "host.erp.timeout-ms").unwrap();
    assert_eq!(timeout.value, "8000");
    assert_eq!(timeout.source.as_ref().unwrap().path, client_toml("polish-chain.toml"));
    let online = resolved.iter().find(|r| r.key == "host.erp.online-search").unwrap();
    assert_eq!((online.value.as_str(), &online.source), ("true", &None));
}

/// The shipped default and client `name` copied into a new directory, with every plugin
/// path replaced by the component the build script built, so that the plugins load even
/// when `plugins/*.wasm` were never built.
fn with_built_plugins(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let replace = |text: String| pos_tests::with_built_plugins(&text);
    std::fs::write(dir.path().join("default.toml"), replace(std::fs::read_to_string(default_toml()).unwrap())).unwrap();
    std::fs::create_dir(dir.path().join("clients")).unwrap();
    let client = dir.path().join("clients").join(name);
    let text = replace(std::fs::read_to_string(client_toml(name)).unwrap());
    assert!(!text.contains("\"../../plugins/"), "a plugin path was not replaced:\n{text}");
    std::fs::write(&client, text).unwrap();
    (dir, client)
}

#[tokio::test]
async fn the_dutch_shop_loads_its_plugins_and_speaks_its_own_dutch() {
    let (_dir, path) = with_built_plugins("dutch-shop.toml");
    let policy = Policy::load(&path).unwrap_or_else(|errors| panic!("{errors}"));
    let plugins = Plugins::load(&runtime(Capabilities::default()), &policy).await.expect("every plugin loads");
    assert!(
        plugins.search.current().is_some() && plugins.texts.current().is_some() && plugins.merge.current().is_some()
    );
    let render = async |key: &str| {
        let decided = plugins.texts.render(&Message { key: key.into(), args: Vec::new() }, &policy.host.locale).await;
        assert_eq!(decided.source, Source::Plugin("notification_texts".into()));
        decided.value
    };
    assert_eq!(render("local-no-results").await, "Geen klanten gevonden. Ook in het ERP-systeem zoeken?");
    assert_eq!(render("erp-no-results").await, "Ook in het ERP-systeem is niets gevonden.");
    assert_eq!(Some(render("erp-too-many-results").await), shipped_text("erp-too-many-results"), "not overridden");
}

#[tokio::test]
async fn the_polish_chain_loads_cautious_search() {
    let (_dir, path) = with_built_plugins("polish-chain.toml");
    let policy = Policy::load(&path).unwrap_or_else(|errors| panic!("{errors}"));
    let plugins = Plugins::load(&runtime(Capabilities::default()), &policy).await.expect("every plugin loads");
    assert_eq!(&*plugins.search.current().unwrap().info.name, "cautious_search");
    assert!(plugins.texts.current().is_some() && plugins.merge.current().is_some());

    let changed = plugins.search.after_local_search(&local("Kowalski", 4, true)).await;
    assert_eq!(changed.source, Source::Plugin("cautious_search".into()));
    assert_eq!((changed.value.notice, changed.value.search_button), (None, SearchButton::Available));
    let none = plugins.search.after_local_search(&local("Kowalski", 0, false)).await.value;
    assert_eq!(key(&none), Some("local-no-results"));
    assert_eq!((none.erp_limit, none.waiting_window_after_ms), (11, 300), "the client's config");
    let ten = plugins.search.after_erp_search(&query("Kowalski"), &found(10, false)).await.value;
    assert_eq!(ten.show, ResultList::Erp);
}

// The cautious-search plugin through the runtime.

async fn cautious(config: &str) -> Slot<SearchPolicyKind> {
    let runtime = runtime(Capabilities::default());
    Slot::new(Some(load(&runtime, &spec(artifacts::CAUTIOUS_SEARCH, &[], config)).await.unwrap()))
}

async fn thresholds(config: &str) -> Slot<SearchPolicyKind> {
    let runtime = runtime(Capabilities::default());
    Slot::new(Some(load(&runtime, &spec(artifacts::SEARCH_THRESHOLDS, &[], config)).await.unwrap()))
}

fn query(phrase: &str) -> SearchQuery {
    SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: false }
}

fn local(phrase: &str, count: u32, criteria_changed: bool) -> LocalSearchOutcome {
    LocalSearchOutcome { query: query(phrase), result_count: count, criteria_changed, online_search_enabled: true }
}

fn found(count: u32, has_more: bool) -> ErpSearchOutcome {
    ErpSearchOutcome::Found(ErpFound { count, has_more })
}

fn key(decision: &LocalDecision) -> Option<&str> {
    key_of(&decision.notice)
}

fn key_of(notice: &Option<pos_host::bindings::Notice>) -> Option<&str> {
    notice.as_ref().map(|n| n.message.key.as_str())
}

#[tokio::test]
async fn no_local_results_suggest_the_erp() {
    let slot = cautious("").await;
    for changed in [false, true] {
        let decided = slot.after_local_search(&local("Kowalski", 0, changed)).await;
        assert_eq!(decided.source, Source::Plugin("cautious_search".into()));
        assert_eq!(key(&decided.value), Some("local-no-results"));
        assert_eq!(decided.value.notice.as_ref().unwrap().severity, Severity::Info);
        assert_eq!(decided.value.search_button, SearchButton::Suggested);
        assert_eq!(decided.value.erp_limit, 7, "ask for 7 to know 'more than 6'");
        assert_eq!(decided.value.waiting_window_after_ms, 300);
    }
}

#[tokio::test]
async fn local_results_leave_the_erp_merely_available() {
    let slot = cautious("").await;
    for count in 1..=12 {
        for changed in [false, true] {
            let decided = slot.after_local_search(&local("Kowalski", count, changed)).await.value;
            assert_eq!((&decided.notice, decided.search_button), (&None, SearchButton::Available), "{count} {changed}");
        }
    }
}

#[tokio::test]
async fn a_short_phrase_hides_the_erp_search() {
    let slot = cautious("").await;
    for phrase in ["", "   ", "ab", " ab ", "a-b", "a.b.", "ł1", "12", "K. W."] {
        for count in [0, 1, 4, 20] {
            let decided = slot.after_local_search(&local(phrase, count, true)).await.value;
            assert_eq!((&decided.notice, decided.search_button), (&None, SearchButton::Hidden), "{phrase:?} {count}");
        }
    }
    for phrase in ["abc", " Kow ", "Łódź", "1 2 3", "a-b-c", "ul. Długa"] {
        let none = slot.after_local_search(&local(phrase, 0, false)).await.value;
        assert_eq!(none.search_button, SearchButton::Suggested, "{phrase:?}");
        let some = slot.after_local_search(&local(phrase, 2, true)).await.value;
        assert_eq!(some.search_button, SearchButton::Available, "{phrase:?}");
    }
}

#[tokio::test]
async fn online_search_disabled_hides_the_button() {
    let slot = cautious("").await;
    for count in [0, 3] {
        let outcome = LocalSearchOutcome { online_search_enabled: false, ..local("Kowalski", count, true) };
        let decided = slot.after_local_search(&outcome).await.value;
        assert_eq!((decided.notice, decided.search_button), (None, SearchButton::Hidden));
    }
}

#[tokio::test]
async fn erp_search_and_retrieval_follow_the_seed_rules() {
    let slot = cautious("").await;
    let q = query("Kowalski");
    let failed = slot.after_erp_search(&q, &ErpSearchOutcome::Failed(ErpError::Timeout)).await.value;
    assert_eq!((failed.show, key_of(&failed.notice)), (ResultList::Local, Some("erp-connection-failed")));
    assert_eq!(slot.after_erp_search(&q, &found(6, false)).await.value.show, ResultList::Erp);
    let seven = slot.after_erp_search(&q, &found(7, false)).await.value;
    assert_eq!((seven.show, key_of(&seven.notice)), (ResultList::Local, Some("erp-too-many-results")));
    let none = slot.after_erp_search(&q, &found(0, false)).await.value;
    assert_eq!(key_of(&none.notice), Some("erp-no-results"));

    let mut outcomes = vec![
        ErpSearchOutcome::Failed(ErpError::Cancelled),
        ErpSearchOutcome::Failed(ErpError::Timeout),
        ErpSearchOutcome::Failed(ErpError::Unavailable("connection refused".into())),
    ];
    outcomes.extend((0..=12).flat_map(|count| [found(count, false), found(count, true)]));
    for outcome in &outcomes {
        assert_eq!(
            slot.after_erp_search(&q, outcome).await.value,
            fallback_erp(&slot.config(), outcome),
            "{outcome:?}"
        );
    }
    for error in [ErpError::Cancelled, ErpError::Timeout, ErpError::Unavailable("reset".into())] {
        for action in [RetrieveAction::Select, RetrieveAction::Edit, RetrieveAction::Preview] {
            let decided = slot.after_erp_retrieve_failed(action, &error).await.value;
            assert_eq!(decided, fallback_retrieve(&error), "{action:?} {error:?}");
        }
    }
}

#[tokio::test]
async fn settings_come_from_config() {
    let slot = cautious("min-erp-phrase-chars = 5\nerp-show-at-most = 10\nwaiting-window-after-ms = 1500").await;
    let four = slot.after_local_search(&local("Kowa", 0, false)).await.value;
    assert_eq!(four.search_button, SearchButton::Hidden);
    let five = slot.after_local_search(&local("Kowal", 0, false)).await.value;
    assert_eq!((key(&five), five.search_button), (Some("local-no-results"), SearchButton::Suggested));
    assert_eq!((five.erp_limit, five.waiting_window_after_ms), (11, 1500));
    assert_eq!(slot.after_erp_search(&query("Kowal"), &found(10, false)).await.value.show, ResultList::Erp);
    assert_eq!(slot.after_erp_search(&query("Kowal"), &found(11, false)).await.value.show, ResultList::Local);

    let one = cautious("min-erp-phrase-chars = 1").await;
    assert_eq!(one.after_local_search(&local("K", 0, false)).await.value.search_button, SearchButton::Suggested);
    assert_eq!(one.after_local_search(&local(" - ", 0, false)).await.value.search_button, SearchButton::Hidden);

    for config in [
        "min-erp-phrase-chars = 20\nerp-show-at-most = 1\nwaiting-window-after-ms = 0",
        "erp-show-at-most = 99\nwaiting-window-after-ms = 60000",
    ] {
        cautious(config).await;
    }
}

#[tokio::test]
async fn bad_config_is_refused_naming_the_key() {
    let runtime = runtime(Capabilities::default());
    let refused = async |config: &str| {
        let error = load::<SearchPolicyKind>(&runtime, &spec(artifacts::CAUTIOUS_SEARCH, &[], config))
            .await
            .err()
            .unwrap_or_else(|| panic!("{config:?} was accepted"));
        let LoadProblem::Config(problems) = &error.problem else { panic!("{error}") };
        problems.clone()
    };
    let all =
        refused("min-erp-phrase-chars = 0\nerp-show-at-most = 100\nwaiting-window-after-ms = 60001\nmin-phrase = 3")
            .await;
    assert_eq!(
        all,
        [
            "test.toml:7:14: slots.search-policy.config.min-phrase: unknown key; expected one of \
             `min-erp-phrase-chars`, `erp-show-at-most`, `waiting-window-after-ms`",
            "test.toml:5:20: slots.search-policy.config.erp-show-at-most: must be between 1 and 99, found 100",
            "test.toml:6:27: slots.search-policy.config.waiting-window-after-ms: must be between 0 and 60000, \
             found 60001",
            "test.toml:4:24: slots.search-policy.config.min-erp-phrase-chars: must be between 1 and 20, found 0",
        ]
    );
    let too_long = refused("min-erp-phrase-chars = 21").await.join("\n");
    assert!(too_long.contains("min-erp-phrase-chars: must be between 1 and 20, found 21"), "{too_long}");
    let text = refused("min-erp-phrase-chars = \"three\"").await.join("\n");
    assert!(text.contains("min-erp-phrase-chars: must be an integer, found a string"), "{text}");
}

#[tokio::test]
async fn it_differs_from_search_thresholds_only_where_the_client_asked() {
    let (cautious, thresholds) = (cautious("").await, thresholds("").await);

    // Changed criteria and 4 results: the default suggests the ERP, this client does not.
    let default = thresholds.after_local_search(&local("Kowalski", 4, true)).await.value;
    assert_eq!((key(&default), default.search_button), (Some("local-no-exact-results"), SearchButton::Suggested));
    let client = cautious.after_local_search(&local("Kowalski", 4, true)).await.value;
    assert_eq!((key(&client), client.search_button), (None, SearchButton::Available));

    // A two-letter phrase with nothing found: the default suggests the ERP, this client hides it.
    let default = thresholds.after_local_search(&local("Ko", 0, false)).await.value;
    assert_eq!(default.search_button, SearchButton::Suggested);
    let client = cautious.after_local_search(&local("Ko", 0, false)).await.value;
    assert_eq!(client.search_button, SearchButton::Hidden);

    for count in 0..=12 {
        for changed in [false, true] {
            for online in [false, true] {
                let outcome = LocalSearchOutcome { online_search_enabled: online, ..local("Kowalski", count, changed) };
                let default = thresholds.after_local_search(&outcome).await.value;
                let client = cautious.after_local_search(&outcome).await.value;
                let differs = online && changed && (1..=6).contains(&count);
                assert_eq!(
                    (client.notice == default.notice, client.search_button == default.search_button),
                    (!differs, !differs),
                    "{outcome:?}"
                );
                assert_eq!(client.erp_limit, default.erp_limit);
                assert_eq!((client.waiting_window_after_ms, default.waiting_window_after_ms), (300, 700));
            }
        }
        for has_more in [false, true] {
            let outcome = found(count, has_more);
            let q = query("Kowalski");
            assert_eq!(
                cautious.after_erp_search(&q, &outcome).await.value,
                thresholds.after_erp_search(&q, &outcome).await.value
            );
        }
    }
}
