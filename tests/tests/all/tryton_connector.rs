//! Both workflows against a real Tryton server through `plugins/tryton-connector`: the host
//! started from a policy as an integrator writes it, the changes made in Tryton through its
//! own JSON-RPC, as a Tryton user's client would make them.

use pos_host::bindings::search::RetrieveAction;
use pos_host::bindings::{Customer, SearchQuery};
use pos_host::embed::{Host, Prompts};
use pos_host::flows::local_changes::CustomerChanges;
use pos_tests::losing_proxy::LosingProxy;
use pos_tests::tryton::{Tryton, admin_password_file};
use pos_tests::{customer, shared_cache};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How long a change made in Tryton may take to reach the till: the connector sends a change
/// once the server's clock (read to the second) has passed it, so a sync right after an edit
/// may not see it yet. A bound for a loaded machine, not a pause.
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(30);

/// A Tryton server with the customer category and Poland, and a till whose policy names the
/// Tryton connector.
struct Till {
    tryton: Tryton,
    host: Host,
    /// The `party.category` every customer has.
    customer_category: i64,
    dir: tempfile::TempDir,
}

impl Till {
    async fn new(mode: &str) -> Till {
        Till::with_policy(mode, |_, policy| policy).await
    }

    /// [`Till::new`], its policy's text changed by `edit`.
    async fn with_policy(mode: &str, edit: impl FnOnce(&Tryton, String) -> String) -> Till {
        let tryton = Tryton::start().await;
        let customer_category = tryton.prepare_customers().await;
        let dir = tempfile::tempdir().unwrap();
        let policy = edit(&tryton, tryton.till_policy(mode, &admin_password_file()));
        std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
        let host = start_host(dir.path()).await;
        Till { tryton, host, customer_category, dir }
    }

    /// Creates parties in Tryton; `customer`: with the customer category. Returns their ids.
    async fn parties(&self, parties: &[(&str, &str, bool)]) -> Vec<i64> {
        let values: Vec<Value> = parties
            .iter()
            .map(|(code, name, customer)| {
                let categories = if *customer { json!([["add", [self.customer_category]]]) } else { json!([]) };
                json!({
                    "code": code,
                    "name": name,
                    "categories": categories,
                    "contact_mechanisms": [["create", [{"type": "email", "value": format!("{code}@example.pl")}]]],
                    "addresses": [["create", [{"street": "ul. Długa 5", "postal_code": "80-831", "city": "Gdańsk"}]]],
                })
            })
            .collect();
        let ids = self.tryton.call("model.party.party.create", json!([values, {}])).await.unwrap();
        ids.as_array().unwrap().iter().map(|id| id.as_i64().unwrap()).collect()
    }

    /// The parties with `code` in Tryton, active or not: `(name, city of the first address)`.
    async fn in_tryton(&self, code: &str) -> Vec<(String, Option<String>)> {
        let domain = json!([["code", "=", code], ["active", "in", [true, false]]]);
        let fields = json!(["name", "addresses.city"]);
        let found = self
            .tryton
            .call("model.party.party.search_read", json!([domain, 0, null, null, fields, {}]))
            .await
            .unwrap();
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|party| {
                let city = party["addresses."].get(0).and_then(|a| a["city"].as_str()).map(String::from);
                (party["name"].as_str().unwrap().to_owned(), city)
            })
            .collect()
    }

    /// The till's customers: `(number, first name, last name, active)`, by number.
    async fn local(&self) -> Vec<(String, String, String, bool)> {
        let mut all: Vec<_> = self
            .host
            .store()
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.number.unwrap_or_default(), c.first_name, c.last_name, c.active))
            .collect();
        all.sort();
        all
    }

    /// Synchronizes until `done` holds for the till's customers: a change made in Tryton
    /// reaches the till once the server's clock has passed it.
    async fn sync_until(&self, what: &str, done: impl Fn(&[(String, String, String, bool)]) -> bool) {
        let started = Instant::now();
        loop {
            let synced = self.host.sync(|_| {}).await;
            let local = self.local().await;
            if done(&local) {
                return;
            }
            assert!(
                started.elapsed() < FOLLOW_TIMEOUT,
                "{what}: not on the till after {FOLLOW_TIMEOUT:?}; last sync {synced:?}; the till has {local:#?}"
            );
        }
    }
}

