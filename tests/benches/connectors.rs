//! ERP connectors against their ERPs, both sides measured in the same run:
//!
//! - the data synchronization service (the simulator, in process): a full synchronization of N
//!   customers through `plugins/sync-service-connector` next to the host's native client;
//! - a real Tryton server with M customer parties: the full synchronization through
//!   `plugins/tryton-connector` next to Tryton's own paging rate (the connector's
//!   `search_read` pages read by a plain client), and online search p50/p99 through the
//!   connector next to the same `ilike` search sent to Tryton directly.
//!
//! `cargo bench -p pos-tests --bench connectors -- [N] [M]` (default: 100000 10000). Tryton
//! must be installed (`cargo xtask tryton`).

use pos_host::Plugins;
use pos_host::bindings::SearchQuery;
use pos_host::caps::Erp;
use pos_host::erp::{Connector, ErpClient, ErpConfig, PluginConnector};
use pos_host::flows::sync;
use pos_host::store::Store;
use pos_tests::sim::{self, SimConfig};
use pos_tests::tryton::{Tryton, admin_password_file};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The fields `plugins/tryton-connector` reads of a party (its `mapping::FIELDS`).
const TRYTON_FIELDS: [&str; 27] = [
    "code",
    "name",
    "active",
    "_timestamp",
    "write_date",
    "create_date",
    "categories.name",
    "addresses.street",
    "addresses.postal_code",
    "addresses.city",
    "addresses.country.code",
    "addresses.active",
    "addresses.write_date",
    "addresses.create_date",
    "contact_mechanisms.type",
    "contact_mechanisms.value",
    "contact_mechanisms.active",
    "contact_mechanisms.write_date",
    "contact_mechanisms.create_date",
    "identifiers.type",
    "identifiers.code",
    "identifiers.active",
    "identifiers.write_date",
    "identifiers.create_date",
    "tax_identifier.code",
    "tax_identifier.type",
    "rec_name",
];

const LAST_NAMES: [&str; 8] =
    ["Kowalski", "Nowak", "Wiśniewska", "Jansen", "Zieliński", "Bakker", "Dąbrowski", "Visser"];
const SEARCHES: usize = 50;

