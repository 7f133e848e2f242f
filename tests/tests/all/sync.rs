//! Synchronization with the simulator over loopback: full listing, change feed, expired
//! cursors, the outbox's exactly-once delivery, and hostile responses that must never
//! corrupt the store.

use crate::customer;
use pos_host::bindings::Customer;
use pos_host::erp::{ErpClient, ErpConfig};
use pos_host::flows::{local_changes, outbox, sync};
use pos_host::store::Store;
use pos_tests::sim::{self, AdminCustomer, Fault, FaultMode, SimConfig, Simulator};
use std::collections::HashMap;
use std::time::Duration;

struct Harness {
    sim: Simulator,
    store: Store,
    erp: ErpClient,
    dir: tempfile::TempDir,
}

impl Harness {
    async fn new(customers: u64) -> Harness {
        let sim = sim::start(SimConfig::new(customers, 7)).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite")).unwrap();
        let erp = ErpClient::new(ErpConfig {
            url: sim.erp_url(),
            workstation: "POS-01".into(),
            timeout: Duration::from_secs(5),
        })
        .unwrap();
        Harness { sim, store, erp, dir }
    }

    async fn sync(&self) -> Result<sync::SyncReport, sync::SyncError> {
        sync::sync_all(&self.store, &self.erp, "POS-01", |_| {}).await
    }

    async fn fault(&self, mode: FaultMode) {
        self.sim.set_fault(Fault::new(mode)).await.unwrap();
    }

    /// Every visible active ERP customer as (number, first name, last name, city).
    async fn erp_view(&self) -> Vec<(String, String, String, Option<String>)> {
        let mut all: Vec<_> = self
            .sim
            .visible_customers("POS-01", true)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.number, c.first_name, c.last_name, c.city))
            .collect();
        all.sort();
        all
    }

    async fn local_view(&self) -> Vec<(String, String, String, Option<String>)> {
        self.store
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.number.unwrap(), c.first_name, c.last_name, c.city))
            .collect()
    }
}

/// Compares two customer lists, reporting the first difference rather than both lists.
fn assert_same(local: &[(String, String, String, Option<String>)], erp: &[(String, String, String, Option<String>)]) {
    let first = local.iter().zip(erp).position(|(a, b)| a != b);
    assert!(
        local.len() == erp.len() && first.is_none(),
        "{} local, {} in the ERP; first difference: {:?}",
        local.len(),
        erp.len(),
        first.map(|i| (&local[i], &erp[i]))
    );
}

#[tokio::test]
async fn a_full_sync_copies_exactly_the_customers_available_here() {
    let h = Harness::new(2_500).await;
    let report = h.sync().await.unwrap();
    let erp = h.erp_view().await;
    assert!(erp.len() > 2_000 && erp.len() < 2_500, "some customers are untagged or for other workstations");
    assert_same(&h.local_view().await, &erp);
    assert_eq!(report.listed, erp.len() as u64);
    // A second run has nothing to do.
    let again = h.sync().await.unwrap();
    assert_eq!((again.listed, again.changes), (0, 0));
}

#[tokio::test]
async fn changes_deactivations_and_deletions_follow_the_feed() {
    let h = Harness::new(300).await;
    h.sync().await.unwrap();
    let number = h.store.all().await.unwrap()[10].number.clone().unwrap();
    let gone = h.store.all().await.unwrap()[20].number.clone().unwrap();
    let hidden = h.store.all().await.unwrap()[30].number.clone().unwrap();
    h.sim.upsert_customer(AdminCustomer::new(&number, "Zofia", "Źdźbłowska")).await.unwrap();
    h.sim.upsert_customer(AdminCustomer::new("K-9999999", "Nieuw", "Klant")).await.unwrap();
    h.sim.delete_customer(&gone).await.unwrap();
    h.sim.deactivate_customer(&hidden).await.unwrap();
    let report = h.sync().await.unwrap();
    assert_eq!(report.changes, 4);
    assert_eq!(h.store.customer(&number).await.unwrap().unwrap().last_name, "Źdźbłowska");
    assert!(h.store.customer("K-9999999").await.unwrap().is_some());
    assert!(h.store.customer(&gone).await.unwrap().is_none(), "a tombstone removes the customer");
    assert!(!h.store.customer(&hidden).await.unwrap().unwrap().active, "a deactivated customer is hidden");
    let search =
        pos_host::bindings::SearchQuery { phrase: "zdzblowska".into(), filters: vec![], include_inactive: false };
    assert_eq!(h.store.search(&search, 10).await.unwrap().len(), 1, "the index follows the change");
}

