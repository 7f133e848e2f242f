//! Many clients searching at once while a full synchronization runs, on 1,000,000 customers:
//! `pos-host serve` (release build) in its own process with a copy of the database the
//! `customers` benchmark synchronized, the simulator (`pos-sim`) in another, and the clients
//! in this one, all over loopback.
//!
//! 1. the searches alone: one client, then N clients at once (default 32);
//! 2. a full synchronization of the served till, alone and while the N clients search: the
//!    ERP expires the change cursor, then `POST /api/sync` lists every customer again;
//! 3. another till's first synchronization into an empty database, by `pos-host sync` in a
//!    process of its own, alone and while the N clients search.
//!
//! Each synchronization is reported as its rate while searched over its rate alone, with
//! the searches' p50/p99/max and errors meanwhile.
//!
//! `cargo bench -p pos-tests --bench concurrency` (after `cargo bench -p pos-tests --bench
//! customers`, which makes `target/bench-data/pos-1000000.sqlite` and the simulator's data).
//! `BENCH_CLIENTS=8` changes the number of clients; `BENCH_THINK_MS=50` makes each client
//! pause between two searches, as an operator typing does. Targets (32 clients, during the
//! sync): p99 under 20 ms, no errors, sync rate at least 0.7x of its rate alone.
//! `BENCH_SEARCH_ONLY=1` stops after the searches alone (to profile them).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SIM_ERP: &str = "127.0.0.1:18790";
const SIM_ADMIN: &str = "127.0.0.1:18791";
const SIM_WEBSHOP: &str = "127.0.0.1:18792";
const HOST: &str = "127.0.0.1:18793";
const TOKEN: &str = "concurrency-bench-token-0123456789abcdef";
/// How long the clients search when nothing else runs.
const ALONE: Duration = Duration::from_secs(15);

fn main() {
    let data = pos_tests::root().join("target/bench-data");
    let (source, sim_data) = (data.join("pos-1000000.sqlite"), data.join("sim-1000000.sqlite"));
    if !source.is_file() || !sim_data.is_file() {
        eprintln!("run `cargo bench -p pos-tests --bench customers` first: it makes {}", source.display());
        std::process::exit(1);
    }
    let clients = env_number("BENCH_CLIENTS", 32);
    let think = Duration::from_millis(env_number("BENCH_THINK_MS", 0) as u64);
    let binary = build_host();
    let mut sim = Command::new(env!("CARGO_BIN_EXE_pos-sim"));
    sim.args(["--listen", SIM_ERP, "--admin", SIM_ADMIN, "--webshop", SIM_WEBSHOP, "--seed", "2026"])
        .args(["--customers", "1000000", "--data"])
        .arg(&sim_data);
    let _sim = Process::start_ready(&mut sim, "pos-sim:");
    // A copy, so that the customers benchmark's database stays as that benchmark left it.
    let database = data.join("concurrency-1000000.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    std::fs::copy(&source, &database).unwrap();
    let phrases = Arc::new(phrases(&database));
    let policy = data.join("concurrency-policy.toml");
    std::fs::write(&policy, policy_text(&database)).unwrap();
    let mut serve = Command::new(&binary);
    serve
        .args(["serve", "--listen", HOST, "--policy"])
        .arg(&policy)
        .env("POS_HOST_TOKEN", TOKEN)
        .env("POS_HOST_CACHE_DIR", pos_tests::shared_cache())
        .env("RUST_LOG", "error");
    let host = Process::start(&mut serve);

    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    tokio.block_on(async {
        wait_until_served().await;
        println!(
            "{} phrases; {clients} clients, {} ms between two searches of one client",
            phrases.len(),
            think.as_millis()
        );
        // One pass to bring the database's pages into memory, not counted.
        searches(phrases.clone(), 1, Duration::ZERO, Until::Passes(1)).await;
        searches(phrases.clone(), 1, think, Until::Time(ALONE)).await.print("1 client, alone");
        searches(phrases.clone(), clients, think, Until::Time(ALONE)).await.print(&format!("{clients} clients, alone"));
        if std::env::var_os("BENCH_SEARCH_ONLY").is_some() {
            return;
        }

        // On the served till: the ERP expired the change cursor, every customer is listed again.
        let alone = resync("K-0000002").await;
        let (loaded, during) = while_searching(&phrases, clients, think, resync("K-0000003")).await;
        report("full sync of the served till (cursor expired)", &alone, &loaded, during, clients);
        // Another till's first synchronization, into an empty database, in its own process.
        let alone = first_sync(&binary, &data).await;
        let (loaded, during) = while_searching(&phrases, clients, think, first_sync(&binary, &data)).await;
        report("first sync of another database (`pos-host sync`)", &alone, &loaded, during, clients);
    });
    println!("pos-host serve: peak resident memory {:.0} MiB", host.peak_rss_mib());
}

/// Runs `sync` while `clients` search; its run and the searches' latencies.
async fn while_searching(
    phrases: &Arc<Vec<String>>,
    clients: usize,
    think: Duration,
    sync: impl std::future::Future<Output = SyncRun>,
) -> (SyncRun, Latencies) {
    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(searches(phrases.clone(), clients, think, Until::Stopped(stop.clone())));
    let run = sync.await;
    stop.store(true, Ordering::Relaxed);
    (run, load.await.unwrap())
}

fn report(what: &str, alone: &SyncRun, loaded: &SyncRun, mut during: Latencies, clients: usize) {
    println!("\n{what}");
    println!("  alone:                {} customers in {:.1} s = {:.0} rows/s", alone.rows, alone.seconds, alone.rate());
    println!(
        "  while {clients} clients search: {} customers in {:.1} s = {:.0} rows/s; rate {:.2}x of alone   target >= 0.7",
        loaded.rows,
        loaded.seconds,
        loaded.rate(),
        loaded.rate() / alone.rate()
    );
    during.print("  the searches meanwhile");
    println!("  search p99 {:.2} ms   target < 20 ms; errors {}   target 0", during.percentile(0.99), during.errors);
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The `pos-host` binary, built as it is released.
fn build_host() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "pos-host", "--bin", "pos-host"])
        .current_dir(pos_tests::root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the release build of pos-host failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| pos_tests::root().join("target"), PathBuf::from);
    target.join("release/pos-host")
}

