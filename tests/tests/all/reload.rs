//! Hot reload: a running host follows its policy and plugin files, swaps in only what loaded
//! completely, keeps the last good version when a change is broken, and rolls a new version
//! back when its first calls fail.

use pos_host::Source;
use pos_host::bindings::Notice;
use pos_host::bindings::SearchQuery;
use pos_host::bindings::search::{LocalDecision, LocalSearchOutcome, SearchButton};
use pos_host::bindings::ui::Choice;
use pos_host::caps::{Capabilities, Operator};
use pos_host::live::{LiveHost, Outcome, Startup, Watching};
use pos_host::runtime::Decided;
use pos_tests::{artifacts, runtime};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a test waits for a change to go live; the benchmark measures the real latency.
const PATIENCE: Duration = Duration::from_secs(10);

struct Fixture {
    dir: tempfile::TempDir,
    host: Arc<LiveHost>,
    _watching: Watching,
}

fn policy_text(offer_erp_at_most: u32) -> String {
    format!(
        "[host]\nworkstation = \"POS-01\"\n\n[slots.search-policy]\nplugin = \"search.wasm\"\n\
         config = {{ offer-erp-at-most = {offer_erp_at_most} }}\ngrants = [\"ui\"]\n"
    )
}

impl Fixture {
    async fn start(offer_erp_at_most: u32) -> Fixture {
        Fixture::start_with(artifacts::SEARCH_THRESHOLDS, offer_erp_at_most, Capabilities::default()).await
    }

    async fn start_with(plugin: &str, offer_erp_at_most: u32, caps: Capabilities) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(plugin, dir.path().join("search.wasm")).unwrap();
        std::fs::write(dir.path().join("policy.toml"), policy_text(offer_erp_at_most)).unwrap();
        let host = LiveHost::start(runtime(caps), &dir.path().join("policy.toml")).await.unwrap();
        let watching = host.watch().unwrap();
        Fixture { dir, host, _watching: watching }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// The decision after a local search that found 4 customers for changed criteria: the
    /// seed's thresholds (6) suggest the ERP with a notice; lower ones do not.
    async fn decide(&self, phrase: &str) -> Decided<LocalDecision> {
        let outcome = LocalSearchOutcome {
            query: SearchQuery { phrase: phrase.into(), filters: Vec::new(), include_inactive: false },
            result_count: 4,
            criteria_changed: true,
            online_search_enabled: true,
        };
        self.host.plugins().search.after_local_search(&outcome).await
    }

    fn reloads(&self) -> usize {
        self.host.status().reloads.len()
    }

    /// Waits until the host has recorded more than `seen` reloads; the latest.
    async fn next_reload(&self, seen: usize) -> pos_host::live::ReloadRecord {
        tokio::time::timeout(PATIENCE, self.host.next_reload(seen))
            .await
            .unwrap_or_else(|_| panic!("no reload within {PATIENCE:?}"))
    }
}