async fn start_host(dir: &Path) -> Host {
    Host::builder()
        .policy_file(dir.join("policy.toml"))
        .database(dir.join("pos.sqlite"))
        .operator(Arc::new(Prompts::new(Duration::from_secs(5))))
        .cache_dir(shared_cache())
        .watch(false)
        .compile_in_background(false)
        .build()
        .await
        .unwrap_or_else(|e| panic!("the host starts: {e}"))
}

fn row(number: &str, first: &str, last: &str, active: bool) -> (String, String, String, bool) {
    (number.into(), first.into(), last.into(), active)
}

#[tokio::test]
async fn a_full_sync_then_tryton_s_edits_deactivations_and_deletions_reach_the_till() {
    let till = Till::new("sync-all").await;
    let ids = till
        .parties(&[
            ("C-1", "Łukasz Kowalski", true),
            ("C-2", "Anna Nowak", true),
            ("C-3", "Jan de Vries", true),
            ("C-4", "Piotr Zieliński", true),
            ("S-1", "Supplier Sp. z o.o.", false),
        ])
        .await;
    let synced = till.host.sync(|_| {}).await.unwrap();
    let summary = synced.customers.unwrap();
    assert_eq!((summary.listed, summary.restarted_full), (4, false), "{summary:?}");
    assert_eq!(
        till.local().await,
        [
            row("C-1", "Łukasz", "Kowalski", true),
            row("C-2", "Anna", "Nowak", true),
            row("C-3", "Jan de", "Vries", true),
            row("C-4", "Piotr", "Zieliński", true),
        ]
    );
    let lukasz = till.host.customer("C-1").await.unwrap().unwrap();
    assert_eq!(
        (lukasz.email.as_deref(), lukasz.street.as_deref(), lukasz.city.as_deref()),
        (Some("C-1@example.pl"), Some("ul. Długa 5"), Some("Gdańsk"))
    );

    // In Tryton: a rename, a deactivation, a deletion, a new customer, and a supplier that
    // becomes a customer.
    let write = |id: i64, values: Value| till.tryton.call("model.party.party.write", json!([[id], values, {}]));
    write(ids[1], json!({"name": "Anna Nowak-Kowalska"})).await.unwrap();
    write(ids[2], json!({"active": false})).await.unwrap();
    // The deactivation reaches the till before the deletion, whose list of the customers
    // still available must keep the deactivated one.
    let deactivated = row("C-3", "Jan de", "Vries", false);
    till.sync_until("a deactivation", |local| local.contains(&deactivated)).await;
    till.tryton.call("model.party.party.delete", json!([[ids[3]], {}])).await.unwrap();
    till.parties(&[("C-5", "Ewa Wiśniewska", true)]).await;
    write(ids[4], json!({"categories": [["add", [till.customer_category]]]})).await.unwrap();

    let expected = [
        row("C-1", "Łukasz", "Kowalski", true),
        row("C-2", "Anna", "Nowak-Kowalska", true),
        row("C-3", "Jan de", "Vries", false),
        row("C-5", "Ewa", "Wiśniewska", true),
        row("S-1", "Supplier Sp. z", "o.o.", true),
    ];
    till.sync_until("Tryton's changes", |local| local == expected).await;

    // Losing the customer category removes the customer from the till.
    write(ids[1], json!({"categories": [["remove", [till.customer_category]]]})).await.unwrap();
    till.sync_until("a party no longer a customer", |local| !local.iter().any(|c| c.0 == "C-2")).await;
}