/// The served till: the test plugins, every customer synchronized, the simulator its ERP.
/// The database is plain, as the `customers` benchmark's that the served till copies (a new
/// one would be encrypted by default; its cost is measured there).
fn policy_text(database: &Path) -> String {
    pos_tests::served::policy_text().replacen(
        "[host]\n",
        &format!(
            "[host]\ndatabase = {:?}\ndatabase-key = \"none\"\ncustomers.mode = \"sync-all\"\nerp.url = \"http://{SIM_ERP}\"\n",
            database.display().to_string()
        ),
        1,
    )
}

/// Search phrases from the database's customers, as in the `customers` benchmark: last
/// name, its first three letters, first and last name, number.
fn phrases(database: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let mut statement = connection
        .prepare("SELECT first_name, last_name, number FROM customers WHERE id % 997 = 0 ORDER BY id LIMIT 300")
        .unwrap();
    let rows = statement
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .unwrap();
    let mut phrases = Vec::new();
    for row in rows {
        let (first, last, number) = row.unwrap();
        phrases.push(last.chars().take(3).collect());
        phrases.push(format!("{first} {last}"));
        phrases.push(number);
        phrases.push(last);
    }
    phrases
}

/// A child process, killed when dropped.
struct Process(Child);

impl Process {
    fn start(command: &mut Command) -> Process {
        Process(command.spawn().expect("the process starts"))
    }

    /// Starts `command` and waits for its first line of output to begin with `ready`.
    fn start_ready(command: &mut Command, ready: &str) -> Process {
        let mut process = Process::start(command.stdout(Stdio::piped()));
        let mut line = String::new();
        std::io::BufReader::new(process.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with(ready), "the process said {line:?}");
        process
    }

    fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap_or_default();
        let kib = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        kib / 1024.0
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn api(client: &reqwest::Client, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    client.request(method, format!("http://{HOST}{path}")).bearer_auth(TOKEN)
}

/// Waits for the host to answer (it opens the database and loads its plugins first).
async fn wait_until_served() {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        match api(&client, reqwest::Method::GET, "/api/settings").send().await {
            Ok(response) if response.status().is_success() => break,
            _ if started.elapsed() > Duration::from_secs(120) => panic!("pos-host serve did not answer in 2 minutes"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    println!("pos-host serve answering after {:.1} s", started.elapsed().as_secs_f64());
}

struct SyncRun {
    rows: u64,
    seconds: f64,
}

impl SyncRun {
    fn rate(&self) -> f64 {
        self.rows as f64 / self.seconds
    }
}

/// A full synchronization of the served till: the ERP expires the change cursor, so that
/// `POST /api/sync` lists every customer again. `change` is a customer the ERP deactivates
/// first, since only cursors older than the ERP's last change expire.
async fn resync(change: &str) -> SyncRun {
    let client = reqwest::Client::new();
    let changed = client.post(format!("http://{SIM_ADMIN}/admin/customers/{change}/deactivate")).send().await.unwrap();
    assert!(changed.status().is_success(), "{:?}", changed.text().await);
    let expired = client.post(format!("http://{SIM_ADMIN}/admin/expire-cursors")).send().await.unwrap();
    assert!(expired.status().is_success(), "{:?}", expired.text().await);
    let started = Instant::now();
    let operation: serde_json::Value =
        api(&client, reqwest::Method::POST, "/api/sync").send().await.unwrap().json().await.unwrap();
    let id = operation["id"].as_str().unwrap_or_else(|| panic!("POST /api/sync answered {operation}")).to_owned();
    let operation = loop {
        let operation: serde_json::Value =
            api(&client, reqwest::Method::GET, &format!("/api/operations/{id}?wait_ms=30000"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        if operation["status"] == "done" {
            break operation;
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let customers = &operation["report"]["customers"];
    assert!(operation["error"].is_null(), "the sync failed: {operation}");
    assert_eq!(customers["restarted_full"], true, "not a full synchronization: {operation}");
    SyncRun { rows: customers["listed"].as_u64().unwrap(), seconds }
}

/// `pos-host sync` into a new database, as a till synchronizes the first time.
async fn first_sync(binary: &Path, data: &Path) -> SyncRun {
    let database = data.join("concurrency-first.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let policy = data.join("concurrency-first-policy.toml");
    std::fs::write(&policy, policy_text(&database)).unwrap();
    let started = Instant::now();
    let output = tokio::process::Command::new(binary)
        .args(["sync", "--policy"])
        .arg(&policy)
        .env("POS_HOST_CACHE_DIR", pos_tests::shared_cache())
        .output()
        .await
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "pos-host sync failed: {}", String::from_utf8_lossy(&output.stderr));
    let connection = rusqlite::Connection::open(&database).unwrap();
    let rows: i64 = connection.query_row("SELECT count(*) FROM customers", [], |r| r.get(0)).unwrap();
    SyncRun { rows: rows as u64, seconds }
}

enum Until {
    Passes(usize),
    Time(Duration),
    Stopped(Arc<AtomicBool>),
}

#[derive(Default)]
struct Latencies {
    samples: Vec<Duration>,
    errors: u64,
    seconds: f64,
}

impl Latencies {
    fn percentile(&mut self, p: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        self.samples.sort();
        self.samples[((self.samples.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
    }

    fn print(&mut self, what: &str) {
        let (p50, p99, max) = (self.percentile(0.5), self.percentile(0.99), self.percentile(1.0));
        println!(
            "{what}: {} searches in {:.1} s = {:.0}/s; p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms; {} errors",
            self.samples.len(),
            self.seconds,
            self.samples.len() as f64 / self.seconds,
            self.errors
        );
    }
}

/// `clients` clients, each with its own connection and search session, searching the
/// phrases in turn (each from another place in the list) until `until`.
async fn searches(phrases: Arc<Vec<String>>, clients: usize, think: Duration, until: Until) -> Latencies {
    let started = Instant::now();
    let until = Arc::new(until);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (phrases, until) = (phrases.clone(), until.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let opened = api(&client, reqwest::Method::POST, "/api/search/sessions")
                    .json(&serde_json::json!({}))
                    .send()
                    .await
                    .unwrap();
                assert!(opened.status().is_success(), "a search session: {:?}", opened.text().await);
                let session: serde_json::Value = opened.json().await.unwrap();
                let session = format!("/api/search/sessions/{}", session["session"].as_str().unwrap());
                let path = format!("{session}/local");
                let mut latencies = Latencies::default();
                let offset = c * phrases.len() / clients;
                for i in 0.. {
                    let done = match &*until {
                        Until::Passes(passes) => i >= passes * phrases.len(),
                        Until::Time(time) => started.elapsed() >= *time,
                        Until::Stopped(stop) => stop.load(Ordering::Relaxed),
                    };
                    if done {
                        break;
                    }
                    let phrase = &phrases[(offset + i) % phrases.len()];
                    let sent = Instant::now();
                    let answer = api(&client, reqwest::Method::POST, &path)
                        .json(&serde_json::json!({ "phrase": phrase }))
                        .send()
                        .await;
                    let ok = match answer {
                        Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    latencies.samples.push(sent.elapsed());
                    latencies.errors += u64::from(!ok);
                    if !think.is_zero() {
                        tokio::time::sleep(think).await;
                    }
                }
                // Closed, as a till closes its search, so that the next phase's clients
                // find room (the host keeps 64 open at most).
                let closed = api(&client, reqwest::Method::DELETE, &session).send().await.unwrap();
                assert!(closed.status().is_success(), "DELETE {session}: {}", closed.status());
                latencies
            })
        })
        .collect();
    let mut all = Latencies::default();
    for task in tasks {
        let latencies = task.await.unwrap();
        all.samples.extend(latencies.samples);
        all.errors += latencies.errors;
    }
    all.seconds = started.elapsed().as_secs_f64();
    all
}