/// A feed longer than a page: the next page is fetched while one is written, and every
/// change lands once, in order.
#[tokio::test]
async fn a_feed_of_several_pages_is_followed_to_its_end() {
    let h = Harness::new(50).await;
    h.sync().await.unwrap();
    let count = sync::PAGE_SIZE as usize + 200;
    let numbers: Vec<String> = (0..count).map(|i| format!("K-9{i:06}")).collect();
    let sim = &h.sim;
    futures_util::future::join_all(numbers.chunks(count / 8 + 1).map(|chunk| async move {
        for number in chunk {
            sim.upsert_customer(AdminCustomer::new(number, "Nieuw", "Klant")).await.unwrap();
        }
    }))
    .await;
    // Changed again: the feed lists the customer once, with its last change.
    h.sim.upsert_customer(AdminCustomer::new(&numbers[0], "Laatste", "Klant")).await.unwrap();
    let report = h.sync().await.unwrap();
    assert_eq!(report.changes as usize, count);
    assert_same(&h.local_view().await, &h.erp_view().await);
    assert_eq!(h.store.customer(&numbers[0]).await.unwrap().unwrap().first_name, "Laatste");
}

#[tokio::test]
async fn an_expired_cursor_runs_a_full_sync_that_drops_vanished_customers() {
    let h = Harness::new(200).await;
    h.sync().await.unwrap();
    let gone = h.store.all().await.unwrap()[5].number.clone().unwrap();
    h.sim.delete_customer(&gone).await.unwrap();
    h.sim.expire_cursors().await.unwrap();
    let report = h.sync().await.unwrap();
    assert!(report.restarted_full);
    assert!(h.store.customer(&gone).await.unwrap().is_none());
    assert_same(&h.local_view().await, &h.erp_view().await);
}

