//! Record, replay and shadow runs: a till records its slots' calls (`record = true`), and
//! `pos-host plugin test` replays the recording against another plugin version, showing each
//! decision that differs; a shadow plugin decides beside the live one on the till itself, off
//! the operator's path, and its differences are counted and written as cases. What is
//! recorded carries no customer's name, e-mail or phone unless the policy asks for the
//! people's data in full.

use crate::customer;
use crate::http_api::{Served, serve_policy};
use pos_host::bindings::Customer;
use pos_host::live::SlotStatus;
use pos_host::runtime::{Slot, SlotKind};
use pos_host::slots::SlotVisitor;
use pos_tests::sim::{AdminCustomer, WebCustomerFields};
use pos_tests::{artifacts, pos_host_binary, served};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The served policy with `record = true` added to `slots`.
pub(crate) fn recording_policy(slots: &[&str]) -> String {
    slots.iter().fold(served::policy_text(), |policy, slot| {
        policy.replacen(&format!("[slots.{slot}]\n"), &format!("[slots.{slot}]\nrecord = true\n"), 1)
    })
}

/// Waits until every call the host's recording slots made is written and every shadow call
/// has ended, and returns the status of `slot`.
pub(crate) async fn recorded(s: &Served, slot: &str) -> SlotStatus {
    #[derive(Default)]
    struct Settle(Vec<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>>);
    impl SlotVisitor for Settle {
        fn visit<K: SlotKind>(&mut self, slot: &Slot<K>) {
            if let Some(recorder) = slot.recorder() {
                self.0.push(Box::pin(async move { recorder.flush().await }));
            }
            if let Some(shadow) = slot.shadow_plugin() {
                self.0.push(Box::pin(async move { shadow.settled().await }));
            }
        }
    }
    let mut settle = Settle::default();
    s.host.plugins().visit(&mut settle);
    futures_util::future::join_all(settle.0).await;
    status_of(s, slot)
}

fn status_of(s: &Served, slot: &str) -> SlotStatus {
    s.host.status().slots.into_iter().find(|status| status.slot == slot).expect("the slot has a status")
}

