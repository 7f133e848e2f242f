//! What the HTTP API adds to a local search, at scale: the same searches through the
//! embedding API in process and through `POST /api/search/sessions/{id}/local` over loopback,
//! on the database of 1,000,000 customers the `customers` benchmark synchronizes.
//!
//! `cargo bench -p pos-tests --bench http_api` (after `cargo bench -p pos-tests --bench
//! customers`, which makes `target/bench-data/pos-1000000.sqlite`).

use pos_host::bindings::SearchQuery;
use pos_host::embed::{Host, Prompts};
use pos_host::serve::{self, Options};
use pos_tests::{served, shared_cache};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SAMPLE: u64 = 300;

fn main() {
    let database = pos_tests::root().join("target/bench-data/pos-1000000.sqlite");
    if !database.is_file() {
        eprintln!(
            "{} is missing: run `cargo bench -p pos-tests --bench customers` first, which synchronizes it",
            database.display()
        );
        std::process::exit(1);
    }
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    tokio.block_on(run(&database));
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

async fn run(database: &std::path::Path) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, served::policy_text()).unwrap();
    let prompts = Arc::new(Prompts::new(Duration::from_secs(30)));
    let host = Host::builder()
        .policy_file(&policy)
        .database(database)
        .operator(prompts.clone())
        .cache_dir(shared_cache())
        .watch(false)
        .compile_in_background(false)
        .build()
        .await
        .unwrap();
    let mut queries = Vec::new();
    let query = |phrase: String| SearchQuery { phrase, filters: Vec::new(), include_inactive: false };
    for i in 0..SAMPLE {
        let number = format!("K-{:07}", 1 + i * 3_331 % 1_000_000);
        if let Some(customer) = host.customer(&number).await.unwrap() {
            queries.push(query(customer.last_name.clone()));
            queries.push(query(customer.last_name.chars().take(3).collect()));
            queries.push(query(format!("{} {}", customer.first_name, customer.last_name)));
            queries.push(query(number));
        }
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let options = Options::default();
    let token = options.token.clone();
    let router = serve::router(host.clone(), prompts, options);
    tokio::spawn(serve::listen(listener, router, serve::Limits::default(), std::future::pending()));
    let client = reqwest::Client::new();
    let session: serde_json::Value = client
        .post(format!("{url}/api/search/sessions"))
        .bearer_auth(token.expose())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let local = format!("{url}/api/search/sessions/{}/local", session["session"].as_str().unwrap());

    let mut search = host.search(None);
    // One pass first, so that both ways find the database's pages equally warm.
    for query in &queries {
        search.search(query.clone()).await.unwrap();
    }
    let (mut direct, mut http) = (Vec::new(), Vec::new());
    for (i, query) in queries.iter().enumerate() {
        let in_process = async {
            let started = Instant::now();
            std::hint::black_box(search.search(query.clone()).await.unwrap());
            started.elapsed()
        };
        let over_http = async {
            let started = Instant::now();
            let body = serde_json::json!({ "phrase": query.phrase });
            let answer = client.post(&local).bearer_auth(token.expose()).json(&body).send().await.unwrap();
            assert!(answer.status().is_success());
            std::hint::black_box(answer.bytes().await.unwrap());
            started.elapsed()
        };
        // Taking turns to go first, so that neither always meets the other's leftovers.
        if i % 2 == 0 {
            direct.push(in_process.await);
            http.push(over_http.await);
        } else {
            http.push(over_http.await);
            direct.push(in_process.await);
        }
    }
    let (d50, d99) = (percentile(&mut direct, 0.5), percentile(&mut direct, 0.99));
    let (h50, h99) = (percentile(&mut http, 0.5), percentile(&mut http, 0.99));
    println!(
        "local search, 1,000,000 customers, {} queries: embedding API p50 {d50:.2} ms p99 {d99:.2} ms | \
         HTTP API p50 {h50:.2} ms p99 {h99:.2} ms | HTTP adds p50 {:.2} ms (x{:.2}), p99 x{:.2}",
        queries.len(),
        h50 - d50,
        h50 / d50,
        h99 / d99
    );
}
