//! A host that starts with a plugin the compilation cache does not hold yet serves at once:
//! the slot's fallback decides, with the slot's config, while the plugin compiles in the
//! background; then the plugin decides, and no call fails on the way.

use pos_host::Source;
use pos_host::bindings::SearchQuery;
use pos_host::bindings::search::LocalSearchOutcome;
use pos_host::caps::PluginConfig;
use pos_host::embed::Host;
use pos_host::live::Outcome;
use pos_host::slots::search_policy::fallback_local;
use pos_tests::{artifacts, js_plugin};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Below the seed's 6, so that a fallback deciding with the seed's values would differ.
const CONFIG: &str = "offer-erp-at-most = 2";

fn policy(dir: &Path, plugin: &Path, config: &str) -> std::path::PathBuf {
    let path = dir.join("policy.toml");
    let text = format!("[slots.search-policy]\nplugin = {:?}\n[slots.search-policy.config]\n{config}\n", plugin);
    std::fs::write(&path, text).unwrap();
    path
}

async fn start(dir: &Path, policy: &Path, cache: &Path) -> Host {
    Host::builder()
        .policy_file(policy)
        .database(dir.join("pos.sqlite"))
        .cache_dir(cache)
        .watch(false)
        .build()
        .await
        .unwrap_or_else(|error| panic!("the host starts: {error}"))
}

/// Three results where the configured threshold is 2: the seed's rules would offer [Search].
fn outcome() -> LocalSearchOutcome {
    LocalSearchOutcome {
        query: SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false },
        result_count: 3,
        criteria_changed: true,
        online_search_enabled: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncompiled_javascript_plugin_serves_from_the_fallback_then_itself_without_a_failed_call() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let plugin = js_plugin::search_thresholds();
    let policy = policy(dir.path(), &plugin, CONFIG);
    let host = start(dir.path(), &policy, &cache).await;

    // Compiling a 12 MB component takes seconds; the start returned before.
    let slot = host.status().slots.into_iter().find(|s| s.slot == "search-policy").unwrap();
    assert!(slot.plugin.is_none(), "{slot:?}");
    let compiling = slot.compiling.expect("the status names the plugin being compiled");
    assert_eq!(compiling.name, "search-thresholds-js");
    let first = host.plugins().search.after_local_search(&outcome()).await;
    assert_eq!(first.source, Source::Compiling("search-thresholds-js".into()));
    let configured = pos_tests::config(CONFIG);
    assert_eq!(first.value, fallback_local(&configured, &outcome()), "the fallback decides with the slot's config");
    assert_ne!(first.value, fallback_local(&PluginConfig::default(), &outcome()));

    // Calls keep coming while the plugin compiles, as from a till.
    let done = Arc::new(AtomicBool::new(false));
    let calls = tokio::spawn({
        let (host, done) = (host.clone(), done.clone());
        async move {
            let mut decided = Vec::new();
            let mut pace = tokio::time::interval(Duration::from_millis(20));
            while !done.load(Ordering::Relaxed) {
                pace.tick().await;
                decided.push(host.plugins().search.after_local_search(&outcome()).await);
            }
            decided
        }
    });
    host.compiled().await;
    done.store(true, Ordering::Relaxed);
    let mut decided = calls.await.unwrap();
    decided.push(host.plugins().search.after_local_search(&outcome()).await);

    let plugin_decides = |d: &pos_host::Decided<_>| d.source == Source::Plugin("search-thresholds-js".into());
    let switched = decided.iter().position(plugin_decides).expect("the plugin decides once compiled");
    for (i, call) in decided.iter().enumerate() {
        assert_eq!(call.value, first.value, "call {i}: {call:?}");
        match i < switched {
            true => assert_eq!(call.source, first.source, "call {i}: only the fallback before the switch"),
            false => assert!(plugin_decides(call), "call {i}: only the plugin after the switch: {call:?}"),
        }
    }
    let status = host.status();
    let slot = status.slots.iter().find(|s| s.slot == "search-policy").unwrap();
    assert_eq!(slot.plugin.as_ref().map(|p| p.name.as_str()), Some("search-thresholds-js"));
    assert_eq!((slot.compiling.as_ref(), slot.failures, slot.on_probation), (None, 0, false), "{slot:?}");
    let record = status.reloads.last().expect("the compile is in the history");
    assert_eq!(record.outcome, Outcome::Applied, "{record:?}");
    assert!(
        record.changes[0].contains("search-thresholds-js") && record.changes[0].contains("compiled after the start")
    );

    // The next start finds it compiled and serves it at once.
    let again = start(dir.path(), &policy, &cache).await;
    let slot = again.status().slots.into_iter().find(|s| s.slot == "search-policy").unwrap();
    assert_eq!((slot.plugin.map(|p| p.name), slot.compiling), (Some("search-thresholds-js".into()), None));
}

#[tokio::test]
async fn a_plugin_refused_once_compiled_leaves_the_fallback_deciding_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy(dir.path(), Path::new(artifacts::SEARCH_THRESHOLDS), "offer-erp-at-most = \"many\"");
    let host = start(dir.path(), &policy, &dir.path().join("cache")).await;
    host.compiled().await;

    let status = host.status();
    let slot = status.slots.iter().find(|s| s.slot == "search-policy").unwrap();
    assert!(slot.plugin.is_none() && slot.compiling.is_none(), "{slot:?}");
    let record = status.reloads.last().expect("the refusal is in the history");
    assert_eq!(record.outcome, Outcome::Failed, "{record:?}");
    let problem = record.problems.join("\n");
    assert!(problem.contains("policy.toml:4") && problem.contains("offer-erp-at-most"), "{problem}");
    let decided = host.plugins().search.after_local_search(&outcome()).await;
    assert_eq!(decided.source, Source::NoPlugin);
}

#[tokio::test]
async fn a_plugin_that_is_no_component_is_refused_before_the_host_serves() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"not a component").unwrap();
    let policy = policy(dir.path(), &junk, "");
    let builder = Host::builder().policy_file(&policy).database(dir.path().join("pos.sqlite")).watch(false);
    let error = builder.cache_dir(dir.path().join("cache")).build().await.err().expect("refused");
    assert!(error.to_string().contains("policy.toml:2"), "{error}");
}
