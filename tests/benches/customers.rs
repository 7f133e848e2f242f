//! Customer store and synchronization at scale, against the simulator (`pos-sim`, run as its
//! own process) over loopback:
//!
//! - full synchronization of N customers through the default connector: time, rows/s, peak
//!   memory of the syncing process, next to the listing alone (read, not stored) and to a
//!   reference loader writing the same rows and index entries straight into SQLite;
//! - incremental synchronization of 10,000 changes;
//! - local search p50/p99 with FTS5, next to a `LIKE '%q%'` scan of the same database.
//!
//! `cargo bench -p pos-tests --bench customers -- 1000000 3000000` (default: 1000000).
//! The simulator's data and the synchronized databases are kept in `target/bench-data/`, so
//! a second run does not generate the customers again. Targets: full sync at most 1.5x the
//! reference loader, 3 million under 60 s, under 300 MB; 10,000 changes under 0.5 s; search
//! p99 under 1 ms and p50 under 0.3 ms at 3 million.

use pos_host::bindings::{Customer, Field, Filter, SearchQuery};
use pos_host::erp::{Connector, PluginConnector};
use pos_host::flows::sync;
use pos_host::store::Store;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHANGES: usize = 10_000;

fn main() {
    // As the `pos-host` binary does at start-up.
    pos_host::store::tune_allocator();
    let sizes: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000_000] } else { sizes };
    let dir = pos_tests::root().join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    for customers in sizes {
        tokio.block_on(run(&dir, customers));
    }
}

/// The simulator, as a child process, killed when dropped.
struct Sim {
    child: Child,
    erp: String,
    admin: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sim(data: &Path, customers: u64) -> Sim {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pos-sim"))
        .args([
            "--listen",
            "127.0.0.1:18780",
            "--admin",
            "127.0.0.1:18781",
            "--webshop",
            "127.0.0.1:18782",
            "--seed",
            "2026",
        ])
        .arg("--customers")
        .arg(customers.to_string())
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .spawn()
        .expect("pos-sim starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("pos-sim:"), "pos-sim said {line:?}");
    println!("  simulator ready in {:.1} s: {}", started.elapsed().as_secs_f64(), line.trim());
    Sim { child, erp: "http://127.0.0.1:18780".into(), admin: "http://127.0.0.1:18781".into() }
}

/// Peak resident memory of this process since the last reset, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM to the current resident size (Linux 4.0+).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn run(dir: &Path, customers: u64) {
    println!("\n== {customers} customers ==");
    let sim = start_sim(&dir.join(format!("sim-{customers}.sqlite")), customers);
    let database: PathBuf = dir.join(format!("pos-{customers}.sqlite"));
    // `BENCH_REUSE_SYNC=1`: the database the last run synchronized, for the incremental
    // synchronization and the searches alone.
    let reuse = std::env::var_os("BENCH_REUSE_SYNC").is_some() && database.is_file();
    if !reuse {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
        }
    }
    let store = Store::open(&database).unwrap();
    // The default connector, as a till synchronizes.
    let (erp, _plugins) =
        pos_tests::connector(&pos_tests::sync_service_policy(&sim.erp), Duration::from_secs(60)).await;
    if !reuse {
        full_sync(dir, customers, &store, &erp).await;
    }
    incremental_and_search(&sim, customers, &store, &erp).await;
}

/// The listing alone, a full synchronization into the new database `store`, and the
/// reference load of the same rows.
async fn full_sync(dir: &Path, customers: u64, store: &Store, erp: &Arc<PluginConnector>) {
    // The listing alone, read through the connector and dropped: what the ERP's side and the
    // connector cost, without the store.
    let started = Instant::now();
    let mut after: Option<String> = None;
    let mut fetched = 0;
    loop {
        let page = erp.list(after.as_deref(), sync::PAGE_SIZE).await.unwrap();
        fetched += page.customers.len();
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let fetch_s = started.elapsed().as_secs_f64();
    println!(
        "listing alone:    {fetched} customers in {fetch_s:.1} s = {:.0} rows/s (through the connector, not stored)",
        fetched as f64 / fetch_s
    );

    reset_peak_rss();
    let baseline = peak_rss_mib();
    let started = Instant::now();
    let report = sync::sync_all(store, erp, |_| {}).await.expect("full sync");
    let sync_s = started.elapsed().as_secs_f64();
    println!(
        "full sync:        {} customers in {sync_s:.1} s = {:.0} rows/s; peak memory {:.0} MiB (process baseline {:.0} MiB)   target < 300 MB",
        report.listed,
        report.listed as f64 / sync_s,
        peak_rss_mib(),
        baseline
    );
    let rows = store.all().await.unwrap();
    let reference_s = reference_load(&dir.join(format!("reference-{customers}.sqlite")), &rows, Index::Store);
    println!(
        "reference loader: {} rows and their index entries in {reference_s:.1} s = {:.0} rows/s (straight into SQLite, same schema and settings)\n\
         ratio sync/reference: {:.2}   target <= 1.5",
        rows.len(),
        rows.len() as f64 / reference_s,
        sync_s / reference_s
    );
    if std::env::var_os("BENCH_INDEX_VARIANTS").is_some() {
        index_variants(dir, &rows, reference_s);
    }
    drop(rows);
}

/// 10,000 changes made in the simulator and synchronized, then searches on the result.
async fn incremental_and_search(sim: &Sim, customers: u64, store: &Store, erp: &Arc<PluginConnector>) {
    let sample: Vec<Customer> = store
        .read(|c| {
            let mut statement = c.prepare("SELECT number FROM customers WHERE id % 997 = 0 ORDER BY id LIMIT 300")?;
            let numbers: Vec<String> = statement.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Ok(numbers)
        })
        .await
        .map(|numbers| {
            futures_util::future::join_all(numbers.into_iter().map(|n| {
                let store = store.clone();
                async move { store.customer(&n).await.unwrap().unwrap() }
            }))
        })
        .unwrap()
        .await;

    changes(sim, &sample, customers).await;
    let started = Instant::now();
    let report = sync::sync_all(store, erp, |_| {}).await.expect("incremental sync");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "incremental sync: {} changes in {seconds:.2} s = {:.0} changes/s   target < 0.5 s for 10000",
        report.changes,
        report.changes as f64 / seconds
    );

    search(store, &sample).await;
}