/// Runs `pos-host plugin test` on `plugin` with the recording `cases`, with `policy` (the
/// candidate's config); its exit success, and its output.
fn replay(plugin: &str, slot: &str, cases: &Path, policy: &Path) -> (bool, String) {
    let output = std::process::Command::new(pos_host_binary())
        .args(["plugin", "test", plugin, "--slot", slot, "--cases"])
        .arg(cases)
        .arg("--policy")
        .arg(policy)
        .env("POS_HOST_CACHE_DIR", pos_tests::shared_cache())
        .output()
        .expect("pos-host runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "plugin test complained:\n{stderr}");
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The names of the cases `plugin test` reported as failed.
fn failed(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL  "))
        .map(|line| line.split_once("  ").map_or(line, |(_, name)| name).trim().to_owned())
        .collect()
}

/// A policy for a candidate plugin in `slot`, with `config` and `grants`, in `dir`.
fn candidate_policy(dir: &Path, slot: &str, plugin: &str, config: &str, grants: &[&str]) -> PathBuf {
    let stem = Path::new(plugin).file_stem().unwrap().to_string_lossy();
    let config_name: String = config.chars().filter(char::is_ascii_alphanumeric).collect();
    let path = dir.join(format!("{stem}-{config_name}.toml"));
    let policy = format!("[slots.{slot}]\nplugin = {plugin:?}\ngrants = {grants:?}\nconfig = {{ {config} }}\n");
    std::fs::write(&path, policy).unwrap();
    path
}

fn seeded() -> Vec<Customer> {
    vec![
        Customer {
            email: Some("anna.nowak@example.pl".into()),
            phone: Some("+48 601 234 567".into()),
            ..customer(Some("K-1"), "Anna", "Nowak")
        },
        customer(Some("K-2"), "Jan", "Nowak"),
        Customer { email: Some("piotr@kowalski.example".into()), ..customer(Some("K-3"), "Piotr", "Kowalski") },
    ]
}

/// Every name, e-mail address and phone number of `customers`, as the recording must not
/// hold them.
fn personal_values(customers: &[Customer]) -> Vec<String> {
    let mut values = Vec::new();
    for c in customers {
        values.extend([c.first_name.clone(), c.last_name.clone()]);
        values.extend(c.email.clone());
        values.extend(c.phone.clone());
    }
    values
}

/// The cautious-search config that agrees with the default plugin's thresholds.
const CAUTIOUS: &str = "min-erp-phrase-chars = 3, erp-show-at-most = 6, waiting-window-after-ms = 700";

/// `policy` with `[slots.<slot>.shadow]` running `plugin` with `table` (its other keys).
fn with_shadow(policy: String, slot: &str, plugin: &str, table: &str) -> String {
    format!("{policy}\n[slots.{slot}.shadow]\nplugin = {plugin:?}\n{table}\n")
}

/// The `expect` of each case of the cases file `text`, in order.
fn expects(text: &str) -> Vec<toml::Value> {
    let file: toml::Table = toml::from_str(text).unwrap();
    file["case"].as_array().unwrap().iter().map(|case| case["expect"].clone()).collect()
}

#[tokio::test]
async fn a_recorded_session_replayed_against_cautious_search_shows_exactly_the_decisions_that_differ() {
    let erp = vec![AdminCustomer::new("E-0001", "Ewa", "Kowalska")];
    let policy = recording_policy(&["search-policy"]);
    let policy =
        with_shadow(policy, "search-policy", artifacts::CAUTIOUS_SEARCH, &format!("config = {{ {CAUTIOUS} }}"));
    let s = serve_policy(seeded(), erp, policy).await;
    let session = s.session().await;
    let local = format!("/api/search/sessions/{session}/local");
    // The default plugin and cautious-search part ways on a changed search that finds a few
    // (the default suggests the ERP, cautious-search leaves it merely available) and on a
    // phrase of fewer than three letters (cautious-search hides [Search]).
    for phrase in ["Nowak", "Kowalski", "Zzyzx", "Jo", "Kowalski"] {
        let (status, screen) = s.post(&local, json!({ "phrase": phrase })).await;
        assert_eq!(status, StatusCode::OK, "{screen}");
        // An operator's pace: the shadow has ended its call before the next search. Five
        // searches within its 5 ms hand-over would find its four places taken, and the
        // fifth call would be skipped (and counted so).
        recorded(&s, "search-policy").await;
    }
    let (status, started) = s.post(&format!("/api/search/sessions/{session}/erp"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    s.finished(&started).await;

    let status = recorded(&s, "search-policy").await;
    let (code, served) = s.get("/api/status").await;
    assert_eq!(code, StatusCode::OK, "the status with a recording and a shadow matches its schema: {served}");
    let recording = status.recording.expect("the slot records");
    assert_eq!((recording.written, recording.dropped), (6, 0), "{recording:?}");
    let text = std::fs::read_to_string(&recording.file).unwrap();
    for value in personal_values(&seeded()).iter().chain(&["Kowalska".to_owned(), "Ewa".to_owned()]) {
        assert!(!text.contains(value.as_str()), "the recording holds {value:?}:\n{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&recording.file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the recording is the host user's alone: {mode:o}");
    }

    let dir = s.policy.parent().unwrap();
    let thresholds = "offer-erp-at-most = 6, erp-show-at-most = 6, waiting-window-after-ms = 700";
    let live = candidate_policy(dir, "search-policy", artifacts::SEARCH_THRESHOLDS, thresholds, &[]);
    let (passed, output) = replay(artifacts::SEARCH_THRESHOLDS, "search-policy", &recording.file, &live);
    assert!(passed, "the live plugin decides again what it decided:\n{output}");
    assert!(output.contains("6 of 6 cases passed"), "{output}");

    let candidate = candidate_policy(dir, "search-policy", artifacts::CAUTIOUS_SEARCH, CAUTIOUS, &[]);
    let (passed, output) = replay(artifacts::CAUTIOUS_SEARCH, "search-policy", &recording.file, &candidate);
    assert!(!passed, "{output}");
    let expected: BTreeSet<String> =
        ["after-local-search #2", "after-local-search #4", "after-local-search #5"].map(String::from).into();
    assert_eq!(failed(&output), expected, "{output}");
    assert!(output.contains("3 of 6 cases passed, 3 failed"), "{output}");
    assert!(output.contains("search-button at"), "each difference is named:\n{output}");
    assert!(output.contains("expected  \"suggested\"") && output.contains("actual    \"hidden\""), "{output}");

    // The same pair on the till: cautious-search as the shadow of the default plugin saw the
    // same three decisions differ, and wrote them as cases.
    let shadow = status.shadow.expect("the slot has a shadow");
    assert_eq!(
        (shadow.plugin.as_str(), shadow.agreed, shadow.differed, shadow.failed, shadow.skipped),
        ("cautious_search", 3, 3, 0, 0),
        "{shadow:?}"
    );
    let differences = shadow.differences.expect("the differences are written");
    assert_eq!(differences.written, 3);
    let written = std::fs::read_to_string(&differences.file).unwrap();
    let recorded = expects(&text);
    assert_eq!(expects(&written), vec![recorded[1].clone(), recorded[3].clone(), recorded[4].clone()], "{written}");
    assert_eq!(written.matches("# the shadow plugin decided instead: ").count(), 3, "{written}");
    let (passed, output) = replay(artifacts::CAUTIOUS_SEARCH, "search-policy", &differences.file, &candidate);
    assert!(!passed && output.contains("0 of 3 cases passed, 3 failed"), "{output}");
    let (passed, output) = replay(artifacts::SEARCH_THRESHOLDS, "search-policy", &differences.file, &live);
    assert!(passed, "{output}");
    let metrics = s.host.metrics_text().await;
    for (outcome, count) in [("agreed", 3), ("differed", 3), ("failed", 0), ("skipped", 0)] {
        let line = format!("pos_shadow_calls_total{{outcome=\"{outcome}\",slot=\"search-policy\"}} {count}\n");
        assert!(metrics.contains(&line), "{line} in:\n{metrics}");
    }
}

#[tokio::test]
async fn the_operator_never_waits_for_the_shadow_plugin_nor_sees_its_questions() {
    // The shadow loops on the phrase `loop` until its own time limit, and asks the operator
    // on `confirm`; the live plugin answers both at once.
    let limits = "grants = [\"ui\"]\nlimits = { fuel = 1000000000000, timeout-ms = 4000 }";
    let policy = with_shadow(served::policy_text(), "search-policy", artifacts::HOSTILE_SEARCH, limits);
    let s = serve_policy(seeded(), Vec::new(), policy).await;
    let session = s.session().await;
    let local = format!("/api/search/sessions/{session}/local");
    let (status, screen) = s.post(&local, json!({ "phrase": "loop" })).await;
    assert_eq!((status, screen["search_button"].as_str()), (StatusCode::OK, Some("suggested")), "{screen}");
    let shadow = status_of(&s, "search-policy").shadow.expect("the slot has a shadow");
    assert_eq!(
        shadow.agreed + shadow.differed + shadow.failed,
        0,
        "the answer came while the shadow still ran: {shadow:?}"
    );
    let (status, screen) = s.post(&local, json!({ "phrase": "confirm" })).await;
    assert_eq!(status, StatusCode::OK, "{screen}");
    assert!(s.prompts("en").await.is_empty(), "the shadow's question never reaches the operator");

    let shadow = recorded(&s, "search-policy").await.shadow.expect("the slot has a shadow");
    assert_eq!((shadow.failed, shadow.differed, shadow.skipped), (1, 1, 0), "{shadow:?}");
    let history = s.host.status().slots.into_iter().find(|slot| slot.slot == "search-policy").unwrap();
    assert_eq!((history.calls, history.failures), (2, 0), "the live plugin's calls alone count as the slot's");
}

/// Anna Nowak (K-1), married, registers on the web shop as Anna Nowak-Kowalska; the till
/// takes her registration into its web edit list.
async fn register_married_anna(s: &Served) -> pos_tests::sim::WebCustomer {
    let married = s
        .sim
        .register_web_customer(WebCustomerFields {
            first_name: "Anna".into(),
            last_name: "Nowak-Kowalska".into(),
            email: Some("anna.nowak@example.pl".into()),
            ..WebCustomerFields::default()
        })
        .await
        .unwrap();
    let (status, edits) = s.get("/api/web/edits").await;
    assert_eq!(status, StatusCode::OK, "{edits}");
    married
}

#[tokio::test]
async fn a_recorded_web_decision_replays_with_the_local_database_answers_it_received() {
    let s = Arc::new(serve_policy(seeded(), Vec::new(), recording_policy(&["web-merge-rules"])).await);
    let married = register_married_anna(&s).await;
    let (status, candidates) = s.get(&format!("/api/web/edits/{}/candidates", married.id)).await;
    assert_eq!(status, StatusCode::OK, "{candidates}");
    assert_eq!(candidates["candidates"][0]["customer"]["number"], "K-1", "{candidates}");
    crate::erasure::take_over_local(&s, &married.id, "K-1").await;

    let status = recorded(&s, "web-merge-rules").await;
    let recording = status.recording.expect("the slot records");
    let text = std::fs::read_to_string(&recording.file).unwrap();
    assert!(recording.written >= 2, "candidates and take-over-local: {recording:?}\n{text}");
    assert!(text.contains("call = \"local-db."), "the candidates' lookups are recorded with their answers:\n{text}");
    for value in personal_values(&seeded()).iter().chain(&["Nowak-Kowalska".to_owned()]) {
        assert!(!text.contains(value.as_str()), "the recording holds {value:?}:\n{text}");
    }

    // The lookups are answered from the recording, with the pseudonyms it holds: the same
    // plugin, asking the same, decides the same.
    let dir = s.policy.parent().unwrap();
    let live =
        candidate_policy(dir, "web-merge-rules", artifacts::WEB_MERGE_RULES, "max-candidates = 50", &["local-db"]);
    let (passed, output) = replay(artifacts::WEB_MERGE_RULES, "web-merge-rules", &recording.file, &live);
    assert!(passed, "{output}\n{text}");
    // A plugin that looks up less than the recording holds still decides: only the lookups
    // it makes must be recorded; one that asks what the till was never asked fails.
    let few = candidate_policy(dir, "web-merge-rules", artifacts::WEB_MERGE_RULES, "max-candidates = 3", &["local-db"]);
    let (passed, output) = replay(artifacts::WEB_MERGE_RULES, "web-merge-rules", &recording.file, &few);
    assert!(!passed, "{output}");
    assert!(output.contains("which the recording holds no answer for"), "{output}");
}

#[test]
fn recording_and_shadow_settings_are_refused_where_they_are_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    let connector = artifacts::SYNC_SERVICE_CONNECTOR;
    let search = artifacts::SEARCH_THRESHOLDS;
    std::fs::write(
        &path,
        format!(
            "[slots.erp-connector]\nplugin = {connector:?}\nrecord = true\n\n\
             [slots.erp-connector.shadow]\nplugin = {connector:?}\n\n\
             [slots.search-policy]\nplugin = {search:?}\nrecord-personal-data = \"everything\"\n\n\
             [slots.search-policy.shadow]\nplugin = {search:?}\nrecord = true\nconfig = {{ nested = [{{ a = 1 }}] }}\n"
        ),
    )
    .unwrap();
    let problems = pos_host::Policy::load(&path).expect_err("the policy is refused").to_string();
    for expected in [
        "slots.erp-connector.record: the ERP connector's calls are the ERP's traffic",
        "slots.erp-connector.shadow: the ERP connector has no decisions to compare",
        "slots.search-policy.record-personal-data: \"everything\" is not an option; expected \"pseudonymized\" or \"full\"",
        "slots.search-policy.shadow.record: unknown key",
        "slots.search-policy.shadow.config.nested: only arrays of strings can be passed to a plugin",
    ] {
        assert!(problems.contains(expected), "missing {expected:?} in:\n{problems}");
    }
}

#[tokio::test]
async fn a_shadow_that_refuses_its_config_fails_the_reload_at_its_key_and_the_last_good_one_runs_on() {
    let config = |chars: u32| format!("config = {{ min-erp-phrase-chars = {chars} }}");
    let shadowed =
        |chars| with_shadow(served::policy_text(), "search-policy", artifacts::CAUTIOUS_SEARCH, &config(chars));
    let s = serve_policy(seeded(), Vec::new(), shadowed(3)).await;
    let sha256 = status_of(&s, "search-policy").shadow.expect("the slot has a shadow").sha256;

    std::fs::write(&s.policy, shadowed(99)).unwrap();
    let (_, reload) = s.post("/api/reload", json!({})).await;
    assert_eq!(reload["outcome"], "failed", "{reload}");
    let problems = reload["problems"].to_string();
    assert!(problems.contains("slots.search-policy.shadow.config.min-erp-phrase-chars"), "{problems}");
    assert_eq!(status_of(&s, "search-policy").shadow.expect("the last good shadow runs on").sha256, sha256);

    std::fs::write(&s.policy, served::policy_text()).unwrap();
    let (_, reload) = s.post("/api/reload", json!({})).await;
    assert_eq!(reload["outcome"], "applied", "{reload}");
    assert!(reload["changes"].to_string().contains("slots.search-policy.shadow: removed"), "{reload}");
    assert!(status_of(&s, "search-policy").shadow.is_none());
}

#[tokio::test]
async fn an_erasure_removes_the_recorded_calls_that_name_the_person_and_recording_goes_on() {
    let policy = recording_policy(&["web-merge-rules"]).replacen(
        "record = true\n",
        "record = true\nrecord-personal-data = \"full\"\n",
        1,
    );
    let s = Arc::new(serve_policy(seeded(), Vec::new(), policy).await);
    let married = register_married_anna(&s).await;
    let (status, candidates) = s.get(&format!("/api/web/edits/{}/candidates", married.id)).await;
    assert_eq!(status, StatusCode::OK, "{candidates}");
    let writing = recorded(&s, "web-merge-rules").await.recording.expect("the slot records");
    let dir = writing.file.parent().unwrap().to_owned();
    // A recording of an earlier start: one case names K-1, the other K-2 alone.
    let earlier = dir.join("web-merge-rules-20261201T080000Z-4242.toml");
    let case = |number: &str| {
        format!(
            "# 2026-12-01T08:00:00Z, decided by web_merge_rules\n[[case]]\nname = \"push-local #{number}\"\n\
             hook = \"take-over-web\"\ninput = {{ web = {{ number = {number:?}, first-name = \"Anna\", last-name = \"Nowak\" }} }}\n\
             expect = {{}}\n\n"
        )
    };
    std::fs::write(&earlier, format!("# Calls of the web-merge-rules slot\n\n{}{}", case("K-1"), case("K-2"))).unwrap();
    let active = std::fs::read_to_string(&writing.file).unwrap();
    assert!(active.contains("\"K-1\"") && active.contains("Nowak"), "{active}");

    let (status, erased) = s.post("/api/customers/K-1/erase", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(erased["recorded_calls"], 2, "the candidates call here and the earlier case: {erased}");
    let active = std::fs::read_to_string(&writing.file).unwrap();
    assert!(!active.contains("\"K-1\"") && !active.contains("Anna"), "{active}");
    let earlier = std::fs::read_to_string(&earlier).unwrap();
    assert!(!earlier.contains("\"K-1\"") && earlier.contains("\"K-2\""), "{earlier}");

    // The recorder goes on in the same file.
    let (status, _) = s.get(&format!("/api/web/edits/{}/candidates", married.id)).await;
    assert_eq!(status, StatusCode::OK);
    let after = recorded(&s, "web-merge-rules").await.recording.expect("the slot records");
    assert_eq!((&after.file, after.written), (&writing.file, writing.written + 1));
    assert!(std::fs::read_to_string(&after.file).unwrap().contains("candidates #2"));
}

/// A recording of an earlier start, as the recorder writes one: a case naming each of
/// `numbers` (customer numbers or web ids) in its input.
fn earlier_recording(dir: &Path, numbers: &[&str]) -> PathBuf {
    let path = dir.join("web-merge-rules-20261201T080000Z-4242.toml");
    let mut text = "# Calls of the web-merge-rules slot\n\n".to_owned();
    for number in numbers {
        text += &format!(
            "# 2026-12-01T08:00:00Z, decided by web_merge_rules\n[[case]]\nname = \"candidates #{number}\"\n\
             hook = \"take-over-web\"\ninput = {{ web = {{ number = {number:?}, first-name = \"Zofia\" }} }}\n\
             expect = {{}}\n\n"
        );
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// The erasure records by source, with how many recorded calls each removed, once the
/// host's task has removed every erasure's.
async fn erasures_done(host: &pos_host::embed::Host) -> Vec<(String, Option<i64>, Value)> {
    tokio::time::timeout(std::time::Duration::from_secs(30), host.erasures_completed())
        .await
        .expect("the recorded calls are removed")
        .unwrap();
    let records: Vec<(String, Option<i64>, String)> = host
        .store()
        .read(|conn| {
            conn.prepare("SELECT source, recorded_calls, removed FROM erasures ORDER BY id")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
        .await
        .unwrap();
    records
        .into_iter()
        .map(|(source, recorded, removed)| (source, recorded, serde_json::from_str(&removed).unwrap()))
        .collect()
}

/// The ERP's feed removing a customer and the web shop's deleting a registration erase the
/// person here as the operator's request does: their recorded calls too, in the file being
/// written and in older ones, each erasure record counting them.
#[tokio::test]
async fn erasures_from_the_erps_and_the_web_shops_feeds_remove_the_recorded_calls_too() {
    let policy = recording_policy(&["web-merge-rules"])
        .replacen("record = true\n", "record = true\nrecord-personal-data = \"full\"\n", 1)
        .replacen("locale = \"en\"", "locale = \"en\"\ncustomers.mode = \"sync-all\"", 1);
    let erp = vec![AdminCustomer::new("K-1", "Zofia", "Wąsowska"), AdminCustomer::new("K-2", "Jan", "Kowalski")];
    let s = Arc::new(serve_policy(Vec::new(), erp, policy).await);
    assert_eq!(s.sync().await["report"]["customers"]["listed"], 2);
    let web = s
        .sim
        .register_web_customer(WebCustomerFields {
            first_name: "Zofia".into(),
            last_name: "Wąsowska".into(),
            email: Some("zofia.w@example.pl".into()),
            ..WebCustomerFields::default()
        })
        .await
        .unwrap();
    assert_eq!(s.get("/api/web/edits").await.0, StatusCode::OK);
    let (status, candidates) = s.get(&format!("/api/web/edits/{}/candidates", web.id)).await;
    assert_eq!(candidates["candidates"][0]["customer"]["number"], "K-1", "{status} {candidates}");
    let writing = recorded(&s, "web-merge-rules").await.recording.expect("the slot records");
    let active = std::fs::read_to_string(&writing.file).unwrap();
    assert!(active.contains("\"K-1\"") && active.contains(&format!("{:?}", web.id)), "{active}");
    let earlier = earlier_recording(writing.file.parent().unwrap(), &["K-1", &web.id, "K-2"]);

    s.sim.delete_customer("K-1").await.unwrap();
    let synchronized = s.sync().await;
    assert_eq!(synchronized["report"]["customers"]["removed"], 1, "{synchronized}");
    let records = erasures_done(&s.host).await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!((records[0].0.as_str(), records[0].1), ("erp", Some(2)), "the candidates call and the earlier case");
    assert_eq!(records[0].2["recorded_calls"], 2, "{records:?}");
    let active = std::fs::read_to_string(&writing.file).unwrap();
    assert!(!active.contains("\"K-1\""), "{active}");
    let text = std::fs::read_to_string(&earlier).unwrap();
    assert!(!text.contains("\"K-1\"") && text.contains(&format!("{:?}", web.id)) && text.contains("\"K-2\""), "{text}");

    s.sim.delete_web_customer(&web.id).await.unwrap();
    let (status, list) = s.get("/api/web/edits").await;
    assert_eq!((status, &list["refreshed"]["gone"]), (StatusCode::OK, &json!(1)), "{list}");
    let records = erasures_done(&s.host).await;
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!((records[1].0.as_str(), records[1].1), ("webshop", Some(1)), "the earlier case naming the web id");
    let text = std::fs::read_to_string(&earlier).unwrap();
    assert!(!text.contains(&format!("{:?}", web.id)) && text.contains("\"K-2\""), "{text}");
}

/// A host killed after an erasure was committed and before the recordings were cleaned
/// (here: the store erased alone, as that kill leaves it) removes the recorded calls when
/// it starts again.
#[tokio::test]
async fn a_host_starting_after_a_kill_removes_the_recorded_calls_of_an_erasure_left_pending() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("pos.sqlite");
    let store = pos_host::store::Store::open(&database).unwrap();
    store.save(customer(Some("K-1"), "Zofia", "Wąsowska")).await.unwrap();
    let erased = store.erase("K-1", pos_host::store::holdings::ErasureSource::Operator, "POS-01").await.unwrap();
    assert_eq!(erased.map(|erased| erased.customer), Some(1));
    drop(store);
    let earlier = earlier_recording(&dir.path().join("recordings"), &["K-1", "K-2"]);
    let policy = dir.path().join("policy.toml");
    let without_erp = served::policy_text().split("[slots.erp-connector]").next().unwrap().to_owned();
    std::fs::write(&policy, without_erp).unwrap();

    let host = pos_host::embed::Host::builder()
        .policy_file(&policy)
        .database(&database)
        .cache_dir(pos_tests::shared_cache())
        .watch(false)
        .build()
        .await
        .unwrap();
    let records = erasures_done(&host).await;
    assert_eq!(records.iter().map(|r| (r.0.as_str(), r.1)).collect::<Vec<_>>(), [("operator", Some(1))]);
    let text = std::fs::read_to_string(&earlier).unwrap();
    assert!(!text.contains("\"K-1\"") && text.contains("\"K-2\""), "{text}");
}
