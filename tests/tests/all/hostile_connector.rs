//! An ERP connector that misbehaves (`tests/fixtures/hostile-connector`): it reaches for a
//! host its policy does not allow, traps, never ends, waits on a silent ERP, leaks its
//! password or answers more than asked. Each is an ERP failure the operator can read, and
//! the till's customers stay as they were.

use pos_host::bindings::SearchQuery;
use pos_host::embed::{Host, Prompts};
use pos_tests::sim::{self, SimConfig};
use pos_tests::{artifacts, customer, shared_cache};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const FAILED_EN: &str = "Failed to search in the ERP system. Connection with data service not established.";
const PASSWORD: &str = "correct-horse-battery-staple";

struct Till {
    host: Host,
    _dir: tempfile::TempDir,
}

/// A till in sync-all mode with one customer of its own, whose connector is the hostile one
/// in `mode`, reaching `target` in mode `elsewhere`; `slot_extra` is added to its slot's table.
async fn till(mode: &str, erp_url: &str, target: &str, slot_extra: &str) -> Till {
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, format!("{PASSWORD}\n")).unwrap();
    let policy = format!(
        "[host]\nworkstation = \"POS-01\"\n\
         [host.erp]\nurl = {erp_url:?}\ntimeout-ms = 500\n\
         [host.customers]\nmode = \"sync-all\"\n\
         [slots.search-policy]\nplugin = {search:?}\n\
         [slots.notification-texts]\nplugin = {texts:?}\n\
         [slots.erp-connector]\nplugin = {connector:?}\n\
         secrets.password = {{ file = {password:?} }}\n\
         limits = {{ fuel = 200000000 }}\n\
         config = {{ mode = {mode:?}, target = {target:?} }}\n\
         {slot_extra}\n",
        search = artifacts::SEARCH_THRESHOLDS,
        texts = artifacts::NOTIFICATION_TEXTS,
        connector = artifacts::HOSTILE_CONNECTOR,
    );
    std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
    let host = Host::builder()
        .policy_file(dir.path().join("policy.toml"))
        .database(dir.path().join("pos.sqlite"))
        .operator(Arc::new(Prompts::new(Duration::from_secs(5))))
        .cache_dir(shared_cache())
        .watch(false)
        .compile_in_background(false)
        .build()
        .await
        .unwrap_or_else(|e| panic!("the host starts: {e}"));
    host.store().save(customer(Some("L-1"), "Anna", "Nowak")).await.unwrap();
    Till { host, _dir: dir }
}

impl Till {
    async fn numbers(&self) -> Vec<String> {
        let mut numbers: Vec<String> =
            self.host.store().all().await.unwrap().into_iter().filter_map(|c| c.number).collect();
        numbers.sort();
        numbers
    }

    /// The sync's error, in the words a command or the API shows.
    async fn failed_sync(&self) -> String {
        let before = self.numbers().await;
        let error = self.host.sync(|_| {}).await.expect_err("the sync fails").to_string();
        assert_eq!(self.numbers().await, before, "a failed sync changes nothing");
        error
    }

    /// What the operator reads after [Search] in the ERP.
    async fn erp_search_notice(&self) -> Option<String> {
        let mut search = self.host.search(Some("en".into()));
        let query = SearchQuery { phrase: "zzz".into(), filters: Vec::new(), include_inactive: false };
        search.search(query).await.unwrap();
        search.search_erp(&CancellationToken::new(), || {}).await.notice.map(|n| n.text)
    }
}