#[tokio::test]
async fn a_full_sync_over_held_customers_keeps_the_index_exact() {
    let h = Harness::new(200).await;
    h.sync().await.unwrap();
    let held = h.store.all().await.unwrap();
    let (renamed, unchanged) = (held[7].number.clone().unwrap(), held[8].clone());
    h.sim.upsert_customer(AdminCustomer::new(&renamed, "Zofia", "Źdźbłowska")).await.unwrap();
    h.sim.expire_cursors().await.unwrap();
    let report = h.sync().await.unwrap();
    assert!(report.restarted_full);
    assert_same(&h.local_view().await, &h.erp_view().await);
    let query = |phrase: &str| pos_host::bindings::SearchQuery {
        phrase: phrase.into(),
        filters: vec![],
        include_inactive: true,
    };
    let numbers = |found: Vec<Customer>| found.into_iter().filter_map(|c| c.number).collect::<Vec<_>>();
    assert_eq!(numbers(h.store.search(&query("zdzblowska"), 10).await.unwrap()), std::slice::from_ref(&renamed));
    let old_name = format!("{} {}", held[7].first_name, held[7].last_name);
    assert!(!numbers(h.store.search(&query(&old_name), 100).await.unwrap()).contains(&renamed));
    let listed_again = format!("{} {}", unchanged.first_name, unchanged.last_name);
    assert!(numbers(h.store.search(&query(&listed_again), 100).await.unwrap()).contains(&unchanged.number.unwrap()));
    let (customers, entries): (i64, i64) = h
        .store
        .read(|c| {
            Ok((
                c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM customers_fts", [], |r| r.get(0))?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(customers, entries, "one index entry per customer");
}

#[tokio::test]
async fn a_full_sync_keeps_a_vanished_customer_whose_local_edit_is_still_queued() {
    let h = Harness::new(200).await;
    h.sync().await.unwrap();
    let edited = Customer { city: Some("Wrocław".into()), ..h.store.all().await.unwrap()[5].clone() };
    let number = edited.number.clone().unwrap();
    local_changes::edit(&h.store, edited).await.unwrap();
    h.sim.delete_customer(&number).await.unwrap();
    h.sim.expire_cursors().await.unwrap();
    let report = h.sync().await.unwrap();
    assert!(report.restarted_full);
    let kept = h.store.customer(&number).await.unwrap();
    assert_eq!(kept.and_then(|c| c.city).as_deref(), Some("Wrocław"), "the operator's edit is not lost");
}

#[tokio::test]
async fn customers_created_here_are_kept_through_syncs() {
    let h = Harness::new(50).await;
    let mine = local_changes::create(&h.store, "POS-01", customer(None, "Eva", "Lokaal")).await.unwrap();
    h.sim.expire_cursors().await.unwrap();
    h.fault(FaultMode::Refuse).await;
    assert!(outbox::drain(&h.store, &h.erp).await.unwrap().stopped.is_some());
    h.fault(FaultMode::None).await;
    h.sync().await.unwrap();
    assert_eq!(h.store.customer(mine.number.as_deref().unwrap()).await.unwrap().unwrap().last_name, "Lokaal");
}

#[tokio::test]
async fn local_changes_reach_the_erp_exactly_once_across_an_outage_and_a_restart() {
    let h = Harness::new(20).await;
    h.sync().await.unwrap();
    h.fault(FaultMode::Refuse).await;
    let mut created = Vec::new();
    for i in 0..3 {
        created.push(
            local_changes::create(&h.store, "POS-01", customer(None, &format!("Nowy{i}"), "Klient")).await.unwrap(),
        );
    }
    let edited = Customer { city: Some("Wrocław".into()), ..h.store.all().await.unwrap()[0].clone() };
    local_changes::edit(&h.store, edited.clone()).await.unwrap();
    let again = Customer { phone: Some("+48 600 100 200".into()), ..created[0].clone() };
    local_changes::edit(&h.store, again).await.unwrap();
    let report = outbox::drain(&h.store, &h.erp).await.unwrap();
    assert_eq!(report.sent, 0);
    assert!(report.stopped.unwrap().contains("no connection with the data service"));

    // The host restarts: a new store on the same file.
    let path = h.store.path().to_owned();
    let Harness { sim, store, erp, dir: _dir } = h;
    drop(store);
    let store = Store::open(&path).unwrap();

    // The ERP comes back, but the answer to the first create is lost on the way.
    sim.set_fault(Fault { mode: FaultMode::Drop, paths: vec!["/customers".into()] }).await.unwrap();
    let lost = outbox::drain(&store, &erp).await.unwrap();
    assert_eq!(lost.sent, 0, "{lost:?}");
    sim.set_fault(Fault::new(FaultMode::None)).await.unwrap();
    let report = outbox::drain(&store, &erp).await.unwrap();
    assert_eq!((report.sent, report.parked, report.stopped), (5, 0, None));

    let writes = sim.received_writes().await.unwrap();
    let mut applied: HashMap<String, usize> = HashMap::new();
    for write in writes.iter().filter(|w| !w.replay) {
        *applied.entry(write.idempotency_key.clone()).or_default() += 1;
    }
    assert_eq!(applied.len(), 5, "five changes: {writes:#?}");
    assert!(applied.values().all(|&n| n == 1), "each applied once: {applied:?}");
    assert!(writes.iter().any(|w| w.replay), "the lost answer was replayed, not applied twice");
    for customer in &created {
        let number = customer.number.as_deref().unwrap();
        assert!(sim.customer(number).await.unwrap().is_some(), "{number} reached the ERP");
    }
    let in_erp = sim.customer(edited.number.as_deref().unwrap()).await.unwrap().unwrap();
    assert_eq!(in_erp.customer.city.as_deref(), Some("Wrocław"));
    let first = sim.customer(created[0].number.as_deref().unwrap()).await.unwrap().unwrap();
    assert_eq!(first.customer.phone.as_deref(), Some("+48 600 100 200"));
    assert_eq!(outbox::drain(&store, &erp).await.unwrap(), outbox::DrainReport::default());
}

#[tokio::test]
async fn hostile_responses_stop_the_sync_with_a_clear_error_and_change_nothing() {
    let h = Harness::new(100).await;
    h.sync().await.unwrap();
    let before = h.local_view().await;
    h.sim.upsert_customer(AdminCustomer::new("K-8888888", "Nowa", "Osoba")).await.unwrap();
    let huge =
        format!("{{\"changes\": [], \"next\": 1, \"has_more\": false, \"padding\": \"{}\"}}", "x".repeat(40 << 20));
    for (body, expected) in [
        (r#"{"changes": [{"version": 5, "number": "K-1", "customer": {"number": "K-1", "first_name": 5}}], "next": 5, "has_more": false}"#.to_owned(), "malformed response"),
        (r#"{"changes": [{"version": 5, "number": "K-1", "customer": {"number": "K-1", "first_name": "A", "active": true, "version": 5, "updated_at": 0}}], "next": 5, "has_more": false}"#.to_owned(), "missing field `last_name`"),
        (r#"{"changes": [{"version": 5, "number": "", "customer": {"number": "", "first_name": "A", "last_name": "B", "active": true, "version": 5, "updated_at": 0}}], "next": 5, "has_more": false}"#.to_owned(), "has no number"),
        (r#"{"changes": "#.to_owned(), "EOF while parsing"),
        (r#"[1, 2, 3]"#.to_owned(), "malformed response"),
        (huge, "larger than 32 MiB"),
    ] {
        h.fault(FaultMode::Malformed { body: Some(body) }).await;
        let error = h.sync().await.unwrap_err().to_string();
        assert!(error.contains(expected), "expected {expected:?} in {error}");
        assert_same(&h.local_view().await, &before);
    }
    h.fault(FaultMode::None).await;
    h.sync().await.unwrap();
    assert!(h.store.customer("K-8888888").await.unwrap().is_some(), "the next good sync resumes");
    let integrity: String = h.store.read(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0))).await.unwrap();
    assert_eq!(integrity, "ok");
}
