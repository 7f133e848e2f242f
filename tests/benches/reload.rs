//! Hot reload under load: how long from a file written to the new version serving (p50 and
//! p99), and how many hook calls per second the host serves while it reloads, next to the
//! steady rate.
//!
//! Run with `cargo bench -p pos-tests --bench reload`. Targets: live within 1 s; the rate
//! during reloads never below half the steady rate.

use pos_host::bindings::SearchQuery;
use pos_host::bindings::search::{LocalSearchOutcome, SearchButton};
use pos_host::caps::Capabilities;
use pos_host::live::LiveHost;
use pos_tests::artifacts;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const RELOADS: usize = 40;
const CALLERS: usize = 2;
const WINDOW: Duration = Duration::from_millis(100);
/// About as long as the reloads take, so that the lowest windows compare fairly.
const STEADY: Duration = Duration::from_secs(20);

fn policy_text(offer_erp_at_most: u32) -> String {
    format!(
        "[slots.search-policy]\nplugin = \"search.wasm\"\ngrants = [\"ui\"]\n\
         config = {{ offer-erp-at-most = {offer_erp_at_most} }}\n"
    )
}

fn outcome() -> LocalSearchOutcome {
    LocalSearchOutcome {
        query: SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false },
        result_count: 4,
        criteria_changed: true,
        online_search_enabled: true,
    }
}

fn main() {
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    tokio.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let (policy, plugin) = (dir.path().join("policy.toml"), dir.path().join("search.wasm"));
    std::fs::copy(artifacts::SEARCH_THRESHOLDS, &plugin).unwrap();
    std::fs::write(&policy, policy_text(6)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let runtime = pos_host::Runtime::new(Capabilities::default(), Some(cache.path().to_owned())).unwrap();
    if std::env::var_os("BENCH_WARM").is_some() {
        let warm = pos_host::runtime::PluginSpec {
            grants: vec![pos_host::Capability::Ui],
            ..pos_host::runtime::PluginSpec::new(artifacts::HOSTILE_SEARCH)
        };
        runtime.load::<pos_host::slots::SearchPolicyKind>(&warm).await.unwrap();
    }
    let host = LiveHost::start(runtime, &policy).await.unwrap();
    let _watching = host.watch().unwrap();

    // Callers run from start to end; the rate is sampled in windows.
    let (stop, calls, fallbacks) =
        (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (host, stop, calls, fallbacks) = (host.clone(), stop.clone(), calls.clone(), fallbacks.clone());
            tokio::spawn(async move {
                let outcome = outcome();
                while !stop.load(Ordering::Relaxed) {
                    if host.plugins().search.after_local_search(&outcome).await.is_fallback() {
                        fallbacks.fetch_add(1, Ordering::Relaxed);
                    }
                    calls.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (calls, sampling) = (calls.clone(), sampling.clone());
        tokio::spawn(async move {
            // (end of the window, calls per second in it)
            let mut rates = Vec::new();
            let mut last = calls.load(Ordering::Relaxed);
            while sampling.load(Ordering::Relaxed) {
                tokio::time::sleep(WINDOW).await;
                let now = calls.load(Ordering::Relaxed);
                rates.push((Instant::now(), (now - last) as f64 / WINDOW.as_secs_f64()));
                last = now;
            }
            rates
        })
    };

    tokio::time::sleep(STEADY).await;
    let steady_until = Instant::now();

    // Config changes: live when the decision changes.
    let mut config_latency = Vec::new();
    for i in 0..RELOADS {
        let offer = if i % 2 == 0 { 2 } else { 6 };
        let expected = if offer == 2 { SearchButton::Available } else { SearchButton::Suggested };
        let written = Instant::now();
        std::fs::write(&policy, policy_text(offer)).unwrap();
        loop {
            if host.plugins().search.after_local_search(&outcome()).await.value.search_button == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        config_latency.push(written.elapsed());
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let configs_until = Instant::now();
    // New builds of the plugin (two builds in turn, renamed over the file): live when the
    // slot serves the new file's hash.
    let builds = [artifacts::HOSTILE_SEARCH, artifacts::SEARCH_THRESHOLDS];
    let mut build_latency = Vec::new();
    for i in 0..RELOADS {
        let bytes = std::fs::read(builds[i % 2]).unwrap();
        let sha256 = pos_host::runtime::sha256_hex(&bytes);
        let written = Instant::now();
        let staging = plugin.with_extension("new");
        std::fs::write(&staging, &bytes).unwrap();
        std::fs::rename(&staging, &plugin).unwrap();
        while host.plugins().search.current().is_none_or(|p| p.info.sha256 != sha256) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        build_latency.push(written.elapsed());
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let reloading_until = Instant::now();
    sampling.store(false, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    let rates = sampler.await.unwrap();
    for caller in callers {
        caller.await.unwrap();
    }

    // The first window includes the callers' start.
    let phase = |from: Instant, to: Instant| -> Vec<f64> {
        rates.iter().skip(1).filter(|(end, _)| *end > from + WINDOW && *end <= to).map(|(_, rate)| *rate).collect()
    };
    let started = rates.first().map_or(steady_until, |(end, _)| *end);
    let steady = phase(started, steady_until);
    let steady_mean = steady.iter().sum::<f64>() / steady.len().max(1) as f64;
    println!("hot reload, {CALLERS} callers calling the search-policy hook without pause (2 cores)");
    report("config value changed", &mut config_latency);
    report("new plugin build", &mut build_latency);
    let mut sorted = steady.clone();
    sorted.sort_by(f64::total_cmp);
    let (steady_p1, steady_lowest) = (sorted.get(sorted.len() / 100).copied().unwrap_or(0.0), sorted[0]);
    println!(
        "calls/s in {} ms windows: steady mean {steady_mean:.0}, 1st percentile {steady_p1:.0} ({:.2}x), lowest {steady_lowest:.0} ({:.2}x)   target during reloads: not below 0.5x",
        WINDOW.as_millis(),
        steady_p1 / steady_mean,
        steady_lowest / steady_mean
    );
    for (what, from, to) in
        [("config reloads", steady_until, configs_until), ("build reloads", configs_until, reloading_until)]
    {
        let mut rates = phase(from, to);
        rates.sort_by(f64::total_cmp);
        let mean = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
        let p1 = rates.get(rates.len() / 100).copied().unwrap_or(0.0);
        println!(
            "  during {RELOADS} {what}: mean {mean:.0} ({:.2}x), 1st percentile window {p1:.0} ({:.2}x), lowest {:.0} ({:.2}x)",
            mean / steady_mean,
            p1 / steady_mean,
            rates[0],
            rates[0] / steady_mean
        );
    }
    println!(
        "{} calls in all, {} answered by the fallback; {} reloads recorded",
        calls.load(Ordering::Relaxed),
        fallbacks.load(Ordering::Relaxed),
        host.status().reloads.len()
    );
}

fn report(what: &str, latencies: &mut [Duration]) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1];
    println!(
        "{what:<22} file written -> new version serving: p50 {:.0} ms, p99 {:.0} ms ({} reloads)   target: live within 1 s",
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        latencies.len()
    );
}
