//! `GET /metrics` after a scripted day at a till: a synchronization, searches in the local
//! list and the ERP, an ERP outage with an edit waiting and a synchronization failing, a
//! slow ERP and a synchronization cancelled, a
//! reload to a plugin version whose first call traps and is rolled back. Prometheus's own
//! `promtool check metrics` judges the text, then the counters must tell that day.

use crate::customer;
use crate::http_api::serve;
use pos_tests::artifacts;
use pos_tests::sim::{AdminCustomer, Fault, FaultMode};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// One line of the text format: a series and its value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Every sample of `text`; labels here never hold a comma, a quote or a brace.
fn samples(text: &str) -> Vec<Sample> {
    let sample = |line: &str| {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("a sample: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, labels.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split(',')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap();
                (key.to_owned(), value.trim_matches('"').to_owned())
            })
            .collect();
        Sample { name: name.to_owned(), labels, value: value.parse().unwrap_or_else(|e| panic!("{line}: {e}")) }
    };
    text.lines().filter(|line| !line.starts_with('#') && !line.is_empty()).map(sample).collect()
}

/// The sum of the series named `name` whose labels include `labels`; `None` when none has.
fn sum(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples
        .iter()
        .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).is_some_and(|l| l == v)))
        .map(|s| s.value)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

