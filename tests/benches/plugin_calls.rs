//! Hook call latency of the default plugins (fresh instance per call) next to the same
//! decision in native Rust, and cold and warm load times of the three plugins.
//!
//! Run with `cargo xtask bench` (or `cargo bench -p pos-tests --bench plugin_calls`; add
//! `-- calls` for the hook calls alone, `-- counting` for what the metrics and spans add to one,
//! `-- beside` for what recording the calls and a shadow plugin add to the live call).
//! Targets: hook call p50 under 50 µs; warm load of all three under 100 ms.
//!
//! Also the JavaScript and Python builds of notification-texts (`cargo xtask js-plugin` and
//! `python-plugin`, which `cargo xtask bench` runs first) next to the Rust one: their hook
//! call, and each one's load alone.

use pos_host::Capability;
use pos_host::SlotId;
use pos_host::bindings::search::LocalSearchOutcome;
use pos_host::bindings::{Customer, Message, Origin, SearchQuery};
use pos_host::caps::{Capabilities, InMemoryCustomers};
use pos_host::recording::{PersonalData, RecordSettings, Recorder};
use pos_host::runtime::{Limits, PluginSpec, Runtime, Shadow, Slot, SlotKind};
use pos_host::slots::notification_texts::fallback_render;
use pos_host::slots::search_policy::fallback_local;
use pos_host::slots::web_merge_rules::fallback_take_over_local;
use pos_host::slots::{NotificationTextsKind, SearchPolicyKind, WebMergeRulesKind};
use pos_host::slots::{notification_texts, search_policy, web_merge_rules};
use pos_tests::{artifacts, js_plugin};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CALLS: usize = 5_000;
const WARMUP: usize = 200;

fn main() {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // `-- calls`: the hook calls alone, without the loads (which compile the JavaScript and
    // Python builds cold, for minutes).
    let only_calls = std::env::args().any(|arg| arg == "calls");
    let only_counting = std::env::args().any(|arg| arg == "counting");
    let only_beside = std::env::args().any(|arg| arg == "beside");
    tokio.block_on(async {
        if !only_calls && !only_counting && !only_beside {
            loads().await;
            texts_loads().await;
        }
        if !only_counting && !only_beside {
            calls().await;
        }
        if !only_beside {
            counting().await;
        }
        beside().await;
    });
}

