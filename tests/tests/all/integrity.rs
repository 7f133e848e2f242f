//! Plugin integrity: a policy pins a plugin's SHA-256 and trusts minisign keys (signed with
//! the real `minisign` tool, as an integrator does), checked at load and at every reload with
//! the place in the policy to change; compiled code from the cache runs only for the exact
//! component it was made from.

use pos_host::bindings::SearchQuery;
use pos_host::bindings::search::LocalSearchOutcome;
use pos_host::caps::Capabilities;
use pos_host::live::{LiveHost, Outcome};
use pos_host::runtime::{Compiled, PluginSpec, Runtime, sha256_hex};
use pos_host::slots::SearchPolicyKind;
use pos_host::{Plugins, Policy};
use pos_tests::{artifacts, runtime};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const MINISIGN: &str = "/usr/bin/minisign";

fn sha256_of(path: &str) -> String {
    sha256_hex(&std::fs::read(path).unwrap())
}

/// A directory with `search.wasm` (a copy of `plugin`) and `policy.toml` holding `extra`
/// lines in its `[host]` table and slot.
fn setup(plugin: &str, host: &str, slot: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(plugin, dir.path().join("search.wasm")).unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, policy_text(host, slot)).unwrap();
    (dir, policy)
}

fn policy_text(host: &str, slot: &str) -> String {
    format!("[host]\nworkstation = \"POS-01\"\n{host}\n[slots.search-policy]\nplugin = \"search.wasm\"\n{slot}\n")
}

/// The refusals of loading the policy at `path`, as reported.
async fn refusals(path: &Path) -> Vec<String> {
    let policy = Policy::load(path).unwrap();
    match Plugins::load(&runtime(Capabilities::default()), &policy).await {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().flat_map(|error| policy.explain(error)).collect(),
    }
}