/// Runs `promtool check metrics` on `text`: its exit status and what it printed.
fn promtool_check(text: &str) -> (bool, String) {
    let mut child = Command::new("/usr/bin/promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Prometheus's promtool is installed");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), said)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_days_metrics_pass_promtool_and_tell_what_happened() {
    let erp = (1..=12).map(|i| AdminCustomer::new(&format!("E-{i:04}"), &format!("Jan{i}"), "Nowak")).collect();
    let s = serve(vec![customer(Some("K-1"), "Anna", "Kowalska")], erp, Duration::from_secs(30), None).await;
    let client = reqwest::Client::new();

    // Without the token, nothing is told: the same rule as the API's.
    let refused = client.get(format!("{}/metrics", s.url)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    // The morning: the till follows the ERP's whole list.
    let policy = std::fs::read_to_string(&s.policy).unwrap();
    let following = policy.replace("locale = \"en\"", "locale = \"en\"\ncustomers.mode = \"sync-all\"");
    std::fs::write(&s.policy, &following).unwrap();
    assert_eq!(s.post("/api/reload", json!({})).await.1["outcome"], "applied");
    let synced = s.sync().await;
    assert_eq!(synced["report"]["customers"]["listed"], 12, "{synced}");

    // Searches: found locally, then one that goes on in the ERP.
    let session = s.session().await;
    let local = format!("/api/search/sessions/{session}/local");
    let erp_search = format!("/api/search/sessions/{session}/erp");
    for phrase in ["Kowalska", "Jan3", "Zielinski"] {
        assert_eq!(s.post(&local, json!({ "phrase": phrase })).await.0, StatusCode::OK);
    }
    let (status, started) = s.post(&erp_search, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let done = s.finished(&started).await;
    assert_eq!(done["screen"]["notice"]["key"], "erp-no-results", "the ERP answered: {done}");

    // The ERP goes down: a search there fails, an edit waits, the synchronization fails.
    s.sim.set_fault(Fault::new(FaultMode::Down)).await.unwrap();
    assert_eq!(s.post(&local, json!({ "phrase": "Wisniewski" })).await.0, StatusCode::OK);
    let (_, started) = s.post(&erp_search, json!({})).await;
    let failed_search = s.finished(&started).await;
    assert_eq!(
        s.call(reqwest::Method::PATCH, "/api/customers/K-1", Some(json!({ "city": "Gdańsk" }))).await.0,
        StatusCode::OK
    );
    let failed = s.sync().await;
    assert!(failed["error"].is_string(), "the ERP is down: {failed}");
    // Then it only answers after a minute: the operator cancels the next synchronization.
    s.sim.set_fault(Fault::new(FaultMode::Slow { delay_ms: 60_000 })).await.unwrap();
    let (status, started) = s.post("/api/sync", json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let cancel = format!("/api/operations/{}/cancel", started["id"].as_str().unwrap());
    let (_, cancelled) = s.post(&cancel, json!({})).await;
    assert_eq!((&cancelled["status"], &cancelled["cancelled"]), (&json!("done"), &json!(true)), "{cancelled}");
    s.sim.set_fault(Fault::new(FaultMode::None)).await.unwrap();

    // A new build of the search policy traps on its first call and is rolled back.
    let hostile = following.replace(
        &format!("plugin = {:?}\ngrants = []", artifacts::SEARCH_THRESHOLDS),
        &format!("plugin = {:?}\ngrants = [\"ui\"]", artifacts::HOSTILE_SEARCH),
    );
    assert_ne!(hostile, following);
    std::fs::write(&s.policy, &hostile).unwrap();
    let reload = s.post("/api/reload", json!({})).await.1;
    assert_eq!(reload["outcome"], "applied", "{reload}");
    assert_eq!(s.post(&local, json!({ "phrase": "trap" })).await.0, StatusCode::OK);
    let (_, status) = s.get("/api/status").await;
    let search_slot = status["slots"].as_array().unwrap().iter().find(|slot| slot["slot"] == "search-policy").unwrap();
    let rollback = &search_slot["rollbacks"][0];
    let (bad_plugin, bad_sha) = (rollback["plugin"].as_str().unwrap(), rollback["sha256"].as_str().unwrap());

    // The scrape, as Prometheus makes it.
    let response = s.api(&client, reqwest::Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = response.text().await.unwrap();
    let (valid, said) = promtool_check(&text);
    assert!(valid && said.trim().is_empty(), "promtool check metrics: {said}\n{text}");

    let samples = samples(&text);
    let one = |name: &str, labels: &[(&str, &str)]| {
        sum(&samples, name, labels).unwrap_or_else(|| panic!("no series {name} {labels:?} in\n{text}"))
    };
    // The plugins.
    assert_eq!(one("pos_reloads_total", &[("outcome", "applied")]), 2.0);
    assert_eq!(one("pos_reloads_total", &[("outcome", "failed")]), 0.0);
    assert_eq!(one("pos_plugin_rollbacks_total", &[("slot", "search-policy")]), 1.0);
    let bad = [("slot", "search-policy"), ("plugin", bad_plugin), ("sha256", bad_sha)];
    assert_eq!(one("pos_plugin_calls_total", &bad), 1.0);
    assert_eq!(one("pos_plugin_failures_total", &[bad[0], bad[1], bad[2], ("kind", "trap")]), 1.0);
    assert_eq!(one("pos_plugin_failures_total", &[("slot", "search-policy")]), 1.0, "one failure that day");
    assert_eq!(one("pos_plugin_fallbacks_total", &[("slot", "search-policy"), ("reason", "failure")]), 1.0);
    assert_eq!(
        one("pos_plugin_calls_total", &[("slot", "search-policy")]),
        search_slot["calls"].as_f64().unwrap(),
        "every call the status counts, across both versions"
    );
    let search_calls = one("pos_plugin_call_duration_seconds_count", &[("slot", "search-policy")]);
    assert_eq!(search_calls, search_slot["calls"].as_f64().unwrap());
    assert!(one("pos_plugin_call_fuel_sum", &[("slot", "search-policy")]) > 0.0);
    assert!(one("pos_plugin_calls_total", &[("slot", "erp-connector")]) > 0.0, "the connector plugin is counted");

    // The ERP: listed in the morning, one search found, one search and the sync failed.
    let erp = |operation: &str, outcome: &str| {
        sum(&samples, "pos_remote_requests_total", &[("remote", "erp"), ("operation", operation), ("outcome", outcome)])
    };
    assert!(erp("list", "ok").unwrap() >= 1.0);
    assert_eq!(erp("search", "ok"), Some(1.0));
    let search_failed = erp("search", "unavailable").or(erp("search", "timeout"));
    assert_eq!(search_failed, Some(1.0), "the search in the outage: {failed_search}\n{text}");
    assert_eq!(one("pos_remote_request_duration_seconds_count", &[("remote", "erp"), ("operation", "search")]), 2.0);

    // The synchronization and the outbox.
    assert_eq!(one("pos_sync_runs_total", &[("outcome", "ok")]), 1.0);
    assert_eq!(one("pos_sync_runs_total", &[("outcome", "failed")]), 1.0);
    assert_eq!(one("pos_sync_runs_total", &[("outcome", "cancelled")]), 1.0);
    assert_eq!(one("pos_sync_customers_listed_total", &[]), 12.0);
    assert_eq!(one("pos_sync_phase", &[("phase", "incremental")]), 1.0);
    assert_eq!(one("pos_sync_phase", &[("phase", "full")]), 0.0);
    let lag = one("pos_sync_lag_seconds", &[]);
    assert!(lag.is_finite() && lag >= 0.0, "caught up this morning: {lag}");
    assert!(one("pos_sync_caught_up_timestamp_seconds", &[]) > 1.7e9);
    assert_eq!(one("pos_outbox_entries", &[("state", "pending")]), 1.0, "the edit made in the outage waits");
    assert!(one("pos_outbox_oldest_age_seconds", &[]) >= 0.0);

    // The HTTP API, by route as the router names it, never by a request's own path.
    let local_route = [("route", "/api/search/sessions/{id}/local"), ("method", "POST"), ("status", "200")];
    assert_eq!(one("pos_http_requests_total", &local_route), 5.0);
    assert_eq!(one("pos_http_requests_total", &[("route", "unrouted"), ("status", "401")]), 1.0);
    assert!(!text.contains(&session), "no series names a session");
    assert_eq!(one("pos_host_info", &[("workstation", "POS-01")]), 1.0);
}

/// Requests for paths nobody routes fall in one series: a scanner cannot grow the scrape.
#[tokio::test]
async fn unknown_paths_add_no_series() {
    let s = serve(Vec::new(), Vec::new(), Duration::from_secs(30), None).await;
    for n in 0..20 {
        assert_eq!(s.get(&format!("/api/no-such-thing-{n}")).await.0, StatusCode::NOT_FOUND);
    }
    let text = s.api(&reqwest::Client::new(), reqwest::Method::GET, "/metrics").send().await.unwrap();
    let text = text.text().await.unwrap();
    assert!(!text.contains("no-such-thing"), "{text}");
    let found = sum(&samples(&text), "pos_http_requests_total", &[("route", "unrouted"), ("status", "404")]);
    assert_eq!(found, Some(20.0));
}