/// Replaces `path` the way build tools and editors do: a new file renamed over it.
fn replace(path: &Path, bytes: impl AsRef<[u8]>) {
    let staging = path.with_extension("tmp-new");
    std::fs::write(&staging, bytes).unwrap();
    std::fs::rename(&staging, path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_config_value_goes_live() {
    let fixture = Fixture::start(6).await;
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Suggested);

    let written = Instant::now();
    std::fs::write(fixture.path("policy.toml"), policy_text(2)).unwrap();
    let record = fixture.next_reload(0).await;
    println!("live {:.0} ms after the write (reload itself {:.1} ms)", written.elapsed().as_millis(), record.took_ms);
    assert_eq!(record.outcome, Outcome::Applied, "{record:?}");
    assert!(record.changes[0].starts_with("slots.search-policy: search (sha256 "), "{record:?}");
    assert_eq!(record.trigger, [fixture.path("policy.toml").canonicalize().unwrap()]);
    let decided = fixture.decide("Kowalski").await;
    assert_eq!(decided.source, Source::Plugin("search".into()));
    assert_eq!(decided.value.search_button, SearchButton::Available, "4 results are more than 2");
}

/// What a command line overrides (such as `--erp-url`) holds for every version read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overrides_hold_across_reloads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(artifacts::SEARCH_THRESHOLDS, dir.path().join("search.wasm")).unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, format!("[host.erp]\nurl = \"http://erp.example:1\"\n{}", policy_text(6))).unwrap();
    let overrides: pos_host::live::Overrides =
        Box::new(|policy| policy.host.erp.url = Some("http://127.0.0.1:9999".into()));
    let mut first = pos_host::Policy::load(&policy).unwrap();
    overrides(&mut first);
    let host = LiveHost::start_with(runtime(Capabilities::default()), first, overrides, Startup::WaitForPlugins)
        .await
        .unwrap();
    assert_eq!(host.policy().host.erp.url.as_deref(), Some("http://127.0.0.1:9999"));
    std::fs::write(&policy, format!("[host.erp]\nurl = \"http://erp.example:2\"\n{}", policy_text(2))).unwrap();
    assert_eq!(host.reload(Vec::new()).await.outcome, Outcome::Applied);
    assert_eq!(host.policy().host.erp.url.as_deref(), Some("http://127.0.0.1:9999"));
    // The rest of the file did go live.
    let policy = host.policy();
    let config = &policy.slot(pos_host::SlotId::SearchPolicy).unwrap().config;
    assert_eq!(config.get("offer-erp-at-most"), Some(&pos_host::bindings::ConfigValue::Integer(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_build_of_the_plugin_goes_live() {
    let fixture = Fixture::start(6).await;
    let before = fixture.host.status().slots[0].plugin.clone().unwrap();
    replace(&fixture.path("search.wasm"), std::fs::read(artifacts::HOSTILE_SEARCH).unwrap());
    let record = fixture.next_reload(0).await;
    assert_eq!(record.outcome, Outcome::Applied, "{record:?}");
    let after = fixture.host.status().slots[0].plugin.clone().unwrap();
    assert_ne!(after.sha256, before.sha256);
    assert!(after.loaded_at_ms >= before.loaded_at_ms);
    // The other build ignores the thresholds: no notice, the button merely available.
    let decided = fixture.decide("Kowalski").await;
    assert_eq!((decided.value.notice, decided.value.search_button), (None, SearchButton::Available));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_component_or_policy_leaves_the_last_good_version_serving() {
    let fixture = Fixture::start(6).await;
    let good = fixture.host.status().slots[0].plugin.clone().unwrap();

    // A build that stopped half-way.
    let bytes = std::fs::read(artifacts::SEARCH_THRESHOLDS).unwrap();
    replace(&fixture.path("search.wasm"), &bytes[..bytes.len() / 2]);
    let record = fixture.next_reload(0).await;
    assert_eq!(record.outcome, Outcome::Failed);
    let policy = fixture.path("policy.toml");
    assert!(
        record.problems[0]
            .starts_with(&format!("{}:5:10: slots.search-policy.plugin: cannot load plugin", policy.display()))
            && record.problems[0].contains("not a valid component"),
        "{record:?}"
    );
    let decided = fixture.decide("Kowalski").await;
    assert_eq!(decided.source, Source::Plugin("search".into()));
    assert_eq!(decided.value.search_button, SearchButton::Suggested);
    assert_eq!(fixture.host.status().slots[0].plugin.as_ref().unwrap().sha256, good.sha256);

    // A policy that no longer parses, then one the plugin refuses.
    replace(&fixture.path("search.wasm"), &bytes);
    fixture.next_reload(1).await;
    std::fs::write(&policy, "[host\nworkstation = \"POS-01\"\n").unwrap();
    let record = fixture.next_reload(2).await;
    assert_eq!(record.outcome, Outcome::Failed);
    assert!(record.problems[0].starts_with(&format!("{}:1:6: ", policy.display())), "{record:?}");
    std::fs::write(&policy, policy_text(0)).unwrap();
    let record = fixture.next_reload(3).await;
    assert_eq!(record.outcome, Outcome::Failed);
    assert!(
        record.problems[0]
            .starts_with(&format!("{}:6:32: slots.search-policy.config.offer-erp-at-most: ", policy.display())),
        "{record:?}"
    );
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Suggested);

    // Fixed: it goes live.
    std::fs::write(&policy, policy_text(2)).unwrap();
    assert_eq!(fixture.next_reload(4).await.outcome, Outcome::Applied);
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Available);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_whose_first_calls_fail_is_rolled_back() {
    let fixture = Fixture::start(6).await;
    let good = fixture.host.status().slots[0].plugin.clone().unwrap();
    replace(&fixture.path("search.wasm"), std::fs::read(artifacts::HOSTILE_SEARCH).unwrap());
    assert_eq!(fixture.next_reload(0).await.outcome, Outcome::Applied);
    let status = fixture.host.status();
    assert!(status.slots[0].on_probation);
    let bad = status.slots[0].plugin.clone().unwrap();

    // Its first call traps: the fallback answers that call, and the old version is back.
    let decided = fixture.decide("trap").await;
    assert!(decided.is_fallback(), "{:?}", decided.source);
    let status = fixture.host.status();
    let slot = &status.slots[0];
    assert_eq!(slot.plugin.as_ref().unwrap().sha256, good.sha256);
    assert!(!slot.on_probation);
    assert_eq!(slot.rollbacks.len(), 1);
    assert_eq!(slot.rollbacks[0].sha256, bad.sha256);
    assert_eq!(slot.rollbacks[0].restored.as_deref(), Some("search"));
    assert!(slot.rollbacks[0].reason.contains("trap"), "{:?}", slot.rollbacks[0]);
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Suggested);
}

/// Two changes in a row, the second failing before the first was trusted: the version
/// before both serves again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_goes_back_to_the_last_trusted_version() {
    let fixture = Fixture::start(6).await;
    let trusted = fixture.host.status().slots[0].plugin.clone().unwrap();
    replace(&fixture.path("search.wasm"), std::fs::read(artifacts::HOSTILE_SEARCH).unwrap());
    assert_eq!(fixture.next_reload(0).await.outcome, Outcome::Applied);
    std::fs::write(fixture.path("policy.toml"), policy_text(5)).unwrap();
    assert_eq!(fixture.next_reload(1).await.outcome, Outcome::Applied);
    assert!(fixture.decide("trap").await.is_fallback());
    let status = fixture.host.status();
    assert_eq!(status.slots[0].plugin.as_ref().unwrap().sha256, trusted.sha256);
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Suggested);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_that_passes_its_first_calls_stays() {
    let fixture = Fixture::start(6).await;
    replace(&fixture.path("search.wasm"), std::fs::read(artifacts::HOSTILE_SEARCH).unwrap());
    fixture.next_reload(0).await;
    for _ in 0..pos_host::live::PROBATION_CALLS {
        assert!(!fixture.decide("Kowalski").await.is_fallback());
    }
    // Trusted now: a failure is only a failure, answered by the fallback.
    assert!(fixture.decide("trap").await.is_fallback());
    let status = fixture.host.status();
    assert!(!status.slots[0].on_probation && status.slots[0].rollbacks.is_empty());
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Available);
}

/// An operator who answers "yes" when told to.
struct WaitingOperator {
    answer: tokio::sync::Notify,
}

#[async_trait::async_trait]
impl Operator for WaitingOperator {
    async fn notify(&self, _notice: &Notice) {}

    async fn confirm(&self, _notice: &Notice, _choices: &[Choice]) -> Option<String> {
        self.answer.notified().await;
        Some("yes".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_flight_finishes_on_the_version_it_started_with() {
    let operator = Arc::new(WaitingOperator { answer: tokio::sync::Notify::new() });
    let caps = Capabilities { operator: operator.clone(), ..Capabilities::default() };
    let fixture = Arc::new(Fixture::start_with(artifacts::HOSTILE_SEARCH, 6, caps).await);
    // The hostile build asks the operator when the phrase is "confirm", and waits.
    let in_flight = tokio::spawn({
        let fixture = fixture.clone();
        async move { fixture.decide("confirm").await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    replace(&fixture.path("search.wasm"), std::fs::read(artifacts::SEARCH_THRESHOLDS).unwrap());
    assert_eq!(fixture.next_reload(0).await.outcome, Outcome::Applied);
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Suggested, "the new version serves");
    assert!(!in_flight.is_finished());
    operator.answer.notify_one();
    let decided = in_flight.await.unwrap();
    assert!(!decided.is_fallback(), "{:?}", decided.source);
    assert_eq!(decided.value.notice.unwrap().message.key, "answer-yes", "answered by the version it started on");
}

/// Hook calls keep running on two tasks through 20 swaps: none of them fails or falls back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_keep_succeeding_through_twenty_swaps() {
    let fixture = Arc::new(Fixture::start(6).await);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (calls, failures) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let callers: Vec<_> = (0..2)
        .map(|_| {
            let (fixture, stop, calls, failures) = (fixture.clone(), stop.clone(), calls.clone(), failures.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    if fixture.decide("Kowalski").await.is_fallback() {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    calls.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let search_builds = [artifacts::HOSTILE_SEARCH, artifacts::SEARCH_THRESHOLDS];
    for swap in 0..20 {
        let seen = fixture.reloads();
        if swap % 2 == 0 {
            std::fs::write(fixture.path("policy.toml"), policy_text(if swap % 4 == 0 { 2 } else { 6 })).unwrap();
        } else {
            replace(&fixture.path("search.wasm"), std::fs::read(search_builds[(swap / 2) % 2]).unwrap());
        }
        assert_eq!(fixture.next_reload(seen).await.outcome, Outcome::Applied, "swap {swap}");
    }
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.unwrap();
    }
    let (calls, failures) = (calls.load(Ordering::Relaxed), failures.load(Ordering::Relaxed));
    println!("{calls} calls through 20 swaps, {failures} failed");
    assert!(calls > 100, "the callers ran ({calls} calls)");
    assert_eq!(failures, 0);
    assert_eq!(fixture.host.status().slots[0].failures, 0);
}

/// A policy edited to name a device or a pipe fails its reload at once, with the reason at
/// the key, and the last good version keeps serving.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_that_names_a_device_or_a_pipe_keeps_the_last_good_version() {
    let fixture = Fixture::start(2).await;
    let policy = fixture.path("policy.toml");
    assert!(std::process::Command::new("mkfifo").arg(fixture.path("pipe.toml")).status().unwrap().success());
    let pipe = fixture.path("pipe.toml").display().to_string();
    for (seen, (target, kind)) in [("/dev/zero", "a character device"), (&*pipe, "a named pipe")].iter().enumerate() {
        replace(&policy, format!("extends = \"{target}\"\n{}", policy_text(6)));
        let record = fixture.next_reload(seen).await;
        assert_eq!(record.outcome, Outcome::Failed, "{record:?}");
        let expected =
            format!("{}:1:11: extends: cannot read {target}: not a regular file (it is {kind})", policy.display());
        assert_eq!(record.problems, [expected]);
        let decided = fixture.decide("Kowalski").await;
        assert_eq!(decided.value.search_button, SearchButton::Available, "the last good config (2) still decides");
    }
    let plugin = fixture.path("search.wasm");
    std::fs::remove_file(&plugin).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &plugin).unwrap();
    replace(&policy, policy_text(3));
    let record = fixture.next_reload(2).await;
    assert_eq!(record.outcome, Outcome::Failed, "{record:?}");
    assert!(record.problems[0].contains("not a regular file (it is a character device)"), "{record:?}");
    assert_eq!(fixture.decide("Kowalski").await.value.search_button, SearchButton::Available);
}