fn main() {
    pos_host::store::tune_allocator();
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let (customers, parties) = (args.first().copied().unwrap_or(100_000), args.get(1).copied().unwrap_or(10_000));
    // The ERPs run on a runtime of their own, so that the host's side has its two workers.
    let erp_runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();

    println!("sync-service connector vs the native client, {customers} customers in the simulator");
    let simulator = erp_runtime.block_on(sim::start(SimConfig::new(customers, 2026))).unwrap();
    let url = simulator.erp_url();
    tokio.block_on(async {
        let native =
            ErpClient::new(ErpConfig { url: url.clone(), workstation: "POS-01".into(), timeout: SECONDS_60 }).unwrap();
        let (native_s, listed) = full_sync(&dir.path().join("native.sqlite"), &native).await;
        let (connector, _plugins) = connector(&pos_tests::sync_service_policy(&url)).await;
        let (plugin_s, plugin_listed) = full_sync(&dir.path().join("plugin.sqlite"), &connector).await;
        assert_eq!(listed, plugin_listed);
        println!(
            "  native client    {native_s:>7.2} s  {:>8.0} rows/s\n  \
             connector plugin {plugin_s:>7.2} s  {:>8.0} rows/s\n  \
             ratio connector/native: {:.2}",
            listed as f64 / native_s,
            listed as f64 / plugin_s,
            plugin_s / native_s
        );
    });
    drop(simulator);

    println!("\ntryton connector vs Tryton itself, {parties} customer parties");
    tokio.block_on(async {
        let tryton = Tryton::start().await;
        let category = tryton.prepare_customers().await;
        let started = Instant::now();
        seed(&tryton, category, parties).await;
        println!("  seeded in {:.1} s", started.elapsed().as_secs_f64());

        let started = Instant::now();
        let mut read = 0;
        let mut after = 0;
        loop {
            let domain = json!([["categories", "=", category], ["id", ">", after]]);
            let params = json!([domain, 0, 5001, [["id", "ASC"]], TRYTON_FIELDS, {}]);
            let page = tryton.call("model.party.party.search_read", params).await.unwrap();
            let page = page.as_array().unwrap();
            read += page.len().min(5000);
            if page.len() <= 5000 {
                break;
            }
            after = page[4999]["id"].as_i64().unwrap();
        }
        let paging_s = started.elapsed().as_secs_f64();

        let policy = tryton.till_policy("sync-all", &admin_password_file());
        let (connector, _plugins) = connector(&policy).await;
        let (sync_s, listed) = full_sync(&dir.path().join("tryton.sqlite"), &connector).await;
        assert_eq!(listed as usize, read);
        println!(
            "  Tryton paging    {paging_s:>7.2} s  {:>8.0} rows/s (search_read pages of 5000, gzip)\n  \
             full sync        {sync_s:>7.2} s  {:>8.0} rows/s\n  \
             ratio sync/paging: {:.2}",
            read as f64 / paging_s,
            listed as f64 / sync_s,
            sync_s / paging_s
        );

        let mut direct = Vec::new();
        let mut through = Vec::new();
        for i in 0..SEARCHES {
            let name = LAST_NAMES[i % LAST_NAMES.len()];
            let started = Instant::now();
            let domain = json!([["categories", "=", category], ["name", "ilike", format!("%{name}%")]]);
            let found = tryton
                .call("model.party.party.search_read", json!([domain, 0, 101, [["name", "ASC"]], TRYTON_FIELDS, {}]))
                .await
                .unwrap();
            direct.push(started.elapsed());
            assert!(!found.as_array().unwrap().is_empty());
            let started = Instant::now();
            let query = SearchQuery { phrase: name.into(), filters: Vec::new(), include_inactive: false };
            let page = connector.search(&query, 100).await.unwrap();
            through.push(started.elapsed());
            assert!(!page.customers.is_empty(), "{name}");
        }
        let (direct_p50, direct_p99) = percentiles(&mut direct);
        let (p50, p99) = percentiles(&mut through);
        println!(
            "  online search, {SEARCHES} last names, at most 100 found:\n  \
             Tryton directly  p50 {direct_p50:>6.1} ms  p99 {direct_p99:>6.1} ms\n  \
             connector        p50 {p50:>6.1} ms  p99 {p99:>6.1} ms\n  \
             ratio connector/direct p50: {:.2}",
            p50 / direct_p50
        );
    });
}

const SECONDS_60: Duration = Duration::from_secs(60);

/// A full synchronization into a new database: seconds and customers listed.
async fn full_sync<C: Connector + Clone + 'static>(database: &Path, erp: &C) -> (f64, u64) {
    let store = Store::open(database).unwrap();
    let started = Instant::now();
    let report = sync::sync_all(&store, erp, "POS-01", |_| {}).await.unwrap();
    (started.elapsed().as_secs_f64(), report.listed)
}

/// The connector of `policy_text`, with the plugins that keep it loaded.
async fn connector(policy_text: &str) -> (Arc<PluginConnector>, Arc<Plugins>) {
    pos_tests::connector(policy_text, SECONDS_60).await
}

/// `count` customer parties with an e-mail and an address, in batches.
async fn seed(tryton: &Tryton, category: i64, count: u64) {
    let first = ["Łukasz", "Anna", "Jan", "Maria", "Piotr", "Sanne", "Daan", "Zofia"];
    for start in (0..count).step_by(1000) {
        let parties: Vec<Value> = (start..(start + 1000).min(count))
            .map(|i| {
                let i = i as usize;
                json!({
                    "code": format!("B-{i:07}"),
                    "name": format!("{} {}", first[i % first.len()], LAST_NAMES[(i / first.len()) % LAST_NAMES.len()]),
                    "categories": [["add", [category]]],
                    "contact_mechanisms": [["create", [{"type": "email", "value": format!("klant{i}@example.com")}]]],
                    "addresses": [["create", [{"street": "ul. Długa 5", "postal_code": "80-831", "city": "Gdańsk"}]]],
                })
            })
            .collect();
        tryton.call("model.party.party.create", json!([parties, {}])).await.unwrap();
    }
}

/// p50 and p99 in milliseconds.
fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.50), at(0.99))
}
