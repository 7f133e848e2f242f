//! Customer store and synchronization at scale, against the simulator (`pos-sim`, run as its
//! own process) over loopback:
//!
//! - full synchronization of N customers: time, rows/s, peak memory of the syncing process;
//! - incremental synchronization of 10,000 changes;
//! - local search p50/p99 with FTS5, next to a `LIKE '%q%'` scan of the same database.
//!
//! `cargo bench -p pos-tests --bench customers -- 1000000 3000000` (default: 1000000).
//! The simulator's data and the synchronized databases are kept in `target/bench-data/`, so
//! a second run does not generate the customers again. Targets: search p99 under 5 ms at 3
//! million; full sync of 1 million under 60 s and under 300 MB.

use pos_host::bindings::{Customer, Field, Filter, SearchQuery};
use pos_host::erp::{ErpClient, ErpConfig};
use pos_host::flows::sync;
use pos_host::store::Store;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let store = Store::open(&database).unwrap();
    let erp = ErpClient::new(ErpConfig {
        url: sim.erp.clone(),
        workstation: "POS-01".into(),
        timeout: Duration::from_secs(60),
    })
    .unwrap();

    if std::env::var_os("BENCH_FETCH_ONLY").is_some() {
        let started = Instant::now();
        let mut after: Option<String> = None;
        let mut n = 0;
        loop {
            let page = erp.list(after.as_deref(), sync::PAGE_SIZE).await.unwrap();
            n += page.customers.len();
            match page.next_after {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        println!("fetch only:       {n} customers in {:.1} s", started.elapsed().as_secs_f64());
    }
    reset_peak_rss();
    let baseline = peak_rss_mib();
    let started = Instant::now();
    let report = sync::sync_all(&store, &erp, |_| {}).await.expect("full sync");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "full sync:        {} customers in {seconds:.1} s = {:.0} rows/s; peak memory {:.0} MiB (process baseline {:.0} MiB)   target < 60 s, < 300 MB at 1M",
        report.listed,
        report.listed as f64 / seconds,
        peak_rss_mib(),
        baseline
    );

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

    changes(&sim, &sample, customers).await;
    let started = Instant::now();
    let report = sync::sync_all(&store, &erp, |_| {}).await.expect("incremental sync");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "incremental sync: {} changes in {seconds:.2} s = {:.0} changes/s",
        report.changes,
        report.changes as f64 / seconds
    );

    search(&store, &sample).await;
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