fn specs() -> [(&'static str, PluginSpec); 3] {
    [
        ("search-thresholds", PluginSpec::new(artifacts::SEARCH_THRESHOLDS)),
        ("notification-texts", PluginSpec::new(artifacts::NOTIFICATION_TEXTS)),
        (
            "web-merge-rules",
            PluginSpec { grants: vec![Capability::LocalDb], ..PluginSpec::new(artifacts::WEB_MERGE_RULES) },
        ),
    ]
}

async fn load_all(cache: &std::path::Path) -> Duration {
    let started = Instant::now();
    let runtime = Runtime::new(Capabilities::default(), Some(cache.to_owned())).unwrap();
    let [search, texts, merge] = specs();
    let (a, b, c) = tokio::join!(
        runtime.load::<SearchPolicyKind>(&search.1),
        runtime.load::<NotificationTextsKind>(&texts.1),
        runtime.load::<WebMergeRulesKind>(&merge.1),
    );
    black_box((a.unwrap(), b.unwrap(), c.unwrap()));
    started.elapsed()
}

async fn loads() {
    println!("Load of the three default plugins (new runtime + compile or cache + checks + validate-config):");
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..5 {
        let cache = tempfile::tempdir().unwrap();
        cold.push(load_all(cache.path()).await);
        warm.push(load_all(cache.path()).await);
    }
    cold.sort();
    warm.sort();
    println!("  cold (empty cache): median {:>8.1} ms", ms(cold[2]));
    println!("  warm (from cache):  median {:>8.1} ms   target < 100 ms", ms(warm[2]));
}

/// One texts plugin loaded alone, cold and warm: the JavaScript and Python builds carry their
/// language's interpreter, so their compile is measured in seconds (3 runs rather than 5).
async fn texts_loads() {
    println!("\nLoad of notification-texts alone (new runtime + compile or cache + checks + validate-config):");
    for (name, spec) in [
        ("Rust", PluginSpec::new(artifacts::NOTIFICATION_TEXTS)),
        ("JavaScript build", PluginSpec::new(js_plugin::component())),
        ("Python build", PluginSpec::new(js_plugin::python_texts())),
    ] {
        let (mut cold, mut warm) = (Vec::new(), Vec::new());
        let mut entry = Vec::new();
        for _ in 0..3 {
            let cache = tempfile::tempdir().unwrap();
            for times in [&mut cold, &mut warm] {
                let started = Instant::now();
                let runtime = Runtime::new(Capabilities::default(), Some(cache.path().to_owned())).unwrap();
                black_box(runtime.load::<NotificationTextsKind>(&spec).await.unwrap());
                times.push(started.elapsed());
            }
            let file = std::fs::read_dir(cache.path()).unwrap().map(|e| e.unwrap().path()).next().unwrap();
            entry = std::fs::read(file).unwrap();
        }
        cold.sort();
        warm.sort();
        println!(
            "  {name:<17} cold (empty cache): median {:>8.1} ms   warm (from cache): median {:>8.1} ms",
            ms(cold[1]),
            ms(warm[1])
        );
        entry_check(&entry);
    }
}

/// What checking a cache entry's MAC costs in a warm load: BLAKE3 in keyed mode (what the
/// cache uses) next to SHA-256 (what an HMAC-SHA256 would hash), over the same entry.
fn entry_check(entry: &[u8]) {
    let median = |mut f: Box<dyn FnMut()>| {
        let mut times: Vec<Duration> = (0..5)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect();
        times.sort();
        times[2]
    };
    let key = [7u8; 32];
    let blake3 = median(Box::new(|| {
        black_box(blake3::keyed_hash(&key, black_box(entry)));
    }));
    let sha256 = median(Box::new(|| {
        black_box(pos_host::runtime::sha256_hex(black_box(entry)));
    }));
    println!(
        "  {:<17} of which the cache entry's MAC ({:.1} MB): BLAKE3 keyed {:.1} ms; SHA-256 would take {:.1} ms ({:.1}x)",
        "",
        entry.len() as f64 / 1e6,
        ms(blake3),
        ms(sha256),
        sha256.as_secs_f64() / blake3.as_secs_f64()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[derive(Clone, Copy)]
struct Figures {
    p50: Duration,
    p99: Duration,
}

async fn measure<F: AsyncFnMut()>(mut call: F) -> Figures {
    for _ in 0..WARMUP {
        call().await;
    }
    let mut samples = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let started = Instant::now();
        call().await;
        samples.push(started.elapsed());
    }
    samples.sort();
    Figures { p50: percentile(&samples, 0.5), p99: percentile(&samples, 0.99) }
}

fn report(name: &str, plugin: Figures, native: Figures) {
    println!(
        "  {name:<44} plugin p50 {:>7.1} µs  p99 {:>7.1} µs | native p50 {:>6.2} µs  p99 {:>6.2} µs | ratio p50 {:>6.0}x",
        us(plugin.p50),
        us(plugin.p99),
        us(native.p50),
        us(native.p99),
        plugin.p50.as_secs_f64() / native.p50.as_secs_f64().max(1e-9),
    );
}

/// A fresh instance per call next to calls into one kept instance (the isolation's price).
fn report_kept(fresh: Figures, kept: Figures) {
    println!(
        "  {:<44} kept instance p50 {:>7.1} µs  p99 {:>7.1} µs | ratio fresh/kept p50 {:>5.1}x   target < 10 µs, < 3x",
        "",
        us(kept.p50),
        us(kept.p99),
        fresh.p50.as_secs_f64() / kept.p50.as_secs_f64().max(1e-9),
    );
}

async fn slot<K: SlotKind>(runtime: &Runtime, spec: &PluginSpec) -> Slot<K> {
    Slot::new(Some(runtime.load::<K>(spec).await.unwrap()))
}

async fn calls() {
    println!("\nHook call latency, fresh store and instance per call ({CALLS} calls; target p50 < 10 µs):");
    let cache = tempfile::tempdir().unwrap();
    let locals = vec![customer("K-1", "Anna", "Wójcik"), customer("K-2", "Piotr", "Wojcik")];
    let caps = Capabilities { local_db: Arc::new(InMemoryCustomers::new(locals.clone())), ..Capabilities::default() };
    let runtime = Runtime::new(caps, Some(cache.path().to_owned())).unwrap();
    let [search, texts, merge] = specs();

    let search: Slot<SearchPolicyKind> = slot(&runtime, &search.1).await;
    let outcome = LocalSearchOutcome {
        query: SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false },
        result_count: 4,
        criteria_changed: true,
        online_search_enabled: true,
    };
    let plugin = measure(async || assert!(!search.after_local_search(black_box(&outcome)).await.is_fallback())).await;
    let config = search.config();
    let native = measure(async || {
        black_box(fallback_local(&config, black_box(&outcome)));
    })
    .await;
    let (mut store, bindings) = search.current().unwrap().kept_instance().await.unwrap();
    let search_policy::Bindings::V0_2(bindings) = bindings else { panic!("the default plugins are built for v0.2") };
    let kept = measure(async || {
        store.set_fuel(Limits::default().fuel).unwrap();
        let decisions = bindings.pos_plugin_search_decisions();
        black_box(decisions.call_after_local_search(&mut store, black_box(&outcome)).await.unwrap());
    })
    .await;
    report("search-thresholds after-local-search", plugin, native);
    report_kept(plugin, kept);

    let texts: Slot<NotificationTextsKind> = slot(&runtime, &texts.1).await;
    let message = Message { key: "erp-too-many-results".into(), args: Vec::new() };
    let plugin = measure(async || assert!(!texts.render(black_box(&message), "nl").await.is_fallback())).await;
    let config = texts.config();
    let native = measure(async || {
        black_box(fallback_render(&config, black_box(&message), "nl"));
    })
    .await;
    let (mut store, bindings) = texts.current().unwrap().kept_instance().await.unwrap();
    let notification_texts::Bindings::V0_2(bindings) = bindings else {
        panic!("the default plugins are built for v0.2")
    };
    let kept = measure(async || {
        store.set_fuel(Limits::default().fuel).unwrap();
        let texts = bindings.pos_plugin_texts();
        black_box(texts.call_render(&mut store, black_box(&message), "nl").await.unwrap());
    })
    .await;
    report("notification-texts render", plugin, native);
    report_kept(plugin, kept);
    let js: Slot<NotificationTextsKind> = slot(&runtime, &PluginSpec::new(js_plugin::component())).await;
    let plugin = measure(async || assert!(!js.render(black_box(&message), "nl").await.is_fallback())).await;
    let (mut store, bindings) = js.current().unwrap().kept_instance().await.unwrap();
    let notification_texts::Bindings::V0_2(bindings) = bindings else { panic!("the JavaScript build is for v0.2") };
    let kept = measure(async || {
        store.set_fuel(Limits::default().fuel).unwrap();
        let texts = bindings.pos_plugin_texts();
        black_box(texts.call_render(&mut store, black_box(&message), "nl").await.unwrap());
    })
    .await;
    report("notification-texts render, JavaScript build", plugin, native);
    report_kept(plugin, kept);
    let py: Slot<NotificationTextsKind> = slot(&runtime, &PluginSpec::new(js_plugin::python_texts())).await;
    let plugin = measure(async || assert!(!py.render(black_box(&message), "nl").await.is_fallback())).await;
    report("notification-texts render, Python build", plugin, native);

    let merge: Slot<WebMergeRulesKind> = slot(&runtime, &merge.1).await;
    let web = Customer { web_id: Some("W-1".into()), origin: Origin::Web, ..customer("K-9", "Anna", "Wojcik-Nowak") };
    let plugin =
        measure(async || assert!(!merge.take_over_local(black_box(&web), &locals[0]).await.is_fallback())).await;
    let native = measure(async || {
        black_box(fallback_take_over_local(black_box(&web), &locals[0]));
    })
    .await;
    let (mut store, bindings) = merge.current().unwrap().kept_instance().await.unwrap();
    let web_merge_rules::Bindings::V0_2(bindings) = bindings else { panic!("the default plugins are built for v0.2") };
    let kept = measure(async || {
        store.set_fuel(Limits::default().fuel).unwrap();
        let rules = bindings.pos_plugin_merge_rules();
        black_box(rules.call_take_over_local(&mut store, black_box(&web), &locals[0]).await.unwrap());
    })
    .await;
    report("web-merge-rules take-over-local", plugin, native);
    report_kept(plugin, kept);
}

/// What the host's observability adds to a hook call: the same call with its metrics
/// counted (calls, time, fuel: what a host does) and not, then with its span written (the
/// JSON log at `info`, into nothing) and not.
async fn counting() {
    println!("\nWhat metrics and spans cost a hook call (search-thresholds after-local-search, in turns):");
    let cache = tempfile::tempdir().unwrap();
    let spec = PluginSpec::new(artifacts::SEARCH_THRESHOLDS);
    let counted = Runtime::new(Capabilities::default(), Some(cache.path().to_owned())).unwrap();
    let uncounted = Runtime::new(Capabilities::default(), Some(cache.path().to_owned())).unwrap().unmeasured();
    let counted: Slot<SearchPolicyKind> = slot(&counted, &spec).await;
    let uncounted: Slot<SearchPolicyKind> = slot(&uncounted, &spec).await;
    assert!(counted.current().unwrap().meter().is_some() && uncounted.current().unwrap().meter().is_none());
    let outcome = changed_search();
    let call = async |slot: &Slot<SearchPolicyKind>| {
        assert!(!slot.after_local_search(black_box(&outcome)).await.is_fallback());
    };
    let (on, off) = in_turns(async || call(&counted).await, async || call(&uncounted).await).await;
    report_turns("metrics counted / not", on, off);
    let log = |directives: &str| {
        let format = pos_host::personal::LogFormat::Json;
        tracing::Dispatch::new(pos_host::personal::subscriber(directives, std::io::sink, false, false, format))
    };
    // The command line's default filter, where the spans are off. The subscriber is this
    // thread's default for the call (the bench runs on one thread), as a host's global one
    // would be; scoped, it is looked up a little slower than a global one.
    let quiet = log("warn,wasmtime_wasi_http=error,plugin=info,pos_host::live=info");
    let under = async |dispatch: &tracing::Dispatch| {
        let _default = tracing::dispatcher::set_default(dispatch);
        call(&counted).await
    };
    let (on, off) = in_turns(async || under(&quiet).await, async || call(&counted).await).await;
    report_turns("default log filter / no subscriber", on, off);
    let traced = log("info");
    let (on, off) = in_turns(async || under(&traced).await, async || call(&counted).await).await;
    report_turns("span written (JSON log at info) / none", on, off);
}

/// A changed search that found four: the call `counting` and `beside` measure.
fn changed_search() -> LocalSearchOutcome {
    LocalSearchOutcome {
        query: SearchQuery { phrase: "Kowalski".into(), filters: Vec::new(), include_inactive: false },
        result_count: 4,
        criteria_changed: true,
        online_search_enabled: true,
    }
}

/// What a recording slot and a shadow plugin add to the live call: the same slot with each
/// and without, in turns.
async fn beside() {
    println!("\nWhat runs beside the live call (search-thresholds after-local-search, in turns):");
    let cache = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(Capabilities::default(), Some(cache.path().to_owned())).unwrap();
    let spec = PluginSpec::new(artifacts::SEARCH_THRESHOLDS);
    let plain: Slot<SearchPolicyKind> = slot(&runtime, &spec).await;
    let recording: Slot<SearchPolicyKind> = slot(&runtime, &spec).await;
    let recordings = tempfile::tempdir().unwrap();
    let settings = RecordSettings { dir: recordings.path().to_owned(), personal_data: PersonalData::Pseudonymized };
    let recorder = Arc::new(Recorder::start(settings, SlotId::SearchPolicy, "POS-01").unwrap());
    recording.record_with(Some(recorder.clone()));
    let shadowed: Slot<SearchPolicyKind> = slot(&runtime, &spec).await;
    let cautious = runtime.load::<SearchPolicyKind>(&PluginSpec::new(artifacts::CAUTIOUS_SEARCH)).await.unwrap();
    let shadow = Arc::new(Shadow::new(Slot::new(Some(cautious)), None).unwrap());
    shadowed.shadow_with(Some(shadow.clone()));
    let outcome = changed_search();
    let call = async |slot: &Slot<SearchPolicyKind>| {
        assert!(!slot.after_local_search(black_box(&outcome)).await.is_fallback());
    };
    let (on, off) = in_turns(async || call(&recording).await, async || call(&plain).await).await;
    report_turns("recorded (pseudonymized) / not", on, off);
    recorder.flush().await;
    let written = recorder.status();
    println!("  {:<40} {} calls written, {} dropped", "", written.written, written.dropped);
    let (on, off) = in_turns(async || call(&shadowed).await, async || call(&plain).await).await;
    report_turns("with a shadow (cautious-search) / without", on, off);
    let report_shadow = async || {
        shadow.settled().await;
        let ran = shadow.status().unwrap();
        println!(
            "  {:<40} the shadow: {} agreed, {} differed, {} failed, {} skipped (4 at once at most)",
            "", ran.agreed, ran.differed, ran.failed, ran.skipped
        );
    };
    report_shadow().await;
    // Back to back, the shadow takes the calls it can and skips the rest. At a till's pace
    // (a pair of calls every 2 ms) it takes every call. Slot by slot in phases instead of
    // turns, the same plain slot's p99 moved between 49 and 137 µs from one phase to the
    // next on the 2-core machine (docs/benchmarks.md): turns it is.
    let (on, off) = paced(async || call(&shadowed).await, async || call(&plain).await).await;
    report_turns("paced: with a shadow / without", on, off);
    report_shadow().await;
    let (on, off) = paced(async || call(&recording).await, async || call(&plain).await).await;
    report_turns("paced: recorded / not", on, off);
}

/// `on` and `off`, call by call in turns (which goes first alternating), so that whatever
/// drifts during the run (the clock, the other core's load) falls on both alike: their
/// p50 and p99.
async fn in_turns<A: AsyncFnMut(), B: AsyncFnMut()>(on: A, off: B) -> (Figures, Figures) {
    turns(on, off, CALLS * 5, None).await
}

/// [`in_turns`] at a till's pace: a pair of calls every 2 ms, 3,000 pairs.
async fn paced<A: AsyncFnMut(), B: AsyncFnMut()>(on: A, off: B) -> (Figures, Figures) {
    turns(on, off, 3_000, Some(Duration::from_millis(2))).await
}

/// `pairs` pairs of calls in turns, one pair every `pace` if given, back to back if not.
async fn turns<A: AsyncFnMut(), B: AsyncFnMut()>(
    mut on: A,
    mut off: B,
    pairs: usize,
    pace: Option<Duration>,
) -> (Figures, Figures) {
    let mut times = [Vec::with_capacity(pairs), Vec::with_capacity(pairs)];
    let mut every = pace.map(tokio::time::interval);
    for n in 0..(WARMUP + pairs) {
        if let Some(every) = &mut every {
            every.tick().await;
        }
        for side in if n % 2 == 0 { [0, 1] } else { [1, 0] } {
            let started = Instant::now();
            match side {
                0 => on().await,
                _ => off().await,
            }
            if n >= WARMUP {
                times[side].push(started.elapsed());
            }
        }
    }
    let [on, off] = times.map(|mut times| {
        times.sort();
        Figures { p50: percentile(&times, 0.5), p99: percentile(&times, 0.99) }
    });
    (on, off)
}

fn report_turns(what: &str, on: Figures, off: Figures) {
    println!(
        "  {what:<40} p50 {:>6.2} / {:>6.2} µs  p99 {:>6.2} / {:>6.2} µs | ratio p50 {:.3}, p99 {:.3}",
        us(on.p50),
        us(off.p50),
        us(on.p99),
        us(off.p99),
        on.p50.as_secs_f64() / off.p50.as_secs_f64(),
        on.p99.as_secs_f64() / off.p99.as_secs_f64()
    );
}

fn customer(number: &str, first: &str, last: &str) -> Customer {
    Customer {
        number: Some(number.into()),
        web_id: None,
        first_name: first.into(),
        last_name: last.into(),
        company: Some("Piekarnia Wójcik sp. z o.o.".into()),
        tax_id: Some("PL5261040828".into()),
        email: Some("anna@example.pl".into()),
        phone: Some("+48 12 345 67 89".into()),
        street: Some("ul. Długa 5".into()),
        postal_code: Some("31-147".into()),
        city: Some("Kraków".into()),
        country: Some("PL".into()),
        active: true,
        origin: Origin::Local,
        version: 1,
        updated_at: 0,
        previewable: true,
        editable: true,
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn us(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