#[tokio::test]
async fn customers_created_at_the_till_reach_tryton_exactly_once_across_an_outage_and_a_restart() {
    let mut till = Till::new("sync-all").await;
    till.parties(&[("C-1", "Anna Nowak", true)]).await;
    till.host.sync(|_| {}).await.unwrap();

    till.tryton.stop().await;
    let created = till.host.create_customer(customer(None, "Marta", "Lewandowska")).await.unwrap();
    let number = created.number.clone().unwrap();
    let city = CustomerChanges { city: Some(Some("Sopot".into())), ..CustomerChanges::default() };
    till.host.edit_customer(&number, city).await.unwrap();
    let edit = CustomerChanges { last_name: Some("Nowak-Lis".into()), ..CustomerChanges::default() };
    till.host.edit_customer("C-1", edit).await.unwrap();
    let down = till.host.sync(|_| {}).await;
    let error = down.expect_err("Tryton is down").to_string();
    assert!(error.contains("cannot reach Tryton at the address of `host.erp.url`"), "{error}");

    // The till restarts while Tryton is down, then Tryton comes back.
    let database: PathBuf = till.dir.path().join("pos.sqlite");
    assert!(database.is_file());
    drop(std::mem::replace(&mut till.host, start_host(till.dir.path()).await));
    till.tryton.restart().await;
    let synced = till.host.sync(|_| {}).await.unwrap();
    assert_eq!((synced.sent, synced.parked, synced.stopped.as_deref()), (3, 0, None), "{synced:?}");
    assert_eq!(till.in_tryton(&number).await, [("Marta Lewandowska".to_owned(), Some("Sopot".to_owned()))]);
    assert_eq!(till.in_tryton("C-1").await, [("Anna Nowak-Lis".to_owned(), Some("Gdańsk".to_owned()))]);

    let again = till.host.sync(|_| {}).await.unwrap();
    assert_eq!((again.sent, again.parked), (0, 0), "{again:?}");
    assert_eq!(till.in_tryton(&number).await.len(), 1, "created once");
    // Tryton's answer comes back to the till as the ERP's version of the customer.
    let local = till.host.customer(&number).await.unwrap().unwrap();
    assert_eq!((local.last_name.as_str(), local.city.as_deref()), ("Lewandowska", Some("Sopot")));
}

#[tokio::test]
async fn a_local_only_till_finds_lukasz_in_tryton_and_keeps_him_once_opened() {
    let till = Till::new("local-only").await;
    till.parties(&[
        ("C-1", "Łukasz Kowalski", true),
        ("C-2", "Łucja Kowalska", true),
        ("S-1", "Łukasz Dostawca", false),
    ])
    .await;
    let mut search = till.host.search(Some("en".into()));
    let local = search.search(SearchQuery { phrase: "łukasz".into(), filters: Vec::new(), include_inactive: false });
    let local = local.await.unwrap();
    assert!(local.customers.is_empty());
    assert_eq!(
        local.notice.as_ref().map(|n| n.text.as_str()),
        Some("No search results. Do you want to continue searching also in the ERP system?")
    );
    let erp = search.search_erp(&CancellationToken::new(), || {}).await;
    let found: Vec<(Option<&str>, &str)> =
        erp.customers.iter().map(|c: &Customer| (c.number.as_deref(), c.last_name.as_str())).collect();
    assert_eq!(found, [(Some("C-1"), "Kowalski")], "{erp:?}");
    assert_eq!(erp.notice, None);

    let opened = search.open("C-1", RetrieveAction::Select).await.unwrap().expect("opened");
    assert_eq!(opened.customer.first_name, "Łukasz");
    assert_eq!(till.local().await, [row("C-1", "Łukasz", "Kowalski", true)]);

    // Tryton down: the seed's text, and the local list stays.
    let mut till = till;
    till.tryton.stop().await;
    let mut search = till.host.search(Some("en".into()));
    search
        .search(SearchQuery { phrase: "Kowalska".into(), filters: Vec::new(), include_inactive: false })
        .await
        .unwrap();
    let failed = search.search_erp(&CancellationToken::new(), || {}).await;
    assert_eq!(
        failed.notice.as_ref().map(|n| n.text.as_str()),
        Some("Failed to search in the ERP system. Connection with data service not established.")
    );
}