#[tokio::test]
async fn a_pinned_sha256_is_checked_at_the_key_that_pins_it() {
    let pin = sha256_of(artifacts::SEARCH_THRESHOLDS);
    let (_dir, path) = setup(artifacts::SEARCH_THRESHOLDS, "", &format!("sha256 = \"{pin}\""));
    assert_eq!(refusals(&path).await, Vec::<String>::new());
    let (_dir, path) = setup(artifacts::CAUTIOUS_SEARCH, "", &format!("sha256 = \"{}\"", pin.to_uppercase()));
    let found = sha256_of(artifacts::CAUTIOUS_SEARCH);
    assert_eq!(
        refusals(&path).await,
        [format!(
            "{}:6:10: slots.search-policy.sha256: cannot load plugin {} for slot `search-policy`: its SHA-256 is \
             {found}, not the {pin} the policy pins; nothing of it was compiled or run",
            path.display(),
            path.with_file_name("search.wasm").display()
        )]
    );
    let (_dir, path) = setup(artifacts::SEARCH_THRESHOLDS, "", "sha256 = \"abc\"");
    let error = Policy::load(&path).unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "{}:6:10: slots.search-policy.sha256: expected the 64 hexadecimal digits of a SHA-256 (sha256sum <plugin>)",
            path.display()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_to_a_file_other_than_the_pinned_one_keeps_the_last_good_version() {
    let pin = sha256_of(artifacts::SEARCH_THRESHOLDS);
    let (dir, path) = setup(artifacts::SEARCH_THRESHOLDS, "", &format!("sha256 = \"{pin}\""));
    let host = LiveHost::start(runtime(Capabilities::default()), &path).await.unwrap();
    let _watching = host.watch().unwrap();
    let swapped = dir.path().join("search.wasm.new");
    std::fs::copy(artifacts::CAUTIOUS_SEARCH, &swapped).unwrap();
    std::fs::rename(&swapped, dir.path().join("search.wasm")).unwrap();
    let record = tokio::time::timeout(Duration::from_secs(30), host.next_reload(0)).await.expect("a reload");
    assert_eq!(record.outcome, Outcome::Failed, "{record:?}");
    assert!(record.problems[0].starts_with(&format!("{}:6:10: slots.search-policy.sha256: ", path.display())));
    assert_eq!(host.status().slots[0].plugin.as_ref().unwrap().sha256, pin, "the pinned version serves");
}

/// Runs the real `minisign` in `dir`.
fn minisign(dir: &Path, args: &[&str]) {
    let output = Command::new(MINISIGN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("minisign runs (cargo xtask test installs it)");
    assert!(output.status.success(), "minisign {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A new key pair made by `minisign` in `dir` under `name`: its public key line.
fn key_pair(dir: &Path, name: &str) -> String {
    let (public, secret) = (format!("{name}.pub"), format!("{name}.key"));
    minisign(dir, &["-G", "-W", "-f", "-p", &public, "-s", &secret]);
    std::fs::read_to_string(dir.join(public)).unwrap().lines().nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn a_plugin_signed_with_minisign_loads_and_a_tampered_or_foreign_one_is_refused() {
    let (dir, path) = setup(artifacts::SEARCH_THRESHOLDS, "", "");
    let trusted = key_pair(dir.path(), "integrator");
    let stranger = key_pair(dir.path(), "stranger");
    minisign(dir.path(), &["-S", "-s", "integrator.key", "-m", "search.wasm"]);
    let trust = |key: &str| format!("trusted-keys = [\"{key}\"]");
    std::fs::write(&path, policy_text(&trust(&trusted), "")).unwrap();
    assert_eq!(refusals(&path).await, Vec::<String>::new(), "signed by the trusted key: loads");
    let plugin = dir.path().join("search.wasm");
    let refused = |what: &str| format!("cannot load plugin {} for slot `search-policy`: {what}", plugin.display());

    // Signed, but by a key the policy does not trust: at the key list.
    std::fs::write(&path, policy_text(&trust(&stranger), "")).unwrap();
    let expected = format!(
        "{}:3:16: host.trusted-keys: {}",
        path.display(),
        refused(&format!(
            "its signature {}.minisig was made with a key that host.trusted-keys does not list",
            plugin.display()
        ))
    );
    assert_eq!(refusals(&path).await, [expected]);

    // Changed after it was signed: at the plugin.
    std::fs::write(&path, policy_text(&trust(&trusted), "")).unwrap();
    let mut bytes = std::fs::read(&plugin).unwrap();
    bytes.extend_from_slice(b"\0\0\0\0");
    std::fs::write(&plugin, &bytes).unwrap();
    let expected = format!(
        "{}:5:10: slots.search-policy.plugin: {}",
        path.display(),
        refused(&format!(
            "it does not match its signature {}.minisig: the file was changed after it was signed",
            plugin.display()
        ))
    );
    assert_eq!(refusals(&path).await, [expected]);

    // No signature at all.
    std::fs::remove_file(dir.path().join("search.wasm.minisig")).unwrap();
    let missing = refusals(&path).await;
    assert!(missing[0].contains("the policy trusts only signed plugins, and its signature"), "{missing:?}");
    assert!(missing[0].contains("sign it with `minisign -S -m <plugin>`"), "{missing:?}");

    // A key that is not one.
    std::fs::write(&path, policy_text("trusted-keys = [\"RWQ-not-a-key\"]", "")).unwrap();
    let error = Policy::load(&path).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "{}:3:16: host.trusted-keys: `RWQ-not-a-key` is not a minisign public key",
            path.display()
        )),
        "{error}"
    );
}

/// The cache entry of the component `sha256` in `cache`.
fn entry(cache: &Path, sha256: &str) -> PathBuf {
    std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(sha256))
        .unwrap_or_else(|| panic!("no cache entry for {sha256}"))
}

/// Loads `plugin` from `cache` in a new runtime: how it was obtained, and the notice it
/// gives after a refined search with 4 results.
async fn load_from(cache: &Path, plugin: &str) -> (Compiled, Option<String>, String) {
    let runtime = Runtime::new(Capabilities::default(), Some(cache.to_owned())).unwrap();
    let loaded = runtime.load::<SearchPolicyKind>(&PluginSpec::new(plugin)).await.unwrap();
    let (compiled, sha256) = (loaded.info.compiled, loaded.info.sha256.clone());
    let slot = pos_host::runtime::Slot::new(Some(loaded));
    let outcome = LocalSearchOutcome {
        query: SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false },
        result_count: 4,
        criteria_changed: true,
        online_search_enabled: true,
    };
    let decided = slot.after_local_search(&outcome).await;
    (compiled, decided.value.notice.map(|n| n.message.key), sha256)
}

#[tokio::test]
async fn a_cache_entry_runs_only_for_the_component_it_was_made_from() {
    let cache = tempfile::tempdir().unwrap();
    let thresholds = sha256_of(artifacts::SEARCH_THRESHOLDS);
    let cautious = sha256_of(artifacts::CAUTIOUS_SEARCH);
    let (compiled, notice, _) = load_from(cache.path(), artifacts::SEARCH_THRESHOLDS).await;
    assert_eq!((compiled, notice.as_deref()), (Compiled::Fresh, Some("local-no-exact-results")));
    let (compiled, notice, _) = load_from(cache.path(), artifacts::CAUTIOUS_SEARCH).await;
    assert_eq!((compiled, notice), (Compiled::Fresh, None), "cautious-search shows no notice here");
    assert_eq!(load_from(cache.path(), artifacts::SEARCH_THRESHOLDS).await.0, Compiled::Cached);

    // The other plugin's compiled code under this one's name: detected, recompiled, and
    // this plugin decides.
    std::fs::copy(entry(cache.path(), &cautious), entry(cache.path(), &thresholds)).unwrap();
    let (compiled, notice, sha256) = load_from(cache.path(), artifacts::SEARCH_THRESHOLDS).await;
    assert_eq!((compiled, notice.as_deref()), (Compiled::Fresh, Some("local-no-exact-results")));
    assert_eq!(sha256, thresholds);
    assert_eq!(load_from(cache.path(), artifacts::SEARCH_THRESHOLDS).await.0, Compiled::Cached, "rewritten");

    // One byte of machine code changed.
    let path = entry(cache.path(), &thresholds);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(load_from(cache.path(), artifacts::SEARCH_THRESHOLDS).await.0, Compiled::Fresh);
}