#[tokio::test]
async fn a_request_to_a_host_the_policy_does_not_allow_is_refused_before_it_leaves() {
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let target = format!("http://127.0.0.1:{}/steal", elsewhere.local_addr().unwrap().port());
    let erp = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let till = till("elsewhere", &erp.erp_url(), &target, "").await;

    let error = till.failed_sync().await;
    let port = elsewhere.local_addr().unwrap().port();
    assert!(error.contains(&format!("the plugin may not connect to http://127.0.0.1:{port}")), "{error}");
    assert!(error.contains("slots.erp-connector.allowed-hosts allows nothing"), "{error}");
    assert!(error.contains(&format!("host.erp.url allows {}", erp.erp_url())), "{error}");
    assert_eq!(till.erp_search_notice().await.as_deref(), Some(FAILED_EN));
    // Refused before connecting: the request has been answered, so a connection would be
    // waiting to be accepted by now.
    let accepted = elsewhere.accept();
    assert!(matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock), "{accepted:?}");
    assert_eq!(till.numbers().await, ["L-1"]);
}

#[tokio::test]
async fn a_host_listed_in_allowed_hosts_is_reached() {
    let erp = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let other = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let target = format!("{}/health", other.erp_url());
    let allowed = format!("allowed-hosts = [{:?}]", other.erp_url());
    let till = till("elsewhere", &erp.erp_url(), &target, &allowed).await;
    let synced = till.host.sync(|_| {}).await.unwrap();
    assert_eq!(synced.customers.unwrap().listed, 2);
    assert_eq!(till.numbers().await, ["H-1", "H-2", "L-1"]);
}

#[tokio::test]
async fn a_host_added_to_allowed_hosts_is_reached_after_a_reload() {
    let erp = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let other = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let target = format!("{}/health", other.erp_url());
    let till = till("elsewhere", &erp.erp_url(), &target, "").await;
    till.failed_sync().await;

    let path = till.host.policy_path();
    let policy = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{policy}allowed-hosts = [{:?}]\n", other.erp_url())).unwrap();
    let reload = till.host.reload().await;
    assert_eq!(reload.changes.len(), 1, "{reload:?}");
    assert!(reload.changes[0].starts_with("slots.erp-connector: hostile_connector"), "{reload:?}");
    let synced = till.host.sync(|_| {}).await.unwrap();
    assert_eq!(synced.customers.unwrap().listed, 2);
}

#[tokio::test]
async fn a_connector_that_traps_or_never_ends_is_an_erp_failure_and_changes_nothing() {
    let erp = sim::start(SimConfig::new(0, 1)).await.unwrap();
    for (mode, failure) in [("panic", "trapped"), ("loop", "fuel")] {
        let till = till(mode, &erp.erp_url(), "", "").await;
        till.host.sync(|_| {}).await.unwrap();
        assert_eq!(till.numbers().await, ["H-1", "H-2", "L-1"]);
        let error = till.failed_sync().await;
        assert!(error.contains("hostile_connector") || error.contains("ERP connector"), "{mode}: {error}");
        assert!(error.to_lowercase().contains(failure), "{mode}: {error}");
        assert_eq!(till.erp_search_notice().await.as_deref(), Some(FAILED_EN), "{mode}");
    }
}

#[tokio::test]
async fn a_silent_erp_times_out_within_host_erp_timeout_ms() {
    // Accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let holding = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    let till = till("slow", &url, "", "").await;
    let error = till.failed_sync().await;
    assert!(error.contains("did not answer in time"), "{error}");
    assert_eq!(till.numbers().await, ["L-1"]);
    holding.abort();
}

#[tokio::test]
async fn a_leaked_password_is_masked_in_what_the_operator_reads() {
    let erp = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let till = till("leak", &erp.erp_url(), "", "").await;
    till.host.sync(|_| {}).await.unwrap();
    let error = till.failed_sync().await;
    assert!(error.contains("login refused for password [secret]"), "{error}");
    assert!(!error.contains(PASSWORD), "{error}");
}

#[tokio::test]
async fn more_customers_than_asked_for_are_refused() {
    let erp = sim::start(SimConfig::new(0, 1)).await.unwrap();
    let till = till("overflow", &erp.erp_url(), "", "").await;
    let error = till.failed_sync().await;
    assert!(error.contains("returned an invalid result: asked for at most 5000, it returned 5001"), "{error}");
    assert_eq!(till.numbers().await, ["L-1"]);
}