/// Loads `rows` into a new database with the store's schema and settings, as directly as
/// SQLite allows: per transaction of a listing page, plain inserts of the rows, then their
/// index entries in rowid order, with the index tuned as a full synchronization tunes it.
/// Returns the seconds it took.
fn reference_load(path: &Path, rows: &[Customer], index: Index) -> f64 {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    // The store's own migrations make the schema.
    drop(Store::open(path).unwrap());
    let mut connection = rusqlite::Connection::open(path).unwrap();
    connection.pragma_update(None, "journal_mode", "WAL").unwrap();
    connection.pragma_update(None, "synchronous", "FULL").unwrap();
    connection.pragma_update(None, "cache_size", -32_000).unwrap();
    if index != Index::Store {
        connection.execute("DROP TABLE customers_fts", []).unwrap();
    }
    if let Index::Options(options) = index {
        connection
            .execute(
                &format!(
                    "CREATE VIRTUAL TABLE customers_fts USING fts5 (number, first_name, last_name, company, tax_id,
                         email, phone, city, street, postal_code, country, extra, {options})"
                ),
                [],
            )
            .unwrap();
    }
    let indexed = index != Index::Without;
    let started = Instant::now();
    if indexed {
        connection.execute("INSERT INTO customers_fts (customers_fts, rank) VALUES ('automerge', 16)", []).unwrap();
    }
    let mut id = 0i64;
    for page in rows.chunks(sync::PAGE_SIZE as usize) {
        let tx = connection.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO customers (id, number, web_id, first_name, last_name, company, tax_id, email, phone,
                         street, postal_code, city, country, active, origin, version, updated_at, previewable,
                         editable, last_name_key, sync_generation)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'erp', ?15, ?16, ?17, ?18, ?19, 1)",
                )
                .unwrap();
            let first = id + 1;
            for c in page {
                id += 1;
                insert
                    .execute(rusqlite::params![
                        id,
                        c.number,
                        c.web_id,
                        c.first_name,
                        c.last_name,
                        c.company,
                        c.tax_id,
                        c.email,
                        c.phone,
                        c.street,
                        c.postal_code,
                        c.city,
                        c.country,
                        c.active,
                        c.version as i64,
                        c.updated_at,
                        c.previewable,
                        c.editable,
                        pos_seed_rules::fold::fold(&c.last_name),
                    ])
                    .unwrap();
            }
            if indexed {
                let mut index = tx
                    .prepare_cached(
                        "INSERT INTO customers_fts (rowid, number, first_name, last_name, company, tax_id, email,
                             phone, city, street, postal_code, country, extra)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    )
                    .unwrap();
                for (rowid, c) in (first..).zip(page) {
                    let [a, b, c2, d, e, f, g, h, i, j, k, l] = pos_host::store::index_columns(c);
                    index.execute(rusqlite::params![rowid, a, b, c2, d, e, f, g, h, i, j, k, l]).unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
    if indexed {
        connection.execute("INSERT INTO customers_fts (customers_fts) VALUES ('optimize')", []).unwrap();
        connection.execute("INSERT INTO customers_fts (customers_fts, rank) VALUES ('automerge', 4)", []).unwrap();
    }
    started.elapsed().as_secs_f64()
}

