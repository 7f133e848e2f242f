//! Customer store and synchronization at scale, against the simulator (`pos-sim`, run as its
//! own process) over loopback:
//!
//! - full synchronization of N customers through the default connector: time, rows/s, peak
//!   memory of the syncing process, next to the listing alone (read, not stored) and to a
//!   reference loader writing the same rows and index entries straight into SQLite;
//! - incremental synchronization of 10,000 changes;
//! - local search p50/p99 per kind of phrase: the store's query (FTS5), next to a
//!   `LIKE '%q%'` scan of the same database, and the whole step the operator waits for (a
//!   host with the default plugins: query, search-policy decision, rendered notice);
//! - the hourly merge of the full-text index, and the searches again when it merged
//!   anything (after incremental changes).
//!
//! `BENCH_ENCRYPTION=1` measures instead the cost of encryption at rest: a full
//! synchronization into a plain and into an encrypted database, twice each in turns, and the
//! store's search on both, phrase by phrase in turns; ratios encrypted/plain (targets: sync
//! under 1.3x, search p99 under 1.2x); what a page read past SQLite's cache costs on each;
//! and an erasure request on each (the database file rebuilt). `BENCH_SEARCH_ONLY=1` reuses
//! the last run's two databases (the key is kept beside them).
//!
//! `cargo bench -p pos-tests --bench customers -- 1000000 3000000` (default: 1000000).
//! The simulator's data and the synchronized databases are kept in `target/bench-data/`, so
//! a second run does not generate the customers again; `BENCH_REUSE_SYNC=1` skips the full
//! synchronization, `BENCH_SEARCH_ONLY=1` everything but the searches. Targets: full sync at
//! most 1.5x the reference loader, 3 million under 60 s, under 300 MB; 10,000 changes under
//! 0.5 s; the whole search step's p99 under 1 ms and p50 under 0.3 ms at 3 million.

// The `pos-host` binary's allocator, so that the whole step is measured as it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pos_host::bindings::{Customer, Field, Filter, SearchQuery};
use pos_host::caps::SecretSource;
use pos_host::erp::{Connector, PluginConnector};
use pos_host::flows::sync;
use pos_host::store::Store;
use pos_host::store::encryption::{Protection, read_or_make_key};
use pos_host::store::holdings::ErasureSource;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::instrument::WithSubscriber;

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
    // synchronization and the searches alone; `BENCH_SEARCH_ONLY=1`: for the searches alone.
    let search_only = std::env::var_os("BENCH_SEARCH_ONLY").is_some() && database.is_file();
    let reuse = search_only || std::env::var_os("BENCH_REUSE_SYNC").is_some() && database.is_file();
    if !reuse {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
        }
    }
    // The default connector, as a till synchronizes.
    let (erp, _plugins) =
        pos_tests::connector(&pos_tests::sync_service_policy(&sim.erp), Duration::from_secs(60)).await;
    if std::env::var_os("BENCH_ENCRYPTION").is_some() {
        return encrypted_next_to_plain(dir, customers, &erp).await;
    }
    let store = Store::open(&database).unwrap();
    if !reuse {
        full_sync(dir, customers, &store, &erp).await;
    }
    let sample = sample(&store).await;
    if !search_only {
        incremental(&sim, customers, &sample, &store, &erp).await;
    }
    let mut searched = search(&store, &sample).await;
    like_scan(&store, &sample, &mut searched).await;
    whole_step(&database, &sim, &sample).await;
    if merge_index(&store).await {
        search(&store, &sample).await;
        whole_step(&database, &sim, &sample).await;
    }
}

