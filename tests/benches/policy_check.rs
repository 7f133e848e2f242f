//! Checking a policy as it grows: the time per config key of `Policy::parse` (layering,
//! positions, flattening) and of loading the slot (the plugin's own `validate-config` over
//! the same keys), at 1,000 to 16,000 keys. Linear checking keeps the time per key flat: the
//! ratio of the largest to the smallest is the figure to watch.
//!
//! Run with `cargo bench -p pos-tests --bench policy_check`.

use pos_host::caps::Capabilities;
use pos_host::slots::NotificationTextsKind;
use pos_host::{Policy, SlotId};
use pos_tests::{artifacts, load, runtime};
use std::path::Path;
use std::time::{Duration, Instant};

const SIZES: [usize; 3] = [1_000, 4_000, 16_000];

/// A notification-texts policy overriding `keys` texts.
fn policy_text(keys: usize) -> String {
    let mut text = format!(
        "[slots.notification-texts]\nplugin = {:?}\nlimits = {{ fuel = 2000000000, timeout-ms = 60000 }}\n\
         [slots.notification-texts.config]\n",
        artifacts::NOTIFICATION_TEXTS
    );
    for i in 0..keys {
        text.push_str(&format!("\"texts.nl.key-{i}\" = \"Tekst nummer {i}\"\n"));
    }
    text
}

/// The best of three runs of `f`.
async fn best<F: AsyncFnMut()>(mut f: F) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        f().await;
        best = best.min(started.elapsed());
    }
    best
}

fn main() {
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    tokio.block_on(run());
}

async fn run() {
    let runtime = runtime(Capabilities::default());
    println!("| config keys | policy check | per key | plugin validate-config | per key |");
    println!("|---|---|---|---|---|");
    let mut per_key = Vec::new();
    for keys in SIZES {
        let text = policy_text(keys);
        let parse = best(async || {
            Policy::parse(Path::new("bench.toml"), &text).unwrap();
        })
        .await;
        let policy = Policy::parse(Path::new("bench.toml"), &text).unwrap();
        let spec = policy.slot(SlotId::NotificationTexts).unwrap().spec(&policy.path, &policy.host);
        let validate = best(async || {
            load::<NotificationTextsKind>(&runtime, &spec).await.unwrap();
        })
        .await;
        let (parse_key, validate_key) = (parse / keys as u32, validate / keys as u32);
        per_key.push((parse_key, validate_key));
        println!("| {keys} | {parse:.1?} | {parse_key:.2?} | {validate:.1?} | {validate_key:.2?} |");
    }
    let (first, last) = (per_key[0], per_key[per_key.len() - 1]);
    println!(
        "\ntime per key at {} keys / at {} keys: policy check {:.2}x, validate-config {:.2}x (1.0x is linear)",
        SIZES[SIZES.len() - 1],
        SIZES[0],
        last.0.as_secs_f64() / first.0.as_secs_f64(),
        last.1.as_secs_f64() / first.1.as_secs_f64(),
    );
}