/// The full-text index a reference load writes.
#[derive(Clone, Copy, PartialEq)]
enum Index {
    /// The store's own.
    Store,
    /// None at all: the rows and their other indexes only.
    Without,
    /// The same columns with other FTS5 options.
    Options(&'static str),
}

/// What the index costs: the reference load with other indexes (`BENCH_INDEX_VARIANTS=1`).
fn index_variants(dir: &Path, rows: &[Customer], reference_s: f64) {
    let store_index =
        "content = '', contentless_delete = 1, prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2'";
    for (name, index) in [
        ("no full-text index", Index::Without),
        ("the store's index, rebuilt from its text", Index::Options(store_index)),
        (
            "without prefix indexes",
            Index::Options("content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'"),
        ),
        (
            "prefix index '3' only",
            Index::Options(
                "content = '', contentless_delete = 1, prefix = '3', tokenize = 'unicode61 remove_diacritics 2'",
            ),
        ),
        (
            "without contentless_delete",
            Index::Options("content = '', prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2'"),
        ),
        (
            "detail = none",
            Index::Options(
                "content = '', contentless_delete = 1, prefix = '2 3', detail = 'none', tokenize = 'unicode61 remove_diacritics 2'",
            ),
        ),
    ] {
        let seconds = reference_load(&dir.join("reference-variant.sqlite"), rows, index);
        println!("  reference, {name:<42} {seconds:>6.1} s  ({:.2}x the store's index)", seconds / reference_s);
    }
}

/// Changes 10,000 customers through the simulator's admin API.
async fn changes(sim: &Sim, sample: &[Customer], customers: u64) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    // Existing customers change (spread over the whole list), so that repeated runs keep
    // the data set the same size.
    let bodies: Vec<serde_json::Value> = (0..CHANGES as u64)
        .map(|i| {
            let base = &sample[i as usize % sample.len()];
            serde_json::json!({
                "number": pos_tests::sim::number(1 + i * 97 % customers),
                "first_name": base.first_name,
                "last_name": base.last_name,
                "city": base.city,
            })
        })
        .collect();
    let mut pending = futures_util::stream::iter(bodies.into_iter().map(|body| {
        let http = http.clone();
        let url = format!("{}/admin/customers", sim.admin);
        async move { http.post(url).json(&body).send().await.unwrap().error_for_status().unwrap() }
    }))
    .buffer_unordered(8);
    use futures_util::StreamExt;
    while pending.next().await.is_some() {}
    println!("  ({CHANGES} changes made in the simulator in {:.1} s)", started.elapsed().as_secs_f64());
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

async fn search(store: &Store, sample: &[Customer]) {
    let mut phrases: Vec<SearchQuery> = Vec::new();
    let query = |phrase: String| SearchQuery { phrase, filters: Vec::new(), include_inactive: false };
    for customer in sample {
        let last = customer.last_name.clone();
        phrases.push(query(last.clone()));
        phrases.push(query(last.chars().take(3).collect()));
        phrases.push(query(format!("{} {}", customer.first_name, last)));
        phrases.push(query(customer.number.clone().unwrap()));
        if let Some(phone) = &customer.phone {
            phrases.push(query(
                phone.chars().filter(char::is_ascii_digit).rev().take(9).collect::<String>().chars().rev().collect(),
            ));
        }
        if let Some(city) = &customer.city {
            phrases.push(SearchQuery {
                filters: vec![Filter { field: Field::City, value: city.clone() }],
                ..query(last.clone())
            });
        }
    }
    let mut fts = Vec::with_capacity(phrases.len());
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for phrase in &phrases {
        let started = Instant::now();
        std::hint::black_box(store.search(phrase, 100).await.unwrap());
        fts.push(started.elapsed());
        slowest
            .push((started.elapsed(), format!("{:?} {:?}", phrase.phrase, phrase.filters.first().map(|f| &f.value))));
    }
    slowest.sort();
    for (took, phrase) in slowest.iter().rev().take(5) {
        println!("  slowest: {:.1} ms {phrase}", ms(*took));
    }
    // The naive scan a POS without a full-text index runs; single words only.
    let words: Vec<String> =
        phrases.iter().filter(|q| q.filters.is_empty()).map(|q| q.phrase.clone()).take(60).collect();
    let mut like = Vec::with_capacity(words.len());
    for word in &words {
        let pattern = format!("%{word}%");
        let started = Instant::now();
        store
            .read(move |c| {
                let mut statement = c.prepare_cached(
                    "SELECT number FROM customers WHERE active AND (last_name LIKE ?1 OR first_name LIKE ?1 OR number LIKE ?1
                     OR company LIKE ?1 OR city LIKE ?1 OR email LIKE ?1 OR phone LIKE ?1) LIMIT 100",
                )?;
                let rows: Vec<String> = statement.query_map([pattern], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok(rows.len())
            })
            .await
            .unwrap();
        like.push(started.elapsed());
    }
    let (fts50, fts99) = (percentile(&mut fts, 0.5), percentile(&mut fts, 0.99));
    let (like50, like99) = (percentile(&mut like, 0.5), percentile(&mut like, 0.99));
    println!(
        "local search:     FTS5 p50 {:.2} ms p99 {:.2} ms ({} queries) | LIKE '%q%' p50 {:.1} ms p99 {:.1} ms ({} queries) | ratio p50 {:.0}x, p99 {:.0}x   target p99 < 5 ms at 3M",
        ms(fts50),
        ms(fts99),
        fts.len(),
        ms(like50),
        ms(like99),
        like.len(),
        like50.as_secs_f64() / fts50.as_secs_f64(),
        like99.as_secs_f64() / fts99.as_secs_f64(),
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