/// The hourly merge of the full-text index (a no-op right after a full synchronization,
/// which merges it): whether there was anything to merge, so that the searches are
/// measured again on the merged index.
async fn merge_index(store: &Store) -> bool {
    let started = Instant::now();
    let merge = store.merge_index().await.unwrap();
    let again = if merge.slices > 0 { "; the searches again:" } else { "" };
    println!(
        "index merge:      {} segments into one in {} slices, {:.1} s{again}",
        merge.segments,
        merge.slices,
        started.elapsed().as_secs_f64()
    );
    merge.slices > 0
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
    let report = sync::sync_all(store, erp, "POS-01", |_| {}).await.expect("full sync");
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

/// About 300 customers spread over the database, whose changes and searches are measured.
async fn sample(store: &Store) -> Vec<Customer> {
    store
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
        .await
}

/// 10,000 changes made in the simulator and synchronized.
async fn incremental(sim: &Sim, customers: u64, sample: &[Customer], store: &Store, erp: &Arc<PluginConnector>) {
    // Caught up first (a reused database may lag behind the simulator), so that exactly
    // the changes made here are measured.
    sync::sync_all(store, erp, "POS-01", |_| {}).await.expect("catching up");
    changes(sim, sample, customers).await;
    // The feed alone, read through the connector and dropped: what the ERP's side and the
    // connector cost, without the store.
    let pos_host::store::sync_state::Phase::Incremental { cursor } =
        store.read(pos_host::store::sync_state::phase).await.unwrap()
    else {
        panic!("the store is not following the change feed")
    };
    let started = Instant::now();
    let (mut cursor, mut read) = (cursor, 0);
    loop {
        let page = erp.changes(&cursor, sync::PAGE_SIZE).await.unwrap();
        read += page.changes.len();
        cursor = page.next;
        if !page.has_more {
            break;
        }
    }
    println!(
        "change feed alone: {read} changes in {:.2} s (through the connector, not stored)",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let report = sync::sync_all(store, erp, "POS-01", |_| {}).await.expect("incremental sync");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "incremental sync: {} changes in {seconds:.2} s = {:.0} changes/s   target < 0.5 s for 10000",
        report.changes,
        report.changes as f64 / seconds
    );
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
    // the data set the same size; each run gives them other names than the last did, so
    // that their index entries change too.
    let shift = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as usize;
    let bodies: Vec<serde_json::Value> = (0..CHANGES as u64)
        .map(|i| {
            let base = &sample[(i as usize + shift) % sample.len()];
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

/// The kinds of phrase an operator types, each measured on its own.
const KINDS: [&str; 6] = ["last name", "3 letters", "first + last name", "number", "phone digits", "last name + city"];

/// The phrases of `sample`, each with its kind (an index into [`KINDS`]).
fn phrases(sample: &[Customer]) -> Vec<(usize, SearchQuery)> {
    let mut phrases = Vec::new();
    let query = |phrase: String| SearchQuery { phrase, filters: Vec::new(), include_inactive: false };
    for customer in sample {
        let last = customer.last_name.clone();
        phrases.push((0, query(last.clone())));
        phrases.push((1, query(last.chars().take(3).collect())));
        phrases.push((2, query(format!("{} {}", customer.first_name, last))));
        phrases.push((3, query(customer.number.clone().unwrap())));
        if let Some(phone) = &customer.phone {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            phrases.push((4, query(digits[digits.len().saturating_sub(9)..].to_owned())));
        }
        if let Some(city) = &customer.city {
            let filters = vec![Filter { field: Field::City, value: city.clone() }];
            phrases.push((5, SearchQuery { filters, ..query(last.clone()) }));
        }
    }
    phrases
}

/// Latencies per kind of phrase, and of all of them.
struct ByKind {
    kinds: Vec<Vec<Duration>>,
    slowest: Vec<(Duration, String)>,
}

impl ByKind {
    fn new() -> ByKind {
        ByKind { kinds: vec![Vec::new(); KINDS.len()], slowest: Vec::new() }
    }

    fn add(&mut self, kind: usize, query: &SearchQuery, took: Duration) {
        self.kinds[kind].push(took);
        self.slowest.push((took, format!("{:?} {:?}", query.phrase, query.filters.first().map(|f| &f.value))));
    }

    fn all(&self) -> Vec<Duration> {
        self.kinds.concat()
    }

    fn print(&mut self, what: &str) {
        let mut all = self.all();
        println!(
            "{what}: p50 {:.2} ms p99 {:.2} ms ({} queries)",
            ms(percentile(&mut all, 0.5)),
            ms(percentile(&mut all, 0.99)),
            all.len()
        );
        for (kind, samples) in KINDS.iter().zip(&mut self.kinds) {
            println!(
                "  {kind:<18} p50 {:.2} ms p99 {:.2} ms max {:.2} ms",
                ms(percentile(samples, 0.5)),
                ms(percentile(samples, 0.99)),
                ms(percentile(samples, 1.0))
            );
        }
        self.slowest.sort();
        for (took, phrase) in self.slowest.iter().rev().take(5) {
            println!("  slowest: {:.1} ms {phrase}", ms(*took));
        }
    }
}

/// The store's search per kind of phrase: every latency.
async fn search(store: &Store, sample: &[Customer]) -> Vec<Duration> {
    let mut fts = ByKind::new();
    for (kind, phrase) in &phrases(sample) {
        let started = Instant::now();
        std::hint::black_box(store.search(phrase, 100).await.unwrap());
        fts.add(*kind, phrase, started.elapsed());
    }
    fts.print("local search, the store's query (FTS5)");
    fts.all()
}

/// The naive scan a POS without a full-text index runs (single words only), next to the
/// store's search latencies `fts`.
async fn like_scan(store: &Store, sample: &[Customer], fts: &mut [Duration]) {
    let phrases = phrases(sample);
    let words: Vec<String> =
        phrases.iter().filter(|(_, q)| q.filters.is_empty()).map(|(_, q)| q.phrase.clone()).take(60).collect();
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
    let (fts50, fts99) = (percentile(fts, 0.5), percentile(fts, 0.99));
    let (like50, like99) = (percentile(&mut like, 0.5), percentile(&mut like, 0.99));
    println!(
        "LIKE '%q%' scan:  p50 {:.1} ms p99 {:.1} ms ({} queries); FTS5 is {:.0}x faster at p50, {:.0}x at p99",
        ms(like50),
        ms(like99),
        like.len(),
        like50.as_secs_f64() / fts50.as_secs_f64(),
        like99.as_secs_f64() / fts99.as_secs_f64(),
    );
}

/// A full synchronization into a plain and into an encrypted database (plain, encrypted,
/// encrypted, plain: the machine's drift falls on both alike), then the store's search on
/// both, each phrase on one then the other.
async fn encrypted_next_to_plain(dir: &Path, customers: u64, erp: &Arc<PluginConnector>) {
    // Kept beside the databases, so that `BENCH_SEARCH_ONLY=1` searches the last run's.
    let key_file = dir.join(format!("encrypted-{customers}.key"));
    let paths = ["plain", "encrypted"].map(|name| dir.join(format!("{name}-{customers}.sqlite")));
    let search_only =
        std::env::var_os("BENCH_SEARCH_ONLY").is_some() && key_file.is_file() && paths.iter().all(|p| p.is_file());
    if !search_only {
        let _ = std::fs::remove_file(&key_file);
    }
    let key = read_or_make_key(&SecretSource::File(key_file)).unwrap();
    let encrypted = Protection::Encrypted { key, from: "the benchmark".into() };
    let kinds = [("plain", &Protection::Plain), ("encrypted", &encrypted)];
    let mut seconds = [Vec::new(), Vec::new()];
    let mut stores: [Option<Store>; 2] = [None, None];
    if search_only {
        for turn in [0, 1] {
            stores[turn] = Some(Store::open_with(&paths[turn], kinds[turn].1).unwrap());
        }
        return search_both(&kinds, stores).await;
    }
    for turn in [0, 1, 1, 0] {
        let (name, protection) = kinds[turn];
        let path = &paths[turn];
        stores[turn] = None;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let store = Store::open_with(path, protection).unwrap();
        let started = Instant::now();
        let report = sync::sync_all(&store, erp, "POS-01", |_| {}).await.expect("full sync");
        let took = started.elapsed().as_secs_f64();
        println!(
            "full sync, {name:<9}: {} customers in {took:.1} s = {:.0} rows/s",
            report.listed,
            report.listed as f64 / took
        );
        seconds[turn].push(took);
        stores[turn] = Some(store);
    }
    let best = |s: &[f64]| s.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "ratio encrypted/plain, full sync (best of two each): {:.2}   target < 1.3",
        best(&seconds[1]) / best(&seconds[0])
    );
    search_both(&kinds, stores).await;
}

/// The store's search on the plain and the encrypted database, each phrase on one then the
/// other.
async fn search_both(kinds: &[(&str, &Protection); 2], stores: [Option<Store>; 2]) {
    let [Some(plain), Some(encrypted)] = stores else { unreachable!("both were synchronized") };
    let phrases = phrases(&sample(&plain).await);
    let mut by = [ByKind::new(), ByKind::new()];
    for (kind, phrase) in &phrases {
        for (turn, store) in [&plain, &encrypted].into_iter().enumerate() {
            let started = Instant::now();
            std::hint::black_box(store.search(phrase, 100).await.unwrap());
            by[turn].add(*kind, phrase, started.elapsed());
        }
    }
    let mut figures = Vec::new();
    for (turn, (name, _)) in kinds.iter().enumerate() {
        by[turn].print(&format!("local search, the store's query, {name}"));
        let mut all = by[turn].all();
        figures.push((percentile(&mut all, 0.5), percentile(&mut all, 0.99)));
    }
    println!(
        "ratio encrypted/plain, local search: p50 {:.2}, p99 {:.2}   target p99 < 1.2",
        figures[1].0.as_secs_f64() / figures[0].0.as_secs_f64(),
        figures[1].1.as_secs_f64() / figures[0].1.as_secs_f64()
    );
    page_reads(&plain, &encrypted).await;
    erase_one(&plain, &encrypted).await;
}

/// What a page read past SQLite's cache costs on each database: the whole full-text index
/// read, every page of it, on a read connection whose cache cannot hold it, twice.
async fn page_reads(plain: &Store, encrypted: &Store) {
    for round in 1..=2 {
        for (name, store) in [("plain", plain), ("encrypted", encrypted)] {
            let started = Instant::now();
            let misses = store
                .read(|c| {
                    cache_misses(c);
                    // `instr` reads every byte of each block; `length` alone reads none.
                    c.query_row("SELECT sum(instr(block, x'fffefdfc')) FROM customers_fts_data", [], |_| Ok(()))?;
                    Ok(cache_misses(c))
                })
                .await
                .unwrap();
            let took = started.elapsed().as_secs_f64();
            println!(
                "reading the whole index, {name:<9} (round {round}): {misses} pages read past the cache in {took:.3} s = {:.2} us a page",
                took * 1e6 / misses.max(1) as f64
            );
        }
    }
}

/// The pages `connection` read past its cache since the last call.
fn cache_misses(connection: &rusqlite::Connection) -> i32 {
    let (mut current, mut highest) = (0, 0);
    // SAFETY: the handle is the connection's own, open for the call; the outputs are locals.
    unsafe {
        rusqlite::ffi::sqlite3_db_status(
            connection.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_MISS,
            &mut current,
            &mut highest,
            1,
        );
    }
    current
}

/// An erasure request on each database: the same customer (not one the searches sample),
/// removed with every copy SQLite keeps of them, the file rebuilt (`VACUUM`).
async fn erase_one(plain: &Store, encrypted: &Store) {
    let number: String = plain
        .read(|c| c.query_row("SELECT number FROM customers WHERE id % 997 = 1 ORDER BY id LIMIT 1", [], |r| r.get(0)))
        .await
        .unwrap();
    let mut took = Vec::new();
    for (name, store) in [("plain", plain), ("encrypted", encrypted)] {
        let size = std::fs::metadata(store.path()).unwrap().len() as f64 / (1 << 20) as f64;
        let started = Instant::now();
        let erased = store.erase(&number, ErasureSource::Operator, "POS-01").await.unwrap();
        took.push(started.elapsed().as_secs_f64());
        println!(
            "erasure of {number}, {name:<9}: {:.2} s ({} customer removed, the file of {size:.0} MiB rebuilt)",
            took[took.len() - 1],
            erased.map_or(0, |erased| erased.customer)
        );
    }
    println!("ratio encrypted/plain, erasure: {:.2}", took[1] / took[0]);
}

/// The whole step the operator waits for: a host with the default plugins on the same
/// database, its customer search deciding the notice and the [Search] offer and rendering
/// the text. Next to it, phrase by phrase in turns, the same host with nothing counted for
/// its metrics, then the counting host with its spans written and not: what the host's
/// observability costs the operator.
async fn whole_step(database: &Path, sim: &Sim, sample: &[Customer]) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, pos_tests::served::policy_text()).unwrap();
    let host = |measured: bool| {
        pos_host::embed::Host::builder()
            .policy_file(&policy)
            .database(database)
            .erp_url(sim.erp.clone())
            .cache_dir(pos_tests::shared_cache())
            .watch(false)
            .compile_in_background(false)
            .measured(measured)
            .build()
    };
    let counted = host(true).await.unwrap_or_else(|e| panic!("the host starts: {e}"));
    let uncounted = host(false).await.unwrap_or_else(|e| panic!("the host starts: {e}"));
    let mut sessions = [counted.search(None), uncounted.search(None)];
    let phrases = phrases(sample);
    // The first search waits for the ERP's online-search setting; the till's first only.
    for session in &mut sessions {
        session.search(phrases[0].1.clone()).await.unwrap();
    }
    let mut step = ByKind::new();
    let mut times = [Vec::new(), Vec::new()];
    for (n, (kind, phrase)) in phrases.iter().enumerate() {
        let order = if n % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let started = Instant::now();
            std::hint::black_box(sessions[side].search(phrase.clone()).await.unwrap());
            let took = started.elapsed();
            times[side].push(took);
            if side == 0 {
                step.add(*kind, phrase, took);
            }
        }
    }
    step.print(
        "local search, the whole step (store, search-policy, notification-texts)   target p99 < 1 ms, p50 < 0.3 ms",
    );
    report_turns("with its metrics counted and not", times);

    // The spans: the counted host's search written as a trace (the JSON log at `info`, into
    // nothing) and not, each under a dispatcher of its own so that only the subscriber differs.
    let format = pos_host::personal::LogFormat::Json;
    let traced = tracing::Dispatch::new(pos_host::personal::subscriber("info", std::io::sink, false, false, format));
    let dispatchers = [traced, tracing::Dispatch::none()];
    let mut times = [Vec::new(), Vec::new()];
    for (n, (_, phrase)) in phrases.iter().enumerate() {
        for side in if n % 2 == 0 { [0, 1] } else { [1, 0] } {
            let started = Instant::now();
            let searched = sessions[0].search(phrase.clone()).with_subscriber(dispatchers[side].clone()).await;
            std::hint::black_box(searched.unwrap());
            times[side].push(started.elapsed());
        }
    }
    report_turns("with its spans written (JSON log at info) and not", times);
}

/// The whole step's p50 and p99 on both sides of a comparison made in turns, and their ratio.
fn report_turns(what: &str, mut times: [Vec<Duration>; 2]) {
    let [on, off] = &mut times;
    let figures = [0.5, 0.99].map(|p| (percentile(on, p), percentile(off, p)));
    println!(
        "local search, the whole step {what} (in turns): p50 {:.3} / {:.3} ms, p99 {:.3} / {:.3} ms; \
         ratio p50 {:.3}, p99 {:.3}",
        ms(figures[0].0),
        ms(figures[0].1),
        ms(figures[1].0),
        ms(figures[1].1),
        figures[0].0.as_secs_f64() / figures[0].1.as_secs_f64(),
        figures[1].0.as_secs_f64() / figures[1].1.as_secs_f64()
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
