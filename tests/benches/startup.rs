//! Starting a host whose notification-texts slot holds the Rust, the JavaScript or the
//! Python build of the plugin, through the embedding API (policy, database, plugins):
//!
//! - cold (the compilation cache does not hold the plugin): how long until the host serves
//!   (the slot's fallback decides meanwhile), and until the plugin itself decides;
//! - warm (the cache holds it): how long until the host serves with the plugin deciding;
//! - the first `render` after each start.
//!
//! Run with `cargo bench -p pos-tests --bench startup` after `cargo xtask js-plugin` and
//! `cargo xtask python-plugin` (`cargo xtask bench` runs all of it). Target: a till serves
//! within 100 ms of its start, cold or warm, whatever the plugin's language.

use pos_host::Source;
use pos_host::bindings::Message;
use pos_host::embed::Host;
use pos_tests::{artifacts, js_plugin};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Cold starts compile a JavaScript or Python component for seconds: fewer of those.
const COLD_RUNS: usize = 3;
const WARM_RUNS: usize = 7;

fn main() {
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    tokio.block_on(run());
}

struct Start {
    serving: Duration,
    plugin_deciding: Duration,
    first_render: Duration,
    first_source: Source,
}

async fn start(dir: &Path, cache: &Path) -> Start {
    let started = Instant::now();
    let host = Host::builder()
        .policy_file(dir.join("policy.toml"))
        .database(dir.join("pos.sqlite"))
        .cache_dir(cache)
        .watch(false)
        .build()
        .await
        .unwrap();
    let serving = started.elapsed();
    let message = Message { key: "erp-too-many-results".into(), args: Vec::new() };
    let before = Instant::now();
    let first = host.plugins().texts.render(&message, "nl").await;
    let first_render = before.elapsed();
    black_box(first.value);
    host.compiled().await;
    let plugin_deciding = started.elapsed();
    assert!(host.status().slots.iter().all(|slot| slot.plugin.is_some() || slot.slot != "notification-texts"));
    Start { serving, plugin_deciding, first_render, first_source: first.source }
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

async fn run() {
    let plugins: [(&str, PathBuf); 3] = [
        ("Rust", PathBuf::from(artifacts::NOTIFICATION_TEXTS)),
        ("JavaScript", js_plugin::component()),
        ("Python", js_plugin::python_texts()),
    ];
    println!("Host start with the notification-texts plugin (embedding API; medians in ms):");
    println!(
        "  {:<11} {:>9} {:>12} {:>15} {:>12}   {:>12} {:>13}",
        "plugin", "size MB", "cold: serves", "plugin decides", "1st render", "warm: serves", "1st render"
    );
    for (language, plugin) in plugins {
        let dir = tempfile::tempdir().unwrap();
        let policy = format!("[slots.notification-texts]\nplugin = {:?}\n", plugin);
        std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
        let (mut cold, mut warm) = (Vec::new(), Vec::new());
        for _ in 0..COLD_RUNS {
            let cache = tempfile::tempdir().unwrap();
            let run = start(dir.path(), cache.path()).await;
            assert!(matches!(run.first_source, Source::Compiling(_)), "{:?}", run.first_source);
            cold.push(run);
            if warm.is_empty() {
                for _ in 0..WARM_RUNS {
                    let run = start(dir.path(), cache.path()).await;
                    assert!(matches!(run.first_source, Source::Plugin(_)), "{:?}", run.first_source);
                    warm.push(run);
                }
            }
        }
        let size = std::fs::metadata(&plugin).unwrap().len() as f64 / 1e6;
        let of = |runs: &[Start], figure: fn(&Start) -> Duration| median(runs.iter().map(figure).collect());
        println!(
            "  {language:<11} {size:>9.2} {:>12.1} {:>15.1} {:>12.3}   {:>12.1} {:>13.3}",
            of(&cold, |s| s.serving),
            of(&cold, |s| s.plugin_deciding),
            of(&cold, |s| s.first_render),
            of(&warm, |s| s.serving),
            of(&warm, |s| s.first_render),
        );
    }
    println!("  (cold: the fallback renders until the plugin decides; warm: the plugin renders)");
}