/// Seed 1's outcomes of [Search] in the ERP, against Tryton: up to six shown, more than six
/// refused with the local list kept, none found; the connection lost is above.
#[tokio::test]
async fn a_local_only_till_meets_every_outcome_of_an_online_search_in_tryton() {
    let till = Till::new("local-only").await;
    let mut parties: Vec<(String, String)> = (1..=7).map(|i| (format!("N-{i}"), format!("Anna{i} Nowak"))).collect();
    parties.extend((1..=6).map(|i| (format!("Z-{i}"), format!("Jan{i} Zieliński"))));
    let parties: Vec<(&str, &str, bool)> = parties.iter().map(|(code, name)| (&code[..], &name[..], true)).collect();
    till.parties(&parties).await;
    till.host.store().save(customer(Some("L-1"), "Piotr", "Nowak")).await.unwrap();
    let phrase = |text: &str| SearchQuery { phrase: text.into(), filters: Vec::new(), include_inactive: false };
    let notice = |screen: &pos_host::flows::search::Screen| screen.notice.as_ref().map(|n| n.text.clone());

    let mut search = till.host.search(Some("en".into()));
    let local = search.search(phrase("zieliński")).await.unwrap();
    assert_eq!(
        notice(&local).as_deref(),
        Some("No search results. Do you want to continue searching also in the ERP system?")
    );
    let six = search.search_erp(&CancellationToken::new(), || {}).await;
    let numbers: Vec<&str> = six.customers.iter().filter_map(|c| c.number.as_deref()).collect();
    assert_eq!(numbers.len(), 6, "{six:?}");
    assert!(numbers.iter().all(|n| n.starts_with("Z-")), "{numbers:?}");
    assert_eq!(six.notice, None);

    let mut search = till.host.search(Some("en".into()));
    search.search(phrase("Nowak")).await.unwrap();
    let seven = search.search_erp(&CancellationToken::new(), || {}).await;
    assert_eq!(
        notice(&seven).as_deref(),
        Some(
            "A considerable number of results have been found in the ERP system. Enter additional data and search again."
        )
    );
    let kept: Vec<&str> = seven.customers.iter().filter_map(|c| c.number.as_deref()).collect();
    assert_eq!(kept, ["L-1"], "the local list stays");

    let mut search = till.host.search(Some("en".into()));
    search.search(phrase("Wiśniewska")).await.unwrap();
    let none = search.search_erp(&CancellationToken::new(), || {}).await;
    assert_eq!(notice(&none).as_deref(), Some("No search results found in ERP system"));
    assert!(none.customers.is_empty());
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_created_twice() {
    let through = LosingProxy::start().await;
    // The till reaches Tryton through the proxy, and gives up on an answer after 2 s.
    let till = Till::with_policy("local-only", |tryton, policy| {
        through.forward_to(&tryton.base_url());
        let direct = format!("[host.erp]\nurl = {:?}\n", tryton.base_url());
        assert!(policy.contains(&direct), "{policy}");
        policy.replace(&direct, &format!("[host.erp]\nurl = {:?}\ntimeout-ms = 2000\n", through.url))
    })
    .await;
    let host = &till.host;

    let created = host.create_customer(customer(None, "Marta", "Lewandowska")).await.unwrap();
    let number = created.number.clone().unwrap();
    through.lose("model.party.party.create", 1);
    let lost = host.sync(|_| {}).await.unwrap();
    assert_eq!((lost.sent, through.lost()), (0, 1), "{lost:?}");
    assert!(lost.stopped.is_some(), "{lost:?}");
    assert_eq!(till.in_tryton(&number).await.len(), 1, "Tryton carried out the create whose answer was lost");

    let again = host.sync(|_| {}).await.unwrap();
    assert_eq!((again.sent, again.parked, again.stopped.as_deref()), (1, 0, None), "{again:?}");
    assert_eq!(till.in_tryton(&number).await, [("Marta Lewandowska".to_owned(), Some("Kraków".to_owned()))]);
}
